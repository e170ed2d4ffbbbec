"""What the set-based NPPES path adds: its audit design, file-wide duplicates, contested
identifiers, removals, territories and the column-wise checks, on the real sample."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.audit.models import AuditAction, AuditEntry
from accord.audit.service import verify_chain
from accord.importer import nppes
from accord.importer.models import ImportRowError, NppesRecord
from accord.importer.nppes import credentials_expr, npi_valid_expr
from accord.stakeholder.identifiers import npi_is_valid
from accord.stakeholder.models import (
    Address,
    AddressKind,
    AuthorizedOfficial,
    Stakeholder,
    StakeholderIdentifier,
    StakeholderSpecialty,
    StakeholderStatus,
)
from accord.territory import service as territory_service
from accord.territory.models import Territory, TerritoryAlignment
from tests.importer.test_nppes import SAMPLE, by_npi, head_of, run

WIEBE = "1679576722"
SHARED_IDENTIFIERS = 47
#: the rows the whole sample adds to each table
SAMPLE_ROWS = {
    "stakeholder": 921,
    "stakeholder_identifier": 3787,
    "address": 1842,
    "stakeholder_specialty": 1181,
    "authorized_official": 188,
    "nppes_record": 921,
}


def entries(session: Session, **where: object) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.seq)
    for key, value in where.items():
        query = query.where(getattr(AuditEntry, key) == value)
    return list(session.scalars(query))


def wiebes_license_holder(session: Session) -> int:
    """Who holds Wiebe's Nebraska license (12637), which the tests give a second row too."""
    return session.scalars(
        select(StakeholderIdentifier.stakeholder_id).where(
            StakeholderIdentifier.system == "license:NE", StakeholderIdentifier.value == "12637"
        )
    ).one()


def rewrite(path: Path, old: str, new: str, name: str = "changed.csv") -> Path:
    text = path.read_text(encoding="utf-8")
    assert old in text
    out = path.with_name(name)
    out.write_text(text.replace(old, new, 1), encoding="utf-8")
    return out


class TestAuditOfABulkImport:
    def test_creations_are_one_chained_entry_for_the_job_and_rows_point_to_it(
        self, session: Session, data_dir: Path, tmp_path: Path
    ) -> None:
        job = run(session, head_of(data_dir, tmp_path, 20))
        [entry] = entries(session, entity="import_job", entity_id=str(job.id))
        assert entry.action == AuditAction.create
        assert entry.new_value is not None
        summary = json.loads(entry.new_value)
        assert summary["sha256"] == job.source_sha256
        assert summary["created"] == job.created == 19
        # no per-field creation entries for the rows the job created
        assert entries(session, entity="stakeholder") == []
        created = session.scalars(
            select(Stakeholder.import_job_id).where(Stakeholder.import_job_id.is_not(None))
        ).all()
        assert created == [job.id] * 19
        assert verify_chain(session).intact

    def test_every_changed_value_of_an_existing_stakeholder_has_its_entry(
        self, session: Session, data_dir: Path, tmp_path: Path
    ) -> None:
        first = head_of(data_dir, tmp_path, 5)
        run(session, first)
        wiebe = by_npi(session, WIEBE)
        job = run(session, rewrite(first, "WIEBE,DAVID", "WIEBE-SMITH,DAVID"))
        assert (job.created, job.updated, job.unchanged) == (0, 1, 4)
        changed = {
            e.field: (e.old_value, e.new_value)
            for e in entries(session, entity="stakeholder", entity_id=str(wiebe.id))
        }
        assert changed == {
            "last_name": ('"Wiebe"', '"Wiebe-Smith"'),
            "name": ('"David A Wiebe, MD"', '"David A Wiebe-Smith, MD"'),
            "sort_name": ('"wiebe david"', '"wiebe-smith david"'),
        }
        reasons = {e.reason for e in entries(session, entity="stakeholder")}
        assert reasons == {f"NPPES import of changed.csv (job {job.id})"}
        assert verify_chain(session).intact

    def test_the_chain_verifies_after_the_whole_sample_twice(
        self, session: Session, data_dir: Path
    ) -> None:
        run(session, data_dir / SAMPLE)
        again = run(session, data_dir / SAMPLE)
        assert again.unchanged == 1000
        report = verify_chain(session)
        assert report.intact, report.message


