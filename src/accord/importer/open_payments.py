"""CMS Open Payments: General and Research payments, in both layouts (2013-2015 with
Physician_Profile_ID, and 2016 onward with Covered_Recipient_NPI and _Profile_ID).

Each payment attaches to a stakeholder by NPI, else by CMS profile id (an identifier
`cms_profile_id`), else by the recipient's name and city and state; the others stay unmatched
and are listed. Amounts are kept as whole cents, so reports add up exactly. Rows are keyed by
(kind, Record_ID): re-importing a file changes nothing, a corrected row updates.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from accord.importer.service import WIDTH, BadFile, Run, csv_rows
from accord.payment.models import Payment, PaymentKind
from accord.stakeholder.models import (
    Stakeholder,
    StakeholderIdentifier,
    StakeholderKind,
    StakeholderStatus,
)

BATCH = 2_000
AMOUNT = "Total_Amount_of_Payment_USDollars"
REQUIRED = (
    "Record_ID",
    AMOUNT,
    "Date_of_Payment",
    "Applicable_Manufacturer_or_Applicable_GPO_Making_Payment_Name",
)
COMPARED = (
    "program_year",
    "stakeholder_id",
    "matched_by",
    "recipient_type",
    "recipient_profile_id",
    "recipient_npi",
    "recipient_name",
    "recipient_city",
    "recipient_state",
    "manufacturer_id",
    "manufacturer_name",
    "amount_cents",
    "paid_on",
    "form",
    "nature",
    "products",
    "study_name",
    "clinicaltrials_id",
)


def _get(row: dict[str, str], *names: str) -> str | None:
    for name in names:
        value = (row.get(name) or "").strip()
        if value:
            return value
    return None


def cents(text: str) -> int:
    """'6270.00' -> 627000, exactly (no float on the way)."""
    try:
        value = Decimal(text.replace(",", "").replace("$", ""))
    except InvalidOperation:
        raise ValueError(f"{text!r} is not an amount") from None
    scaled = value * 100
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{text!r} has fractions of a cent")
    return int(scaled)


def _date(text: str) -> date:
    for pattern in ("%m/%d/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=UTC).date()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date (MM/DD/YYYY)")


@dataclass
class Layout:
    kind: PaymentKind
    current: bool  # 2016 onward (Covered_Recipient_*)


def _layout(header: list[str], name: str) -> Layout:
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise BadFile(
            f"{name} is not an Open Payments General or Research file: no column {missing[0]!r}",
            field="file",
        )
    research = "Name_of_Study" in header or any(
        h.startswith("Principal_Investigator_1_") for h in header
    )
    current = "Covered_Recipient_NPI" in header or "Covered_Recipient_Profile_ID" in header
    if not current and "Physician_Profile_ID" not in header:
        raise BadFile(
            f"{name} names no recipient: neither Physician_Profile_ID (2013-2015) nor "
            "Covered_Recipient_NPI (2016 onward)",
            field="file",
        )
    return Layout(PaymentKind.research if research else PaymentKind.general, current)


def _rows(
    path: Path, run: Run | None = None
) -> tuple[Layout, Iterator[tuple[int, dict[str, str]]]]:
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
        if run is not None:
            run.watch(handle.buffer)
        reader = csv.reader(handle)
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise BadFile(f"{path.name} is empty", field="file") from None
    except (UnicodeDecodeError, csv.Error) as error:
        raise BadFile(f"{path.name} is not a readable CSV: {error}", field="file") from None
    layout = _layout(header, path.name)

    return layout, csv_rows(reader, header, path.name, handle.close)


class Matcher:
    """NPI, then CMS profile id, then name + city + state (persons only)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.npi: dict[str, int] = {}
        self.profile: dict[str, int] = {}
        self.names: dict[tuple[str, str, str, str], int | None] = {}

    def load(self, npis: set[str], profiles: set[str]) -> None:
        for system, values, target in (
            ("npi", npis, self.npi),
            ("cms_profile_id", profiles, self.profile),
        ):
            wanted = sorted(values - set(target))
            for start in range(0, len(wanted), 900):
                chunk = wanted[start : start + 900]
                for value, sid in self.session.execute(
                    select(StakeholderIdentifier.value, StakeholderIdentifier.stakeholder_id).where(
                        StakeholderIdentifier.system == system,
                        StakeholderIdentifier.value.in_(chunk),
                    )
                ):
                    target[value] = sid

    def by_name(self, first: str, last: str, city: str, state: str) -> int | None:
        key = (first.lower(), last.lower(), city.lower(), state.upper())
        if key not in self.names:
            found = self.session.scalars(
                select(Stakeholder.id).where(
                    Stakeholder.kind == StakeholderKind.person,
                    # a record merged into another shares its survivor's name
                    Stakeholder.status != StakeholderStatus.merged,
                    func.lower(Stakeholder.last_name) == key[1],
                    func.lower(Stakeholder.first_name) == key[0],
                    func.lower(Stakeholder.city) == key[2],
                    Stakeholder.state == key[3],
                )
            ).all()
            # only an unambiguous match attaches a payment
            self.names[key] = found[0] if len(found) == 1 else None
        return self.names[key]


