"""The stewards' decisions on possible duplicates and merges, from the stewardship page (HTMX)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from accord.access.deps import CurrentPrincipal, SessionDep
from accord.access.principal import Principal
from accord.errors import InvalidInput
from accord.matching import service as matching_service
from accord.matching import service_merge
from accord.policy.pages import FormData
from accord.web.render import flash, render

router = APIRouter(include_in_schema=False)

#: pairs shown at once, most probable first; the API lists them all
PAGE_SIZE = 20


def duplicates_context(session: Session, principal: Principal) -> dict[str, Any]:
    """What the "Possible duplicates" card shows: the queue and the latest merges."""
    return {
        "duplicates": matching_service.list_candidates(session, principal, limit=PAGE_SIZE),
        "pending_count": matching_service.count_pending(session, principal),
        "merges": matching_service.list_merges(session, principal, limit=10),
    }


def _answer(request: Request, session: SessionDep, principal: Principal, message: str) -> Response:
    """The refreshed card for HTMX, a redirect to the page otherwise."""
    if request.headers.get("HX-Request") == "true":
        return render(
            request,
            "matching/_duplicates.html",
            principal=principal,
            page_title="Data stewardship",
            headers={"Vary": "HX-Request"},
            message=message,
            **duplicates_context(session, principal),
        )
    flash(request, "success", message)
    return RedirectResponse("/stewardship", status_code=303)


def _reason(form: dict[str, str]) -> str:
    reason = form.get("reason", "").strip()
    if not reason:
        raise InvalidInput("say why, in a few words", field="reason")
    return reason


@router.post("/stewardship/duplicates/{candidate_id}/{decision}", response_class=HTMLResponse)
def decide(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    candidate_id: int,
    decision: str,
    form: FormData,
) -> Response:
    """Merge the pair (the survivor by the documented rule) or say they are two stakeholders,
    always with a reason."""
    reason = _reason(form)
    if decision == "merge":
        record = matching_service.merge_candidate(
            session, principal, candidate_id=candidate_id, reason=reason
        )
        message = (
            f"Merged stakeholder {record.merged_id} into {record.survivor_id} (merge {record.id})."
        )
    elif decision == "reject":
        matching_service.reject_candidate(
            session, principal, candidate_id=candidate_id, reason=reason
        )
        message = f"Marked pair {candidate_id} as two different stakeholders."
    else:
        raise InvalidInput("the decision is merge or reject", field="decision")
    return _answer(request, session, principal, message)


@router.post("/stewardship/merges/{merge_id}/undo", response_class=HTMLResponse)
def undo(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    merge_id: int,
    form: FormData,
) -> Response:
    record = service_merge.undo_merge(session, principal, merge_id=merge_id, reason=_reason(form))
    message = (
        f"Undid merge {record.id}: stakeholders {record.survivor_id} and {record.merged_id} "
        "are apart again."
    )
    return _answer(request, session, principal, message)
