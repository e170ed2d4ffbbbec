"""JSON routes of the audit trail (compliance only)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, status

from accord.access.deps import CurrentPrincipal, SessionDep
from accord.audit import service as audit_service
from accord.audit.schemas import AuditEntryRead, VerificationRead
from accord.pagination import ListResponse

router = APIRouter(prefix="/api/v1/audit", tags=["audit trail"])


@router.get("", response_model=ListResponse[AuditEntryRead], summary="Read the audit trail")
def list_audit_entries(
    session: SessionDep,
    principal: CurrentPrincipal,
    entity: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> ListResponse[AuditEntryRead]:
    """Newest first. `since`/`until` are ISO 8601 date-times (UTC if no offset is given)."""
    page = audit_service.list_entries(
        session,
        principal,
        filters=audit_service.AuditFilter(
            entity=entity, actor=actor, since=_utc(since), until=_utc(until)
        ),
        limit=limit,
        cursor=cursor,
    )
    return ListResponse(
        items=[AuditEntryRead.model_validate(e) for e in page.items],
        next_cursor=page.next_cursor,
    )


@router.post(
    "/verifications",
    response_model=VerificationRead,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Verify the whole hash chain in the background",
)
def request_verification(session: SessionDep, principal: CurrentPrincipal) -> VerificationRead:
    return VerificationRead.model_validate(audit_service.request_verification(session, principal))


@router.get(
    "/verifications/{verification_id}",
    response_model=VerificationRead,
    summary="The result of a verification",
)
def get_verification(
    session: SessionDep, principal: CurrentPrincipal, verification_id: int
) -> VerificationRead:
    return VerificationRead.model_validate(
        audit_service.get_verification(session, principal, verification_id)
    )


def _utc(value: datetime | None) -> datetime | None:
    from datetime import UTC

    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value
