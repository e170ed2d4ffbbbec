"""A proposed change to the stakeholder master and its decision."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from accord.audit.mixin import Audited
from accord.db.base import Base, str_enum, utcnow


class ChangeKind(enum.StrEnum):
    new_stakeholder = "new_stakeholder"
    address = "address"
    specialty = "specialty"
    affiliation = "affiliation"
    correction = "correction"


class ChangeStatus(enum.StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"


class ChangeRequest(Audited, Base):
    __tablename__ = "change_request"
    __table_args__ = (Index("ix_change_request_status_id", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ChangeKind] = mapped_column(str_enum(ChangeKind, 20))
    status: Mapped[ChangeStatus] = mapped_column(str_enum(ChangeStatus, 16))
    #: the stakeholder it changes (none for a missing stakeholder until approved)
    stakeholder_id: Mapped[int | None] = mapped_column(
        ForeignKey("stakeholder.id", ondelete="CASCADE"), index=True
    )
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(String(1000))
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"))
    proposed_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(String(1000))
