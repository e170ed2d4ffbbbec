"""JSON routes: tokens (OAuth2 password flow and long-lived API tokens), me, users."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from fastapi.security import OAuth2PasswordRequestForm

from accord.access import permissions
from accord.access.deps import CurrentPrincipal, SessionDep
from accord.config import Settings
from accord.pagination import ListResponse
from accord.territory import service as territory_service
from accord.user import service as user_service
from accord.user.models import Function, TokenKind
from accord.user.schemas import (
    AccessToken,
    MeRead,
    TerritoryRef,
    TokenCreate,
    TokenIssued,
    TokenRead,
    UserCreate,
    UserRead,
)

router = APIRouter(prefix="/api/v1", tags=["users and tokens"])


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


@router.post("/auth/token", response_model=AccessToken, summary="Exchange a password for a token")
def issue_access_token(
    request: Request,
    session: SessionDep,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
) -> AccessToken:
    """The OAuth2 password flow: form fields `username` and `password`; answers a bearer token
    valid for ACCORD_ACCESS_TOKEN_MINUTES. Repeated failures lock the account."""
    settings = _settings(request)
    user = user_service.authenticate(
        session,
        form.username,
        form.password,
        max_failures=settings.login_max_failures,
        lockout_minutes=settings.login_lockout_minutes,
    )
    lifetime = timedelta(minutes=settings.access_token_minutes)
    _, secret = user_service.issue_token(
        session, user, kind=TokenKind.access, name="password grant", lifetime=lifetime
    )
    return AccessToken(access_token=secret, expires_in=int(lifetime.total_seconds()))


@router.get("/me", response_model=MeRead, summary="Who am I, and what may I see")
def me(session: SessionDep, principal: CurrentPrincipal) -> MeRead:
    territories = territory_service.assigned_to(session, principal.user_id)
    team = (
        user_service.list_users(session, principal, limit=500).items
        if len(principal.team_ids) > 1
        else []
    )
    return MeRead(
        id=principal.user_id,
        username=principal.username,
        full_name=principal.full_name,
        function=principal.function,
        function_label=principal.function_label,
        role=principal.role,
        territories=[TerritoryRef.model_validate(t) for t in territories],
        sees_all_territories=principal.sees_all_territories,
        team=[u.username for u in team if u.id != principal.user_id],
        permissions=sorted(p for p in permissions.PERMISSIONS if permissions.has(principal, p)),
    )


def _user_read(user: object) -> UserRead:
    read = UserRead.model_validate(user)
    read.locked = user_service.is_locked(user)  # type: ignore[arg-type]
    return read


@router.get("/users", response_model=ListResponse[UserRead], summary="Users you may see")
def list_users(
    session: SessionDep,
    principal: CurrentPrincipal,
    function: Function | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> ListResponse[UserRead]:
    page = user_service.list_users(
        session, principal, function=function, limit=limit, cursor=cursor
    )
    return ListResponse(items=[_user_read(u) for u in page.items], next_cursor=page.next_cursor)


@router.post(
    "/users",
    response_model=UserRead,
    status_code=status.HTTP_201_CREATED,
    summary="Create a user (administrators)",
)
def create_user(session: SessionDep, principal: CurrentPrincipal, data: UserCreate) -> UserRead:
    return _user_read(user_service.create_user(session, principal, data))


@router.get("/tokens", response_model=ListResponse[TokenRead], summary="Your long-lived API tokens")
def list_tokens(session: SessionDep, principal: CurrentPrincipal) -> ListResponse[TokenRead]:
    tokens = user_service.list_api_tokens(session, principal)
    return ListResponse(items=[TokenRead.model_validate(t) for t in tokens])


@router.post(
    "/tokens",
    response_model=TokenIssued,
    status_code=status.HTTP_201_CREATED,
    summary="Create a long-lived API token (shown once)",
)
def create_token(
    session: SessionDep, principal: CurrentPrincipal, data: TokenCreate
) -> TokenIssued:
    token, secret = user_service.create_api_token(
        session, principal, name=data.name, expires_in_days=data.expires_in_days
    )
    return TokenIssued.model_validate(
        {**TokenRead.model_validate(token).model_dump(), "token": secret}
    )


@router.delete("/tokens/{token_id}", response_model=TokenRead, summary="Revoke an API token")
def revoke_token(session: SessionDep, principal: CurrentPrincipal, token_id: int) -> TokenRead:
    return TokenRead.model_validate(user_service.revoke_api_token(session, principal, token_id))
