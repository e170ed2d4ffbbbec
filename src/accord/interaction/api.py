"""JSON routes that record engagement on a stakeholder and read its timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, status

from accord.access.deps import CurrentPrincipal, SessionDep
from accord.interaction import service as interaction_service
from accord.interaction.models import Channel
from accord.interaction.schemas import InteractionCreate, InteractionRead
from accord.pagination import ListResponse
from accord.stakeholder import view as stakeholder_view
from accord.user.models import Function

router = APIRouter(prefix="/api/v1/stakeholders", tags=["interactions"])


@router.post(
    "/{stakeholder_id}/interactions",
    response_model=InteractionRead,
    status_code=status.HTTP_201_CREATED,
    summary="Record an interaction",
)
def record_interaction(
    session: SessionDep, principal: CurrentPrincipal, stakeholder_id: int, data: InteractionCreate
) -> dict[str, Any]:
    """Refused (422, naming the field) when consent for the channel and purpose is withdrawn,
    when the stakeholder asked not to be contacted, or when commercial names a product that is
    not approved."""
    interaction = interaction_service.record_interaction(session, principal, stakeholder_id, data)
    return {
        "id": interaction.id,
        "stakeholder_id": interaction.stakeholder_id,
        "category": interaction_service.ACTIVITY_CATEGORY[interaction.function],
        "function": interaction.function.value,
        "channel": interaction.channel,
        "purpose": interaction.purpose,
        "occurred_at": interaction.occurred_at,
        "outcome": interaction.outcome,
        "owner": principal.full_name,
        "products": data.products,
        "topics": interaction.topics,
        "notes": interaction.notes,
    }


@router.get(
    "/{stakeholder_id}/timeline",
    response_model=ListResponse[InteractionRead],
    summary="Activities you may read in full",
)
def timeline(
    session: SessionDep,
    principal: CurrentPrincipal,
    stakeholder_id: int,
    channel: Channel | None = None,
    function: Function | None = None,
    product: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> dict[str, Any]:
    """Newest first, across teams and channels; activities you may see only as counts are in
    the view's activities_* sections instead."""
    lens = stakeholder_view.lens_for(session, principal, stakeholder_id)
    items, next_cursor = interaction_service.timeline(
        session,
        lens,
        filters=interaction_service.TimelineFilter(
            channel=channel, function=function, product=product, since=since, until=until
        ),
        limit=limit,
        cursor=cursor,
    )
    return {"items": items, "next_cursor": next_cursor}
