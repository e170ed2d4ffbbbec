"""The registry of import kinds: what each one reads and the function that imports it.

The CLI (`accord import <kind>`) and uploads (`POST /api/v1/imports`, the /imports page) both
look a kind up here, so a new source is one line in KINDS: its name, its label, the file types
it accepts and its `(run, path)` function, which fills the job's counts and error report and
raises BadFile for a file it cannot read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from accord.errors import InvalidInput
from accord.fhir.service import import_into_job as import_fhir
from accord.importer.npi_json import import_npi_json
from accord.importer.nppes import import_nppes
from accord.importer.nucc import import_nucc
from accord.importer.open_payments import import_open_payments
from accord.importer.referrals import import_referrals
from accord.importer.service import Run
from accord.science.clinicaltrials import import_clinicaltrials
from accord.science.pubmed import import_pubmed

Importer = Callable[[Run, Path], object]


@dataclass(frozen=True)
class ImportKind:
    """One source: `name` is the job's kind and the API's `kind` value; `command` the CLI's
    `accord import <command>`; `suffixes` the file types an upload may have."""

    name: str
    label: str
    suffixes: tuple[str, ...]
    run: Importer
    command: str

    def accepts(self, filename: str) -> bool:
        return filename.lower().endswith(self.suffixes)


KINDS: dict[str, ImportKind] = {
    kind.name: kind
    for kind in (
        ImportKind("nucc", "NUCC provider taxonomy", (".csv",), import_nucc, "nucc"),
        ImportKind("nppes", "NPPES NPI file", (".csv", ".zip"), import_nppes, "nppes"),
        ImportKind(
            "npi_json", "NPI Registry API response", (".json",), import_npi_json, "npi-json"
        ),
        ImportKind(
            "open_payments", "CMS Open Payments", (".csv",), import_open_payments, "open-payments"
        ),
        ImportKind(
            "referrals",
            "CMS physician shared patient patterns",
            (".csv", ".txt"),
            import_referrals,
            "referrals",
        ),
        ImportKind("fhir", "HL7 FHIR R4 resources", (".json", ".ndjson"), import_fhir, "fhir"),
        ImportKind("pubmed", "PubMed / MEDLINE XML", (".xml",), import_pubmed, "pubmed"),
        ImportKind(
            "clinicaltrials",
            "ClinicalTrials.gov studies (API v2 JSON or legacy XML)",
            (".json", ".ndjson", ".xml"),
            import_clinicaltrials,
            "clinicaltrials",
        ),
    )
}


def import_kind(name: str) -> ImportKind:
    """The kind called `name`, or a 400 naming the field and the kinds there are."""
    kind = KINDS.get((name or "").strip())
    if kind is None:
        known = ", ".join(KINDS)
        if not (name or "").strip():
            raise InvalidInput(f"say which kind of file this is ({known})", field="kind")
        raise InvalidInput(f"{name!r} is not one of the import kinds ({known})", field="kind")
    return kind
