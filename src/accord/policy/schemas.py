"""API shapes of the firewall policy."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class PolicyRead(BaseModel):
    version: int
    reason: str
    created_by: str
    created_at: datetime | None
    rules: dict[str, Any] = Field(
        description="category -> {why, levels: {function: level | {stage: level}}}"
    )


class PolicyChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=5, description="why the policy changes; audited")
    rules: dict[str, Any] = Field(description="the whole policy, in the shape GET returns")
