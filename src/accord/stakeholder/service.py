"""Stakeholders: create, read through the gate, list and search."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.access import gate, permissions, scope
from accord.access.firewall import Level
from accord.access.principal import Principal
from accord.audit import trail
from accord.db.base import utcnow
from accord.errors import Conflict, InvalidInput
from accord.pagination import Page, paginate
from accord.stakeholder.identifiers import npi_is_valid
from accord.stakeholder.models import (
    PERSON_TYPES,
    Address,
    AddressKind,
    Affiliation,
    Specialty,
    Stakeholder,
    StakeholderIdentifier,
    StakeholderKind,
    StakeholderSpecialty,
    StakeholderStatus,
    StakeholderType,
    Tier,
)
from accord.stakeholder.schemas import StakeholderCreate, StakeholderUpdate
from accord.territory import service as territory_service


def specialties(session: Session) -> Sequence[Specialty]:
    """The NUCC codes Accord knows, by name (reference data, visible to everyone)."""
    return session.scalars(select(Specialty).order_by(Specialty.display_name)).all()


def ensure_specialties(
    session: Session, rows: Iterable[tuple[str, str, str, str | None, str]]
) -> int:
    """Add NUCC taxonomy codes that are missing (reference data, not audited)."""
    known = set(session.scalars(select(Specialty.code)))
    added = 0
    for code, grouping, classification, specialization, display in rows:
        if code not in known:
            session.add(
                Specialty(
                    code=code,
                    grouping=grouping,
                    classification=classification,
                    specialization=specialization,
                    display_name=display,
                )
            )
            added += 1
    session.flush()
    return added


def _display_name(data: StakeholderCreate) -> tuple[str, str]:
    if data.type in PERSON_TYPES:
        parts = [data.first_name, data.middle_name, data.last_name]
        name = " ".join(p for p in parts if p)
        if data.credentials:
            name = f"{name}, {data.credentials}"
        sort = f"{data.last_name} {data.first_name or ''}".strip().lower()
        return name, sort
    assert data.organization_name is not None
    return data.organization_name, data.organization_name.lower()


def create_stakeholder(
    session: Session, actor: Principal | None, data: StakeholderCreate
) -> Stakeholder:
    """Record a stakeholder. The NPI must pass its check digit and be unknown; the primary
    practice address places the stakeholder in a territory."""
    if data.npi is not None:
        if not npi_is_valid(data.npi):
            raise InvalidInput(f"{data.npi!r} is not a valid NPI (check digit)", field="npi")
        taken = session.scalars(
            select(StakeholderIdentifier.stakeholder_id).where(
                StakeholderIdentifier.system == "npi", StakeholderIdentifier.value == data.npi
            )
        ).first()
        if taken is not None:
            raise Conflict(f"NPI {data.npi} already belongs to stakeholder {taken}", field="npi")
    if data.specialty is not None and session.get(Specialty, data.specialty) is None:
        raise InvalidInput(
            f"{data.specialty!r} is not a known NUCC taxonomy code", field="specialty"
        )
    name, sort_name = _display_name(data)
    state = data.address.state.upper() if data.address else None
    city = data.address.city if data.address else None
    stakeholder = Stakeholder(
        kind=StakeholderKind.person if data.type in PERSON_TYPES else StakeholderKind.organization,
        type=data.type,
        name=name,
        sort_name=sort_name,
        first_name=data.first_name,
        middle_name=data.middle_name,
        last_name=data.last_name,
        credentials=data.credentials,
        sex=data.sex,
        primary_specialty_code=data.specialty,
        tier=data.tier,
        state=state,
        city=city,
        territory_id=territory_service.territory_for(session, state=state, city=city),
        status=StakeholderStatus.active,
    )
    with trail.reason(session, f"stakeholder recorded from {data.source}"):
        session.add(stakeholder)
        session.flush()
        if data.npi:
            session.add(
                StakeholderIdentifier(
                    stakeholder_id=stakeholder.id,
                    system="npi",
                    value=data.npi,
                    source=data.source,
                    recorded_on=utcnow().date(),
                )
            )
        if data.specialty:
            session.add(
                StakeholderSpecialty(
                    stakeholder_id=stakeholder.id,
                    specialty_code=data.specialty,
                    is_primary=True,
                    source=data.source,
                )
            )
        if data.address:
            a = data.address
            session.add(
                Address(
                    stakeholder_id=stakeholder.id,
                    kind=AddressKind.practice,
                    is_primary=True,
                    line1=a.line1,
                    line2=a.line2,
                    city=a.city,
                    state=a.state.upper(),
                    postal_code=a.postal_code,
                    phone=a.phone,
                    email=a.email,
                    source=data.source,
                )
            )
    return stakeholder


def update_stakeholder(
    session: Session, actor: Principal, stakeholder_id: int, data: StakeholderUpdate
) -> Stakeholder:
    """Correct fields of the master record; each change is audited with the reason given."""
    stakeholder = gate.get_visible_stakeholder(session, actor, stakeholder_id)
    permissions.require(actor, permissions.STAKEHOLDER_EDIT)
    given = data.model_dump(exclude_unset=True, exclude={"reason"})
    is_person = stakeholder.type in PERSON_TYPES
    person_fields = {"first_name", "middle_name", "last_name", "credentials"}
    for name in sorted(given):
        if is_person and name == "organization_name":
            raise InvalidInput("a person has no organization name", field=name)
        if not is_person and name in person_fields:
            raise InvalidInput(f"an organization has no {name.replace('_', ' ')}", field=name)
        if name in {"last_name", "organization_name", "status"} and given[name] is None:
            raise InvalidInput(f"{name} cannot be removed", field=name)
    if given.get("specialty") is not None and session.get(Specialty, given["specialty"]) is None:
        raise InvalidInput(
            f"{given['specialty']!r} is not a known NUCC taxonomy code", field="specialty"
        )
    with trail.reason(session, data.reason):
        for name, value in given.items():
            if name == "specialty":
                stakeholder.primary_specialty_code = value
            elif name != "organization_name":
                setattr(stakeholder, name, value)
        if is_person:
            parts = [stakeholder.first_name, stakeholder.middle_name, stakeholder.last_name]
            name = " ".join(p for p in parts if p)
            stakeholder.name = (
                f"{name}, {stakeholder.credentials}" if stakeholder.credentials else name
            )
            last = stakeholder.last_name or ""
            stakeholder.sort_name = f"{last} {stakeholder.first_name or ''}".strip().lower()
        elif "organization_name" in given:
            stakeholder.name = given["organization_name"]
            stakeholder.sort_name = given["organization_name"].lower()
        session.flush()
    return stakeholder


@dataclass(frozen=True)
class StakeholderFilter:
    q: str | None = None
    type: StakeholderType | None = None
    specialty: str | None = None
    state: str | None = None
    tier: Tier | None = None
    territory: str | None = None


def list_stakeholders(
    session: Session,
    actor: Principal,
    *,
    filters: StakeholderFilter,
    limit: int | None = None,
    cursor: str | None = None,
) -> Page[Stakeholder]:
    """Stakeholders the actor may see, filtered; `q` matches the start of the last name or of
    the organization name (case-insensitive), or a whole 10-digit NPI."""
    stmt = gate.visible_stakeholders(select(Stakeholder), actor)
    if filters.q:
        q = filters.q.strip()
        if q.isdigit() and len(q) == 10:
            stmt = stmt.where(
                Stakeholder.id.in_(
                    select(StakeholderIdentifier.stakeholder_id).where(
                        StakeholderIdentifier.system == "npi", StakeholderIdentifier.value == q
                    )
                )
            )
        else:
            stmt = stmt.where(Stakeholder.sort_name.startswith(q.lower()))
    if filters.type:
        stmt = stmt.where(Stakeholder.type == filters.type)
    if filters.specialty:
        stmt = stmt.where(Stakeholder.primary_specialty_code == filters.specialty)
    if filters.state:
        stmt = stmt.where(Stakeholder.state == filters.state.upper())
    if filters.tier:
        stmt = stmt.where(Stakeholder.tier == filters.tier)
    if filters.territory:
        territory = territory_service.get_by_code(session, filters.territory)
        below = scope.territories_below(session, frozenset({territory.id}))
        stmt = stmt.where(Stakeholder.territory_id.in_(sorted(below)))
    return paginate(
        session, stmt, key=Stakeholder.id, key_of=lambda s: s.id, limit=limit, cursor=cursor
    )


def identity_section(session: Session, s: Stakeholder, level: Level) -> dict[str, Any]:
    specialty = (
        session.get(Specialty, s.primary_specialty_code) if s.primary_specialty_code else None
    )
    identifiers = session.scalars(
        select(StakeholderIdentifier)
        .where(StakeholderIdentifier.stakeholder_id == s.id)
        .order_by(StakeholderIdentifier.system)
    )
    return {
        "kind": s.kind,
        "credentials": s.credentials,
        "specialty": {"code": specialty.code, "name": specialty.display_name}
        if specialty
        else None,
        "tier": s.tier,
        "status": s.status,
        "identifiers": [
            {
                "system": i.system,
                "value": i.value,
                "source": i.source,
                "recorded_on": i.recorded_on.isoformat(),
            }
            for i in identifiers
        ],
    }


def contact_section(session: Session, s: Stakeholder, level: Level) -> dict[str, Any]:
    if level == Level.summary:
        return {"city": s.city, "state": s.state}
    addresses = session.scalars(
        select(Address).where(Address.stakeholder_id == s.id).order_by(Address.id)
    )
    return {
        "addresses": [
            {
                "kind": a.kind,
                "primary": a.is_primary,
                "line1": a.line1,
                "line2": a.line2,
                "city": a.city,
                "state": a.state,
                "postal_code": a.postal_code,
                "phone": a.phone,
                "email": a.email,
                "source": a.source,
            }
            for a in addresses
        ]
    }


def organizational_status_section(session: Session, s: Stakeholder, level: Level) -> dict[str, Any]:
    stmt = (
        select(Affiliation, Stakeholder.name)
        .join(Stakeholder, Stakeholder.id == Affiliation.organization_id)
        .where(Affiliation.stakeholder_id == s.id)
        .order_by(Affiliation.is_primary.desc(), Affiliation.id)
    )
    rows = session.execute(stmt).all()
    if level == Level.summary:
        rows = [r for r in rows if r[0].is_primary][:1]
    return {
        "affiliations": [
            {
                "organization_id": a.organization_id,
                "organization": org_name,
                "role": a.role,
                "primary": a.is_primary,
                "start_date": a.start_date.isoformat() if a.start_date else None,
                "end_date": a.end_date.isoformat() if a.end_date else None,
            }
            for a, org_name in rows
        ]
    }
