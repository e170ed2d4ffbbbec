"""JSON routes of the stewards' duplicate queue, direct merges and their undo."""

from __future__ import annotations

from fastapi import APIRouter, status

from accord.access.deps import CurrentPrincipal, SessionDep
from accord.matching import service as matching_service
from accord.matching import service_merge
from accord.matching.models import CandidateStatus, StakeholderMerge
from accord.matching.schemas import (
    MatchCandidateRead,
    MergeCreate,
    MergeRead,
    Reason,
    StakeholderBrief,
)
from accord.pagination import ListResponse

router = APIRouter(prefix="/api/v1", tags=["matching"])


def _side(side: matching_service.Side) -> StakeholderBrief:
    s = side.stakeholder
    return StakeholderBrief(
        id=s.id,
        name=s.name,
        type=s.type.value,
        status=s.status.value,
        npi=side.npi,
        credentials=s.credentials,
        specialty=side.specialty,
        city=s.city,
        state=s.state,
        address=side.address,
    )


def _candidate(view: matching_service.CandidateView) -> MatchCandidateRead:
    c = view.candidate
    return MatchCandidateRead(
        id=c.id,
        status=c.status.value,
        probability=c.probability,
        weight=c.weight,
        fields=c.fields,
        found_at=c.found_at,
        decided_by=c.decided_by,
        decided_at=c.decided_at,
        reason=c.reason,
        stakeholders=[_side(view.left), _side(view.right)],
    )


def _merge(record: StakeholderMerge) -> MergeRead:
    return MergeRead.model_validate(record, from_attributes=True)


@router.get(
    "/match-candidates",
    response_model=ListResponse[MatchCandidateRead],
    summary="Possible duplicates to decide",
)
def list_candidates(
    session: SessionDep,
    principal: CurrentPrincipal,
    status: CandidateStatus | None = CandidateStatus.pending,
    limit: int = 100,
) -> ListResponse[MatchCandidateRead]:
    """The pairs the matcher scored between the review and auto-merge thresholds, most
    probable first, with the per-field weights that explain each score."""
    views = matching_service.list_candidates(
        session, principal, status=status, limit=max(1, min(limit, 500))
    )
    return ListResponse(items=[_candidate(v) for v in views], next_cursor=None)


@router.get("/match-candidates/{candidate_id}", response_model=MatchCandidateRead)
def get_candidate(
    session: SessionDep, principal: CurrentPrincipal, candidate_id: int
) -> MatchCandidateRead:
    return _candidate(matching_service.get_candidate(session, principal, candidate_id))


@router.post(
    "/match-candidates/{candidate_id}/merge",
    response_model=MergeRead,
    summary="Confirm a duplicate and merge",
)
def merge_candidate(
    session: SessionDep, principal: CurrentPrincipal, candidate_id: int, data: Reason
) -> MergeRead:
    """The survivor is chosen by the documented rule (docs/matching.md)."""
    record = matching_service.merge_candidate(
        session, principal, candidate_id=candidate_id, reason=data.reason
    )
    return _merge(record)


@router.post(
    "/match-candidates/{candidate_id}/reject",
    response_model=MatchCandidateRead,
    summary="Not a duplicate",
)
def reject_candidate(
    session: SessionDep, principal: CurrentPrincipal, candidate_id: int, data: Reason
) -> MatchCandidateRead:
    matching_service.reject_candidate(
        session, principal, candidate_id=candidate_id, reason=data.reason
    )
    return _candidate(matching_service.get_candidate(session, principal, candidate_id))


@router.post(
    "/merges",
    response_model=MergeRead,
    status_code=status.HTTP_201_CREATED,
    summary="Merge two stakeholders",
)
def merge_stakeholders(
    session: SessionDep, principal: CurrentPrincipal, data: MergeCreate
) -> MergeRead:
    """Merge `merged_id` into `survivor_id`, as the steward chose."""
    record = service_merge.merge_stakeholders(
        session,
        principal,
        survivor_id=data.survivor_id,
        merged_id=data.merged_id,
        reason=data.reason,
    )
    return _merge(record)


@router.get("/merges/{merge_id}", response_model=MergeRead, summary="A merge and what it moved")
def get_merge(session: SessionDep, principal: CurrentPrincipal, merge_id: int) -> MergeRead:
    return _merge(service_merge.get_merge(session, principal, merge_id))


@router.post("/merges/{merge_id}/undo", response_model=MergeRead, summary="Undo a merge")
def undo_merge(
    session: SessionDep, principal: CurrentPrincipal, merge_id: int, data: Reason
) -> MergeRead:
    """Both records back exactly as before; the pair returns to the queue."""
    return _merge(
        service_merge.undo_merge(session, principal, merge_id=merge_id, reason=data.reason)
    )
