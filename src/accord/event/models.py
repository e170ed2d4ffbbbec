"""Events and their participants (speakers, chairs, attendees)."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from accord.audit.mixin import Audited
from accord.db.base import Base, Timestamped, str_enum


class EventKind(enum.StrEnum):
    congress = "congress"
    symposium = "symposium"
    advisory_board = "advisory_board"
    speaker_program = "speaker_program"
    webinar = "webinar"


class EventScope(enum.StrEnum):
    """Who the event draws: an international congress is global, a society's annual meeting
    national, a state chapter's symposium regional, a dinner program local."""

    global_ = "global"
    national = "national"
    regional = "regional"
    local = "local"


class ParticipantRole(enum.StrEnum):
    speaker = "speaker"
    chair = "chair"
    attendee = "attendee"


SPEAKING_ROLES = frozenset({ParticipantRole.speaker, ParticipantRole.chair})


class Event(Audited, Timestamped, Base):
    __tablename__ = "event"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[EventKind] = mapped_column(str_enum(EventKind))
    scope: Mapped[EventScope] = mapped_column(str_enum(EventScope, 16))
    therapeutic_area_id: Mapped[int | None] = mapped_column(
        ForeignKey("therapeutic_area.id", ondelete="SET NULL"), index=True
    )
    start_date: Mapped[date]
    end_date: Mapped[date | None]
    city: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str | None] = mapped_column(String(2))
    country: Mapped[str] = mapped_column(String(100), default="United States")


class EventParticipant(Audited, Base):
    __tablename__ = "event_participant"
    __table_args__ = (
        UniqueConstraint("event_id", "stakeholder_id", "role"),
        Index("ix_event_participant_stakeholder_id", "stakeholder_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    stakeholder_id: Mapped[int] = mapped_column(ForeignKey("stakeholder.id", ondelete="CASCADE"))
    role: Mapped[ParticipantRole] = mapped_column(str_enum(ParticipantRole, 16))
