"""NPPES import on the real sample (../shared/data/nppes-csv): a spreadsheet-re-saved file of
1,000 rows whose facts SOURCES.md lists."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.audit.models import AuditEntry
from accord.importer import service as import_service
from accord.importer.models import ImportJob, ImportRowError, ImportStatus
from accord.importer.nppes import import_nppes, postal_code
from accord.importer.nucc import import_nucc
from accord.stakeholder.models import (
    Address,
    AddressKind,
    AuthorizedOfficial,
    Stakeholder,
    StakeholderIdentifier,
    StakeholderSpecialty,
    StakeholderStatus,
)

SAMPLE = "nppes-csv/npidata_pfile_2025-04_first1000.csv"


def by_npi(session: Session, npi: str) -> Stakeholder:
    return session.scalars(
        select(Stakeholder)
        .join(StakeholderIdentifier, StakeholderIdentifier.stakeholder_id == Stakeholder.id)
        .where(StakeholderIdentifier.system == "npi", StakeholderIdentifier.value == npi)
    ).one()


def run(session: Session, path: Path, *, dry_run: bool = False) -> ImportJob:
    with import_service.run_job(session, kind="nppes", path=path, dry_run=dry_run) as job_run:
        import_nppes(job_run, path)
    return job_run.job


def head_of(data_dir: Path, tmp_path: Path, rows: int, name: str = "head.csv") -> Path:
    """The sample's header and first rows, as the real file has them."""
    lines = (data_dir / SAMPLE).read_text(encoding="utf-8").splitlines(keepends=True)
    out = tmp_path / name
    out.write_text("".join(lines[: rows + 1]), encoding="utf-8")
    return out


@pytest.fixture
def nucc(session: Session, data_dir: Path) -> None:
    path = data_dir / "nucc-taxonomy/nucc_taxonomy_251.csv"
    with import_service.run_job(session, kind="nucc", path=path) as job_run:
        import_nucc(job_run, path)


class TestTheWholeSample:
    def test_counts_and_facts_of_the_sample(
        self, session: Session, data_dir: Path, nucc: None
    ) -> None:
        job = run(session, data_dir / SAMPLE)
        assert (job.read, job.created, job.rejected) == (1000, 921, 0)
        assert job.unchanged == 79  # deactivated NPIs Accord never held
        assert job.status == ImportStatus.succeeded
        assert len(job.source_sha256) == 64
        wiebe = by_npi(session, "1679576722")
        assert wiebe.name == "David A Wiebe, MD"
        assert (wiebe.city, wiebe.state, wiebe.primary_specialty_code) == (
            "Kearney",
            "NE",
            "207X00000X",
        )
        practice = session.scalars(
            select(Address).where(
                Address.stakeholder_id == wiebe.id, Address.kind == AddressKind.practice
            )
        ).one()
        assert practice.postal_code == "68847-2944"
        assert practice.phone == "3088652512"
        # the primary taxonomy is the slot whose switch is Y, here slot 2
        assert by_npi(session, "1215930367").primary_specialty_code == "207RH0003X"
        people = session.scalar(
            select(func.count()).select_from(Stakeholder).where(Stakeholder.kind == "person")
        )
        assert people == 733
        # reactivated after deactivation: a full record, active
        assert by_npi(session, "1659374601").status == StakeholderStatus.active
        subpart = by_npi(session, "1346243375")
        assert subpart.parent_organization_name == "RWJ BARNABAS HEALTH INC"
        official = session.scalars(
            select(AuthorizedOfficial).where(AuthorizedOfficial.stakeholder_id == subpart.id)
        ).one()
        assert official.last_name == "Alexander"

        again = run(session, data_dir / SAMPLE)
        assert (again.created, again.updated, again.unchanged) == (0, 0, 1000)


class TestNormalising:
    @pytest.mark.parametrize(
        ("raw", "clean"),
        [
            ("688472944.0", "68847-2944"),
            ("80511606.0", "08051-1606"),
            ("2115", "02115"),
            ("02115", "02115"),
            ("", None),
        ],
    )
    def test_zip_codes_get_their_leading_zeros_back(self, raw: str, clean: str | None) -> None:
        assert postal_code(raw) == clean


