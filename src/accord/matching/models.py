"""Possible duplicates found by the matcher, and the merges made from them (undoable)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from accord.audit.mixin import Audited
from accord.db.base import Base, str_enum, utcnow


class CandidateStatus(enum.StrEnum):
    pending = "pending"
    merged = "merged"
    rejected = "rejected"


class MatchCandidate(Audited, Base):
    """A pair of stakeholders the model scored as possibly the same, with the per-field
    weights that explain the score, and the steward's decision."""

    __tablename__ = "match_candidate"
    __table_args__ = (
        UniqueConstraint("stakeholder_id", "other_id"),
        Index("ix_match_candidate_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the lower id of the pair
    stakeholder_id: Mapped[int] = mapped_column(
        ForeignKey("stakeholder.id", ondelete="CASCADE"), index=True
    )
    other_id: Mapped[int] = mapped_column(
        ForeignKey("stakeholder.id", ondelete="CASCADE"), index=True
    )
    probability: Mapped[float] = mapped_column(Float)
    #: log2 odds: the prior plus the sum of the field weights
    weight: Mapped[float] = mapped_column(Float)
    #: {comparison: {"level": ..., "weight": ...}}: what agrees and what does not
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[CandidateStatus] = mapped_column(str_enum(CandidateStatus, 16))
    found_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decided_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(String(1000))


class StakeholderMerge(Audited, Base):
    """One merge: which record survived, every child row moved, every survivor value
    overwritten (old and new with its source), and the rows a unique constraint forced out,
    so that `undo_merge` restores exactly what was there."""

    __tablename__ = "stakeholder_merge"

    id: Mapped[int] = mapped_column(primary_key=True)
    survivor_id: Mapped[int] = mapped_column(
        ForeignKey("stakeholder.id", ondelete="CASCADE"), index=True
    )
    merged_id: Mapped[int] = mapped_column(
        ForeignKey("stakeholder.id", ondelete="CASCADE"), index=True
    )
    candidate_id: Mapped[int | None] = mapped_column(
        ForeignKey("match_candidate.id", ondelete="SET NULL")
    )
    reason: Mapped[str] = mapped_column(String(1000))
    merged_at: Mapped[datetime] = mapped_column(default=utcnow)
    merged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    merged_by: Mapped[str] = mapped_column(String(120))
    #: {"table.column": [row ids]} moved from the merged record to the survivor
    moved: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: {"table": [full rows]} of the merged record removed because the survivor had the same
    #: (a second primary specialty code, the same product relation)
    removed: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: {field: {"old": ..., "new": ..., "source": ...}} on the survivor; plus "_merged" with the
    #: merged record's own status and timestamps before the merge
    overwritten: Mapped[dict[str, Any]] = mapped_column(JSON)
    undone_at: Mapped[datetime | None]
    undone_by: Mapped[str | None] = mapped_column(String(120))
    undo_reason: Mapped[str | None] = mapped_column(String(1000))
