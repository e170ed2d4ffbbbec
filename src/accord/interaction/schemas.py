"""API shapes of interactions."""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from accord.interaction.models import Channel, Outcome, Purpose

Topic = Field(min_length=1, max_length=60)


class InteractionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: Channel
    occurred_at: AwareDatetime = Field(description="when it happened, with its UTC offset")
    outcome: Outcome = Outcome.neutral
    purpose: Purpose | None = Field(
        default=None, description="defaults from your function (medical: scientific, ...)"
    )
    products: list[str] = Field(default_factory=list, max_length=10, description="product codes")
    topics: list[str] = Field(default_factory=list, max_length=20)
    notes: str | None = Field(default=None, max_length=10_000)


class InteractionRead(BaseModel):
    id: int
    stakeholder_id: int
    category: str
    function: str
    channel: Channel
    purpose: Purpose
    occurred_at: AwareDatetime
    outcome: Outcome
    owner: str
    products: list[str]
    topics: list[str]
    notes: str | None
