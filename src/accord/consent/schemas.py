"""API shapes of consents."""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from accord.consent.models import ConsentChannel, ConsentStatus
from accord.interaction.models import Purpose


class ConsentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: ConsentChannel
    purpose: Purpose
    status: ConsentStatus
    effective_at: AwareDatetime | None = Field(
        default=None, description="when the stakeholder said so; defaults to now"
    )
    source: str = Field(min_length=1, max_length=80, examples=["signed form", "verbal"])
    proof: str | None = Field(
        default=None, max_length=2000, description="document reference or the words used"
    )

    @model_validator(mode="after")
    def _grant_needs_proof(self) -> ConsentCreate:
        if self.status == ConsentStatus.granted and not (self.proof and self.proof.strip()):
            raise ValueError("a grant needs its proof (document reference or the words used)")
        return self


class ConsentRead(BaseModel):
    id: int
    channel: ConsentChannel
    purpose: Purpose
    status: ConsentStatus
    effective_at: AwareDatetime
    source: str
    proof: str | None
    recorded_at: AwareDatetime
