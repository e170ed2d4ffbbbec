"""Payments as CMS publishes them, attached to a stakeholder when Accord knows the recipient."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from accord.db.base import Base, str_enum


class PaymentKind(enum.StrEnum):
    general = "general"
    research = "research"


class Payment(Base):
    """One Open Payments record. Amounts are whole cents, so every total is exact. The rows
    are CMS's published data, loaded by recorded import jobs; corrections arrive as CMS's own
    change types in later files."""

    __tablename__ = "payment"
    __table_args__ = (
        UniqueConstraint("kind", "record_id"),
        Index("ix_payment_stakeholder_id_paid_on", "stakeholder_id", "paid_on"),
        Index("ix_payment_program_year", "program_year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[PaymentKind] = mapped_column(str_enum(PaymentKind, 16))
    record_id: Mapped[str] = mapped_column(String(40))
    program_year: Mapped[int]
    stakeholder_id: Mapped[int | None] = mapped_column(
        ForeignKey("stakeholder.id", ondelete="SET NULL")
    )
    #: how the recipient was matched: npi, profile_id, name_address, or None (unmatched)
    matched_by: Mapped[str | None] = mapped_column(String(20))
    recipient_type: Mapped[str | None] = mapped_column(String(80))
    recipient_profile_id: Mapped[str | None] = mapped_column(String(20))
    recipient_npi: Mapped[str | None] = mapped_column(String(10))
    recipient_name: Mapped[str | None] = mapped_column(String(300))
    recipient_city: Mapped[str | None] = mapped_column(String(100))
    recipient_state: Mapped[str | None] = mapped_column(String(2))
    manufacturer_id: Mapped[str | None] = mapped_column(String(20))
    manufacturer_name: Mapped[str] = mapped_column(String(300))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    paid_on: Mapped[date]
    form: Mapped[str | None] = mapped_column(String(120))
    nature: Mapped[str | None] = mapped_column(String(300))
    products: Mapped[str | None] = mapped_column(String(500))
    study_name: Mapped[str | None] = mapped_column(String(500))
    clinicaltrials_id: Mapped[str | None] = mapped_column(String(20))
    import_job_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_job.id", ondelete="SET NULL")
    )
