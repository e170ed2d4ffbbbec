"""Users: creation, sign-in with lockout, passwords and bearer tokens."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.access import permissions, scope
from accord.access.principal import Principal
from accord.audit import trail
from accord.db.base import utcnow
from accord.errors import Conflict, FailedSignIn, InvalidInput, Locked, NotFound, Unauthorized
from accord.pagination import Page, paginate
from accord.territory import service as territory_service
from accord.user.models import ApiToken, Function, Role, TokenKind, User
from accord.user.passwords import dummy_hash, hash_password, verify_password
from accord.user.schemas import UserCreate

TOKEN_PREFIX = "acc_"  # noqa: S105 - a public prefix that marks Accord tokens, not a secret


def get_by_username(session: Session, username: str) -> User | None:
    return session.scalars(select(User).where(User.username == username.lower())).one_or_none()


def create_user(session: Session, actor: Principal | None, data: UserCreate) -> User:
    """Create a user with a function, a role, a manager and territories.

    `actor` None means the system itself (the CLI run by an operator, or the demo loader).
    """
    if actor is not None:
        permissions.require(actor, permissions.USERS_MANAGE)
    if get_by_username(session, data.username) is not None:
        raise Conflict(f"a user named {data.username!r} already exists", field="username")
    manager_id = None
    if data.manager:
        manager = get_by_username(session, data.manager)
        if manager is None:
            raise InvalidInput(f"no user named {data.manager!r}", field="manager")
        if manager.role not in (Role.manager, Role.admin):
            raise InvalidInput(f"{data.manager!r} is not a manager", field="manager")
        manager_id = manager.id
    territories = [territory_service.get_by_code(session, code) for code in data.territories]
    user = User(
        username=data.username,
        full_name=data.full_name,
        email=data.email,
        function=data.function,
        role=data.role,
        manager_id=manager_id,
        password_hash=hash_password(data.password),
        is_active=True,
        failed_login_count=0,
    )
    with trail.reason(session, "user created"):
        session.add(user)
    for territory in territories:
        territory_service.assign(session, user=user, territory=territory)
    return user


def list_users(
    session: Session,
    actor: Principal,
    *,
    function: Function | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Page[User]:
    """Users the actor may see: administrators and compliance all, managers their team,
    everyone else themselves."""
    stmt = scope.visible_users(select(User), actor)
    if function is not None:
        stmt = stmt.where(User.function == function)
    return paginate(session, stmt, key=User.id, key_of=lambda u: u.id, limit=limit, cursor=cursor)


def directory(
    session: Session, actor: Principal, *, limit: int | None, cursor: str | None
) -> tuple[Page[User], dict[int, list[str]]]:
    """The administrators' user directory: users with their territory codes."""
    permissions.require(actor, permissions.USERS_MANAGE)
    page = list_users(session, actor, limit=limit, cursor=cursor)
    codes = territory_service.codes_by_user(session, [u.id for u in page.items])
    return page, codes


def all_users(session: Session) -> Sequence[User]:
    """Every user, for the operator's CLI (which runs with the database's own rights)."""
    return session.scalars(select(User).order_by(User.username)).all()


def is_locked(user: User, now: datetime | None = None) -> bool:
    return user.locked_until is not None and user.locked_until > (now or utcnow())


def authenticate(
    session: Session, username: str, password: str, *, max_failures: int, lockout_minutes: int
) -> User:
    """Check a password. After `max_failures` wrong passwords in a row the account locks for
    `lockout_minutes`; the lockout and the failed attempts that caused it are audited."""
    if not username:
        raise InvalidInput("enter your username", field="username")
    if not password:
        raise InvalidInput("enter your password", field="password")
    user = get_by_username(session, username)
    if user is None or not user.is_active:
        verify_password(password, dummy_hash())
        raise FailedSignIn("wrong username or password")
    now = utcnow()
    if is_locked(user, now):
        raise Locked(
            "this account is locked after repeated failed sign-ins; try again later or ask "
            "an administrator to unlock it"
        )
    ok, new_hash = verify_password(password, user.password_hash)
    if not ok:
        user.failed_login_count += 1
        if user.failed_login_count >= max_failures:
            with trail.reason(session, f"{user.failed_login_count} failed sign-ins in a row"):
                user.locked_until = now + timedelta(minutes=lockout_minutes)
                user.failed_login_count = 0
        session.flush()
        raise FailedSignIn("wrong username or password")
    user.failed_login_count = 0
    user.last_login_at = now
    if user.locked_until is not None:
        user.locked_until = None
    if new_hash:
        user.password_hash = new_hash
    session.flush()
    return user


