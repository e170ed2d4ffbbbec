"""Field insights."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column

from accord.audit.mixin import Audited
from accord.db.base import Base, str_enum, utcnow
from accord.user.models import Function


class Sentiment(enum.StrEnum):
    positive = "positive"
    neutral = "neutral"
    negative = "negative"


class Insight(Audited, Base):
    __tablename__ = "insight"
    __table_args__ = (
        Index("ix_insight_stakeholder_id_recorded_at", "stakeholder_id", "recorded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    stakeholder_id: Mapped[int] = mapped_column(ForeignKey("stakeholder.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"))
    function: Mapped[Function] = mapped_column(str_enum(Function, 20))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id", ondelete="RESTRICT"))
    text: Mapped[str] = mapped_column(Text)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    sentiment: Mapped[Sentiment | None] = mapped_column(str_enum(Sentiment, 16))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
