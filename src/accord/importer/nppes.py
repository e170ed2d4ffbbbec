"""NPPES, the registry of every NPI: the full-replacement file, the weekly incremental files
(same V.2 layout, 330 columns) and the deactivation file (NPI and date), plain or zipped.

Individuals become HCPs, organizations HCOs; every taxonomy slot maps to a NUCC specialty and
the slot whose switch is Y (wherever it is) is the primary; practice and mailing addresses,
credentials, sex, licenses, other identifiers and the authorized official are kept with
"nppes" as their source. Deactivated NPIs become inactive and reactivated ones active again.
Files re-saved by spreadsheet tools (entity codes "1.0", ZIP codes and phones as floats that
lost leading zeros) are normalised, not rejected. Re-importing a file changes nothing.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit import trail
from accord.db.base import utcnow
from accord.importer.service import READ_ERRORS, WIDTH, BadFile, Run, csv_rows
from accord.stakeholder.identifiers import npi_is_valid
from accord.stakeholder.models import (
    Address,
    AddressKind,
    AuthorizedOfficial,
    Specialty,
    Stakeholder,
    StakeholderIdentifier,
    StakeholderKind,
    StakeholderSpecialty,
    StakeholderStatus,
    StakeholderType,
)
from accord.territory import service as territory_service

SOURCE = "nppes"
BATCH = 1_000
SLOTS = 15
OTHER_SLOTS = 50
REQUIRED = (
    "NPI",
    "Entity Type Code",
    "Provider Organization Name (Legal Business Name)",
    "Provider Last Name (Legal Name)",
    "Provider First Name",
    "Provider Credential Text",
    "Provider First Line Business Practice Location Address",
    "Provider Business Practice Location Address City Name",
    "Provider Business Practice Location Address State Name",
    "Provider Business Practice Location Address Postal Code",
    "Last Update Date",
    "NPI Deactivation Date",
    "NPI Reactivation Date",
    "Healthcare Provider Taxonomy Code_1",
    "Healthcare Provider Primary Taxonomy Switch_1",
)
DEACTIVATION = ("NPI", "NPPES Deactivation Date")
#: NPPES "Other Provider Identifier Type Code"
OTHER_TYPES = {
    "01": "other",
    "02": "upin",
    "04": "medicare",
    "05": "medicaid",
    "06": "oscar",
    "07": "nsc",
    "08": "medicare_pin",
}
_FLOAT_INT = re.compile(r"^(\d+)\.0+$")


# --- reading ------------------------------------------------------------------------------


def _member(archive: zipfile.ZipFile) -> str:
    """The data file of an NPPES archive (not its header-only file or the PDF)."""
    names = [n for n in archive.namelist() if n.lower().endswith(".csv")]
    data = [n for n in names if "fileheader" not in n.lower()]
    preferred = [n for n in data if Path(n).name.lower().startswith(("npidata", "npi"))]
    chosen = preferred or data
    if not chosen:
        raise BadFile("the archive holds no CSV file", field="file")
    return chosen[0]


def _open_text(path: Path) -> tuple[IO[str], zipfile.ZipFile | None]:
    if zipfile.is_zipfile(path):
        try:
            archive = zipfile.ZipFile(path)
            member = _member(archive)
            return io.TextIOWrapper(archive.open(member), encoding="utf-8", newline=""), archive
        except (zipfile.BadZipFile, OSError) as error:
            raise BadFile(f"{path.name} is a damaged zip archive: {error}", field="file") from None
    if path.suffix.lower() == ".zip":
        raise BadFile(f"{path.name} is not a zip archive, or it is truncated", field="file")
    return path.open(encoding="utf-8-sig", newline=""), None


def read_rows(
    path: Path, run: Run | None = None
) -> tuple[str, Iterator[tuple[int, dict[str, str]]]]:
    """('full' | 'deactivation', rows with their line numbers). The header is checked
    before any row is read; a damaged file raises BadFile naming the row it reached. With a
    run, the run follows the position in the (compressed) file for its progress."""
    handle, archive = _open_text(path)
    if run is not None:
        raw = archive.fp if archive is not None else getattr(handle, "buffer", None)
        if raw is not None:
            run.watch(raw)
    try:
        reader = csv.reader(handle)
        header = [h.strip().lstrip("\ufeff") for h in next(reader)]
    except StopIteration:
        handle.close()
        raise BadFile(f"{path.name} is empty", field="file") from None
    except READ_ERRORS as error:
        handle.close()
        raise BadFile(f"{path.name} is not a readable CSV: {error}", field="file") from None
    if all(c in header for c in REQUIRED):
        kind = "full"
    elif all(c in header for c in DEACTIVATION) and len(header) <= 4:
        kind = "deactivation"
    else:
        handle.close()
        missing = next(c for c in REQUIRED if c not in header)
        raise BadFile(
            f"{path.name} is not an NPPES file (V.2 layout or deactivation list): "
            f"no column {missing!r}",
            field="file",
        )

    def close() -> None:
        handle.close()
        if archive is not None:
            archive.close()

    return kind, csv_rows(reader, header, path.name, close)


# --- normalising --------------------------------------------------------------------------


def text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def integer_text(value: str | None) -> str | None:
    """'1.0' -> '1', '3088652512.0' -> '3088652512' (spreadsheet re-saves)."""
    value = text(value)
    if value is None:
        return None
    match = _FLOAT_INT.match(value)
    return match.group(1) if match else value


def postal_code(value: str | None) -> str | None:
    """5 or 9 digits, leading zeros restored; 9 digits as 12345-6789."""
    digits = re.sub(r"\D", "", integer_text(value) or "")
    if not digits:
        return None
    if len(digits) <= 5:
        return digits.zfill(5)
    if len(digits) <= 9:
        digits = digits.zfill(9)
        return f"{digits[:5]}-{digits[5:]}"
    return None


def phone(value: str | None) -> str | None:
    digits = re.sub(r"\D", "", integer_text(value) or "")
    return digits or None


def day(value: str | None) -> date | None:
    value = text(value)
    if value is None:
        return None
    for pattern in ("%m/%d/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, pattern).replace(tzinfo=UTC).date()
        except ValueError:
            continue
    raise ValueError(f"{value!r} is not a date (MM/DD/YYYY)")


def credentials(value: str | None) -> str | None:
    """'M.D.' -> 'MD', 'M.D., PH.D.' -> 'MD, PH.D' -> 'MD, PHD'."""
    value = text(value)
    if value is None:
        return None
    parts = [re.sub(r"[.\s]", "", p) for p in re.split(r"[,;/]", value)]
    return ", ".join(p for p in parts if p)[:60] or None


# --- the record a row describes -----------------------------------------------------------


@dataclass
class Record:
    npi: str
    person: bool
    values: dict[str, Any]
    addresses: list[dict[str, Any]] = field(default_factory=list)
    specialties: dict[str, bool] = field(default_factory=dict)  # code -> primary
    identifiers: dict[tuple[str, str], None] = field(default_factory=dict)
    official: dict[str, Any] | None = None
    updated_on: date | None = None


def parse(run: Run, number: int, row: dict[str, str]) -> Record | None:
    """The record of a full-layout row, or None when the row is rejected."""
    if WIDTH in row:
        run.reject(number, None, row[WIDTH], "the row does not have the header's columns")
        return None
    npi = integer_text(row["NPI"]) or ""
    if not (len(npi) == 10 and npi.isdigit() and npi_is_valid(npi)):
        run.reject(number, "NPI", row["NPI"], "not a valid NPI (10 digits, Luhn check)")
        return None
    entity = integer_text(row["Entity Type Code"])
    try:
        deactivated = day(row["NPI Deactivation Date"])
        reactivated = day(row["NPI Reactivation Date"])
        updated_on = day(row["Last Update Date"])
    except ValueError as error:
        run.reject(number, "NPI Deactivation Date", None, str(error))
        return None
    inactive = deactivated is not None and (reactivated is None or reactivated < deactivated)
    if entity is None and deactivated is not None:
        # a deactivated NPI: the registry keeps only the number and the date
        return Record(npi, True, {"status": StakeholderStatus.inactive, "_only_status": True})
    if entity not in ("1", "2"):
        run.reject(number, "Entity Type Code", row["Entity Type Code"], "must be 1 or 2")
        return None
    person = entity == "1"
    values: dict[str, Any] = {
        "status": StakeholderStatus.inactive if inactive else StakeholderStatus.active
    }
    if person:
        last = text(row["Provider Last Name (Legal Name)"])
        if last is None:
            run.reject(
                number, "Provider Last Name (Legal Name)", None, "an individual needs a last name"
            )
            return None
        first = text(row["Provider First Name"])
        middle = text(row.get("Provider Middle Name"))
        creds = credentials(row["Provider Credential Text"])
        name = " ".join(p.title() for p in (first, middle, last) if p)
        values.update(
            kind=StakeholderKind.person,
            type=StakeholderType.hcp,
            first_name=first.title() if first else None,
            middle_name=middle.title() if middle else None,
            last_name=last.title(),
            credentials=creds,
            name=f"{name}, {creds}" if creds else name,
            sort_name=f"{last} {first or ''}".strip().lower(),
            sex={"M": "M", "F": "F"}.get((text(row.get("Provider Sex Code")) or "").upper(), "U"),
            other_name=None,
            parent_organization_name=None,
        )
    else:
        org = text(row["Provider Organization Name (Legal Business Name)"])
        if org is None:
            run.reject(
                number,
                "Provider Organization Name (Legal Business Name)",
                None,
                "an organization needs its legal business name",
            )
            return None
        subpart = (text(row.get("Is Organization Subpart")) or "").upper() == "Y"
        values.update(
            kind=StakeholderKind.organization,
            name=org[:300],
            sort_name=org.lower()[:300],
            first_name=None,
            middle_name=None,
            last_name=None,
            credentials=None,
            sex=None,
            other_name=text(row.get("Provider Other Organization Name")),
            parent_organization_name=text(row.get("Parent Organization LBN")) if subpart else None,
        )
    record = Record(npi, person, values, updated_on=updated_on)
    for slot in range(1, SLOTS + 1):
        code = text(row.get(f"Healthcare Provider Taxonomy Code_{slot}"))
        if code is None:
            continue
        primary = (
            text(row.get(f"Healthcare Provider Primary Taxonomy Switch_{slot}")) or ""
        ) == "Y"
        record.specialties[code] = record.specialties.get(code, False) or primary
        license_no = text(row.get(f"Provider License Number_{slot}"))
        license_state = text(row.get(f"Provider License Number State Code_{slot}"))
        if license_no:
            record.identifiers[(f"license:{license_state or 'US'}", license_no[:80])] = None
    for slot in range(1, OTHER_SLOTS + 1):
        value = integer_text(row.get(f"Other Provider Identifier_{slot}"))
        if not value:
            continue
        type_code = (
            integer_text(row.get(f"Other Provider Identifier Type Code_{slot}")) or ""
        ).zfill(2)
        kind = OTHER_TYPES.get(type_code, "other")
        issuing_state = text(row.get(f"Other Provider Identifier State_{slot}")) or "US"
        issuer = text(row.get(f"Other Provider Identifier Issuer_{slot}"))
        system = f"{kind}:{issuing_state}" + (f":{issuer}" if kind == "other" and issuer else "")
        record.identifiers[(system[:40], value[:80])] = None
    primaries = [c for c, p in record.specialties.items() if p]
    values["primary_specialty_code"] = primaries[0] if primaries else None
    if not person:
        values["type"] = StakeholderType.clinic
    for address_kind, prefix, is_primary in (
        (AddressKind.practice, "Provider {} Business Practice Location Address", True),
        (AddressKind.mailing, "Provider {} Business Mailing Address", False),
    ):
        line1 = text(row.get(prefix.format("First Line")))
        city = text(row.get(prefix.replace("{} ", "") + " City Name"))
        state = text(row.get(prefix.replace("{} ", "") + " State Name"))
        if line1 is None:
            continue
        if state is None or len(state) != 2 or not city:
            country = text(row.get(prefix.replace("{} ", "") + " Country Code (If outside U.S.)"))
            run.note(
                number,
                prefix.replace("{} ", "") + " State Name",
                state,
                f"{address_kind.value} address outside the US ({country or 'no state'}): not kept",
            )
            continue
        line2 = text(row.get(prefix.format("Second Line")))
        record.addresses.append(
            {
                "kind": address_kind,
                "is_primary": is_primary,
                "line1": line1[:200],
                "line2": line2[:200] if line2 else None,
                "city": city.title()[:100],
                "state": state.upper(),
                "postal_code": postal_code(row.get(prefix.replace("{} ", "") + " Postal Code")),
                "phone": phone(row.get(prefix.replace("{} ", "") + " Telephone Number")),
                "email": None,
                "source": SOURCE,
            }
        )
    practice = next((a for a in record.addresses if a["kind"] == AddressKind.practice), None)
    values["state"] = practice["state"] if practice else None
    values["city"] = practice["city"] if practice else None
    if not person:
        official_last = text(row.get("Authorized Official Last Name"))
        if official_last:
            record.official = {
                "last_name": official_last.title()[:100],
                "first_name": (text(row.get("Authorized Official First Name")) or "").title()[:100]
                or None,
                "middle_name": (text(row.get("Authorized Official Middle Name")) or "").title()[
                    :100
                ]
                or None,
                "title": (text(row.get("Authorized Official Title or Position")) or "")[:120]
                or None,
                "credentials": credentials(row.get("Authorized Official Credential Text")),
                "phone": phone(row.get("Authorized Official Telephone Number")),
                "source": SOURCE,
            }
    return record


# --- applying records ---------------------------------------------------------------------

STAKEHOLDER_FIELDS = (
    "kind",
    "type",
    "name",
    "sort_name",
    "first_name",
    "middle_name",
    "last_name",
    "credentials",
    "sex",
    "primary_specialty_code",
    "state",
    "city",
    "status",
    "other_name",
    "parent_organization_name",
)
ADDRESS_FIELDS = ("is_primary", "line1", "line2", "city", "state", "postal_code", "phone")
OFFICIAL_FIELDS = ("last_name", "first_name", "middle_name", "title", "credentials", "phone")


@dataclass
class Known:
    """What the database already holds for the NPIs of a batch."""

    stakeholders: dict[str, Stakeholder]
    addresses: dict[int, dict[AddressKind, Address]]
    specialties: dict[int, dict[str, StakeholderSpecialty]]
    identifiers: dict[int, set[tuple[str, str]]]
    officials: dict[int, AuthorizedOfficial]
    npi_rows: dict[int, StakeholderIdentifier]


def _known(session: Session, npis: list[str]) -> Known:
    pairs = session.execute(
        select(StakeholderIdentifier, Stakeholder)
        .join(Stakeholder, Stakeholder.id == StakeholderIdentifier.stakeholder_id)
        .where(StakeholderIdentifier.system == "npi", StakeholderIdentifier.value.in_(npis))
    ).all()
    stakeholders = {i.value: s for i, s in pairs}
    npi_rows = {s.id: i for i, s in pairs}
    ids = [s.id for s in stakeholders.values()]
    addresses: dict[int, dict[AddressKind, Address]] = {}
    specialties: dict[int, dict[str, StakeholderSpecialty]] = {}
    identifiers: dict[int, set[tuple[str, str]]] = {}
    officials: dict[int, AuthorizedOfficial] = {}
    if ids:
        for a in session.scalars(select(Address).where(Address.stakeholder_id.in_(ids))):
            if a.source == SOURCE:
                addresses.setdefault(a.stakeholder_id, {})[a.kind] = a
        for sp in session.scalars(
            select(StakeholderSpecialty).where(StakeholderSpecialty.stakeholder_id.in_(ids))
        ):
            specialties.setdefault(sp.stakeholder_id, {})[sp.specialty_code] = sp
        for sid, system, value in session.execute(
            select(
                StakeholderIdentifier.stakeholder_id,
                StakeholderIdentifier.system,
                StakeholderIdentifier.value,
            ).where(StakeholderIdentifier.stakeholder_id.in_(ids))
        ):
            identifiers.setdefault(sid, set()).add((system, value))
        for o in session.scalars(
            select(AuthorizedOfficial).where(AuthorizedOfficial.stakeholder_id.in_(ids))
        ):
            officials[o.stakeholder_id] = o
    return Known(stakeholders, addresses, specialties, identifiers, officials, npi_rows)


class Importer:
    """Applies records batch by batch; one instance per job."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.session = run.session
        self.specialties = {
            code: grouping
            for code, grouping in self.session.execute(select(Specialty.code, Specialty.grouping))
        }
        self.alignment: dict[tuple[str, str | None], int | None] = {}
        self.taken: dict[tuple[str, str], int] = {}

    def territory(self, state: str | None, city: str | None) -> int | None:
        key = (state or "", city)
        if key not in self.alignment:
            self.alignment[key] = territory_service.territory_for(
                self.session, state=state, city=city
            )
        return self.alignment[key]

    def ensure_specialty(self, code: str) -> None:
        if code not in self.specialties:
            # a code NPPES cites that the loaded NUCC list lacks (retired, or no list loaded)
            self.session.add(
                Specialty(
                    code=code,
                    grouping="(unknown)",
                    classification="(not in the loaded NUCC code set)",
                    specialization=None,
                    display_name=code,
                )
            )
            self.session.flush()
            self.specialties[code] = "(unknown)"

    def apply_batch(self, batch: list[tuple[int, Record]]) -> None:
        known = _known(self.session, [r.npi for _, r in batch])
        seen: set[str] = set()
        for number, record in batch:
            if record.npi in seen:
                self.run.reject(number, "NPI", record.npi, "this NPI appears twice in the file")
                continue
            seen.add(record.npi)
            existing = known.stakeholders.get(record.npi)
            if record.values.get("_only_status"):
                self._deactivate(existing)
                continue
            if existing is None:
                self._create(number, record)
            else:
                self._update(number, record, existing, known)
        self.session.flush()

    def _deactivate(self, existing: Stakeholder | None) -> None:
        if existing is None or existing.status == StakeholderStatus.inactive:
            self.run.count("unchanged")
            return
        existing.status = StakeholderStatus.inactive
        self.run.count("updated")

    def _org_type(self, record: Record) -> StakeholderType:
        code = record.values.get("primary_specialty_code")
        grouping = self.specialties.get(code) if code else None
        return StakeholderType.hospital if grouping == "Hospitals" else StakeholderType.clinic

    def _create(self, number: int, record: Record) -> None:
        values = dict(record.values)
        if not record.person:
            values["type"] = self._org_type(record)
        for code in record.specialties:
            self.ensure_specialty(code)
        stakeholder = Stakeholder(
            **{k: values[k] for k in STAKEHOLDER_FIELDS},
            territory_id=self.territory(values["state"], values["city"]),
        )
        self.session.add(stakeholder)
        self.session.flush()
        self.session.add(
            StakeholderIdentifier(
                stakeholder_id=stakeholder.id,
                system="npi",
                value=record.npi,
                source=SOURCE,
                recorded_on=record.updated_on or utcnow().date(),
            )
        )
        self._add_children(number, record, stakeholder.id, set(), {}, {}, None)
        self.run.count("created")

    def _update(self, number: int, record: Record, s: Stakeholder, known: Known) -> None:
        values = dict(record.values)
        if not record.person:
            values["type"] = self._org_type(record)
        for code in record.specialties:
            self.ensure_specialty(code)
        changed = False
        for key in STAKEHOLDER_FIELDS:
            if getattr(s, key) != values[key]:
                setattr(s, key, values[key])
                changed = True
        territory_id = self.territory(values["state"], values["city"])
        if s.territory_id != territory_id:
            s.territory_id = territory_id
            changed = True
        children = self._add_children(
            number,
            record,
            s.id,
            known.identifiers.get(s.id, set()),
            known.addresses.get(s.id, {}),
            known.specialties.get(s.id, {}),
            known.officials.get(s.id),
        )
        if changed or children:
            npi_row = known.npi_rows[s.id]
            if record.updated_on and npi_row.recorded_on != record.updated_on:
                npi_row.recorded_on = record.updated_on
            self.run.count("updated")
        else:
            self.run.count("unchanged")

    def _add_children(
        self,
        number: int,
        record: Record,
        sid: int,
        identifiers: set[tuple[str, str]],
        addresses: dict[AddressKind, Address],
        specialties: dict[str, StakeholderSpecialty],
        official: AuthorizedOfficial | None,
    ) -> bool:
        """Bring addresses, specialties, identifiers and the official in line; True when
        anything changed. Values from other sources are left alone."""
        changed = False
        for system, value in record.identifiers:
            if (system, value) in identifiers:
                continue
            owner = self._owner_of(system, value)
            if owner is not None and owner != sid:
                self.run.note(
                    number, system, value, f"identifier already belongs to stakeholder {owner}"
                )
                continue
            self.session.add(
                StakeholderIdentifier(
                    stakeholder_id=sid,
                    system=system,
                    value=value,
                    source=SOURCE,
                    recorded_on=record.updated_on or utcnow().date(),
                )
            )
            self.taken[(system, value)] = sid
            changed = True
        wanted_kinds = set()
        for data in record.addresses:
            wanted_kinds.add(data["kind"])
            current = addresses.get(data["kind"])
            if current is None:
                self.session.add(Address(stakeholder_id=sid, **data))
                changed = True
            elif any(getattr(current, k) != data[k] for k in ADDRESS_FIELDS):
                for k in ADDRESS_FIELDS:
                    setattr(current, k, data[k])
                changed = True
        for kind, current in addresses.items():
            if kind not in wanted_kinds:
                self.session.delete(current)
                changed = True
        for code, primary in record.specialties.items():
            current_sp = specialties.get(code)
            if current_sp is None:
                self.session.add(
                    StakeholderSpecialty(
                        stakeholder_id=sid, specialty_code=code, is_primary=primary, source=SOURCE
                    )
                )
                changed = True
            elif current_sp.is_primary != primary:
                current_sp.is_primary = primary
                changed = True
        for code, current_sp in specialties.items():
            if code not in record.specialties and current_sp.source == SOURCE:
                self.session.delete(current_sp)
                changed = True
        if record.official is not None:
            if official is None:
                self.session.add(AuthorizedOfficial(stakeholder_id=sid, **record.official))
                changed = True
            elif any(getattr(official, k) != record.official[k] for k in OFFICIAL_FIELDS):
                for k in OFFICIAL_FIELDS:
                    setattr(official, k, record.official[k])
                changed = True
        return changed

    def _owner_of(self, system: str, value: str) -> int | None:
        key = (system, value)
        if key not in self.taken:
            owner = self.session.scalar(
                select(StakeholderIdentifier.stakeholder_id).where(
                    StakeholderIdentifier.system == system, StakeholderIdentifier.value == value
                )
            )
            if owner is None:
                return None
            self.taken[key] = owner
        return self.taken[key]