class TestTheWholeFileAtOnce:
    def test_an_npi_twice_in_the_file_keeps_its_first_row(
        self, session: Session, data_dir: Path, tmp_path: Path
    ) -> None:
        path = head_of(data_dir, tmp_path, 3)
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        twice = tmp_path / "twice.csv"
        twice.write_text("".join([*lines, lines[1].replace("WIEBE", "WIBE")]), encoding="utf-8")
        job = run(session, twice)
        assert (job.read, job.created, job.rejected) == (4, 3, 1)
        error = session.scalars(select(ImportRowError).where(ImportRowError.job_id == job.id)).one()
        assert (error.row_number, error.column, error.value) == (5, "NPI", WIEBE)
        assert "appears twice" in error.reason
        assert by_npi(session, WIEBE).last_name == "Wiebe"

    def test_an_identifier_two_rows_claim_goes_to_the_first_and_the_second_is_noted(
        self, session: Session, data_dir: Path, tmp_path: Path
    ) -> None:
        # Wiebe's Nebraska license (12637) given to the second row as well
        path = head_of(data_dir, tmp_path, 2)
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        lines[2] = lines[2].replace("ME68414,FL", "12637,NE", 1)
        claimed = tmp_path / "claimed.csv"
        claimed.write_text("".join(lines), encoding="utf-8")
        job = run(session, claimed)
        assert (job.created, job.rejected) == (2, 0)
        owner = wiebes_license_holder(session)
        assert owner == by_npi(session, WIEBE).id
        note = session.scalars(select(ImportRowError).where(ImportRowError.job_id == job.id)).one()
        assert (note.row_number, note.column, note.value) == (3, "license:NE", "12637")
        assert note.reason == f"identifier already belongs to stakeholder {owner}"

    def test_blank_lines_are_skipped_and_rows_keep_their_line_numbers(
        self, session: Session, data_dir: Path, tmp_path: Path
    ) -> None:
        path = head_of(data_dir, tmp_path, 3)
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        bad = lines[3].replace(lines[3].split(",")[0], "1234567890", 1)
        spaced = tmp_path / "spaced.csv"
        spaced.write_text("".join([lines[0], lines[1], "\r\n", lines[2], bad]), encoding="utf-8")
        job = run(session, spaced)
        assert (job.read, job.created, job.rejected) == (3, 2, 1)
        error = session.scalars(select(ImportRowError).where(ImportRowError.job_id == job.id)).one()
        assert (error.row_number, error.column) == (5, "NPI")


class TestChildrenFollowTheFile:
    def test_a_mailing_address_the_file_drops_is_removed_with_its_entries(
        self, session: Session, data_dir: Path, tmp_path: Path
    ) -> None:
        first = head_of(data_dir, tmp_path, 2)
        run(session, first)
        wiebe = by_npi(session, WIEBE)
        job = run(session, rewrite(first, "PO BOX 2168,", ","))
        assert job.updated == 1
        kinds = session.scalars(
            select(Address.kind).where(Address.stakeholder_id == wiebe.id)
        ).all()
        assert kinds == [AddressKind.practice]
        removed = entries(session, entity="address", action=AuditAction.delete)
        assert {e.field for e in removed} >= {"line1", "city", "kind"}
        assert any(e.old_value == '"PO BOX 2168"' for e in removed)

    def test_the_primary_taxonomy_moves_with_its_switch(
        self, session: Session, data_dir: Path, tmp_path: Path
    ) -> None:
        first = head_of(data_dir, tmp_path, 2)
        run(session, first)
        pilcher = by_npi(session, "1588667638")
        assert pilcher.primary_specialty_code == "207RC0000X"
        # both slots cite the same code: the primary switch of the first no longer says Y
        run(session, rewrite(first, "ME68414,FL,Y", "ME68414,FL,N"))
        session.expire_all()
        specialty = session.scalars(
            select(StakeholderSpecialty).where(StakeholderSpecialty.stakeholder_id == pilcher.id)
        ).one()
        assert specialty.is_primary is False
        assert by_npi(session, "1588667638").primary_specialty_code is None

    def test_a_reactivated_npi_is_active_again(
        self, session: Session, data_dir: Path, tmp_path: Path
    ) -> None:
        first = head_of(data_dir, tmp_path, 2)
        run(session, first)
        deactivation = tmp_path / "deactivated.csv"
        deactivation.write_text(f"NPI,NPPES Deactivation Date\r\n{WIEBE},11/01/2026\r\n")
        run(session, deactivation)
        assert by_npi(session, WIEBE).status == StakeholderStatus.inactive
        job = run(session, first)
        session.expire_all()
        assert job.updated == 1
        assert by_npi(session, WIEBE).status == StakeholderStatus.active

    def test_a_dry_run_reports_the_changes_and_writes_none(
        self, session: Session, data_dir: Path, tmp_path: Path
    ) -> None:
        first = head_of(data_dir, tmp_path, 5)
        run(session, first)
        before = session.scalar(select(func.count()).select_from(AuditEntry))
        job = run(session, rewrite(first, "KEARNEY", "GRAND ISLAND"), dry_run=True)
        assert (job.updated, job.unchanged) == (1, 4)
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == before
        assert by_npi(session, WIEBE).city == "Kearney"


