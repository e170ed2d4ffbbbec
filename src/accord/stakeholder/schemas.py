"""API shapes of stakeholders."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from accord.stakeholder.models import StakeholderStatus, StakeholderType, Tier


class AddressIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    line1: str = Field(min_length=1, max_length=200)
    line2: str | None = Field(default=None, max_length=200)
    city: str = Field(min_length=1, max_length=100)
    state: str = Field(pattern=r"^[A-Za-z]{2}$", description="two-letter US state code")
    postal_code: str | None = Field(default=None, pattern=r"^\d{5}(-?\d{4})?$")
    phone: str | None = Field(default=None, max_length=30)
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class StakeholderCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: StakeholderType
    first_name: str | None = Field(default=None, max_length=100)
    middle_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    organization_name: str | None = Field(default=None, max_length=300)
    credentials: str | None = Field(default=None, max_length=60, examples=["MD"])
    sex: str | None = Field(default=None, pattern=r"^[MFU]$")
    npi: str | None = Field(default=None, description="10-digit NPI, Luhn-checked")
    specialty: str | None = Field(default=None, description="NUCC taxonomy code")
    tier: Tier | None = None
    address: AddressIn | None = None
    source: str = Field(default="manual", max_length=80)

    @model_validator(mode="after")
    def _names(self) -> StakeholderCreate:
        from accord.stakeholder.models import PERSON_TYPES

        if self.type in PERSON_TYPES:
            if not self.last_name:
                raise ValueError("last_name is required for a person")
        elif not self.organization_name:
            raise ValueError("organization_name is required for an organization")
        return self


class StakeholderSummary(BaseModel):
    id: int
    name: str
    type: StakeholderType
    credentials: str | None
    specialty: str | None
    tier: Tier | None
    city: str | None
    state: str | None


class StakeholderView(BaseModel):
    """The contract integrators rely on: sections at `none` are absent."""

    id: int
    name: str
    type: StakeholderType
    sections: dict[str, dict[str, Any]]
    timeline: dict[str, Any] = Field(
        description="the newest activities you may read in full; page on with /timeline"
    )


class StakeholderUpdate(BaseModel):
    """Corrections to the master record; only the fields given change."""

    model_config = ConfigDict(extra="forbid")

    first_name: str | None = Field(default=None, min_length=1, max_length=100)
    middle_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, min_length=1, max_length=100)
    organization_name: str | None = Field(default=None, min_length=1, max_length=300)
    credentials: str | None = Field(default=None, max_length=60)
    specialty: str | None = Field(default=None, description="NUCC taxonomy code")
    tier: Tier | None = None
    status: StakeholderStatus | None = None
    reason: str = Field(min_length=1, max_length=500, description="why the record changes")
