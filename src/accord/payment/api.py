"""JSON and CSV spend reports."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from accord.access.deps import CurrentPrincipal, SessionDep
from accord.errors import InvalidInput
from accord.payment import service as payment_service

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])


@router.get("/spend", summary="Transfers of value, totalled", response_model=None)
def spend(
    session: SessionDep,
    principal: CurrentPrincipal,
    group_by: str = "manufacturer",
    year: int | None = None,
    format: str = "json",
) -> dict[str, Any] | Response:
    """Totals per stakeholder, manufacturer, nature or year, exact to the cent; `format=csv`
    for a download. Compliance and finance only."""
    if format not in ("json", "csv"):
        raise InvalidInput("format is json or csv", field="format")
    report = payment_service.spend_report(session, principal, group_by=group_by, year=year)
    if format == "csv":
        return Response(
            content=payment_service.report_csv(report),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="spend-by-{group_by}.csv"'},
        )
    return report
