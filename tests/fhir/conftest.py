"""FHIR fixtures: the shared example folders and small files written for one test."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def plan_net(data_dir: Path) -> Path:
    return data_dir / "fhir-plan-net-examples"


@pytest.fixture
def r4(data_dir: Path) -> Path:
    return data_dir / "fhir-r4-examples"


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, Any], Path]:
    """write("a.json", resource_or_bundle) -> the path; a str is written as it is."""

    def to_file(name: str, content: Any) -> Path:
        path = tmp_path / name
        path.write_text(content if isinstance(content, str) else json.dumps(content))
        return path

    return to_file


def practitioner(id_: str, family: str, *, npi: str | None = None, **extra: Any) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Practitioner",
        "id": id_,
        "name": [{"family": family, "given": ["Ada"], "suffix": ["MD"]}],
        **extra,
    }
    if npi:
        resource["identifier"] = [{"system": "http://hl7.org/fhir/sid/us-npi", "value": npi}]
    return resource


def collection(*resources: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": r} for r in resources],
    }
