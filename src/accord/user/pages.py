"""HTML routes: sign in, sign out, API tokens, and the users list for administrators."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlparse

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from accord.access.deps import (
    CurrentPrincipal,
    OptionalPrincipal,
    SessionDep,
    sign_in_session,
    sign_out_session,
    verify_csrf,
)
from accord.config import Settings
from accord.demo.personas import PERSONAS
from accord.errors import AppError, InvalidInput
from accord.user import service as user_service
from accord.user.models import FUNCTION_LABELS, ROLE_LABELS
from accord.web.render import flash, render

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only same-site paths: an open redirect after sign-in is a phishing aid."""
    if not target:
        return "/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _login_page(
    request: Request,
    *,
    next_url: str,
    username: str = "",
    error: str | None = None,
    field_errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    settings: Settings = request.app.state.settings
    return render(
        request,
        "auth/login.html",
        principal=None,
        page_title="Sign in",
        status_code=status_code,
        next_url=next_url,
        username=username,
        error=error,
        field_errors=field_errors or {},
        demo_personas=PERSONAS if settings.demo_mode else (),
        function_labels=FUNCTION_LABELS,
    )


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, principal: OptionalPrincipal, next: str = "/") -> Response:
    if principal is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return _login_page(request, next_url=_safe_next(next))


@router.post("/login", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)])
def login(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    settings: Settings = request.app.state.settings
    try:
        user = user_service.authenticate(
            session,
            username.strip(),
            password,
            max_failures=settings.login_max_failures,
            lockout_minutes=settings.login_lockout_minutes,
        )
    except InvalidInput as error:
        field_errors = {error.field or "username": error.message}
        return _login_page(
            request,
            next_url=_safe_next(next),
            username=username,
            field_errors=field_errors,
            status_code=400,
        )
    except AppError as error:
        # answered, not raised: the unit of work commits, so the failed attempt counts
        # towards the lockout
        return _login_page(
            request,
            next_url=_safe_next(next),
            username=username,
            error=error.message,
            status_code=error.status,
        )
    sign_in_session(request, user)
    flash(request, "success", f"Signed in as {user.full_name}.")
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout", dependencies=[Depends(verify_csrf)])
def logout(request: Request) -> Response:
    sign_out_session(request)
    flash(request, "info", "You are signed out.")
    return RedirectResponse("/login", status_code=303)


@router.get("/account/tokens", response_class=HTMLResponse)
def tokens_page(request: Request, session: SessionDep, principal: CurrentPrincipal) -> Response:
    tokens = user_service.list_api_tokens(session, principal)
    issued = request.session.pop("issued_token", None)
    return render(
        request,
        "user/tokens.html",
        principal=principal,
        page_title="API tokens",
        tokens=tokens,
        issued=issued,
        field_errors={},
    )


@router.post("/account/tokens", response_class=HTMLResponse)
def create_token(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    name: Annotated[str, Form()] = "",
) -> Response:
    name = name.strip()
    if not name or len(name) > 120:
        tokens = user_service.list_api_tokens(session, principal)
        return render(
            request,
            "user/tokens.html",
            principal=principal,
            page_title="API tokens",
            tokens=tokens,
            issued=None,
            status_code=400,
            field_errors={
                "name": "Give the token a name of 1 to 120 characters, "
                "such as the integration that will use it."
            },
        )
    _, secret = user_service.create_api_token(session, principal, name=name, expires_in_days=None)
    request.session["issued_token"] = secret
    flash(request, "success", f"Token “{name}” created. Copy it now: it is shown only once.")
    return RedirectResponse("/account/tokens", status_code=303)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(
    request: Request, session: SessionDep, principal: CurrentPrincipal, token_id: int
) -> Response:
    token = user_service.revoke_api_token(session, principal, token_id)
    flash(request, "success", f"Token “{token.name}” revoked.")
    return RedirectResponse("/account/tokens", status_code=303)


@router.get("/users", response_class=HTMLResponse)
def users_page(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    cursor: str | None = None,
) -> Response:
    page, territories = user_service.directory(session, principal, limit=100, cursor=cursor)
    return render(
        request,
        "user/list.html",
        principal=principal,
        page_title="Users",
        users=page.items,
        next_cursor=page.next_cursor,
        territories=territories,
        function_labels=FUNCTION_LABELS,
        role_labels=ROLE_LABELS,
        is_locked=user_service.is_locked,
    )