def unlock(session: Session, actor: Principal | None, username: str) -> User:
    if actor is not None:
        permissions.require(actor, permissions.USERS_MANAGE)
    user = get_by_username(session, username)
    if user is None:
        raise NotFound(f"no user named {username!r}", field="username")
    with trail.reason(session, "unlocked by an administrator"):
        user.locked_until = None
        user.failed_login_count = 0
    return user


def set_password(session: Session, actor: Principal | None, username: str, password: str) -> User:
    if actor is not None and actor.username != username:
        permissions.require(actor, permissions.USERS_MANAGE)
    if len(password) < 4:
        raise InvalidInput("the password must have at least 4 characters", field="password")
    user = get_by_username(session, username)
    if user is None:
        raise NotFound(f"no user named {username!r}", field="username")
    with trail.reason(session, "password changed"):
        user.password_hash = hash_password(password)
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(
    session: Session,
    user: User,
    *,
    kind: TokenKind,
    name: str,
    lifetime: timedelta | None,
) -> tuple[ApiToken, str]:
    """A new random bearer token; only its SHA-256 digest is stored."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(
        user_id=user.id,
        kind=kind,
        name=name,
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        token_hash=_digest(secret),
        created_at=now,
        expires_at=now + lifetime if lifetime else None,
    )
    with trail.reason(session, f"{kind.value} token issued"):
        session.add(token)
    return token, secret


def create_api_token(
    session: Session, actor: Principal, *, name: str, expires_in_days: int | None
) -> tuple[ApiToken, str]:
    user = session.get(User, actor.user_id)
    if user is None:
        raise NotFound("your user no longer exists")
    lifetime = timedelta(days=expires_in_days) if expires_in_days else None
    return issue_token(session, user, kind=TokenKind.api, name=name, lifetime=lifetime)


def list_api_tokens(session: Session, actor: Principal) -> Sequence[ApiToken]:
    stmt = (
        select(ApiToken)
        .where(ApiToken.user_id == actor.user_id, ApiToken.kind == TokenKind.api)
        .order_by(ApiToken.id.desc())
    )
    return session.scalars(stmt).all()


def revoke_api_token(session: Session, actor: Principal, token_id: int) -> ApiToken:
    """Revoke one of the actor's own tokens (administrators may revoke anyone's)."""
    token = session.get(ApiToken, token_id)
    if token is None or (
        token.user_id != actor.user_id and not permissions.has(actor, permissions.USERS_MANAGE)
    ):
        raise NotFound(f"no token {token_id}")
    if token.revoked_at is None:
        with trail.reason(session, "token revoked"):
            token.revoked_at = utcnow()
    return token


def resolve_token(session: Session, secret: str) -> tuple[User, ApiToken]:
    """The user a bearer token belongs to, or Unauthorized saying why it is not accepted."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 128:
        raise Unauthorized("the bearer token is malformed")
    token = session.scalars(
        select(ApiToken).where(ApiToken.token_hash == _digest(secret))
    ).one_or_none()
    if token is None:
        raise Unauthorized("the bearer token is not valid")
    now = utcnow()
    if token.revoked_at is not None:
        raise Unauthorized("the bearer token was revoked")
    if token.expires_at is not None and token.expires_at <= now:
        raise Unauthorized("the bearer token has expired")
    user = session.get(User, token.user_id)
    if user is None or not user.is_active:
        raise Unauthorized("the token's user is deactivated")
    if token.kind == TokenKind.api and (
        token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5)
    ):
        token.last_used_at = now  # coarse, so every API call does not write
    return user, token
