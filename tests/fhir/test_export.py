"""accord.fhir.service.export_fhir: a valid Bundle, US Core NPIs, the gate, the fixed point."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy.orm import Session

from accord.access.principal import Principal
from accord.errors import InvalidInput
from accord.fhir.service import export_fhir, import_fhir
from tests.factories import make_hcp
from tests.fhir.conftest import collection, practitioner

Persona = Callable[[str], Principal]
Write = Callable[[str, Any], Path]
US_NPI = "http://hl7.org/fhir/sid/us-npi"


def resources(bundle: dict[str, Any], resource_type: str | None = None) -> list[dict[str, Any]]:
    return [
        e["resource"]
        for e in bundle["entry"]
        if resource_type is None or e["resource"]["resourceType"] == resource_type
    ]


def by_id(bundle: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in resources(bundle, resource_type)}


class TestExportFhir:
    def test_the_bundle_validates_with_npis_in_the_us_core_system(
        self, session: Session, persona: Persona, plan_net: Path
    ) -> None:
        import_fhir(session, None, plan_net)
        bundle = export_fhir(session, persona("compliance"))
        Bundle.model_validate(bundle)
        assert bundle["type"] == "collection"
        burr = by_id(bundle, "Organization")["BurrClinic"]
        assert {"system": US_NPI, "value": "1407071236"} in burr["identifier"]
        assert by_id(bundle, "Practitioner")["Counselor"]["identifier"] == [
            {"system": US_NPI, "value": "9941339100"}
        ]
        assert "Location" in {r["resourceType"] for r in resources(bundle)}

    def test_type_restricts_to_one_resource_type(
        self, session: Session, persona: Persona, r4: Path
    ) -> None:
        import_fhir(session, None, r4 / "resources")
        bundle = export_fhir(session, persona("compliance"), resource_type="PractitionerRole")
        assert [r["resourceType"] for r in resources(bundle)] == ["PractitionerRole"]
        role = resources(bundle)[0]
        assert role["id"] == "example"
        assert role["practitioner"] == {"reference": "Practitioner/example"}
        assert role["period"] == {"start": "2012-01-01", "end": "2012-03-31"}

    def test_an_unknown_type_is_refused(self, session: Session, persona: Persona) -> None:
        with pytest.raises(InvalidInput, match="'Patient' is not one of"):
            export_fhir(session, persona("compliance"), resource_type="Patient")

    def test_a_stakeholder_without_a_fhir_link_gets_an_accord_id(
        self, session: Session, persona: Persona
    ) -> None:
        hcp = make_hcp(session, "Quill")
        bundle = export_fhir(session, persona("compliance"), resource_type="Practitioner")
        quill = by_id(bundle, "Practitioner")[f"accord-{hcp.id}"]
        assert quill["name"] == [{"family": "Quill", "given": ["Test"], "suffix": ["MD"]}]
        assert quill["address"][0]["city"] == "Boston"

    def test_only_what_the_principal_may_see(
        self, session: Session, persona: Persona, write: Write
    ) -> None:
        boston = [{"line": ["1 Main St"], "city": "Boston", "state": "MA"}]
        import_fhir(session, None, write("b.json", practitioner("b", "Bay", address=boston)))
        assert "b" in by_id(export_fhir(session, persona("rep")), "Practitioner")
        assert "b" not in by_id(export_fhir(session, persona("rep_west")), "Practitioner")


class TestFixedPoint:
    @pytest.mark.parametrize("folder", ["fhir-plan-net-examples", "fhir-r4-examples/resources"])
    def test_import_export_import_changes_nothing(
        self,
        session: Session,
        persona: Persona,
        data_dir: Path,
        tmp_path: Path,
        folder: str,
    ) -> None:
        import_fhir(session, None, data_dir / folder)
        exported = tmp_path / "export.json"
        bundle = export_fhir(session, persona("compliance"))
        exported.write_text(json.dumps(bundle))
        again = import_fhir(session, None, exported)
        assert again.read == len(bundle["entry"])
        assert (again.created, again.updated, again.rejected, again.unresolved) == (0, 0, 0, 0)
        assert again.conflicts == []
        assert again.unchanged == again.read
        # and the second export is the first one
        second = export_fhir(session, persona("compliance"))
        assert second["entry"] == bundle["entry"]

    def test_stakeholders_from_elsewhere_come_back_unchanged(
        self, session: Session, persona: Persona, write: Write, tmp_path: Path
    ) -> None:
        make_hcp(session, "Quill")
        import_fhir(session, None, write("t.json", collection(practitioner("t", "Tern"))))
        bundle = export_fhir(session, persona("compliance"))
        again = import_fhir(session, None, write("export.json", bundle))
        assert (again.created, again.updated) == (0, 0)
