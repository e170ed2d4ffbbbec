"""The home page per function."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from accord.access.deps import CurrentPrincipal, SessionDep
from accord.home import service as home_service
from accord.user.models import FUNCTION_LABELS
from accord.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: SessionDep, principal: CurrentPrincipal) -> HTMLResponse:
    page = home_service.home_for(session, principal)
    return render(
        request,
        "home/index.html",
        principal=principal,
        page_title=f"Home · {principal.function_label}",
        home=page,
        function_labels=FUNCTION_LABELS,
    )
