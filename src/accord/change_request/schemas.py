"""API shapes of data change requests; each kind's payload has its own shape."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from accord.change_request.models import ChangeKind
from accord.stakeholder.models import AddressKind
from accord.stakeholder.schemas import AddressIn, StakeholderCreate


class AddressChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: AddressKind = AddressKind.practice
    primary: bool = True
    address: AddressIn


class SpecialtyChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=10, max_length=10, description="NUCC taxonomy code")
    primary: bool = False


class AffiliationChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organization_id: int
    role: str = Field(min_length=1, max_length=80)
    primary: bool = False
    start_date: date | None = None
    end_date: date | None = None


class CorrectionChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    first_name: str | None = Field(default=None, min_length=1, max_length=100)
    middle_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, min_length=1, max_length=100)
    organization_name: str | None = Field(default=None, min_length=1, max_length=300)
    credentials: str | None = Field(default=None, max_length=60)


PAYLOADS: dict[ChangeKind, type[BaseModel]] = {
    ChangeKind.new_stakeholder: StakeholderCreate,
    ChangeKind.address: AddressChange,
    ChangeKind.specialty: SpecialtyChange,
    ChangeKind.affiliation: AffiliationChange,
    ChangeKind.correction: CorrectionChange,
}


class ChangeRequestCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: ChangeKind
    stakeholder_id: int | None = Field(
        default=None, description="required for every kind but new_stakeholder"
    )
    payload: dict[str, Any]
    note: str | None = Field(default=None, max_length=1000, description="why, in your words")


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=1000)


class ChangeRequestRead(BaseModel):
    id: int
    kind: ChangeKind
    status: Literal["pending", "approved", "rejected"]
    stakeholder_id: int | None
    payload: dict[str, Any]
    note: str | None
    proposed_by: str
    decision_reason: str | None
