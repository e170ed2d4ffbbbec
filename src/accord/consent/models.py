"""Consent records: append-only; the current state is the latest record per channel and
purpose."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accord.audit.mixin import Audited
from accord.db.base import Base, str_enum, utcnow
from accord.interaction.models import Purpose


class ConsentChannel(enum.StrEnum):
    email = "email"
    phone = "phone"
    messaging = "messaging"
    visit = "visit"
    mail = "mail"


class ConsentStatus(enum.StrEnum):
    granted = "granted"
    withdrawn = "withdrawn"


class Consent(Audited, Base):
    __tablename__ = "consent"
    __table_args__ = (
        Index("ix_consent_stakeholder_id_channel_purpose", "stakeholder_id", "channel", "purpose"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    stakeholder_id: Mapped[int] = mapped_column(ForeignKey("stakeholder.id", ondelete="CASCADE"))
    channel: Mapped[ConsentChannel] = mapped_column(str_enum(ConsentChannel, 16))
    purpose: Mapped[Purpose] = mapped_column(str_enum(Purpose, 20))
    status: Mapped[ConsentStatus] = mapped_column(str_enum(ConsentStatus, 16))
    #: when the stakeholder granted or withdrew it (may precede the recording)
    effective_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(80))  # signed form, web portal, verbal, email reply
    proof: Mapped[str | None] = mapped_column(Text)  # document reference or the words used
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
