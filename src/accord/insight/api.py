"""JSON routes of insights."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from accord.access.deps import CurrentPrincipal, SessionDep
from accord.insight import service as insight_service
from accord.insight.schemas import InsightCreate

router = APIRouter(prefix="/api/v1/stakeholders", tags=["insights"])


@router.post(
    "/{stakeholder_id}/insights",
    status_code=status.HTTP_201_CREATED,
    summary="Record a field insight",
)
def record_insight(
    session: SessionDep, principal: CurrentPrincipal, stakeholder_id: int, data: InsightCreate
) -> dict[str, Any]:
    insight = insight_service.record_insight(session, principal, stakeholder_id, data)
    return {
        "id": insight.id,
        "stakeholder_id": insight.stakeholder_id,
        "text": insight.text,
        "topics": insight.topics,
        "product": data.product,
        "sentiment": insight.sentiment.value if insight.sentiment else None,
        "recorded_at": insight.recorded_at,
    }
