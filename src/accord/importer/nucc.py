"""The NUCC Health Care Provider Taxonomy code set (reference data for specialties)."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.importer.service import BadFile, Run
from accord.stakeholder.models import Specialty

#: rows between two progress reports (the code set has under a thousand)
PROGRESS_EVERY = 100
COLUMNS = ("Code", "Grouping", "Classification", "Specialization", "Display Name")


def import_nucc(run: Run, path: Path) -> None:
    """Add new codes and refresh changed names; codes are never deleted (NPPES still cites
    retired ones)."""
    session: Session = run.session
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            run.watch(handle.buffer)
            reader = csv.DictReader(handle)
            missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise BadFile(
                    f"{path.name} is not a NUCC taxonomy CSV: no column {missing[0]!r}",
                    field="file",
                )
            known = {s.code: s for s in session.scalars(select(Specialty))}
            for number, row in enumerate(reader, start=2):
                run.job.read += 1
                if run.progress and run.job.read % PROGRESS_EVERY == 0:
                    run.progress(run.job.read)
                code = (row["Code"] or "").strip()
                if len(code) != 10:
                    run.reject(number, "Code", code, "a taxonomy code has 10 characters")
                    continue
                values = {
                    "grouping": row["Grouping"].strip()[:200],
                    "classification": row["Classification"].strip()[:200],
                    "specialization": (row["Specialization"] or "").strip()[:200] or None,
                    "display_name": (row["Display Name"] or row["Classification"]).strip()[:250],
                }
                existing = known.get(code)
                if existing is None:
                    session.add(Specialty(code=code, **values))
                    run.count("created")
                elif any(getattr(existing, k) != v for k, v in values.items()):
                    for k, v in values.items():
                        setattr(existing, k, v)
                    run.count("updated")
                else:
                    run.count("unchanged")
    except (UnicodeDecodeError, csv.Error) as error:
        raise BadFile(f"{path.name} is not a readable CSV: {error}", field="file") from None
    session.flush()
    if run.progress:
        run.progress(run.job.read)
