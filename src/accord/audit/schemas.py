"""API shapes of the audit trail."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from accord.audit.models import AuditAction, VerificationStatus


class AuditEntryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    occurred_at: datetime
    actor: str
    actor_id: int | None
    action: AuditAction
    entity: str
    entity_id: str
    field: str | None
    old_value: str | None
    new_value: str | None
    reason: str | None
    request_id: str | None
    hash: str


class VerificationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    requested_by: str
    requested_at: datetime
    status: VerificationStatus
    finished_at: datetime | None
    intact: bool | None
    entries_checked: int | None
    first_broken_seq: int | None
    message: str | None