def import_nppes(run: Run, path: Path) -> None:
    """Import one NPPES file into the run's savepoint, in batches."""
    kind, rows = read_rows(path, run)
    importer = Importer(run)
    batch: list[tuple[int, Record]] = []
    with trail.reason(run.session, f"NPPES import of {path.name} (job {run.job.id})"):
        for number, row in rows:
            run.job.read += 1
            if kind == "deactivation":
                record = _deactivation(run, number, row)
            else:
                record = parse(run, number, row)
            if record is not None:
                batch.append((number, record))
            if len(batch) >= BATCH:
                importer.apply_batch(batch)
                batch = []
                if run.progress:
                    run.progress(run.job.read)
        if batch:
            importer.apply_batch(batch)
        if run.progress:
            run.progress(run.job.read)


def _deactivation(run: Run, number: int, row: dict[str, str]) -> Record | None:
    if WIDTH in row:
        run.reject(number, None, row[WIDTH], "the row does not have the header's columns")
        return None
    npi = integer_text(row["NPI"]) or ""
    if not (len(npi) == 10 and npi.isdigit() and npi_is_valid(npi)):
        run.reject(number, "NPI", row["NPI"], "not a valid NPI (10 digits, Luhn check)")
        return None
    try:
        day(row["NPPES Deactivation Date"])
    except ValueError as error:
        run.reject(number, "NPPES Deactivation Date", row["NPPES Deactivation Date"], str(error))
        return None
    return Record(npi, True, {"status": StakeholderStatus.inactive, "_only_status": True})
