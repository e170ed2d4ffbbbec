"""Reading the audit trail, verifying its chain, and requesting a verification job."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.access import permissions
from accord.access.principal import Principal
from accord.audit.models import (
    GENESIS_HASH,
    AuditEntry,
    AuditHead,
    AuditVerification,
    VerificationStatus,
)
from accord.audit.trail import HEAD_ID, entry_hash
from accord.db.base import utcnow
from accord.errors import InvalidInput
from accord.jobs import enqueue
from accord.pagination import Page, paginate


@dataclass(frozen=True)
class AuditFilter:
    entity: str | None = None
    actor: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def list_entries(
    session: Session,
    actor: Principal,
    *,
    filters: AuditFilter,
    limit: int | None = None,
    cursor: str | None = None,
) -> Page[AuditEntry]:
    """Newest first. Only compliance reads the trail (21 CFR 11.10(e): records for review)."""
    permissions.require(actor, permissions.AUDIT_READ)
    if filters.since and filters.until and filters.since > filters.until:
        raise InvalidInput("since must be before until", field="since")
    stmt = select(AuditEntry)
    if filters.entity:
        stmt = stmt.where(AuditEntry.entity == filters.entity)
    if filters.actor:
        stmt = stmt.where(AuditEntry.actor == filters.actor)
    if filters.since:
        stmt = stmt.where(AuditEntry.occurred_at >= filters.since)
    if filters.until:
        stmt = stmt.where(AuditEntry.occurred_at < filters.until)
    return paginate(
        session,
        stmt,
        key=AuditEntry.seq,
        key_of=lambda e: e.seq,
        limit=limit,
        cursor=cursor,
        descending=True,
    )


@dataclass(frozen=True)
class ChainReport:
    intact: bool
    entries_checked: int
    first_broken_seq: int | None
    first_broken_id: int | None
    message: str


def verify_chain(session: Session, *, batch_size: int = 5000) -> ChainReport:
    """Walk the chain in storage order and name the first entry that does not fit.

    Catches a row whose content changed (hash mismatch), a row removed (sequence gap, and
    the next row's prev_hash no longer matches), rows reordered, and rows cut from the end
    (the head no longer matches the last row).
    """
    expected_seq = 1
    prev_hash = GENESIS_HASH
    checked = 0
    columns = [c for c in AuditEntry.__table__.columns]
    stmt = select(*columns).order_by(AuditEntry.id).execution_options(yield_per=batch_size)
    for row in session.execute(stmt):
        data: dict[str, Any] = dict(row._mapping)
        problem = None
        if data["seq"] != expected_seq:
            problem = (
                f"expected sequence {expected_seq} but found {data['seq']}: "
                "an entry was removed or the entries were reordered"
            )
        elif data["prev_hash"] != prev_hash:
            problem = "its prev_hash does not match the entry before it"
        elif entry_hash(data) != data["hash"]:
            problem = "its content no longer matches its hash: the row was changed"
        if problem:
            return ChainReport(
                intact=False,
                entries_checked=checked,
                first_broken_seq=data["seq"],
                first_broken_id=data["id"],
                message=f"audit entry id {data['id']} (seq {data['seq']}) is broken: {problem}",
            )
        checked += 1
        expected_seq += 1
        prev_hash = data["hash"]
    head = session.get(AuditHead, HEAD_ID)
    if head is None or head.seq != checked or head.hash != prev_hash:
        return ChainReport(
            intact=False,
            entries_checked=checked,
            first_broken_seq=checked + 1,
            first_broken_id=None,
            message=(
                f"the chain head says {head.seq if head else 'nothing'} entries but {checked} "
                "were found: entries were removed from the end"
            ),
        )
    return ChainReport(
        intact=True,
        entries_checked=checked,
        first_broken_seq=None,
        first_broken_id=None,
        message=f"all {checked} audit entries are intact",
    )


def request_verification(session: Session, actor: Principal) -> AuditVerification:
    """Queue a verification of the whole chain; the job runs after this transaction commits."""
    permissions.require(actor, permissions.AUDIT_READ)
    run = AuditVerification(
        requested_by_id=actor.user_id,
        requested_by=actor.username,
        requested_at=utcnow(),
        status=VerificationStatus.pending,
    )
    session.add(run)
    session.flush()
    from accord.audit import jobs as audit_jobs  # the job module imports this service

    enqueue(session, audit_jobs.verify_audit_chain, run.id)
    return run


def complete_verification(session: Session, verification_id: int) -> AuditVerification | None:
    """Run a requested verification. Idempotent: a finished run is left as it is; a run that
    no longer exists is ignored."""
    run = session.get(AuditVerification, verification_id, with_for_update=True)
    if run is None or run.status == VerificationStatus.done:
        return run
    report = verify_chain(session)
    run.status = VerificationStatus.done
    run.finished_at = utcnow()
    run.intact = report.intact
    run.entries_checked = report.entries_checked
    run.first_broken_seq = report.first_broken_seq
    run.message = report.message
    return run


def recent_verifications(
    session: Session, actor: Principal, *, limit: int = 5
) -> list[AuditVerification]:
    permissions.require(actor, permissions.AUDIT_READ)
    stmt = select(AuditVerification).order_by(AuditVerification.id.desc()).limit(limit)
    return list(session.scalars(stmt))


def get_verification(session: Session, actor: Principal, verification_id: int) -> AuditVerification:
    from accord.errors import NotFound

    permissions.require(actor, permissions.AUDIT_READ)
    run = session.get(AuditVerification, verification_id)
    if run is None:
        raise NotFound(f"no audit verification {verification_id}", field="id")
    return run
