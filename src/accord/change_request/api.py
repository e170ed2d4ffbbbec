"""JSON routes of data change requests: propose, list, approve, reject."""

from __future__ import annotations

from fastapi import APIRouter, status

from accord.access.deps import CurrentPrincipal, SessionDep
from accord.change_request import service as change_service
from accord.change_request.models import ChangeRequest, ChangeStatus
from accord.change_request.schemas import ChangeRequestCreate, ChangeRequestRead, Decision
from accord.pagination import ListResponse

router = APIRouter(prefix="/api/v1/change-requests", tags=["change requests"])


def _read(request: ChangeRequest, proposed_by: str) -> ChangeRequestRead:
    return ChangeRequestRead(
        id=request.id,
        kind=request.kind,
        status=request.status.value,
        stakeholder_id=request.stakeholder_id,
        payload=request.payload,
        note=request.note,
        proposed_by=proposed_by,
        decision_reason=request.decision_reason,
    )


@router.post(
    "",
    response_model=ChangeRequestRead,
    status_code=status.HTTP_201_CREATED,
    summary="Propose a change to the master",
)
def propose(
    session: SessionDep, principal: CurrentPrincipal, data: ChangeRequestCreate
) -> ChangeRequestRead:
    """new_stakeholder, address, specialty, affiliation or correction; a steward decides."""
    return _read(change_service.propose(session, principal, data), principal.full_name)


@router.get("", response_model=ListResponse[ChangeRequestRead], summary="The stewards' queue")
def queue(
    session: SessionDep,
    principal: CurrentPrincipal,
    status: ChangeStatus | None = ChangeStatus.pending,
) -> ListResponse[ChangeRequestRead]:
    """Stewards see every request; others see their own."""
    rows = change_service.list_requests(session, principal, status=status)
    return ListResponse(items=[_read(r, name) for r, name in rows], next_cursor=None)


@router.post("/{request_id}/approve", response_model=ChangeRequestRead, summary="Approve and apply")
def approve(
    session: SessionDep, principal: CurrentPrincipal, request_id: int, data: Decision
) -> ChangeRequestRead:
    request = change_service.approve(session, principal, request_id, reason=data.reason)
    return _read(request, "")


@router.post(
    "/{request_id}/reject", response_model=ChangeRequestRead, summary="Reject with a reason"
)
def reject(
    session: SessionDep, principal: CurrentPrincipal, request_id: int, data: Decision
) -> ChangeRequestRead:
    request = change_service.reject(session, principal, request_id, reason=data.reason)
    return _read(request, "")
