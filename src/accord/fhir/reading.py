"""Reading FHIR files: resources, Bundles and NDJSON into located entries, and validation."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from accord.errors import InvalidInput

#: the resource types the stakeholder master takes, in the order they are applied: the
#: stakeholders first, so that roles, affiliations and locations can resolve them
MASTER_TYPES = (
    "Practitioner",
    "Organization",
    "PractitionerRole",
    "OrganizationAffiliation",
    "Location",
)

#: Bundles whose entries carry resources to take (a transaction-response or a document is not
#: a master-data exchange)
BUNDLE_TYPES = frozenset({"collection", "transaction", "searchset", "batch"})


@dataclass(frozen=True)
class Entry:
    """One resource and where it was read: `a.json`, `a.json entry 3`, `a.ndjson line 2`."""

    location: str
    file: str
    resource: dict[str, Any]
    full_url: str | None = None

    @property
    def type(self) -> str:
        return str(self.resource.get("resourceType", ""))

    @property
    def id(self) -> str | None:
        value = self.resource.get("id")
        return str(value) if value is not None else None


def files_in(path: Path) -> list[Path]:
    """The file, or every .json and .ndjson file under the folder (subfolders too), by name."""
    if path.is_dir():
        return sorted(
            p for p in path.rglob("*") if p.is_file() and p.suffix in {".json", ".ndjson"}
        )
    if not path.is_file():
        raise InvalidInput(f"{path} is neither a file nor a folder", field="path")
    return [path]


def read_entries(path: Path) -> list[Entry]:
    """Every resource under `path`. A file that is not JSON or not FHIR stops the whole import
    before anything is written: a half-read delivery is worse than none."""
    entries: list[Entry] = []
    for file in files_in(path):
        name = file.relative_to(path).as_posix() if path.is_dir() else file.name
        entries.extend(_read_file(file, name))
    return entries


def _not_fhir(name: str, why: str) -> InvalidInput:
    return InvalidInput(f"{name} is not FHIR JSON: {why}", field="path")


def _read_file(file: Path, name: str) -> list[Entry]:
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise _not_fhir(name, str(error)) from error
    if file.suffix == ".ndjson":
        entries = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            resource = _parse(name, line, f"line {number}")
            entries.append(Entry(f"{name} line {number}", name, resource))
        return entries
    resource = _parse(name, text, None)
    if resource["resourceType"] != "Bundle":
        return [Entry(name, name, resource)]
    if resource.get("type") not in BUNDLE_TYPES:
        # a document or a transaction-response is not a master-data exchange: counted as one
        # skipped resource of its own kind
        kind = f"Bundle ({resource.get('type')})"
        return [Entry(name, name, {**resource, "resourceType": kind})]
    entries = []
    for number, item in enumerate(resource.get("entry") or [], start=1):
        inner = item.get("resource") if isinstance(item, dict) else None
        if isinstance(inner, dict):
            entries.append(Entry(f"{name} entry {number}", name, inner, item.get("fullUrl")))
    return entries


def _parse(name: str, text: str, where: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        at = f" {where}" if where else ""
        raise _not_fhir(name, f"invalid JSON{at} ({error.msg}, line {error.lineno})") from error
    if not isinstance(value, dict) or not isinstance(value.get("resourceType"), str):
        at = f" {where}" if where else ""
        raise _not_fhir(name, f"no resourceType{at}")
    return value


def validation_error(resource: dict[str, Any]) -> str | None:
    """None when the resource validates against its FHIR model, else the first reason."""
    try:
        get_fhir_model_class(str(resource["resourceType"])).model_validate(resource)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return f"{where}: {first['msg']}" if where else str(first["msg"])
    except (KeyError, ValueError) as error:
        return str(error)
    return None