class TestChanges:
    def test_a_changed_value_updates_with_its_source_and_an_audit_entry(
        self, session: Session, data_dir: Path, tmp_path: Path
    ) -> None:
        first = head_of(data_dir, tmp_path, 5)
        run(session, first)
        text = first.read_text(encoding="utf-8").replace("KEARNEY", "GRAND ISLAND", 1)
        changed = tmp_path / "changed.csv"
        changed.write_text(text, encoding="utf-8")
        job = run(session, changed)
        assert (job.updated, job.unchanged) == (1, 4)
        wiebe = by_npi(session, "1679576722")
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "address", AuditEntry.field == "city")
        ).all()
        assert any(e.new_value and "Grand Island" in e.new_value for e in entries)
        assert entries[-1].reason == f"NPPES import of changed.csv (job {job.id})"
        mailing = session.scalars(
            select(Address).where(Address.stakeholder_id == wiebe.id, Address.source == "nppes")
        ).all()
        assert {a.city for a in mailing} == {"Grand Island", "Kearney"}

    def test_the_deactivation_file_makes_an_npi_inactive(
        self, session: Session, data_dir: Path, tmp_path: Path
    ) -> None:
        run(session, head_of(data_dir, tmp_path, 3))
        deactivation = tmp_path / "deactivated.csv"
        deactivation.write_text(
            "NPI,NPPES Deactivation Date\r\n1679576722,11/01/2026\r\n1234567890,11/01/2026\r\n",
            encoding="utf-8",
        )
        job = run(session, deactivation)
        assert (job.updated, job.rejected) == (1, 1)
        assert by_npi(session, "1679576722").status == StakeholderStatus.inactive
        errors = session.scalars(
            select(ImportRowError).where(ImportRowError.job_id == job.id)
        ).all()
        assert [(e.row_number, e.column) for e in errors] == [(3, "NPI")]

    def test_a_zipped_file_imports_the_same(
        self, session: Session, data_dir: Path, tmp_path: Path
    ) -> None:
        plain = head_of(data_dir, tmp_path, 4, "npidata_pfile_x.csv")
        archive = tmp_path / "NPPES_Data_Dissemination.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("npidata_pfile_x_fileheader.csv", plain.read_text().splitlines()[0])
            z.write(plain, "npidata_pfile_x.csv")
        job = run(session, archive)
        assert (job.read, job.created, job.unchanged) == (4, 3, 1)  # one deactivated NPI

    def test_a_dry_run_writes_nothing_but_its_job(
        self, session: Session, data_dir: Path, tmp_path: Path
    ) -> None:
        job = run(session, head_of(data_dir, tmp_path, 4), dry_run=True)
        assert job.created == 3
        assert job.dry_run
        assert session.scalar(select(func.count()).select_from(Stakeholder)) == 0


class TestBadInput:
    def test_a_bad_row_is_rejected_and_the_rest_imports(
        self, session: Session, data_dir: Path, tmp_path: Path
    ) -> None:
        path = head_of(data_dir, tmp_path, 3)
        path.write_text(
            path.read_text(encoding="utf-8").replace("1679576722", "1679576723", 1),
            encoding="utf-8",
        )
        job = run(session, path)
        assert (job.created, job.rejected) == (2, 1)
        report = list(csv.reader(io.StringIO(import_service.errors_csv(session, job))))
        assert report[0] == ["row", "column", "value", "reason"]
        assert report[1][:3] == ["2", "NPI", "1679576723"]

    @pytest.mark.parametrize(
        ("name", "content", "says"),
        [
            ("wrong.csv", b"name,city\nx,y\n", "not an NPPES file"),
            ("empty.csv", b"", "is empty"),
            ("binary.csv", b"\xff\xfe\x00\x00garbage\x00", "not a readable CSV"),
            ("truncated.zip", b"PK\x03\x04\x14\x00\x00\x00\x08\x00", "truncated"),
        ],
    )
    def test_a_bad_file_stops_writes_nothing_and_keeps_the_failed_job(
        self, session: Session, tmp_path: Path, name: str, content: bytes, says: str
    ) -> None:
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(import_service.BadFile) as caught:
            run(session, path)
        assert says in str(caught.value)
        job = session.scalars(select(ImportJob).order_by(ImportJob.id.desc())).first()
        assert job is not None
        assert job.status == ImportStatus.failed
        assert says in (job.message or "")
        assert session.scalar(select(func.count()).select_from(Stakeholder)) == 0
        assert session.scalar(select(func.count()).select_from(StakeholderSpecialty)) == 0


class TestTheApi:
    def test_admins_read_jobs_and_their_error_report(
        self,
        session: Session,
        data_dir: Path,
        tmp_path: Path,
        client: object,
        api_as: object,
    ) -> None:
        from fastapi.testclient import TestClient

        assert isinstance(client, TestClient)
        path = head_of(data_dir, tmp_path, 3)
        path.write_text(
            path.read_text(encoding="utf-8").replace("1679576722", "1679576723", 1),
            encoding="utf-8",
        )
        job = run(session, path)
        admin = api_as("admin")  # type: ignore[operator]
        listed = client.get("/api/v1/imports", headers=admin).json()["items"]
        assert listed[0]["id"] == job.id
        assert listed[0]["rejected"] == 1
        report = client.get(f"/api/v1/imports/{job.id}/errors.csv", headers=admin)
        assert report.status_code == 200
        assert "1679576723" in report.text
        refused = client.get("/api/v1/imports", headers=api_as("msl"))  # type: ignore[operator]
        assert refused.status_code == 403
