"""CMS physician shared patient patterns (`accord import referrals`): both layouts, NPIs
matched to stakeholders, bad rows named by row and field, a period imported again replaced
rather than doubled, and the network's referral edges built from it. There is no real shared
patient file in ../shared/data, so each test writes a small one from NPIs it holds."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.errors import InvalidInput
from accord.importer import referrals as referrals_module
from accord.importer import service as import_service
from accord.importer.models import ImportJob, ImportRowError
from accord.importer.referrals import import_referrals
from accord.importer.service import BadFile
from accord.network.build import EdgeBuilder, load_areas
from accord.network.models import Referral
from accord.stakeholder.models import Stakeholder, StakeholderIdentifier
from tests.factories import make_hcp

FROM = date(2024, 1, 1)
TO = date(2024, 12, 31)
HEADER = "npi1,npi2,pair_count,bene_count,same_day_count\n"


def npi(base: int) -> str:
    """A valid NPI (Luhn check digit over 80840 + the nine digits) from nine digits."""
    digits = f"80840{base:09d}"
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return f"{base:09d}{(10 - total % 10) % 10}"


def with_npi(session: Session, last: str, value: str) -> Stakeholder:
    hcp = make_hcp(session, last)
    session.add(
        StakeholderIdentifier(
            stakeholder_id=hcp.id, system="npi", value=value, source="test", recorded_on=FROM
        )
    )
    session.flush()
    return hcp


def run(
    session: Session,
    path: Path,
    *,
    start: date | None = FROM,
    end: date | None = TO,
    dry_run: bool = False,
) -> ImportJob:
    with import_service.run_job(session, kind="referrals", path=path, dry_run=dry_run) as job_run:
        import_referrals(job_run, path, period_start=start, period_end=end)
    return job_run.job


def errors(session: Session, job: ImportJob) -> list[tuple[int, str | None, str]]:
    return [
        (e.row_number, e.column, e.reason)
        for e in session.scalars(
            select(ImportRowError)
            .where(ImportRowError.job_id == job.id)
            .order_by(ImportRowError.row_number)
        )
    ]


class Practice:
    """Ames (primary care) refers to Baker (cardiology) and Cole; Baker refers to Cole."""

    def __init__(self, session: Session) -> None:
        self.ames_npi, self.baker_npi, self.cole_npi = (
            npi(111111111),
            npi(222222222),
            npi(333333333),
        )
        self.ames = with_npi(session, "Ames", self.ames_npi)
        self.baker = with_npi(session, "Baker", self.baker_npi)
        self.cole = with_npi(session, "Cole", self.cole_npi)
        self.unknown_npi = npi(444444444)

    def rows(self, pairs: int = 40) -> str:
        return (
            f"{self.ames_npi},{self.baker_npi},{pairs},30,2\n"
            f"{self.ames_npi},{self.cole_npi},11,11,0\n"
            f"{self.baker_npi},{self.cole_npi},25,20,5\n"
            f"{self.unknown_npi},{self.cole_npi},14,12,1\n"
        )


@pytest.fixture
def practice(session: Session) -> Practice:
    return Practice(session)


def referrals(session: Session) -> list[tuple[str, str, int | None, int | None, int]]:
    return [
        (r.from_npi, r.to_npi, r.from_stakeholder_id, r.to_stakeholder_id, r.pair_count)
        for r in session.scalars(select(Referral).order_by(Referral.id))
    ]


class TestLayouts:
    def test_the_headerless_cms_layout_is_read_and_npis_are_matched(
        self, session: Session, practice: Practice, tmp_path: Path
    ) -> None:
        path = tmp_path / "physician-shared-patient-patterns-2024-days30.txt"
        path.write_text(practice.rows())
        job = run(session, path)
        assert (job.read, job.created, job.rejected) == (4, 4, 0)
        got = referrals(session)
        assert got[0] == (
            practice.ames_npi,
            practice.baker_npi,
            practice.ames.id,
            practice.baker.id,
            40,
        )
        assert got[3][2] is None  # an NPI Accord does not hold stays unmatched
        assert got[3][3] == practice.cole.id
        assert "1 pairs with an NPI not matched" in (job.message or "")
        stored = session.scalars(select(Referral)).all()
        assert {(r.period_start, r.period_end) for r in stored} == {(FROM, TO)}
        assert {r.import_job_id for r in stored} == {job.id}

    def test_a_large_file_matches_its_npis_in_one_read(
        self,
        session: Session,
        practice: Practice,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.setattr(referrals_module, "FEW_NPIS", 1)
        path = tmp_path / "large.txt"
        path.write_text(practice.rows())
        run(session, path)
        assert [(a, b) for _, _, a, b, _ in referrals(session)] == [
            (practice.ames.id, practice.baker.id),
            (practice.ames.id, practice.cole.id),
            (practice.baker.id, practice.cole.id),
            (None, practice.cole.id),
        ]

    def test_a_header_with_the_documented_names_in_any_case_and_order(
        self, session: Session, practice: Practice, tmp_path: Path
    ) -> None:
        path = tmp_path / "with-header.csv"
        path.write_text(
            "NPI2,NPI1,PAIR_COUNT,BENE_COUNT,SAME_DAY_COUNT\n"
            f"{practice.baker_npi},{practice.ames_npi},40,30,2\n"
        )
        job = run(session, path)
        assert job.created == 1
        assert referrals(session) == [
            (practice.ames_npi, practice.baker_npi, practice.ames.id, practice.baker.id, 40)
        ]

    def test_a_file_of_another_kind_is_refused_naming_the_columns(
        self, session: Session, tmp_path: Path
    ) -> None:
        path = tmp_path / "payments.csv"
        path.write_text("Record_ID,Amount\n1,2\n")
        with pytest.raises(BadFile, match="no column npi1, npi2"):
            run(session, path)
        assert referrals(session) == []

    def test_an_empty_file_is_refused(self, session: Session, tmp_path: Path) -> None:
        path = tmp_path / "empty.csv"
        path.write_text("")
        with pytest.raises(BadFile, match="is empty"):
            run(session, path)


class TestBadRows:
    def test_each_bad_row_is_rejected_naming_its_row_and_field(
        self, session: Session, practice: Practice, tmp_path: Path
    ) -> None:
        path = tmp_path / "bad.csv"
        path.write_text(
            HEADER
            + f"{practice.ames_npi},{practice.baker_npi},40,30,2\n"  # row 2: fine
            + f"12345,{practice.baker_npi},40,30,2\n"  # 3: not an NPI
            + f"{practice.ames_npi},1234567890,40,30,2\n"  # 4: bad check digit
            + f"{practice.ames_npi},{practice.ames_npi},40,30,2\n"  # 5: to itself
            + f"{practice.ames_npi},{practice.cole_npi},many,30,2\n"  # 6: not a number
            + f"{practice.ames_npi},{practice.cole_npi},40,-3,2\n"  # 7: negative
            + f"{practice.ames_npi},{practice.cole_npi},10,8,12\n"  # 8: same day > pairs
            + f"{practice.ames_npi},{practice.cole_npi},40\n"  # 9: short row
            + f"{practice.ames_npi},{practice.baker_npi},41,30,2\n"  # 10: the pair again
        )
        job = run(session, path)
        assert (job.read, job.created, job.rejected) == (9, 1, 8)
        assert errors(session, job) == [
            (3, "npi1", "not a valid NPI (10 digits with its check digit)"),
            (4, "npi2", "not a valid NPI (10 digits with its check digit)"),
            (5, "npi2", "the same NPI as npi1"),
            (6, "pair_count", "must be a whole number of zero or more"),
            (7, "bene_count", "must be a whole number of zero or more"),
            (8, "same_day_count", "more than the pair_count"),
            (9, None, "the row does not have the file's 5 columns"),
            (10, "npi2", "this NPI pair appears already at row 2"),
        ]

    def test_a_period_needs_both_dates_in_order(self, session: Session, tmp_path: Path) -> None:
        path = tmp_path / "x.csv"
        path.write_text("")
        with pytest.raises(InvalidInput, match="both --from and --to"):
            run(session, path, end=None)
        with pytest.raises(InvalidInput, match="is after"):
            run(session, path, start=TO, end=FROM)


class TestReimport:
    def test_the_same_file_twice_changes_nothing(
        self, session: Session, practice: Practice, tmp_path: Path
    ) -> None:
        path = tmp_path / "2024.csv"
        path.write_text(practice.rows())
        run(session, path)
        again = run(session, path)
        assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
        assert session.scalar(select(func.count()).select_from(Referral)) == 4

    def test_a_corrected_file_replaces_the_period_and_leaves_other_periods(
        self, session: Session, practice: Practice, tmp_path: Path
    ) -> None:
        first = tmp_path / "2024.csv"
        first.write_text(practice.rows())
        run(session, first)
        run(session, first, start=date(2023, 1, 1), end=date(2023, 12, 31))
        corrected = tmp_path / "2024-corrected.csv"
        corrected.write_text(practice.rows(pairs=55).splitlines(keepends=True)[0])
        job = run(session, corrected)
        assert (job.created, job.updated, job.unchanged) == (0, 1, 0)
        assert "3 pairs of the period's earlier import are no longer in the file" in (
            job.message or ""
        )
        periods = dict(
            session.execute(
                select(Referral.period_start, func.count()).group_by(Referral.period_start)
            ).all()
        )
        assert periods == {FROM: 1, date(2023, 1, 1): 4}
        assert (
            session.scalar(select(Referral.pair_count).where(Referral.period_start == FROM)) == 55
        )

    def test_a_dry_run_writes_nothing(
        self, session: Session, practice: Practice, tmp_path: Path
    ) -> None:
        path = tmp_path / "2024.csv"
        path.write_text(practice.rows())
        job = run(session, path, dry_run=True)
        assert job.created == 4
        assert referrals(session) == []


class TestNetwork:
    def test_matched_pairs_become_referral_edges(
        self, session: Session, practice: Practice, tmp_path: Path
    ) -> None:
        path = tmp_path / "2024.csv"
        path.write_text(practice.rows())
        run(session, path)
        edges = EdgeBuilder(session, load_areas(session), colleague_max_members=50).referrals()
        pairs = set(zip(edges["source_id"].to_list(), edges["target_id"].to_list(), strict=True))
        assert pairs == {
            (practice.ames.id, practice.baker.id),
            (practice.ames.id, practice.cole.id),
            (practice.baker.id, practice.cole.id),
        }
