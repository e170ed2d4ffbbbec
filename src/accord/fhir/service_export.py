"""FHIR export of the stakeholder master: one collection Bundle, every resource validated."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from accord.access import gate
from accord.access.principal import Principal
from accord.db.base import utcnow
from accord.errors import InvalidInput
from accord.fhir.mapping import (
    ACCORD_TYPE,
    GENDER_OF_SEX,
    NUCC,
    ORG_TYPE,
    ORG_TYPE_CODES,
    URI_OF_SHORT,
)
from accord.stakeholder.models import (
    Address,
    Affiliation,
    Specialty,
    Stakeholder,
    StakeholderIdentifier,
    StakeholderKind,
    StakeholderSpecialty,
    StakeholderStatus,
)

EXPORT_TYPES = (
    "Practitioner",
    "Organization",
    "PractitionerRole",
    "OrganizationAffiliation",
    "Location",
)


def export_fhir(
    session: Session, actor: Principal, *, resource_type: str | None = None
) -> dict[str, Any]:
    """The stakeholders the actor may see, and their roles, affiliations and locations, as a
    FHIR collection Bundle; NPIs in the US Core system. Only identity, contact and
    organizational status leave: nothing about engagement."""
    if resource_type is not None and resource_type not in EXPORT_TYPES:
        raise InvalidInput(
            f"{resource_type!r} is not one of {', '.join(EXPORT_TYPES)}", field="type"
        )
    stakeholders = session.scalars(
        gate.visible_stakeholders(select(Stakeholder), actor).order_by(Stakeholder.id)
    ).all()
    by_id = {s.id: s for s in stakeholders}
    identifiers = _grouped(
        session,
        gate.visible_stakeholders(
            select(StakeholderIdentifier)
            .join(Stakeholder, Stakeholder.id == StakeholderIdentifier.stakeholder_id)
            .order_by(StakeholderIdentifier.id),
            actor,
        ),
    )
    addresses = _grouped(
        session,
        gate.visible_stakeholders(
            select(Address)
            .join(Stakeholder, Stakeholder.id == Address.stakeholder_id)
            .order_by(Address.id),
            actor,
        ),
    )
    specialties = _grouped(
        session,
        gate.visible_stakeholders(
            select(StakeholderSpecialty)
            .join(Stakeholder, Stakeholder.id == StakeholderSpecialty.stakeholder_id)
            .order_by(StakeholderSpecialty.id),
            actor,
        ),
    )
    displays = {
        code: display
        for code, display in session.execute(select(Specialty.code, Specialty.display_name))
    }
    logical = {s.id: _logical_id(s, identifiers.get(s.id, [])) for s in stakeholders}

    resources: list[dict[str, Any]] = []
    for s in stakeholders:
        own = [a for a in addresses.get(s.id, []) if not a.source.startswith("fhir:Location/")]
        if s.kind == StakeholderKind.person:
            codes = [sp.specialty_code for sp in specialties.get(s.id, [])]
            resources.append(
                _practitioner(s, logical[s.id], identifiers.get(s.id, []), own, codes, displays)
            )
        else:
            resources.append(_organization(s, logical[s.id], identifiers.get(s.id, []), own))
        for a in addresses.get(s.id, []):
            if a.source.startswith("fhir:Location/"):
                resources.append(_location(a, logical[s.id]))
    member = aliased(Stakeholder)
    affiliations = session.scalars(
        gate.visible_stakeholders(
            select(Affiliation)
            .join(Stakeholder, Stakeholder.id == Affiliation.organization_id)
            .join(member, member.id == Affiliation.stakeholder_id)
            .order_by(Affiliation.id),
            actor,
        )
    ).all()
    for affiliation in affiliations:
        person = by_id.get(affiliation.stakeholder_id)
        if person is None:  # the member is outside the actor's territories
            continue
        resources.append(_affiliation(affiliation, person, logical))
    if resource_type is not None:
        resources = [r for r in resources if r["resourceType"] == resource_type]
    for resource in resources:
        # a resource that does not validate is a bug in this module, not the user's problem
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    bundle: dict[str, Any] = {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": utcnow().isoformat(timespec="seconds"),
        "entry": [{"resource": r} for r in resources],
    }
    get_fhir_model_class("Bundle").model_validate(bundle)
    return bundle


def _grouped(session: Session, stmt: Any) -> dict[int, list[Any]]:
    groups: dict[int, list[Any]] = defaultdict(list)
    for row in session.scalars(stmt):
        groups[row.stakeholder_id].append(row)
    return groups


def _logical_id(s: Stakeholder, identifiers: Sequence[StakeholderIdentifier]) -> str:
    system = "fhir:Practitioner" if s.kind == StakeholderKind.person else "fhir:Organization"
    linked = next((i.value for i in identifiers if i.system == system), None)
    return linked or f"accord-{s.id}"


def _identifiers(identifiers: Sequence[StakeholderIdentifier]) -> list[dict[str, str]]:
    out = []
    for i in identifiers:
        if i.system.startswith("fhir:"):
            continue
        if i.system in URI_OF_SHORT:
            system = URI_OF_SHORT[i.system]
        elif ":" in i.system:
            system = i.system
        else:
            system = f"urn:accord:identifier:{i.system}"
        out.append({"system": system, "value": i.value})
    return out


def _address(a: Address) -> dict[str, Any]:
    fhir: dict[str, Any] = {
        "use": "work",
        "line": [a.line1, *([a.line2] if a.line2 else [])],
        "city": a.city,
        "state": a.state,
    }
    if a.postal_code:
        fhir["postalCode"] = a.postal_code
    return fhir


def _telecom(addresses: Sequence[Address]) -> list[dict[str, str]]:
    phones = [{"system": "phone", "value": a.phone, "use": "work"} for a in addresses if a.phone]
    emails = [{"system": "email", "value": a.email, "use": "work"} for a in addresses if a.email]
    return phones + emails


def _contact(resource: dict[str, Any], addresses: Sequence[Address]) -> None:
    if addresses:
        resource["address"] = [_address(a) for a in addresses]
    telecom = _telecom(addresses)
    if telecom:
        resource["telecom"] = telecom


def _practitioner(
    s: Stakeholder,
    logical_id: str,
    identifiers: Sequence[StakeholderIdentifier],
    addresses: Sequence[Address],
    codes: Sequence[str],
    displays: dict[str, str],
) -> dict[str, Any]:
    name: dict[str, Any] = {"family": s.last_name or s.name}
    given = [g for g in [s.first_name, *(s.middle_name or "").split()] if g]
    if given:
        name["given"] = given
    if s.credentials:
        name["suffix"] = [s.credentials]
    resource: dict[str, Any] = {
        "resourceType": "Practitioner",
        "id": logical_id,
        "active": s.status == StakeholderStatus.active,
        "name": [name],
    }
    ids = _identifiers(identifiers)
    if ids:
        resource["identifier"] = ids
    if s.sex in GENDER_OF_SEX:
        resource["gender"] = GENDER_OF_SEX[s.sex]
    _contact(resource, addresses)
    if codes:
        resource["qualification"] = [
            {"code": {"coding": [{"system": NUCC, "code": c, "display": displays.get(c, c)}]}}
            for c in codes
        ]
    return resource


def _organization(
    s: Stakeholder,
    logical_id: str,
    identifiers: Sequence[StakeholderIdentifier],
    addresses: Sequence[Address],
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Organization",
        "id": logical_id,
        "active": s.status == StakeholderStatus.active,
        "name": s.name,
        "type": [
            {
                "coding": [
                    {"system": ORG_TYPE, "code": ORG_TYPE_CODES.get(s.type, "other")},
                    {"system": ACCORD_TYPE, "code": str(s.type)},
                ]
            }
        ],
    }
    ids = _identifiers(identifiers)
    if ids:
        resource["identifier"] = ids
    _contact(resource, addresses)
    return resource


def _location(a: Address, organization_id: str) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Location",
        "id": a.source.removeprefix("fhir:Location/"),
        "managingOrganization": {"reference": f"Organization/{organization_id}"},
        "address": _address(a),
    }
    telecom = _telecom([a])
    if telecom:
        resource["telecom"] = telecom
    return resource


def _affiliation(
    affiliation: Affiliation, member: Stakeholder, logical: dict[int, str]
) -> dict[str, Any]:
    is_role = member.kind == StakeholderKind.person
    resource_type = "PractitionerRole" if is_role else "OrganizationAffiliation"
    prefix = f"fhir:{resource_type}/"
    resource_id = (
        affiliation.source.removeprefix(prefix)
        if affiliation.source.startswith(prefix)
        else f"accord-affiliation-{affiliation.id}"
    )
    resource: dict[str, Any] = {
        "resourceType": resource_type,
        "id": resource_id,
        "code": [{"text": affiliation.role}],
    }
    member_ref = f"{'Practitioner' if is_role else 'Organization'}/{logical[member.id]}"
    organization_ref = f"Organization/{logical[affiliation.organization_id]}"
    if is_role:
        resource["practitioner"] = {"reference": member_ref}
        resource["organization"] = {"reference": organization_ref}
    else:
        resource["participatingOrganization"] = {"reference": member_ref}
        resource["organization"] = {"reference": organization_ref}
    period = {}
    if affiliation.start_date:
        period["start"] = affiliation.start_date.isoformat()
    if affiliation.end_date:
        period["end"] = affiliation.end_date.isoformat()
    if period:
        resource["period"] = period
    return resource
