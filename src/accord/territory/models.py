"""Territory hierarchy and the assignment of territories to users."""

from __future__ import annotations

import enum

from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from accord.audit.mixin import Audited
from accord.db.base import Base, Timestamped


class TerritoryLevel(enum.StrEnum):
    nation = "nation"
    region = "region"
    territory = "territory"


#: the level a child must have under a parent of each level
CHILD_LEVEL = {
    TerritoryLevel.nation: TerritoryLevel.region,
    TerritoryLevel.region: TerritoryLevel.territory,
}


class Territory(Audited, Timestamped, Base):
    __tablename__ = "territory"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    level: Mapped[TerritoryLevel] = mapped_column(
        Enum(TerritoryLevel, native_enum=False, length=16, validate_strings=True)
    )
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("territory.id", ondelete="RESTRICT"), index=True
    )


class UserTerritory(Audited, Base):
    """A territory assigned to a user; the user covers it and everything below it."""

    __tablename__ = "user_territory"
    __table_args__ = (UniqueConstraint("user_id", "territory_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    territory_id: Mapped[int] = mapped_column(
        ForeignKey("territory.id", ondelete="CASCADE"), index=True
    )


class TerritoryAlignment(Audited, Base):
    """Which territory covers a US state, or one city of it (a city rule beats its state's).

    Alignment is how stakeholders land in territories: their primary practice location is
    looked up here when it is recorded.
    """

    __tablename__ = "territory_alignment"
    __table_args__ = (UniqueConstraint("state", "city"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(
        ForeignKey("territory.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[str] = mapped_column(String(2))
    city: Mapped[str | None] = mapped_column(String(100))
