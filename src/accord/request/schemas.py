"""API shapes of requests."""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from accord.interaction.models import Channel
from accord.request.models import RequestKind, RequestStatus


class RequestCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: RequestKind
    question: str = Field(min_length=1, max_length=10_000, description="in the requester's words")
    product: str | None = Field(default=None, description="product code")
    off_label: bool = False
    received_via: Channel | None = None
    received_at: AwareDatetime | None = Field(default=None, description="defaults to now")


class RequestUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: RequestStatus | None = None
    answer: str | None = Field(default=None, min_length=1, max_length=20_000)

    @model_validator(mode="after")
    def _something(self) -> RequestUpdate:
        if self.status is None and self.answer is None:
            raise ValueError("give a status, an answer or both")
        return self
