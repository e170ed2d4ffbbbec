"""Interactions and the products they were about."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column

from accord.audit.mixin import Audited
from accord.db.base import Base, str_enum, utcnow
from accord.user.models import Function


class Channel(enum.StrEnum):
    in_person = "in_person"
    remote_meeting = "remote_meeting"
    phone = "phone"
    email = "email"
    approved_email = "approved_email"
    webinar = "webinar"
    congress = "congress"
    event = "event"
    messaging = "messaging"
    portal = "portal"


class Outcome(enum.StrEnum):
    """How the stakeholder responded; `no_response` feeds the inferred channel preferences."""

    positive = "positive"
    neutral = "neutral"
    negative = "negative"
    no_response = "no_response"


class Purpose(enum.StrEnum):
    """Why the company reaches out; consents are given per channel and purpose."""

    promotional = "promotional"
    scientific = "scientific"
    research = "research"
    events = "events"


class Interaction(Audited, Base):
    """One touchpoint. `function` is the owner's function when it was recorded, so the
    firewall category (activities_medical, activities_commercial, ...) never moves."""

    __tablename__ = "interaction"
    __table_args__ = (
        Index("ix_interaction_stakeholder_id_occurred_at", "stakeholder_id", "occurred_at"),
        Index("ix_interaction_owner_id_occurred_at", "owner_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    stakeholder_id: Mapped[int] = mapped_column(ForeignKey("stakeholder.id", ondelete="CASCADE"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"))
    function: Mapped[Function] = mapped_column(str_enum(Function, 20))
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, 20))
    purpose: Mapped[Purpose] = mapped_column(str_enum(Purpose, 20))
    occurred_at: Mapped[datetime]
    outcome: Mapped[Outcome] = mapped_column(str_enum(Outcome, 20))
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class InteractionProduct(Base):
    """The products an interaction was about; the firewall takes the strictest stage."""

    __tablename__ = "interaction_product"
    __table_args__ = (Index("ix_interaction_product_product_id", "product_id"),)

    interaction_id: Mapped[int] = mapped_column(
        ForeignKey("interaction.id", ondelete="CASCADE"), primary_key=True
    )
    product_id: Mapped[int] = mapped_column(
        ForeignKey("product.id", ondelete="RESTRICT"), primary_key=True
    )


#: the consent channel an interaction channel needs (None: no channel consent applies)
CONSENT_CHANNEL: dict[Channel, str | None] = {
    Channel.in_person: "visit",
    Channel.remote_meeting: "visit",
    Channel.phone: "phone",
    Channel.email: "email",
    Channel.approved_email: "email",
    Channel.messaging: "messaging",
    Channel.webinar: None,
    Channel.congress: None,
    Channel.event: None,
    Channel.portal: None,
}

#: the purpose of an interaction when the caller does not say
DEFAULT_PURPOSE: dict[Function, Purpose] = {
    Function.medical: Purpose.scientific,
    Function.commercial: Purpose.promotional,
    Function.market_access: Purpose.promotional,
    Function.research: Purpose.research,
}
EVENT_CHANNELS = frozenset({Channel.webinar, Channel.congress, Channel.event})