class TestTerritories:
    def test_every_stakeholder_lands_where_the_alignment_says(
        self, session: Session, data_dir: Path
    ) -> None:
        run(session, data_dir / SAMPLE)
        placed = session.execute(
            select(Stakeholder.state, Stakeholder.city, Stakeholder.territory_id)
        ).all()
        assert any(t is not None for _, _, t in placed)  # the demo aligns PA, NY, CA, ...
        for state, city, territory_id in placed:
            assert territory_id == territory_service.territory_for(session, state=state, city=city)


class TestColumnWiseChecks:
    def test_the_npi_check_agrees_with_the_one_by_one_check(self, data_dir: Path) -> None:
        sample = pl.read_csv(data_dir / SAMPLE, infer_schema=False, columns=["NPI"])["NPI"]
        candidates = [*sample.to_list(), "1679576723", "123", "abcdefghij", "", "0000000000"]
        candidates += [str(int(n) + 1) for n in sample.head(50).to_list()]
        frame = pl.DataFrame({"npi": candidates})
        flags = frame.select(npi_valid_expr(pl.col("npi"))).to_series().to_list()
        assert flags == [npi_is_valid(n) for n in candidates]
        assert sum(flags) == 1000

    @pytest.mark.parametrize(
        ("raw", "clean"),
        [
            ("M.D.", "MD"),
            ("M.D., PH.D.", "MD, PHD"),
            ("D.O.;M.P.H", "DO, MPH"),
            (",MD,", "MD"),
            ("  ", None),
        ],
    )
    def test_credentials_lose_their_dots(self, raw: str, clean: str | None) -> None:
        frame = pl.DataFrame({"c": [raw]})
        assert frame.select(credentials_expr("c")).item() == clean


@pytest.fixture(params=["one chunk", "indexes set aside", "indexes in place"])
def many_chunks(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Small chunks, so that a few rows exercise what the 9-million-row file does; with the
    tables' indexes set aside (a first import, on PostgreSQL) or kept (a small file into a
    large table: rows far larger than they are make the file look small). "one chunk" is
    the file as the sample's size reads it, the reference."""
    if request.param == "one chunk":
        return str(request.param)
    monkeypatch.setattr(nppes, "FIRST_CHUNK", 40)
    monkeypatch.setattr(nppes, "CHUNK", 150)
    if request.param == "indexes in place":
        monkeypatch.setattr(nppes, "BYTES_PER_ROW", 10**12)
    return str(request.param)


def table_counts(session: Session) -> dict[str, int]:
    return {
        model.__tablename__: int(session.scalar(select(func.count()).select_from(model)) or 0)
        for model in (
            Stakeholder,
            StakeholderIdentifier,
            Address,
            StakeholderSpecialty,
            AuthorizedOfficial,
            NppesRecord,
        )
    }


