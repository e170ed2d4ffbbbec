"""JSON routes of engagement status and channel preferences."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from accord.access.deps import CurrentPrincipal, SessionDep
from accord.engagement import service as engagement_service
from accord.engagement.schemas import ChannelPreferenceCreate, EngagementStatusSet

router = APIRouter(prefix="/api/v1/stakeholders", tags=["engagement"])


@router.put("/{stakeholder_id}/engagement", summary="Set your function's engagement status")
def set_engagement_status(
    session: SessionDep,
    principal: CurrentPrincipal,
    stakeholder_id: int,
    data: EngagementStatusSet,
) -> dict[str, Any]:
    """`do_not_contact` from any function stops every function's interactions."""
    row = engagement_service.set_status(session, principal, stakeholder_id, data)
    return {
        "function": row.function.value,
        "status": row.status.value,
        "reason": row.reason,
        "changed_at": row.changed_at,
    }


@router.post(
    "/{stakeholder_id}/channel-preferences",
    status_code=status.HTTP_201_CREATED,
    summary="Record a stated channel preference",
)
def record_channel_preference(
    session: SessionDep,
    principal: CurrentPrincipal,
    stakeholder_id: int,
    data: ChannelPreferenceCreate,
) -> dict[str, Any]:
    row = engagement_service.record_preference(session, principal, stakeholder_id, data)
    return {
        "id": row.id,
        "channel": row.channel.value,
        "preference": row.preference.value,
        "source": row.source,
        "recorded_at": row.recorded_at,
    }
