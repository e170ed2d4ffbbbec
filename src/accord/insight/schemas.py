"""API shapes of insights."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from accord.insight.models import Sentiment


class InsightCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=10_000)
    topics: list[str] = Field(default_factory=list, max_length=20)
    product: str | None = Field(default=None, description="product code")
    sentiment: Sentiment | None = None
