"""API shapes of engagement status and channel preferences."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from accord.engagement.models import EngagementLevel, Preference
from accord.interaction.models import Channel


class EngagementStatusSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: EngagementLevel
    reason: str = Field(min_length=1, max_length=500)


class ChannelPreferenceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: Channel
    preference: Preference
    source: str = Field(min_length=1, max_length=80, examples=["told the MSL"])
