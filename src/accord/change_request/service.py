"""Data change requests, as Veeva's DCRs: a field user proposes a new affiliation, address,
specialty, a correction or a missing stakeholder; a data steward approves or rejects it with a
reason; approval applies the change through the stakeholder master's own rules, audited, in
the same transaction."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.access import gate, permissions
from accord.access.principal import Principal
from accord.audit import trail
from accord.change_request.models import ChangeKind, ChangeRequest, ChangeStatus
from accord.change_request.schemas import (
    PAYLOADS,
    AddressChange,
    AffiliationChange,
    ChangeRequestCreate,
    CorrectionChange,
    SpecialtyChange,
)
from accord.db.base import utcnow
from accord.errors import InvalidInput, NotFound, RuleViolation
from accord.stakeholder import service as stakeholder_service
from accord.stakeholder.models import (
    Address,
    Affiliation,
    Specialty,
    Stakeholder,
    StakeholderKind,
    StakeholderSpecialty,
)
from accord.stakeholder.schemas import StakeholderCreate, StakeholderUpdate
from accord.territory import service as territory_service
from accord.user.models import User


def _payload(kind: ChangeKind, raw: dict[str, Any]) -> BaseModel:
    try:
        return PAYLOADS[kind].model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "payload"
        raise InvalidInput(f"{where}: {first['msg']}", field=f"payload.{where}") from None


def propose(session: Session, actor: Principal, data: ChangeRequestCreate) -> ChangeRequest:
    """Record a proposal; nothing in the master changes until a steward approves it."""
    permissions.require(actor, permissions.ENGAGEMENT_RECORD)
    payload = _payload(data.kind, data.payload)
    if data.kind == ChangeKind.new_stakeholder:
        if data.stakeholder_id is not None:
            raise InvalidInput("a missing stakeholder has no id yet", field="stakeholder_id")
    else:
        if data.stakeholder_id is None:
            raise InvalidInput(
                f"a {data.kind.value} change names its stakeholder", field="stakeholder_id"
            )
        gate.get_visible_stakeholder(session, actor, data.stakeholder_id)
    request = ChangeRequest(
        kind=data.kind,
        status=ChangeStatus.pending,
        stakeholder_id=data.stakeholder_id,
        payload=payload.model_dump(mode="json", exclude_unset=data.kind == ChangeKind.correction),
        note=data.note,
        proposed_by_id=actor.user_id,
        proposed_at=utcnow(),
    )
    with trail.reason(session, data.note or f"{data.kind.value} change proposed"):
        session.add(request)
        session.flush()
    return request


def list_requests(
    session: Session, actor: Principal, *, status: ChangeStatus | None = ChangeStatus.pending
) -> list[tuple[ChangeRequest, str]]:
    """Stewards see every request; everyone else sees the ones they proposed."""
    stmt = select(ChangeRequest, User.full_name).join(User, User.id == ChangeRequest.proposed_by_id)
    if not permissions.has(actor, permissions.CHANGE_DECIDE):
        stmt = stmt.where(ChangeRequest.proposed_by_id == actor.user_id)
    if status is not None:
        stmt = stmt.where(ChangeRequest.status == status)
    return [(r, name) for r, name in session.execute(stmt.order_by(ChangeRequest.id).limit(500))]


def _pending(session: Session, actor: Principal, request_id: int) -> ChangeRequest:
    permissions.require(actor, permissions.CHANGE_DECIDE)
    request = session.get(ChangeRequest, request_id)
    if request is None:
        raise NotFound(f"no change request {request_id}")
    if request.status != ChangeStatus.pending:
        raise RuleViolation(
            f"change request {request_id} is already {request.status.value}", field="status"
        )
    return request


def reject(session: Session, actor: Principal, request_id: int, *, reason: str) -> ChangeRequest:
    request = _pending(session, actor, request_id)
    with trail.reason(session, reason):
        request.status = ChangeStatus.rejected
        request.decided_by_id = actor.user_id
        request.decided_at = utcnow()
        request.decision_reason = reason
        session.flush()
    return request


def approve(session: Session, actor: Principal, request_id: int, *, reason: str) -> ChangeRequest:
    """Apply the change and record the decision; a change the master refuses (an NPI already
    held, an unknown specialty) leaves the request pending with the master's error."""
    request = _pending(session, actor, request_id)
    source = f"dcr:{request.id}"
    with trail.reason(session, f"change request {request.id} approved: {reason}"):
        if request.kind == ChangeKind.new_stakeholder:
            data = StakeholderCreate.model_validate({**request.payload, "source": source})
            created = stakeholder_service.create_stakeholder(session, actor, data)
            request.stakeholder_id = created.id
        else:
            assert request.stakeholder_id is not None
            stakeholder = gate.get_visible_stakeholder(session, actor, request.stakeholder_id)
            _apply(session, actor, request, stakeholder, source)
        request.status = ChangeStatus.approved
        request.decided_by_id = actor.user_id
        request.decided_at = utcnow()
        request.decision_reason = reason
        session.flush()
    return request


def _apply(
    session: Session, actor: Principal, request: ChangeRequest, s: Stakeholder, source: str
) -> None:
    payload = _payload(request.kind, request.payload)
    if isinstance(payload, AddressChange):
        a = payload.address
        if payload.primary:
            for other in session.scalars(
                select(Address).where(Address.stakeholder_id == s.id, Address.kind == payload.kind)
            ):
                other.is_primary = False
        session.add(
            Address(
                stakeholder_id=s.id,
                kind=payload.kind,
                is_primary=payload.primary,
                line1=a.line1,
                line2=a.line2,
                city=a.city,
                state=a.state.upper(),
                postal_code=a.postal_code,
                phone=a.phone,
                email=a.email,
                source=source,
            )
        )
        if payload.primary and payload.kind.value == "practice":
            s.city, s.state = a.city, a.state.upper()
            s.territory_id = territory_service.territory_for(session, state=s.state, city=s.city)
    elif isinstance(payload, SpecialtyChange):
        if session.get(Specialty, payload.code) is None:
            raise InvalidInput(
                f"{payload.code!r} is not a known NUCC taxonomy code", field="payload.code"
            )
        existing = session.scalars(
            select(StakeholderSpecialty).where(
                StakeholderSpecialty.stakeholder_id == s.id,
                StakeholderSpecialty.specialty_code == payload.code,
            )
        ).first()
        if existing is None:
            session.add(
                StakeholderSpecialty(
                    stakeholder_id=s.id,
                    specialty_code=payload.code,
                    is_primary=payload.primary,
                    source=source,
                )
            )
        if payload.primary:
            s.primary_specialty_code = payload.code
    elif isinstance(payload, AffiliationChange):
        organization = session.get(Stakeholder, payload.organization_id)
        if organization is None or organization.kind != StakeholderKind.organization:
            raise InvalidInput(
                f"{payload.organization_id} is not an organization in the master",
                field="payload.organization_id",
            )
        session.add(
            Affiliation(
                stakeholder_id=s.id,
                organization_id=organization.id,
                role=payload.role,
                is_primary=payload.primary,
                start_date=payload.start_date,
                end_date=payload.end_date,
                source=source,
            )
        )
    elif isinstance(payload, CorrectionChange):
        fields = payload.model_dump(exclude_unset=True)
        stakeholder_service.update_stakeholder(
            session,
            actor,
            s.id,
            StakeholderUpdate.model_validate({**fields, "reason": f"change request {request.id}"}),
        )
