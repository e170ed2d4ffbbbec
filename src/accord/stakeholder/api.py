"""JSON routes of stakeholders: list and search, the complete view, create."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status

from accord.access.deps import CurrentPrincipal, SessionDep
from accord.errors import InvalidInput
from accord.pagination import ListResponse
from accord.stakeholder import export as stakeholder_export
from accord.stakeholder import service as stakeholder_service
from accord.stakeholder import view as stakeholder_view
from accord.stakeholder.models import Stakeholder, StakeholderType, Tier
from accord.stakeholder.schemas import (
    StakeholderCreate,
    StakeholderSummary,
    StakeholderUpdate,
    StakeholderView,
)

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
    organization name, or a whole 10-digit NPI."""
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


@router.get(
    "/export",
    summary="Export a filtered list as CSV",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def export_stakeholders(
    session: SessionDep,
    principal: CurrentPrincipal,
    format: str = "csv",
    q: str | None = None,
    type: StakeholderType | None = None,
    specialty: str | None = None,
    state: str | None = None,
    tier: Tier | None = None,
    territory: str | None = None,
) -> Response:
    """The same rows as the list; the columns and cells the firewall allows you. Audited."""
    if format != "csv":
        raise InvalidInput("the export format is csv", field="format")
    body = stakeholder_export.export_csv(
        session,
        principal,
        filters=stakeholder_service.StakeholderFilter(
            q=q, type=type, specialty=specialty, state=state, tier=tier, territory=territory
        ),
    )
    return Response(
        content=body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="stakeholders.csv"'},
    )


@router.patch(
    "/{stakeholder_id}", response_model=StakeholderSummary, summary="Correct a stakeholder"
)
def update_stakeholder(
    session: SessionDep, principal: CurrentPrincipal, stakeholder_id: int, data: StakeholderUpdate
) -> StakeholderSummary:
    """Each changed field is audited with its old and new value and your reason."""
    return _summary(
        stakeholder_service.update_stakeholder(session, principal, stakeholder_id, data)
    )


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
