"""Therapeutic areas and products."""

from __future__ import annotations

import enum

from sqlalchemy import JSON, Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from accord.audit.mixin import Audited
from accord.db.base import Base, Timestamped


class LifecycleStage(enum.StrEnum):
    development = "development"
    pre_launch = "pre_launch"
    launch = "launch"
    growth = "growth"
    mature = "mature"
    loss_of_exclusivity = "loss_of_exclusivity"


class TherapeuticArea(Audited, Timestamped, Base):
    __tablename__ = "therapeutic_area"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    #: words that put a publication (title, MeSH terms) or a trial (conditions, title) in this
    #: area for the network's per-area metrics; matched case-insensitively as word prefixes
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")


class Product(Audited, Timestamped, Base):
    __tablename__ = "product"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    therapeutic_area_id: Mapped[int] = mapped_column(
        ForeignKey("therapeutic_area.id", ondelete="RESTRICT"), index=True
    )
    lifecycle_stage: Mapped[LifecycleStage] = mapped_column(
        Enum(LifecycleStage, native_enum=False, length=32, validate_strings=True)
    )
