"""accord.fhir.service.import_fhir on the HL7 examples and on small files made for a rule."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.audit.models import AuditEntry
from accord.errors import InvalidInput
from accord.fhir.service import NpiConflict, import_fhir
from accord.stakeholder import service as stakeholder_service
from accord.stakeholder.models import (
    Address,
    Affiliation,
    Stakeholder,
    StakeholderIdentifier,
    StakeholderSpecialty,
    StakeholderType,
)
from accord.stakeholder.schemas import StakeholderCreate
from tests.fhir.conftest import collection, practitioner

Write = Callable[[str, Any], Path]
VALID_NPI = "1234567893"


def stakeholders(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Stakeholder)) or 0


def linked(session: Session, resource_type: str, id_: str) -> Stakeholder:
    return session.scalars(
        select(Stakeholder)
        .join(StakeholderIdentifier, StakeholderIdentifier.stakeholder_id == Stakeholder.id)
        .where(
            StakeholderIdentifier.system == f"fhir:{resource_type}",
            StakeholderIdentifier.value == id_,
        )
    ).one()


class TestTheExamples:
    def test_plan_net_counts_per_resource_type(self, session: Session, plan_net: Path) -> None:
        report = import_fhir(session, None, plan_net)
        counts = {t: dict(c) for t, c in report.by_type.items()}
        # the NPIs Plan-Net reuses: 9941339100 on three practitioners and CancerClinic,
        # 1407071236 on five organizations; the first record in file order keeps each
        assert counts["Practitioner"] == {"created": 1, "conflict": 2}
        assert counts["Organization"] == {"created": 6, "conflict": 5}
        # the roles point to practitioners in conflict or have none: tolerated, reported
        assert counts["PractitionerRole"] == {"unresolved": 6}
        assert counts["OrganizationAffiliation"] == {"created": 1, "unresolved": 6}
        assert counts["Location"] == {"created": 5, "unresolved": 4}
        assert report.skipped == {"HealthcareService": 10, "InsurancePlan": 2, "Endpoint": 1}
        assert report.read == 36
        assert (report.created, report.rejected) == (13, 0)
        assert ("PractitionerRole-JoeSmithRole1.json", "Practitioner/JoeSmith") in report.dangling

    def test_plan_net_npi_reuse_is_reported_not_merged(
        self, session: Session, plan_net: Path
    ) -> None:
        report = import_fhir(session, None, plan_net)
        assert (
            NpiConflict("1407071236", "Organization-Hospital.json", "Organization-BurrClinic.json")
            in report.conflicts
        )
        assert (
            NpiConflict("9941339100", "Practitioner-JoeSmith.json", "Practitioner-Counselor.json")
            in report.conflicts
        )
        assert len(report.conflicts) == 7
        holders = session.scalars(
            select(StakeholderIdentifier.stakeholder_id).where(
                StakeholderIdentifier.value == "1407071236"
            )
        ).all()
        assert holders == [linked(session, "Organization", "BurrClinic").id]

    def test_r4_resources_counts_per_resource_type(self, session: Session, r4: Path) -> None:
        report = import_fhir(session, None, r4 / "resources")
        counts = {t: dict(c) for t, c in report.by_type.items()}
        assert counts["Practitioner"] == {"created": 14}
        assert counts["Organization"] == {"created": 13}
        assert counts["PractitionerRole"] == {"created": 1}
        assert counts["OrganizationAffiliation"] == {"created": 1, "unresolved": 2}
        # Dutch and other addresses without a two-letter state are not stored
        assert counts["Location"] == {"unresolved": 6}
        assert report.skipped["Consent"] == 12
        assert report.conflicts == []

    def test_bundles_of_every_kind(self, session: Session, r4: Path) -> None:
        report = import_fhir(session, None, r4 / "bundles")
        counts = {t: dict(c) for t, c in report.by_type.items()}
        # 59 in the collection (one with an NPI that fails its check digit), 2 in the
        # transaction; the document and the transaction-response are not master data
        assert counts["Practitioner"] == {"created": 60, "rejected": 1}
        assert report.skipped["Patient"] == 22
        assert report.skipped["Bundle (document)"] == 1
        assert report.errors[0].location == (
            "Bundle-3ad0687e-f477-468c-afd5-fcc2bf897809.json entry 1"
        )
        assert report.errors[0].reason == "not a valid NPI (check digit)"
        # social security numbers are not kept
        assert (
            session.scalars(
                select(StakeholderIdentifier).where(StakeholderIdentifier.system.like("%ssn%"))
            ).all()
            == []
        )

    def test_a_folder_is_read_with_its_subfolders(self, session: Session, r4: Path) -> None:
        report = import_fhir(session, None, r4)
        assert report.read == 37 + 78
        assert dict(report.by_type["Practitioner"]) == {"created": 74, "rejected": 1}
        assert report.errors[0].location == (
            "bundles/Bundle-3ad0687e-f477-468c-afd5-fcc2bf897809.json entry 1"
        )

    def test_practitioners_sharing_a_uzi_number_stay_two(self, session: Session, r4: Path) -> None:
        report = import_fhir(session, None, r4 / "resources")
        briet = linked(session, "Practitioner", "f004")
        langeveld = linked(session, "Practitioner", "f005")
        assert briet.id != langeveld.id
        # the example itself gives "Anne" as the family name
        assert (briet.name, langeveld.name) == ("Ronald Briet, MD", "Langeveld Anne, MD")
        assert any(
            w.location == "Practitioner-f005.json" and w.value == "uzi 118265112"
            for w in report.warnings
        )

    def test_a_practitioner_role_becomes_an_affiliation(self, session: Session, r4: Path) -> None:
        import_fhir(session, None, r4 / "resources")
        person = linked(session, "Practitioner", "example")
        affiliation = session.scalars(
            select(Affiliation).where(Affiliation.source == "fhir:PractitionerRole/example")
        ).one()
        assert affiliation.stakeholder_id == person.id
        assert affiliation.organization_id == linked(session, "Organization", "f001").id
        assert (affiliation.role, str(affiliation.start_date), str(affiliation.end_date)) == (
            "RP",
            "2012-01-01",
            "2012-03-31",
        )


class TestMapping:
    def test_practitioner_fields_npi_address_and_specialty(
        self, session: Session, write: Write
    ) -> None:
        path = write(
            "p.json",
            practitioner(
                "p1",
                "Okafor",
                npi=VALID_NPI,
                gender="female",
                address=[{"line": ["1 Main St"], "city": "Boston", "state": "MA"}],
                telecom=[{"system": "phone", "value": "617-555-0100"}],
                qualification=[
                    {
                        "code": {
                            "coding": [
                                {
                                    "system": "http://nucc.org/provider-taxonomy",
                                    "code": "207RC0000X",
                                }
                            ]
                        }
                    }
                ],
            ),
        )
        report = import_fhir(session, None, path)
        assert report.created == 1
        s = linked(session, "Practitioner", "p1")
        assert (s.type, s.name, s.sex, s.state, s.city) == (
            StakeholderType.hcp,
            "Ada Okafor, MD",
            "F",
            "MA",
            "Boston",
        )
        assert s.territory_id is not None
        assert s.primary_specialty_code == "207RC0000X"
        npi = session.scalars(
            select(StakeholderIdentifier).where(StakeholderIdentifier.system == "npi")
        ).one()
        assert (npi.stakeholder_id, npi.value, npi.source) == (s.id, VALID_NPI, "fhir:p.json")
        address = session.scalars(select(Address).where(Address.stakeholder_id == s.id)).one()
        assert (address.line1, address.phone, address.is_primary) == (
            "1 Main St",
            "617-555-0100",
            True,
        )
        assert session.scalars(
            select(StakeholderSpecialty.specialty_code).where(
                StakeholderSpecialty.stakeholder_id == s.id
            )
        ).all() == ["207RC0000X"]

    def test_organization_type_from_its_code(self, session: Session, write: Write) -> None:
        org = {
            "resourceType": "Organization",
            "id": "o1",
            "name": "Acme Health Plan",
            "type": [
                {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/organization-type",
                            "code": "ins",
                        }
                    ]
                }
            ],
        }
        import_fhir(session, None, write("o.json", org))
        assert linked(session, "Organization", "o1").type == StakeholderType.health_plan


class TestMatching:
    def test_two_records_claiming_one_npi_are_a_conflict(
        self, session: Session, write: Write
    ) -> None:
        path = write(
            "twins.json",
            collection(
                practitioner("a", "Adams", npi=VALID_NPI),
                practitioner("b", "Brown", npi=VALID_NPI),
            ),
        )
        before = stakeholders(session)
        report = import_fhir(session, None, path)
        assert report.conflicts == [
            NpiConflict(VALID_NPI, "twins.json entry 2", "twins.json entry 1")
        ]
        assert (report.created, report.by_type["Practitioner"]["conflict"]) == (1, 1)
        assert stakeholders(session) == before + 1

    def test_an_npi_held_by_another_imported_record_is_a_conflict(
        self, session: Session, write: Write
    ) -> None:
        import_fhir(session, None, write("a.json", practitioner("a", "Adams", npi=VALID_NPI)))
        holder = linked(session, "Practitioner", "a")
        report = import_fhir(
            session, None, write("b.json", practitioner("b", "Brown", npi=VALID_NPI))
        )
        assert report.conflicts == [
            NpiConflict(VALID_NPI, "b.json", f"stakeholder {holder.id} (Practitioner/a)")
        ]
        assert report.created == 0

    def test_an_npi_already_in_the_master_matches_that_stakeholder(
        self, session: Session, write: Write
    ) -> None:
        known = stakeholder_service.create_stakeholder(
            session,
            None,
            StakeholderCreate.model_validate(
                {"type": "hcp", "first_name": "Ada", "last_name": "Adams", "npi": VALID_NPI}
            ),
        )
        report = import_fhir(
            session, None, write("a.json", practitioner("x9", "Adams-Reed", npi=VALID_NPI))
        )
        assert (report.created, report.updated) == (0, 1)
        assert linked(session, "Practitioner", "x9").id == known.id
        assert known.last_name == "Adams-Reed"

    def test_an_invalid_npi_rejects_the_record(self, session: Session, write: Write) -> None:
        report = import_fhir(
            session, None, write("bad.json", practitioner("a", "Adams", npi="1234567890"))
        )
        assert report.rejected == 1
        assert report.errors[0].location == "bad.json"
        assert report.errors[0].value == "1234567890"


class TestRejections:
    def test_an_invalid_resource_is_rejected_with_its_location(
        self, session: Session, write: Write
    ) -> None:
        lines = [
            practitioner("a", "Adams"),
            practitioner("b", "Brown", birthDate="yesterday"),
        ]
        import json

        path = write("two.ndjson", "\n".join(json.dumps(r) for r in lines) + "\n")
        report = import_fhir(session, None, path)
        assert (report.read, report.created, report.rejected) == (2, 1, 1)
        error = report.errors[0]
        assert (error.location, error.field) == ("two.ndjson line 2", "birthDate")
        assert "regex" in error.reason or "date" in error.reason.lower()

    @pytest.mark.parametrize(
        ("content", "why"),
        [("{not json", "invalid JSON"), ('{"hello": "world"}', "no resourceType")],
    )
    def test_a_file_that_is_not_fhir_stops_the_import_and_writes_nothing(
        self, session: Session, write: Write, tmp_path: Path, content: str, why: str
    ) -> None:
        write("a.json", practitioner("a", "Adams"))
        write("b.json", content)
        before = stakeholders(session)
        with pytest.raises(InvalidInput, match=f"b.json is not FHIR JSON: {why}"):
            import_fhir(session, None, tmp_path)
        assert stakeholders(session) == before

    def test_other_resource_types_are_skipped_not_errors(
        self, session: Session, write: Write
    ) -> None:
        patient = {"resourceType": "Patient", "id": "p"}
        report = import_fhir(session, None, write("p.json", patient))
        assert (report.read, report.rejected, dict(report.skipped)) == (0, 0, {"Patient": 1})

    def test_a_role_without_its_people_is_tolerated_and_reported(
        self, session: Session, write: Write
    ) -> None:
        role = {
            "resourceType": "PractitionerRole",
            "id": "r",
            "practitioner": {"reference": "Practitioner/nobody"},
            "organization": {"reference": "Organization/nowhere"},
        }
        report = import_fhir(session, None, write("r.json", role))
        assert (report.unresolved, report.rejected) == (1, 0)
        assert report.dangling == [
            ("r.json", "Practitioner/nobody"),
            ("r.json", "Organization/nowhere"),
        ]


class TestReimport:
    def test_the_same_files_again_change_nothing(self, session: Session, plan_net: Path) -> None:
        first = import_fhir(session, None, plan_net)
        again = import_fhir(session, None, plan_net)
        assert (again.created, again.updated, again.rejected) == (0, 0, 0)
        assert again.unchanged == first.created
        assert len(again.conflicts) == len(first.conflicts)

    def test_a_changed_value_updates_the_stakeholder_with_an_audit_entry(
        self, session: Session, write: Write
    ) -> None:
        import_fhir(session, None, write("a.json", practitioner("a", "Adams", npi=VALID_NPI)))
        report = import_fhir(
            session, None, write("a.json", practitioner("a", "Adamson", npi=VALID_NPI))
        )
        assert (report.created, report.updated) == (0, 1)
        s = linked(session, "Practitioner", "a")
        assert s.last_name == "Adamson"
        entry = session.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.entity == "stakeholder",
                AuditEntry.entity_id == str(s.id),
                AuditEntry.field == "last_name",
            )
            .order_by(AuditEntry.seq.desc())
        ).first()
        assert entry is not None
        assert (entry.old_value, entry.new_value) == ('"Adams"', '"Adamson"')
        assert entry.reason == "FHIR import of a.json"

    def test_a_dry_run_writes_nothing(self, session: Session, plan_net: Path) -> None:
        before = stakeholders(session)
        report = import_fhir(session, None, plan_net, dry_run=True)
        assert report.created == 13
        assert stakeholders(session) == before
