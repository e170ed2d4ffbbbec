"""The data stewards' page: change requests to decide, possible duplicates, import jobs."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from accord.access import permissions
from accord.access.deps import CurrentPrincipal, SessionDep
from accord.change_request import service as change_service
from accord.errors import InvalidInput
from accord.importer import service as import_service
from accord.matching import pages as matching_pages
from accord.policy.pages import FormData
from accord.web.render import flash, render

router = APIRouter(include_in_schema=False)


@router.get("/stewardship", response_class=HTMLResponse)
def stewardship(request: Request, session: SessionDep, principal: CurrentPrincipal) -> HTMLResponse:
    """Pending change requests with their decision forms, and the import jobs."""
    permissions.require(principal, permissions.CHANGE_DECIDE)
    duplicates = (
        matching_pages.duplicates_context(session, principal)
        if permissions.has(principal, permissions.STAKEHOLDER_MERGE)
        else {}
    )
    return render(
        request,
        "change_request/index.html",
        principal=principal,
        page_title="Data stewardship",
        pending=change_service.list_requests(session, principal),
        jobs=import_service.list_jobs(session, principal, limit=20),
        **duplicates,
    )


@router.post("/stewardship/change-requests/{request_id}/{decision}")
def decide(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    request_id: int,
    decision: str,
    form: FormData,
) -> Response:
    """Approve (apply) or reject, always with a reason. A change the master refuses answers
    with the error page naming the problem, and nothing is written."""
    reason = form.get("reason", "").strip()
    if not reason:
        raise InvalidInput("say why, in a few words", field="reason")
    if decision == "approve":
        change_service.approve(session, principal, request_id, reason=reason)
        flash(request, "success", f"Change request {request_id} approved and applied.")
    elif decision == "reject":
        change_service.reject(session, principal, request_id, reason=reason)
        flash(request, "success", f"Change request {request_id} rejected.")
    else:
        raise InvalidInput("the decision is approve or reject", field="decision")
    return RedirectResponse("/stewardship", status_code=303)