def _record(run: Run, number: int, row: dict[str, str], layout: Layout) -> dict[str, Any] | None:
    if WIDTH in row:
        run.reject(number, None, row[WIDTH], "the row does not have the header's columns")
        return None
    record_id = _get(row, "Record_ID")
    if record_id is None:
        run.reject(number, "Record_ID", None, "every payment has its CMS Record_ID")
        return None
    try:
        amount = cents(row[AMOUNT])
    except ValueError as error:
        run.reject(number, AMOUNT, row[AMOUNT], str(error))
        return None
    try:
        paid_on = _date(row["Date_of_Payment"])
    except ValueError as error:
        run.reject(number, "Date_of_Payment", row["Date_of_Payment"], str(error))
        return None
    year_text = _get(row, "Program_Year")
    program_year = int(year_text) if year_text and year_text.isdigit() else paid_on.year
    if layout.current:
        profile = _get(row, "Covered_Recipient_Profile_ID", "Principal_Investigator_1_Profile_ID")
        npi = _get(row, "Covered_Recipient_NPI", "Principal_Investigator_1_NPI")
        first = _get(row, "Covered_Recipient_First_Name", "Principal_Investigator_1_First_Name")
        last = _get(row, "Covered_Recipient_Last_Name", "Principal_Investigator_1_Last_Name")
    else:
        profile = _get(row, "Physician_Profile_ID", "Principal_Investigator_1_Profile_ID")
        npi = None
        first = _get(row, "Physician_First_Name", "Principal_Investigator_1_First_Name")
        last = _get(row, "Physician_Last_Name", "Principal_Investigator_1_Last_Name")
    person = " ".join(p for p in (first, last) if p) or None
    entity = _get(row, "Teaching_Hospital_Name", "Noncovered_Recipient_Entity_Name")
    products = [
        v
        for i in range(1, 6)
        for v in [_get(row, f"Name_of_Associated_Covered_Drug_or_Biological{i}")]
        if v
    ]
    return {
        "kind": layout.kind,
        "record_id": record_id[:40],
        "program_year": program_year,
        "recipient_type": _get(row, "Covered_Recipient_Type"),
        "recipient_profile_id": profile,
        "recipient_npi": npi if npi and re.fullmatch(r"\d{10}", npi) else None,
        "recipient_name": (person or entity or "")[:300] or None,
        "recipient_city": (_get(row, "Recipient_City", "Principal_Investigator_1_City") or "")[:100]
        or None,
        "recipient_state": (_get(row, "Recipient_State", "Principal_Investigator_1_State") or "")[
            :2
        ]
        or None,
        "manufacturer_id": _get(row, "Applicable_Manufacturer_or_Applicable_GPO_Making_Payment_ID"),
        "manufacturer_name": row[
            "Applicable_Manufacturer_or_Applicable_GPO_Making_Payment_Name"
        ].strip()[:300],
        "amount_cents": amount,
        "paid_on": paid_on,
        "form": (_get(row, "Form_of_Payment_or_Transfer_of_Value") or "")[:120] or None,
        "nature": (_get(row, "Nature_of_Payment_or_Transfer_of_Value") or "")[:300] or None,
        "products": "; ".join(products)[:500] or None,
        "study_name": (_get(row, "Name_of_Study") or "")[:500] or None,
        "clinicaltrials_id": (_get(row, "ClinicalTrials_Gov_Identifier") or "")[:20] or None,
        "_first": first,
        "_last": last,
    }


