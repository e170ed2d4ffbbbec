"""HTML routes: global search (results as you type) and the stakeholder page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from accord.access.deps import CurrentPrincipal, SessionDep
from accord.stakeholder import service as stakeholder_service
from accord.stakeholder import view as stakeholder_view
from accord.web.render import render

router = APIRouter(include_in_schema=False)

SECTION_TITLES = {
    "contact": "Contact",
    "organizational_status": "Organizational status",
}


@router.get("/search", response_class=HTMLResponse)
def search(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    q: str = "",
    cursor: str | None = None,
) -> HTMLResponse:
    """Stakeholders in your territories whose last or organization name starts with `q`."""
    as_you_type = request.headers.get("hx-target") == "search-results"
    page = (
        stakeholder_service.list_stakeholders(
            session,
            principal,
            filters=stakeholder_service.StakeholderFilter(q=q.strip() or None),
            limit=8 if as_you_type else 50,
            cursor=cursor,
        )
        if q.strip()
        else None
    )
    template = "stakeholder/_search_results.html" if as_you_type else "stakeholder/search.html"
    return render(
        request,
        template,
        principal=principal,
        page_title=f"Search: {q}" if q else "Search",
        q=q,
        results=page.items if page else [],
        next_cursor=page.next_cursor if page else None,
    )


@router.get("/stakeholders/{stakeholder_id}", response_class=HTMLResponse)
def stakeholder_page(
    request: Request, session: SessionDep, principal: CurrentPrincipal, stakeholder_id: int
) -> HTMLResponse:
    view = stakeholder_view.view_stakeholder(session, principal, stakeholder_id)
    return render(
        request,
        "stakeholder/view.html",
        principal=principal,
        page_title=view["name"],
        view=view,
        section_titles=SECTION_TITLES,
    )
