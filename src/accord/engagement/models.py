"""Engagement status per function and stated channel preferences."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from accord.audit.mixin import Audited
from accord.db.base import Base, str_enum, utcnow
from accord.interaction.models import Channel
from accord.user.models import Function


class EngagementLevel(enum.StrEnum):
    """Ordered from least to most engaged; do_not_contact overrides every other."""

    not_engaged = "not_engaged"
    engaged = "engaged"
    collaborating = "collaborating"
    do_not_contact = "do_not_contact"


class EngagementStatus(Audited, Base):
    """What one function records of its relationship with a stakeholder."""

    __tablename__ = "engagement_status"
    __table_args__ = (UniqueConstraint("stakeholder_id", "function"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stakeholder_id: Mapped[int] = mapped_column(ForeignKey("stakeholder.id", ondelete="CASCADE"))
    function: Mapped[Function] = mapped_column(str_enum(Function, 20))
    status: Mapped[EngagementLevel] = mapped_column(str_enum(EngagementLevel, 20))
    lead_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(String(500))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class Preference(enum.StrEnum):
    preferred = "preferred"
    acceptable = "acceptable"
    avoid = "avoid"


class ChannelPreference(Audited, Base):
    """A preference the stakeholder stated; the latest per channel counts."""

    __tablename__ = "channel_preference"
    __table_args__ = (Index("ix_channel_preference_stakeholder_id", "stakeholder_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stakeholder_id: Mapped[int] = mapped_column(ForeignKey("stakeholder.id", ondelete="CASCADE"))
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, 20))
    preference: Mapped[Preference] = mapped_column(str_enum(Preference, 16))
    source: Mapped[str] = mapped_column(String(80))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
