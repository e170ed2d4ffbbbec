"""FastAPI dependencies of the gate: the session, the principal, and CSRF checks.

This is the only module of accord.access that knows about FastAPI.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from accord.access import scope
from accord.access.principal import Principal
from accord.audit.trail import set_actor
from accord.errors import Forbidden, Unauthorized
from accord.http.database import request_session
from accord.user import service as user_service
from accord.user.models import User

SessionDep = Annotated[Session, Depends(request_session, scope="function")]

SESSION_USER_KEY = "uid"
SESSION_CSRF_KEY = "csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use."""
    token = request.session.get(SESSION_CSRF_KEY)
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        request.session[SESSION_CSRF_KEY] = token
    return token


async def verify_csrf(request: Request) -> None:
    """Refuse an unsafe cookie-authenticated request without the session's CSRF token
    (the X-CSRF-Token header, sent by htmx, or the csrf_token form field)."""
    if request.method not in UNSAFE_METHODS:
        return
    expected = request.session.get(SESSION_CSRF_KEY)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    if not expected or not sent or not hmac.compare_digest(str(expected), sent):
        raise Forbidden(
            "the form has expired or did not come from Accord (missing CSRF token); "
            "reload the page and try again",
            field=CSRF_FIELD,
        )


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    kind, _, value = header.partition(" ")
    if kind.lower() != "bearer" or not value.strip():
        raise Unauthorized("the Authorization header must be 'Bearer <token>'")
    return value.strip()


def _principal_from(
    request: Request, session: Session, user: User, token_id: int | None
) -> Principal:
    principal = scope.load_principal(session, user, token_id=token_id)
    set_actor(session, principal.actor)
    request.state.principal = principal
    return principal


def optional_principal(request: Request, session: SessionDep) -> Principal | None:
    """The caller, from a bearer token or the signed session cookie; None when anonymous."""
    secret = _bearer(request)
    if secret is not None:
        user, token = user_service.resolve_token(session, secret)
        request.state.auth = "token"
        return _principal_from(request, session, user, token.id)
    uid = request.session.get(SESSION_USER_KEY) if "session" in request.scope else None
    if isinstance(uid, int):
        user_or_none = session.get(User, uid)
        if user_or_none is None or not user_or_none.is_active:
            request.session.clear()
            return None
        request.state.auth = "cookie"
        return _principal_from(request, session, user_or_none, None)
    return None


OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]


async def current_principal(request: Request, principal: OptionalPrincipal) -> Principal:
    """The signed-in caller; cookie-authenticated unsafe requests must carry the CSRF token."""
    if principal is None:
        raise Unauthorized(
            "sign in first: send 'Authorization: Bearer <token>' or a session cookie"
        )
    if getattr(request.state, "auth", None) == "cookie":
        await verify_csrf(request)
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def sign_in_session(request: Request, user: User) -> None:
    """Start a web session: a fresh CSRF token and the user id in the signed cookie."""
    request.session.clear()
    request.session[SESSION_USER_KEY] = user.id
    csrf_token(request)


def sign_out_session(request: Request) -> None:
    request.session.clear()
