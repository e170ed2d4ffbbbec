"""Stored versions of the firewall policy (the shipped default is version 1)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accord.audit.mixin import Audited
from accord.db.base import Base


class PolicyVersion(Audited, Base):
    """One version of the policy. Versions are never changed; a change adds a version."""

    __tablename__ = "policy_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    document: Mapped[str] = mapped_column(Text)  # JSON, the shape of GET /api/v1/policy
    reason: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None]
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime]
