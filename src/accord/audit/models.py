"""Audit entries, the chain head, and chain verification runs."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, Enum, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accord.db.base import Base

GENESIS_HASH = "0" * 64

# BIGINT on PostgreSQL; SQLite only auto-increments a column declared exactly INTEGER.
BigIntId = BigInteger().with_variant(Integer(), "sqlite")


class AuditAction(enum.StrEnum):
    create = "create"
    update = "update"
    delete = "delete"
    read = "read"


class AuditEntry(Base):
    """One field of one change, chained to the entry before it by SHA-256.

    The table is append-only: nothing in Accord updates or deletes it, and `accord audit
    verify` detects any row changed, removed or reordered behind its back.
    """

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    occurred_at: Mapped[datetime] = mapped_column(index=True)
    actor_id: Mapped[int | None] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[AuditAction] = mapped_column(
        Enum(AuditAction, native_enum=False, length=16, validate_strings=True)
    )
    entity: Mapped[str] = mapped_column(String(64), index=True)
    entity_id: Mapped[str] = mapped_column(String(64))
    field: Mapped[str | None] = mapped_column(String(64))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    request_id: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The last sequence number and hash; a lock on this row serialises writers of the chain,
    and comparing it to the last entry detects entries removed from the end."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))


class VerificationStatus(enum.StrEnum):
    pending = "pending"
    done = "done"


class AuditVerification(Base):
    """A requested check of the whole chain, run as a background job."""

    __tablename__ = "audit_verification"

    id: Mapped[int] = mapped_column(primary_key=True)
    requested_by_id: Mapped[int | None]
    requested_by: Mapped[str] = mapped_column(String(120))
    requested_at: Mapped[datetime]
    status: Mapped[VerificationStatus] = mapped_column(
        Enum(VerificationStatus, native_enum=False, length=16, validate_strings=True)
    )
    finished_at: Mapped[datetime | None]
    intact: Mapped[bool | None]
    entries_checked: Mapped[int | None] = mapped_column(BigInteger)
    first_broken_seq: Mapped[int | None] = mapped_column(BigInteger)
    message: Mapped[str | None] = mapped_column(Text)
