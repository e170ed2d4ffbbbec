"""Consents: recorded as history, honoured the moment they change."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.access import gate, permissions
from accord.access.firewall import Level
from accord.access.gate import Lens
from accord.access.principal import Principal
from accord.audit import trail
from accord.consent.models import Consent, ConsentChannel, ConsentStatus
from accord.consent.schemas import ConsentCreate
from accord.db.base import utcnow
from accord.errors import InvalidInput
from accord.interaction.models import Purpose
from accord.user.models import User


def record_consent(
    session: Session, actor: Principal, stakeholder_id: int, data: ConsentCreate
) -> Consent:
    """Append a grant or withdrawal; it applies to every later interaction at once."""
    stakeholder = gate.get_visible_stakeholder(session, actor, stakeholder_id)
    permissions.require(actor, permissions.CONSENT_RECORD)
    now = utcnow()
    effective = data.effective_at or now
    if effective > now + timedelta(minutes=5):
        raise InvalidInput("a consent is recorded once given or withdrawn", field="effective_at")
    consent = Consent(
        stakeholder_id=stakeholder.id,
        channel=data.channel,
        purpose=data.purpose,
        status=data.status,
        effective_at=effective,
        source=data.source.strip(),
        proof=data.proof,
        recorded_by_id=actor.user_id,
        recorded_at=now,
    )
    with trail.reason(
        session, f"{data.channel.value} consent for {data.purpose.value} {data.status.value}"
    ):
        session.add(consent)
        session.flush()
    return consent


def withdrawn_at(
    session: Session,
    stakeholder_id: int,
    *,
    channel: str,
    purpose: Purpose,
    at: datetime,
) -> datetime | None:
    """When the consent for channel x purpose was withdrawn, if its state at `at` is
    withdrawn (no consent on record is not a withdrawal)."""
    latest = session.scalars(
        select(Consent)
        .where(
            Consent.stakeholder_id == stakeholder_id,
            Consent.channel == ConsentChannel(channel),
            Consent.purpose == purpose,
            Consent.effective_at <= at,
        )
        .order_by(Consent.effective_at.desc(), Consent.id.desc())
        .limit(1)
    ).first()
    if latest is not None and latest.status == ConsentStatus.withdrawn:
        return latest.effective_at
    return None


def current_state(session: Session, stakeholder_id: int) -> dict[tuple[str, str], Consent]:
    """The latest record per channel x purpose."""
    rows = session.scalars(
        select(Consent)
        .where(Consent.stakeholder_id == stakeholder_id)
        .order_by(Consent.effective_at, Consent.id)
    )
    state: dict[tuple[str, str], Consent] = {}
    for consent in rows:
        state[(consent.channel.value, consent.purpose.value)] = consent
    return state


def consents_section(session: Session, lens: Lens) -> dict[str, Any]:
    """Full: every channel x purpose with its history and proof. Summary: the current state."""
    state = current_state(session, lens.stakeholder.id)
    current = [
        {
            "channel": channel,
            "purpose": purpose,
            "status": c.status.value,
            "since": c.effective_at.isoformat(),
        }
        for (channel, purpose) in sorted(state)
        for c in [state[(channel, purpose)]]
    ]
    body: dict[str, Any] = {"current": current}
    if lens.level("consents") == Level.full:
        rows = session.execute(
            select(Consent, User.full_name)
            .outerjoin(User, User.id == Consent.recorded_by_id)
            .where(Consent.stakeholder_id == lens.stakeholder.id)
            .order_by(Consent.effective_at.desc(), Consent.id.desc())
        ).all()
        body["history"] = [
            {
                "id": c.id,
                "channel": c.channel.value,
                "purpose": c.purpose.value,
                "status": c.status.value,
                "effective_at": c.effective_at.isoformat(),
                "source": c.source,
                "proof": c.proof,
                "recorded_by": name,
                "recorded_at": c.recorded_at.isoformat(),
            }
            for c, name in rows
        ]
    return body


def latest_withdrawal(session: Session, stakeholder_id: int) -> Consent | None:
    """The most recent withdrawal that is still in force."""
    withdrawn = [
        c
        for c in current_state(session, stakeholder_id).values()
        if c.status == ConsentStatus.withdrawn
    ]
    return max(withdrawn, key=lambda c: c.effective_at, default=None)
