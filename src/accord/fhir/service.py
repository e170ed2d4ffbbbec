"""FHIR import into the stakeholder master: match by NPI, then by the stored FHIR logical id;
an NPI claimed twice is a conflict, never a silent merge."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.access import permissions
from accord.access.principal import Principal
from accord.audit import trail
from accord.db.base import utcnow
from accord.errors import InvalidInput
from accord.fhir.mapping import (
    ACCORD_TYPE,
    HOSPITAL_WORDS,
    NUCC,
    ORG_TYPES,
    REFUSED_SYSTEMS,
    SEX_OF_GENDER,
    SHORT_SYSTEMS,
)
from accord.fhir.reading import MASTER_TYPES, Entry, read_entries, validation_error
from accord.fhir.service_export import export_fhir
from accord.importer import service as import_service
from accord.stakeholder.identifiers import npi_is_valid
from accord.stakeholder.models import (
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
)
from accord.territory import service as territory_service

__all__ = ["FhirImportReport", "NpiConflict", "RowError", "export_fhir", "import_fhir"]

#: the id Accord gives a stakeholder it exports without a FHIR link of its own
EXPORTED_ID = re.compile(r"^accord-(\d+)$")
ADDRESS_LIMITS = {"line1": 200, "line2": 200, "city": 100, "postal_code": 10, "phone": 30}


@dataclass(frozen=True)
class RowError:
    location: str
    field: str
    value: str | None
    reason: str


@dataclass(frozen=True)
class NpiConflict:
    npi: str
    location: str
    claimed_by: str  # the other record's location, or "stakeholder N"


@dataclass
class FhirImportReport:
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    #: roles, affiliations and locations kept aside because what they link is not known
    unresolved: int = 0
    #: resources of other types, by type (not errors)
    skipped: Counter[str] = field(default_factory=Counter)
    conflicts: list[NpiConflict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    #: values not stored on an otherwise accepted record (an SSN, a foreign address, ...)
    warnings: list[RowError] = field(default_factory=list)
    #: (location, reference) of references to resources neither imported nor known
    dangling: list[tuple[str, str]] = field(default_factory=list)
    #: outcome counts per resource type: created, updated, unchanged, rejected, conflict, unresolved
    by_type: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    dry_run: bool = False


def import_fhir(
    session: Session, actor: Principal | None, path: Path, *, dry_run: bool = False
) -> FhirImportReport:
    """Apply the Practitioner, Organization, PractitionerRole, OrganizationAffiliation and
    Location resources under `path` to the master. The CLI imports as the operator (actor
    None); a user needs stakeholder:edit. Every file is read before anything is
    written; every change goes through the session, so the audit trail records it. A dry run
    applies everything inside a savepoint and rolls it back."""
    if actor is not None:
        permissions.require(actor, permissions.STAKEHOLDER_EDIT)
    entries = read_entries(path)
    report = FhirImportReport(dry_run=dry_run)
    importer = _Importer(session, report, entries)
    savepoint = session.begin_nested() if dry_run else None
    try:
        with trail.reason(session, f"FHIR import of {path.name}"):
            for entry in entries:
                if entry.type not in MASTER_TYPES:
                    report.skipped[entry.type] += 1
            for resource_type in MASTER_TYPES:
                for entry in entries:
                    if entry.type == resource_type:
                        importer.apply(entry)
    finally:
        if savepoint is not None:
            savepoint.rollback()
    return report


class _Conflicted(Exception):
    pass


class _Rejected(Exception):
    def __init__(self, field: str, value: str | None, reason: str) -> None:
        super().__init__(reason)
        self.error = (field, value, reason)


@dataclass
class _Person:
    first_name: str | None
    middle_name: str | None
    last_name: str
    credentials: str | None


class _Importer:
    def __init__(self, session: Session, report: FhirImportReport, entries: list[Entry]) -> None:
        self.session = session
        self.report = report
        self.today = utcnow().date()
        #: (type, id) -> stakeholder id, for what this import created or matched
        self.linked: dict[tuple[str, str], int] = {}
        #: NPI -> ((type, id), location) of the record of this import that holds it
        self.claimed: dict[str, tuple[tuple[str, str], str]] = {}
        self.full_urls = {e.full_url: (e.type, e.id) for e in entries if e.full_url and e.id}
        self.known_specialties: set[str] | None = None

    # -- dispatch ----------------------------------------------------------------------------

    def apply(self, entry: Entry) -> None:
        self.report.read += 1
        try:
            if not entry.id:
                raise _Rejected("id", None, "a resource needs its logical id to be linked")
            invalid = validation_error(entry.resource)
            if invalid is not None:
                where, _, why = invalid.partition(": ")
                raise _Rejected(where if why else "", None, why or where)
            handler = {
                "Practitioner": self._practitioner,
                "Organization": self._organization,
                "PractitionerRole": self._practitioner_role,
                "OrganizationAffiliation": self._organization_affiliation,
                "Location": self._location,
            }[entry.type]
            outcome = handler(entry, entry.resource)
        except _Rejected as rejected:
            field_, value, reason = rejected.error
            self.report.errors.append(RowError(entry.location, field_, value, reason))
            outcome = "rejected"
        self.report.by_type[entry.type][outcome] += 1
        if outcome in {"created", "updated", "unchanged", "rejected", "unresolved"}:
            setattr(self.report, outcome, getattr(self.report, outcome) + 1)

    def _warn(self, entry: Entry, field_: str, value: str | None, reason: str) -> None:
        self.report.warnings.append(RowError(entry.location, field_, value, reason))

    # -- stakeholders ------------------------------------------------------------------------

    def _practitioner(self, entry: Entry, r: dict[str, Any]) -> str:
        person = _person_name(r)
        if person is None:
            raise _Rejected("name", None, "a Practitioner needs a family name or a name text")
        values: dict[str, Any] = {
            "first_name": person.first_name,
            "middle_name": person.middle_name,
            "last_name": person.last_name,
            "credentials": person.credentials,
            "sex": SEX_OF_GENDER.get(str(r.get("gender")), None),
            "status": _status(r),
        }
        parts = [person.first_name, person.middle_name, person.last_name]
        name = " ".join(p for p in parts if p)
        values["name"] = f"{name}, {person.credentials}" if person.credentials else name
        values["sort_name"] = f"{person.last_name} {person.first_name or ''}".strip().lower()
        codes = [
            c for q in r.get("qualification") or [] for c in _codes((q or {}).get("code"), NUCC)
        ]
        return self._stakeholder(
            entry, r, StakeholderKind.person, StakeholderType.hcp, values, codes
        )

    def _organization(self, entry: Entry, r: dict[str, Any]) -> str:
        name = r.get("name")
        if not name:
            raise _Rejected("name", None, "an Organization needs a name")
        name = str(name)[:300]
        values = {"name": name, "sort_name": name.lower(), "status": _status(r)}
        return self._stakeholder(
            entry, r, StakeholderKind.organization, _organization_type(r), values, []
        )

    def _stakeholder(
        self,
        entry: Entry,
        r: dict[str, Any],
        kind: StakeholderKind,
        type_: StakeholderType,
        values: dict[str, Any],
        specialty_codes: list[str],
    ) -> str:
        assert entry.id is not None
        source = f"fhir:{entry.file}"[:80]
        identifiers = self._identifiers(entry, r)
        npis = [v for s, v in identifiers if s == "npi"]
        try:
            match = self._match(entry, kind, npis[0] if npis else None, values.get("name"))
        except _Conflicted:
            return "conflict"
        addresses = self._addresses(entry, r.get("address") or [], r.get("telecom") or [])
        if match is None:
            stakeholder = Stakeholder(kind=kind, type=type_, **values)
            self.session.add(stakeholder)
            self.session.flush()
            changed = True
            outcome = "created"
        else:
            stakeholder = match
            changed = False
            for name, value in values.items():
                if getattr(stakeholder, name) != value:
                    setattr(stakeholder, name, value)
                    changed = True
            outcome = "updated"
        if not EXPORTED_ID.match(entry.id) or match is None:
            identifiers.append((f"fhir:{entry.type}", entry.id))
        changed |= self._add_identifiers(entry, stakeholder, identifiers, source)
        changed |= self._sync_addresses(stakeholder, addresses, f"fhir:{entry.type}/{entry.id}")
        changed |= self._add_specialties(entry, stakeholder, specialty_codes, source)
        if npis:
            self.claimed[npis[0]] = ((entry.type, entry.id), entry.location)
        self.linked[(entry.type, entry.id)] = stakeholder.id
        self.session.flush()
        return outcome if changed else "unchanged"

    def _match(
        self, entry: Entry, kind: StakeholderKind, npi: str | None, name: Any
    ) -> Stakeholder | None:
        """The stakeholder this record is, None for a new one; raises _Conflicted on an NPI
        claimed by another record."""
        assert entry.id is not None
        key = (entry.type, entry.id)
        by_link = self._linked_stakeholder(entry.type, entry.id, name=name)
        if npi is None:
            return by_link
        prior = self.claimed.get(npi)
        if prior is not None and prior[0] != key:
            self._conflict(npi, entry, prior[1])
        owner_id = self.session.scalars(
            select(StakeholderIdentifier.stakeholder_id).where(
                StakeholderIdentifier.system == "npi", StakeholderIdentifier.value == npi
            )
        ).first()
        if owner_id is None:
            return by_link
        owner = self.session.get_one(Stakeholder, owner_id)
        if by_link is not None and by_link.id != owner.id:
            self._conflict(npi, entry, f"stakeholder {owner.id}")
        if owner.kind != kind:
            self._conflict(npi, entry, f"stakeholder {owner.id} ({owner.kind})")
        other_link = self.session.scalars(
            select(StakeholderIdentifier.value).where(
                StakeholderIdentifier.stakeholder_id == owner.id,
                StakeholderIdentifier.system == f"fhir:{entry.type}",
            )
        ).first()
        if other_link is not None and other_link != entry.id:
            self._conflict(npi, entry, f"stakeholder {owner.id} ({entry.type}/{other_link})")
        return owner

    def _conflict(self, npi: str, entry: Entry, claimed_by: str) -> NoReturn:
        self.report.conflicts.append(NpiConflict(npi, entry.location, claimed_by))
        raise _Conflicted

    def _linked_stakeholder(
        self, resource_type: str, resource_id: str, *, name: Any = None
    ) -> Stakeholder | None:
        cached = self.linked.get((resource_type, resource_id))
        if cached is not None:
            return self.session.get_one(Stakeholder, cached)
        found = self.session.scalars(
            select(Stakeholder)
            .join(StakeholderIdentifier, StakeholderIdentifier.stakeholder_id == Stakeholder.id)
            .where(
                StakeholderIdentifier.system == f"fhir:{resource_type}",
                StakeholderIdentifier.value == resource_id,
            )
        ).first()
        if found is not None:
            return found
        exported = EXPORTED_ID.match(resource_id)
        if exported is None:
            return None
        # an id Accord gave on export: the same stakeholder only when it has no link of its own
        # and, for a stakeholder being imported, the same name (an export of another database)
        candidate = self.session.get(Stakeholder, int(exported.group(1)))
        if candidate is None or (name is not None and candidate.name != name):
            return None
        if (candidate.kind == StakeholderKind.person) != (resource_type == "Practitioner"):
            return None
        has_link = self.session.scalars(
            select(StakeholderIdentifier.id).where(
                StakeholderIdentifier.stakeholder_id == candidate.id,
                StakeholderIdentifier.system == f"fhir:{resource_type}",
            )
        ).first()
        return None if has_link is not None else candidate

    def _identifiers(self, entry: Entry, r: dict[str, Any]) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        for ident in r.get("identifier") or []:
            system, value = ident.get("system"), ident.get("value")
            if not system or not value:
                continue
            if system in REFUSED_SYSTEMS:
                self._warn(entry, "identifier", system, "not stored (data minimisation)")
                continue
            short = SHORT_SYSTEMS.get(system) or system.removeprefix("urn:accord:identifier:")
            if short == "npi" and not npi_is_valid(value):
                raise _Rejected("identifier", value, "not a valid NPI (check digit)")
            if len(short) > 40 or len(value) > 80 or short.startswith("fhir:"):
                self._warn(entry, "identifier", system, "identifier system not stored (too long)")
                continue
            if (short, value) not in found:
                found.append((short, value))
        if len({v for s, v in found if s == "npi"}) > 1:
            raise _Rejected("identifier", None, "more than one NPI")
        return found

    def _add_identifiers(
        self,
        entry: Entry,
        stakeholder: Stakeholder,
        identifiers: list[tuple[str, str]],
        source: str,
    ) -> bool:
        changed = False
        for system, value in identifiers:
            owner = self.session.scalars(
                select(StakeholderIdentifier.stakeholder_id).where(
                    StakeholderIdentifier.system == system, StakeholderIdentifier.value == value
                )
            ).first()
            if owner == stakeholder.id:
                continue
            if owner is not None:
                # a shared non-NPI identifier (two Dutch practitioners with one UZI number)
                # does not make two records one; it stays with the first
                self._warn(entry, "identifier", f"{system} {value}", f"held by stakeholder {owner}")
                continue
            self.session.add(
                StakeholderIdentifier(
                    stakeholder_id=stakeholder.id,
                    system=system,
                    value=value,
                    source=source,
                    recorded_on=self.today,
                )
            )
            self.session.flush()
            changed = True
        return changed

    # -- contact -----------------------------------------------------------------------------

    def _addresses(
        self, entry: Entry, addresses: list[dict[str, Any]], telecom: list[dict[str, Any]]
    ) -> list[dict[str, str | None]]:
        """FHIR addresses with a street, a city and a two-letter state, with the resource's
        phones and emails given to them in order."""
        kept: list[dict[str, str | None]] = []
        for a in addresses:
            lines = [str(x) for x in a.get("line") or []]
            state = str(a.get("state") or "")
            city = a.get("city")
            if not lines or not city or len(state) != 2:
                self._warn(
                    entry,
                    "address",
                    a.get("text") or ", ".join(lines),
                    "needs a street, a city and a two-letter state",
                )
                continue
            data: dict[str, str | None] = {
                "line1": lines[0],
                "line2": ", ".join(lines[1:]) or None,
                "city": str(city),
                "state": state.upper(),
                "postal_code": a.get("postalCode"),
                "phone": None,
                "email": None,
            }
            too_long = [k for k, n in ADDRESS_LIMITS.items() if len(data[k] or "") > n]
            if too_long:
                self._warn(entry, "address", data["line1"], f"{too_long[0]} too long")
                continue
            kept.append(data)
        phones = [t["value"] for t in telecom if t.get("system") == "phone" and t.get("value")]
        emails = [t["value"] for t in telecom if t.get("system") == "email" and t.get("value")]
        for data, phone in zip(kept, phones, strict=False):
            data["phone"] = phone if len(phone) <= ADDRESS_LIMITS["phone"] else None
        for data, email in zip(kept, emails, strict=False):
            data["email"] = email
        return kept

    def _sync_addresses(
        self, stakeholder: Stakeholder, incoming: list[dict[str, str | None]], source: str
    ) -> bool:
        """Addresses this resource brought are kept equal to it; addresses from other sources
        are matched (the same place is not added twice) but never changed or removed."""
        existing = [
            a
            for a in self.session.scalars(
                select(Address).where(Address.stakeholder_id == stakeholder.id).order_by(Address.id)
            )
            if source.startswith("fhir:Location/") == a.source.startswith("fhir:Location/")
            and (not source.startswith("fhir:Location/") or a.source == source)
        ]
        own = [a for a in existing if a.source == source]
        changed = False
        for data in incoming:
            same = next((a for a in existing if _same_place(a, data)), None)
            if same is None and own:
                same = own[0]
            if same is not None:
                if same in own:
                    own.remove(same)
                for name, value in data.items():
                    if getattr(same, name) != value and (same.source == source or value):
                        setattr(same, name, value)
                        changed = True
                continue
            has_primary = any(a.is_primary for a in existing)
            address = Address(
                stakeholder_id=stakeholder.id,
                kind=AddressKind.practice,
                is_primary=not has_primary and not source.startswith("fhir:Location/"),
                source=source,
                **data,
            )
            self.session.add(address)
            existing.append(address)
            changed = True
        for stale in own:
            self.session.delete(stale)
            changed = True
        if changed:
            self.session.flush()
        primary = next((a for a in existing if a.is_primary and a in self.session), None)
        if primary is not None and (stakeholder.state, stakeholder.city) != (
            primary.state,
            primary.city,
        ):
            stakeholder.state, stakeholder.city = primary.state, primary.city
            stakeholder.territory_id = territory_service.territory_for(
                self.session, state=primary.state, city=primary.city
            )
            changed = True
        return changed

    def _add_specialties(
        self, entry: Entry, stakeholder: Stakeholder, codes: list[str], source: str
    ) -> bool:
        if not codes or stakeholder.kind != StakeholderKind.person:
            return False
        if self.known_specialties is None:
            self.known_specialties = set(self.session.scalars(select(Specialty.code)))
        have = {
            s.specialty_code: s
            for s in self.session.scalars(
                select(StakeholderSpecialty).where(
                    StakeholderSpecialty.stakeholder_id == stakeholder.id
                )
            )
        }
        changed = False
        for code in dict.fromkeys(codes):
            if code not in self.known_specialties:
                self._warn(entry, "specialty", code, "not a known NUCC taxonomy code")
                continue
            if code in have:
                continue
            primary = not any(s.is_primary for s in have.values())
            have[code] = StakeholderSpecialty(
                stakeholder_id=stakeholder.id,
                specialty_code=code,
                is_primary=primary,
                source=source,
            )
            self.session.add(have[code])
            if primary:
                stakeholder.primary_specialty_code = code
            changed = True
        return changed

    # -- links -------------------------------------------------------------------------------

    def _resolve(self, entry: Entry, reference: dict[str, Any] | None) -> Stakeholder | None:
        ref = (reference or {}).get("reference")
        if not ref:
            return None
        if ref in self.full_urls:
            resource_type, resource_id = self.full_urls[ref]
        else:
            parts = ref.split("/_history/")[0].split("/")
            if len(parts) < 2:
                self.report.dangling.append((entry.location, ref))
                return None
            resource_type, resource_id = parts[-2], parts[-1]
        if resource_type not in {"Practitioner", "Organization"} or resource_id is None:
            return None
        found = self._linked_stakeholder(resource_type, resource_id)
        if found is None:
            self.report.dangling.append((entry.location, ref))
        return found

    def _practitioner_role(self, entry: Entry, r: dict[str, Any]) -> str:
        person = self._resolve(entry, r.get("practitioner"))
        organization = self._resolve(entry, r.get("organization"))
        if person is None or organization is None:
            return "unresolved"
        source = f"fhir:{entry.file}"[:80]
        codes = [c for s in r.get("specialty") or [] for c in _codes(s, NUCC)]
        changed = self._add_specialties(entry, person, codes, source)
        outcome = self._affiliation(entry, r, person, organization, "practitioner")
        return "updated" if changed and outcome == "unchanged" else outcome

    def _organization_affiliation(self, entry: Entry, r: dict[str, Any]) -> str:
        participant = self._resolve(entry, r.get("participatingOrganization"))
        organization = self._resolve(entry, r.get("organization"))
        if participant is None or organization is None:
            return "unresolved"
        return self._affiliation(entry, r, participant, organization, "affiliate")

    def _affiliation(
        self,
        entry: Entry,
        r: dict[str, Any],
        member: Stakeholder,
        organization: Stakeholder,
        default_role: str,
    ) -> str:
        link = f"fhir:{entry.type}/{entry.id}"
        source = link if len(link) <= 80 else f"fhir:{entry.type}"
        role = (_role_text(r.get("code") or []) or default_role)[:80]
        period = r.get("period") or {}
        values = {
            "stakeholder_id": member.id,
            "organization_id": organization.id,
            "role": role,
            "start_date": _date(period.get("start")),
            "end_date": _date(period.get("end")),
        }
        found = self.session.scalars(select(Affiliation).where(Affiliation.source == link)).first()
        if found is None:
            found = self.session.scalars(
                select(Affiliation).where(
                    Affiliation.stakeholder_id == member.id,
                    Affiliation.organization_id == organization.id,
                    Affiliation.role == role,
                )
            ).first()
        if found is None:
            self.session.add(Affiliation(is_primary=False, source=source, **values))
            return "created"
        changed = False
        for name, value in values.items():
            if getattr(found, name) != value:
                setattr(found, name, value)
                changed = True
        return "updated" if changed else "unchanged"

    def _location(self, entry: Entry, r: dict[str, Any]) -> str:
        organization = self._resolve(entry, r.get("managingOrganization"))
        if organization is None:
            return "unresolved"
        address = r.get("address")
        incoming = self._addresses(entry, [address] if address else [], r.get("telecom") or [])
        if not incoming:
            return "unresolved"
        source = f"fhir:Location/{entry.id}"
        known = self.session.scalars(select(Address.id).where(Address.source == source)).first()
        if not self._sync_addresses(organization, incoming, source):
            return "unchanged"
        return "created" if known is None else "updated"


def _person_name(r: dict[str, Any]) -> _Person | None:
    names = r.get("name") or []
    if not names:
        return None
    chosen = next((n for n in names if n.get("use") == "official"), names[0])
    given = [str(g) for g in chosen.get("given") or []]
    family = chosen.get("family")
    if not family:
        words = str(chosen.get("text") or "").split(",")[0].split()
        if not words:
            return None
        family, given = words[-1], given or words[:-1]
    titles = chosen.get("suffix") or chosen.get("prefix") or []
    credentials = " ".join(str(t) for t in titles)[:60] or None
    return _Person(
        first_name=(given[0][:100] if given else None),
        middle_name=(" ".join(given[1:])[:100] or None),
        last_name=str(family)[:100],
        credentials=credentials,
    )


def _status(r: dict[str, Any]) -> StakeholderStatus:
    return StakeholderStatus.inactive if r.get("active") is False else StakeholderStatus.active


def _codes(concept: dict[str, Any] | None, system: str) -> list[str]:
    return [
        str(c["code"])
        for c in (concept or {}).get("coding") or []
        if c.get("system") == system and c.get("code")
    ]


def _organization_type(r: dict[str, Any]) -> StakeholderType:
    concepts = r.get("type") or []
    for concept in concepts:
        for code in _codes(concept, ACCORD_TYPE):
            if code in StakeholderType.__members__:
                return StakeholderType(code)
    for concept in concepts:
        for coding in concept.get("coding") or []:
            mapped = ORG_TYPES.get(str(coding.get("code")))
            if mapped is not None:
                name = str(r.get("name") or "").lower()
                if mapped == StakeholderType.clinic and any(w in name for w in HOSPITAL_WORDS):
                    return StakeholderType.hospital
                return mapped
    return StakeholderType.clinic


def _role_text(concepts: list[dict[str, Any]]) -> str | None:
    for concept in concepts:
        if concept.get("text"):
            return str(concept["text"])
        for coding in concept.get("coding") or []:
            if coding.get("display") or coding.get("code"):
                return str(coding.get("display") or coding.get("code"))
    return None


def _date(value: Any) -> date | None:
    if not value:
        return None
    text = str(value)[:10]
    parts = [*text.split("-"), "01", "01"]
    return date(int(parts[0]), int(parts[1]), int(parts[2]))


def _same_place(a: Address, data: dict[str, str | None]) -> bool:
    return (a.line1, a.line2, a.city, a.state, a.postal_code) == (
        data["line1"],
        data["line2"],
        data["city"],
        data["state"],
        data["postal_code"],
    )


def import_into_job(run: import_service.Run, path: Path) -> FhirImportReport:
    """The FHIR import as an import job (the CLI's and the uploads' entry, through the
    registry of import kinds): counts and row-level problems go on the job; a file that is
    not FHIR fails the job and writes nothing."""
    try:
        report = import_fhir(run.session, None, path)
    except InvalidInput as refused:
        raise import_service.BadFile(refused.message, field="file") from None
    record_on_job(run, report)
    if run.progress:
        run.progress(run.job.read)
    return report


def record_on_job(run: import_service.Run, report: FhirImportReport) -> None:
    """The report's counts and row-level problems on the import job."""
    job = run.job
    job.read = report.read
    job.created, job.updated, job.unchanged = report.created, report.updated, report.unchanged
    job.rejected = report.rejected + len(report.conflicts)
    for number, error in enumerate(report.errors, start=1):
        run.note(number, f"{error.location} {error.field}"[:120], error.value, error.reason)
    for number, conflict in enumerate(report.conflicts, start=1):
        run.note(
            number,
            f"{conflict.location} identifier"[:120],
            conflict.npi,
            f"NPI already claimed by {conflict.claimed_by}; not merged",
        )
    for number, warning in enumerate(report.warnings, start=1):
        run.note(number, f"{warning.location} {warning.field}"[:120], warning.value, warning.reason)
