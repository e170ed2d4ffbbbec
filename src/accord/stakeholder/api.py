"""JSON routes of stakeholders: list and search, the complete view, create."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from accord.access.deps import CurrentPrincipal, SessionDep
from accord.pagination import ListResponse
from accord.stakeholder import service as stakeholder_service
from accord.stakeholder import view as stakeholder_view
from accord.stakeholder.models import Stakeholder, StakeholderType, Tier
from accord.stakeholder.schemas import StakeholderCreate, StakeholderSummary, StakeholderView

router = APIRouter(prefix="/api/v1/stakeholders", tags=["stakeholders"])


def _summary(s: Stakeholder) -> StakeholderSummary:
    return StakeholderSummary(
        id=s.id,
        name=s.name,
        type=s.type,
        credentials=s.credentials,
        specialty=s.primary_specialty_code,
        tier=s.tier,
        city=s.city,
        state=s.state,
    )


@router.get("", response_model=ListResponse[StakeholderSummary], summary="List and search")
def list_stakeholders(
    session: SessionDep,
    principal: CurrentPrincipal,
    q: str | None = None,
    type: StakeholderType | None = None,
    specialty: str | None = None,
    state: str | None = None,
    tier: Tier | None = None,
    territory: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> ListResponse[StakeholderSummary]:
    """Only stakeholders in your territories; `q` matches the start of the last or
    organization name."""
    page = stakeholder_service.list_stakeholders(
        session,
        principal,
        filters=stakeholder_service.StakeholderFilter(
            q=q, type=type, specialty=specialty, state=state, tier=tier, territory=territory
        ),
        limit=limit,
        cursor=cursor,
    )
    return ListResponse(items=[_summary(s) for s in page.items], next_cursor=page.next_cursor)


@router.get("/{stakeholder_id}", response_model=StakeholderView, summary="The complete view")
def view_stakeholder(
    session: SessionDep, principal: CurrentPrincipal, stakeholder_id: int
) -> dict[str, Any]:
    """The sections you may see; a section at `none` is absent; out of scope is 404."""
    return stakeholder_view.view_stakeholder(session, principal, stakeholder_id)


@router.post(
    "",
    response_model=StakeholderSummary,
    status_code=status.HTTP_201_CREATED,
    summary="Record a stakeholder",
)
def create_stakeholder(
    session: SessionDep, principal: CurrentPrincipal, data: StakeholderCreate
) -> StakeholderSummary:
    return _summary(stakeholder_service.create_stakeholder(session, principal, data))
