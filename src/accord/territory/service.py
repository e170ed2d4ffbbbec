"""Territories: the hierarchy and its assignment to users."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit import trail
from accord.errors import Conflict, InvalidInput, NotFound
from accord.territory.models import (
    CHILD_LEVEL,
    Territory,
    TerritoryAlignment,
    TerritoryLevel,
    UserTerritory,
)
from accord.user.models import User


def get_by_code(session: Session, code: str) -> Territory:
    territory = session.scalars(select(Territory).where(Territory.code == code)).one_or_none()
    if territory is None:
        raise InvalidInput(f"no territory with code {code!r}", field="territory")
    return territory


def find_by_code(session: Session, code: str) -> Territory | None:
    return session.scalars(select(Territory).where(Territory.code == code)).one_or_none()


def create_territory(
    session: Session,
    *,
    code: str,
    name: str,
    level: TerritoryLevel,
    parent: Territory | None,
) -> Territory:
    """Nations sit at the top; a region sits under a nation, a territory under a region."""
    if find_by_code(session, code) is not None:
        raise Conflict(f"a territory with code {code!r} already exists", field="code")
    if level == TerritoryLevel.nation and parent is not None:
        raise InvalidInput("a nation has no parent", field="parent")
    if level != TerritoryLevel.nation:
        if parent is None:
            raise InvalidInput(f"a {level.value} needs a parent", field="parent")
        if CHILD_LEVEL.get(parent.level) != level:
            raise InvalidInput(
                f"a {level.value} cannot sit under a {parent.level.value}", field="parent"
            )
    territory = Territory(
        code=code, name=name, level=level, parent_id=parent.id if parent else None
    )
    with trail.reason(session, "territory created"):
        session.add(territory)
    return territory


def assign(session: Session, *, user: User, territory: Territory) -> UserTerritory:
    existing = session.scalars(
        select(UserTerritory).where(
            UserTerritory.user_id == user.id, UserTerritory.territory_id == territory.id
        )
    ).one_or_none()
    if existing is not None:
        return existing
    link = UserTerritory(user_id=user.id, territory_id=territory.id)
    with trail.reason(session, f"territory {territory.code} assigned to {user.username}"):
        session.add(link)
    return link


def assigned_to(session: Session, user_id: int) -> Sequence[Territory]:
    stmt = (
        select(Territory)
        .join(UserTerritory, UserTerritory.territory_id == Territory.id)
        .where(UserTerritory.user_id == user_id)
        .order_by(Territory.code)
    )
    return session.scalars(stmt).all()


def all_territories(session: Session) -> Sequence[Territory]:
    return session.scalars(select(Territory).order_by(Territory.code)).all()


def get(session: Session, territory_id: int) -> Territory:
    territory = session.get(Territory, territory_id)
    if territory is None:
        raise NotFound(f"no territory {territory_id}")
    return territory


def codes_by_user(session: Session, user_ids: Sequence[int]) -> dict[int, list[str]]:
    """Territory codes assigned to each of `user_ids`, in one query."""
    out: dict[int, list[str]] = {uid: [] for uid in user_ids}
    if not user_ids:
        return out
    rows = session.execute(
        select(UserTerritory.user_id, Territory.code)
        .join(Territory, Territory.id == UserTerritory.territory_id)
        .where(UserTerritory.user_id.in_(user_ids))
        .order_by(Territory.code)
    )
    for user_id, code in rows:
        out[user_id].append(code)
    return out


def align(session: Session, territory: Territory, *, state: str, city: str | None = None) -> None:
    """Let `territory` cover `state` (or one city of it); only leaf territories cover places."""
    if territory.level != TerritoryLevel.territory:
        raise InvalidInput(
            "only a territory (not a region or nation) covers places", field="territory"
        )
    state = state.strip().upper()
    if len(state) != 2 or not state.isalpha():
        raise InvalidInput(f"{state!r} is not a two-letter US state code", field="state")
    key_city = city.strip().lower() if city else None
    existing = session.scalars(
        select(TerritoryAlignment).where(
            TerritoryAlignment.state == state,
            TerritoryAlignment.city.is_(None)
            if key_city is None
            else TerritoryAlignment.city == key_city,
        )
    ).one_or_none()
    with trail.reason(
        session, f"{state}{'/' + key_city if key_city else ''} aligned to {territory.code}"
    ):
        if existing is None:
            session.add(TerritoryAlignment(territory_id=territory.id, state=state, city=key_city))
        else:
            existing.territory_id = territory.id


def territory_for(session: Session, *, state: str | None, city: str | None) -> int | None:
    """The territory covering a place: the city's rule if there is one, else the state's."""
    if not state:
        return None
    rows = session.execute(
        select(TerritoryAlignment.city, TerritoryAlignment.territory_id).where(
            TerritoryAlignment.state == state.upper()
        )
    ).all()
    by_city = {c: t for c, t in rows}
    if city and city.strip().lower() in by_city:
        return by_city[city.strip().lower()]
    return by_city.get(None)
