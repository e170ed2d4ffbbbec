"""Requests a stakeholder makes of the company, each with its service-level due date."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column

from accord.audit.mixin import Audited
from accord.db.base import Base, str_enum, utcnow
from accord.interaction.models import Channel
from accord.user.models import Function


class RequestKind(enum.StrEnum):
    mir = "mir"  # medical information request
    iss = "iss"  # investigator-sponsored study proposal
    grant = "grant"  # medical education or research grant
    speaker = "speaker"  # request to speak on the company's behalf


class RequestStatus(enum.StrEnum):
    open = "open"
    in_review = "in_review"
    answered = "answered"
    approved = "approved"
    declined = "declined"
    closed = "closed"


OPEN_STATUSES = frozenset({RequestStatus.open, RequestStatus.in_review})


class Request(Audited, Base):
    __tablename__ = "request"
    __table_args__ = (Index("ix_request_stakeholder_id_status", "stakeholder_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stakeholder_id: Mapped[int] = mapped_column(ForeignKey("stakeholder.id", ondelete="CASCADE"))
    kind: Mapped[RequestKind] = mapped_column(str_enum(RequestKind, 16))
    status: Mapped[RequestStatus] = mapped_column(str_enum(RequestStatus, 16))
    #: the function that handles it (medical answers MIRs, reviews ISS and grants)
    handling_function: Mapped[Function] = mapped_column(str_enum(Function, 20))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id", ondelete="RESTRICT"))
    question: Mapped[str] = mapped_column(Text)
    off_label: Mapped[bool] = mapped_column(default=False)
    received_via: Mapped[Channel | None] = mapped_column(str_enum(Channel, 20))
    received_at: Mapped[datetime]
    due_date: Mapped[date]
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