def _apply(run: Run, matcher: Matcher, batch: list[tuple[int, dict[str, Any]]]) -> None:
    session = run.session
    matcher.load(
        {r["recipient_npi"] for _, r in batch if r["recipient_npi"]},
        {r["recipient_profile_id"] for _, r in batch if r["recipient_profile_id"]},
    )
    for _, r in batch:
        first, last = r.pop("_first"), r.pop("_last")
        sid: int | None = None
        how: str | None = None
        if r["recipient_npi"] and r["recipient_npi"] in matcher.npi:
            sid, how = matcher.npi[r["recipient_npi"]], "npi"
        elif r["recipient_profile_id"] and r["recipient_profile_id"] in matcher.profile:
            sid, how = matcher.profile[r["recipient_profile_id"]], "profile_id"
        elif first and last and r["recipient_city"] and r["recipient_state"]:
            sid = matcher.by_name(first, last, r["recipient_city"], r["recipient_state"])
            how = "name_address" if sid else None
        r["stakeholder_id"], r["matched_by"] = sid, how
    keys = [r["record_id"] for _, r in batch]
    existing = {
        p.record_id: p
        for start in range(0, len(keys), 900)
        for p in session.scalars(
            select(Payment).where(
                Payment.kind == batch[0][1]["kind"],
                Payment.record_id.in_(keys[start : start + 900]),
            )
        )
    }
    new: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, r in batch:
        if r["record_id"] in seen:
            run.reject(
                number, "Record_ID", r["record_id"], "this Record_ID appears twice in the file"
            )
            continue
        seen.add(r["record_id"])
        current = existing.get(r["record_id"])
        if current is None:
            new.append({**r, "import_job_id": run.job.id})
            run.count("created")
        elif any(getattr(current, k) != r[k] for k in COMPARED):
            session.execute(
                update(Payment)
                .where(Payment.id == current.id)
                .values(**{k: r[k] for k in COMPARED}, import_job_id=run.job.id)
            )
            run.count("updated")
        else:
            run.count("unchanged")
    if new:
        session.execute(insert(Payment), new)


def import_open_payments(run: Run, path: Path) -> None:
    layout, rows = _rows(path, run)
    matcher = Matcher(run.session)
    batch: list[tuple[int, dict[str, Any]]] = []
    for number, row in rows:
        run.job.read += 1
        record = _record(run, number, row, layout)
        if record is not None:
            batch.append((number, record))
        if len(batch) >= BATCH:
            _apply(run, matcher, batch)
            batch = []
            if run.progress:
                run.progress(run.job.read)
    if batch:
        _apply(run, matcher, batch)
    if run.progress:
        run.progress(run.job.read)
    run.session.flush()
    unmatched = run.session.scalar(
        select(func.count())
        .select_from(Payment)
        .where(Payment.import_job_id == run.job.id, Payment.stakeholder_id.is_(None))
    )
    era = "2016+" if layout.current else "2013-2015"
    run.job.message = (
        f"{layout.kind.value} payments, {era} layout; {unmatched or 0:,} written unmatched"
    )
    run.record_bulk_write("payment", f"Open Payments import of {path.name} (job {run.job.id})")
