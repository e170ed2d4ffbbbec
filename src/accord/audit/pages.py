"""The audit trail page for compliance: filters, pages of entries, chain verification."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from accord.access.deps import CurrentPrincipal, SessionDep
from accord.audit import service as audit_service
from accord.errors import InvalidInput
from accord.web.render import flash, render

router = APIRouter(include_in_schema=False)


def _parse_date(value: str, field: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{field} must be a date such as 2026-11-23", field=field) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    entity: str = "",
    actor: str = "",
    since: str = "",
    until: str = "",
    cursor: str = "",
) -> Response:
    field_errors: dict[str, str] = {}
    parsed: dict[str, datetime | None] = {}
    for name, value in (("since", since), ("until", until)):
        try:
            parsed[name] = _parse_date(value, name)
        except InvalidInput as error:
            field_errors[name] = error.message
            parsed[name] = None
    filters = audit_service.AuditFilter(
        entity=entity or None, actor=actor or None, since=parsed["since"], until=parsed["until"]
    )
    page = audit_service.list_entries(
        session, principal, filters=filters, limit=50, cursor=cursor or None
    )
    verifications = audit_service.recent_verifications(session, principal)
    query = {"entity": entity, "actor": actor, "since": since, "until": until}
    # htmx swaps only the entries; a history restore (back button after a cache miss) needs
    # the whole page, and Vary keeps the browser from showing a cached partial as a page
    partial = request.headers.get("hx-request") and not request.headers.get(
        "hx-history-restore-request"
    )
    template = "audit/_entries.html" if partial else "audit/index.html"
    return render(
        request,
        template,
        principal=principal,
        page_title="Audit trail",
        entries=page.items,
        next_cursor=page.next_cursor,
        query=query,
        field_errors=field_errors,
        verifications=verifications,
        status_code=400 if field_errors else 200,
        headers={"Vary": "HX-Request"},
    )


@router.post("/audit/verify")
def verify(request: Request, session: SessionDep, principal: CurrentPrincipal) -> Response:
    run = audit_service.request_verification(session, principal)
    flash(request, "info", f"Verification #{run.id} queued: the whole chain is being checked.")
    return RedirectResponse("/audit", status_code=303)
