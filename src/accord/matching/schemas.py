"""API shapes of the stewards' duplicate queue and of merges."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Reason(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=1000)


class MergeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    survivor_id: int
    merged_id: int
    reason: str = Field(min_length=1, max_length=1000)


class StakeholderBrief(BaseModel):
    """One side of a possible duplicate, as a steward compares them."""

    id: int
    name: str
    type: str
    status: str
    npi: str | None
    credentials: str | None
    specialty: str | None
    city: str | None
    state: str | None
    address: str | None


class MatchCandidateRead(BaseModel):
    id: int
    status: str
    probability: float
    weight: float
    #: per comparison: the level reached and its weight in bits (what agrees, what does not)
    fields: dict[str, Any]
    found_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    reason: str | None
    stakeholders: list[StakeholderBrief]


class MergeRead(BaseModel):
    id: int
    survivor_id: int
    merged_id: int
    candidate_id: int | None
    reason: str
    merged_at: datetime
    merged_by: str
    moved: dict[str, Any]
    removed: dict[str, Any]
    overwritten: dict[str, Any]
    undone_at: datetime | None
    undone_by: str | None
    undo_reason: str | None