class TestAFileInManyChunks:
    def test_the_sample_imports_as_in_one_chunk(
        self, session: Session, data_dir: Path, many_chunks: str
    ) -> None:
        before = table_counts(session)
        job = run(session, data_dir / SAMPLE)
        assert (job.read, job.created, job.rejected, job.unchanged) == (1000, 921, 0, 79)
        grown = {k: v - before[k] for k, v in table_counts(session).items()}
        assert grown == SAMPLE_ROWS
        # identifiers the real rows share (group Medicaid numbers and the like): the first
        # row keeps each, the later ones are noted, whichever chunks they fall in
        shared = session.scalars(
            select(ImportRowError.row_number).where(
                ImportRowError.job_id == job.id, ImportRowError.reason.contains("belongs")
            )
        ).all()
        assert len(shared) == SHARED_IDENTIFIERS
        assert by_npi(session, WIEBE).name == "David A Wiebe, MD"
        assert verify_chain(session).intact
        again = run(session, data_dir / SAMPLE)
        assert (again.created, again.updated, again.unchanged) == (0, 0, 1000)

    def test_an_npi_again_in_a_later_chunk_is_rejected(
        self, session: Session, data_dir: Path, tmp_path: Path, many_chunks: str
    ) -> None:
        lines = (data_dir / SAMPLE).read_text(encoding="utf-8").splitlines(keepends=True)
        twice = tmp_path / "twice.csv"
        twice.write_text("".join([*lines[:301], lines[1].replace("WIEBE", "WIBE")]), "utf-8")
        job = run(session, twice)
        assert (job.read, job.rejected) == (301, 1)
        error = session.scalars(
            select(ImportRowError).where(
                ImportRowError.job_id == job.id, ImportRowError.reason.contains("twice")
            )
        ).one()
        assert (error.row_number, error.value) == (302, WIEBE)
        assert by_npi(session, WIEBE).last_name == "Wiebe"

    def test_an_identifier_named_again_in_a_later_chunk_stays_with_the_first(
        self, session: Session, data_dir: Path, tmp_path: Path, many_chunks: str
    ) -> None:
        lines = (data_dir / SAMPLE).read_text(encoding="utf-8").splitlines(keepends=True)
        claimant = lines[2].replace(lines[2].split(",")[0], '"1000000004"', 1)
        claimant = claimant.replace("ME68414,FL", "12637,NE", 1)
        claimed = tmp_path / "claimed.csv"
        # the claimant replaces the row it copies, whose other identifiers it keeps
        claimed.write_text("".join([*lines[:2], *lines[3:201], claimant]), "utf-8")
        job = run(session, claimed)
        assert (job.read, job.rejected) == (200, 0)
        owner = wiebes_license_holder(session)
        assert owner == by_npi(session, WIEBE).id
        # (the real rows share a few group identifiers too: each later holder is noted)
        note = session.scalars(
            select(ImportRowError).where(
                ImportRowError.job_id == job.id, ImportRowError.row_number == 201
            )
        ).one()
        assert (note.column, note.value) == ("license:NE", "12637")
        assert note.reason == f"identifier already belongs to stakeholder {owner}"


def digest_of(session: Session, npi: str) -> int:
    return session.scalars(select(NppesRecord.digest).where(NppesRecord.npi == npi)).one()


class TestRecordDigests:
    def test_a_record_the_registry_did_not_change_goes_no_further_than_its_digest(
        self, session: Session, data_dir: Path, tmp_path: Path
    ) -> None:
        first = head_of(data_dir, tmp_path, 5)
        run(session, first)
        wiebe = by_npi(session, WIEBE)
        # a steward's correction after the import: the registry's record has not changed
        wiebe.last_name = "Wiebe-Steward"
        session.flush()
        again = run(session, first)
        assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
        session.refresh(wiebe)
        assert wiebe.last_name == "Wiebe-Steward"

    def test_a_changed_record_is_diffed_and_its_digest_replaced(
        self, session: Session, data_dir: Path, tmp_path: Path
    ) -> None:
        first = head_of(data_dir, tmp_path, 5)
        job = run(session, first)
        before = digest_of(session, WIEBE)
        again = run(session, rewrite(first, "WIEBE,DAVID", "WIEBE-SMITH,DAVID"))
        assert (again.updated, again.unchanged) == (1, 4)
        assert by_npi(session, WIEBE).last_name == "Wiebe-Smith"
        assert digest_of(session, WIEBE) != before
        record = session.scalars(select(NppesRecord).where(NppesRecord.npi == WIEBE)).one()
        assert record.import_job_id == again.id != job.id

    def test_a_new_territory_alignment_makes_the_record_differ(
        self, session: Session, data_dir: Path, tmp_path: Path
    ) -> None:
        first = head_of(data_dir, tmp_path, 5)
        run(session, first)
        before = digest_of(session, WIEBE)
        assert by_npi(session, WIEBE).territory_id is None  # the demo aligns no NE territory
        territory = session.scalars(select(Territory).order_by(Territory.id)).first()
        assert territory is not None
        session.add(TerritoryAlignment(state="NE", city=None, territory_id=territory.id))
        session.flush()
        again = run(session, first)
        assert again.updated == 1
        assert by_npi(session, WIEBE).territory_id == territory.id
        assert digest_of(session, WIEBE) != before
