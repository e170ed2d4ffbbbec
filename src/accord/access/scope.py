"""Territory scope: which territories, and so which stakeholders, a principal may see.

A user sees the territories assigned to them and everything below them in the hierarchy;
a manager also sees those of their reports (transitively); compliance and administrators
see every territory. This module is the only place that builds territory filters.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session

from accord.access.principal import Principal
from accord.errors import NotFound, Unauthorized
from accord.territory.models import Territory, UserTerritory
from accord.user.models import Function, Role, User

T = TypeVar("T")

SEES_ALL_FUNCTIONS = frozenset({Function.compliance, Function.admin})


def team_of(session: Session, user_id: int) -> frozenset[int]:
    """The user and every report below them, following manager_id down."""
    team = select(User.id).where(User.id == user_id).cte("team", recursive=True)
    team = team.union_all(select(User.id).where(User.manager_id == team.c.id))
    return frozenset(session.scalars(select(team.c.id)))


def territories_below(session: Session, roots: frozenset[int]) -> frozenset[int]:
    """`roots` and every territory under them."""
    if not roots:
        return frozenset()
    tree = select(Territory.id).where(Territory.id.in_(roots)).cte("tree", recursive=True)
    tree = tree.union_all(select(Territory.id).where(Territory.parent_id == tree.c.id))
    return frozenset(session.scalars(select(tree.c.id)))


def load_principal(session: Session, user: User, *, token_id: int | None = None) -> Principal:
    """Resolve the user's effective scope once per request."""
    if not user.is_active:
        raise Unauthorized("this account is deactivated")
    team = team_of(session, user.id) if user.role == Role.manager else frozenset({user.id})
    territory_ids: frozenset[int] | None
    if user.function in SEES_ALL_FUNCTIONS or user.role == Role.admin:
        territory_ids = None
    else:
        assigned = frozenset(
            session.scalars(
                select(UserTerritory.territory_id).where(UserTerritory.user_id.in_(team))
            )
        )
        territory_ids = territories_below(session, assigned)
    return Principal(
        user_id=user.id,
        username=user.username,
        full_name=user.full_name,
        function=user.function,
        role=user.role,
        territory_ids=territory_ids,
        team_ids=team,
        token_id=token_id,
    )


def in_territories(
    principal: Principal, column: ColumnElement[Any] | InstrumentedAttribute[Any]
) -> ColumnElement[bool]:
    """A filter on a territory-id column: the one way to restrict rows to a user's scope."""
    if principal.territory_ids is None:
        return true()
    return column.in_(sorted(principal.territory_ids))


def visible_users(stmt: Select[T], principal: Principal) -> Select[T]:
    """Users a principal may list: all for administrators and compliance, else their team."""
    if principal.function in SEES_ALL_FUNCTIONS or principal.role == Role.admin:
        return stmt
    return stmt.where(User.id.in_(sorted(principal.team_ids)))


def get_visible_user(session: Session, principal: Principal, user_id: int) -> User:
    """A user the principal may see, or 404 exactly as if it did not exist."""
    stmt = visible_users(select(User).where(User.id == user_id), principal)
    user = session.scalars(stmt).one_or_none()
    if user is None:
        raise NotFound(f"no user {user_id}")
    return user


def visible_territories(session: Session, principal: Principal) -> list[Territory]:
    stmt = select(Territory).order_by(Territory.code)
    if principal.territory_ids is not None:
        stmt = stmt.where(Territory.id.in_(sorted(principal.territory_ids)))
    return list(session.scalars(stmt))
