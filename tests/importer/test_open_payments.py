"""CMS Open Payments on the real Iowa files (../shared/data/open-payments): totals to the cent,
both kinds, matching by profile id and by name, and the spend report through its permission."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.importer import service as import_service
from accord.importer.models import ImportJob
from accord.importer.open_payments import cents, import_open_payments
from accord.payment.models import Payment
from accord.stakeholder.models import StakeholderIdentifier
from tests.factories import make_hcp

FOLDER = "open-payments"
GENERAL = "general_payments_IA_selected_physicians_PGYR2013-2015.csv"
RESEARCH_2013 = "research_payments_IA_PGYR2013.csv"


def run(session: Session, path: Path) -> ImportJob:
    with import_service.run_job(session, kind="open_payments", path=path) as job_run:
        import_open_payments(job_run, path)
    return job_run.job


def total(session: Session, **where: object) -> int:
    stmt = select(func.sum(Payment.amount_cents))
    for key, value in where.items():
        stmt = stmt.where(getattr(Payment, key) == value)
    return int(session.scalar(stmt) or 0)


@pytest.mark.parametrize(
    ("text", "value"), [("6270.00", 627000), ("0.01", 1), ("1,980.5", 198050), ("12", 1200)]
)
def test_amounts_are_exact_cents(text: str, value: int) -> None:
    assert cents(text) == value


class TestTheIowaFiles:
    def test_general_payments_add_up_to_the_cent_and_attach_by_profile_id(
        self, session: Session, data_dir: Path
    ) -> None:
        lockman = make_hcp(session, "Lockman", city="Des Moines", state="IA")
        session.add(
            StakeholderIdentifier(
                stakeholder_id=lockman.id,
                system="cms_profile_id",
                value="12",
                source="test",
                recorded_on=date(2026, 1, 1),
            )
        )
        session.flush()
        job = run(session, data_dir / FOLDER / GENERAL)
        assert (job.read, job.created, job.rejected) == (21_332, 21_332, 0)
        assert total(session, kind="general") == 333_015_810  # $3,330,158.10
        years = dict(
            session.execute(
                select(Payment.program_year, func.count()).group_by(Payment.program_year)
            ).all()
        )
        assert years == {2013: 3_175, 2014: 9_023, 2015: 9_134}
        assert total(session, stakeholder_id=lockman.id) == 2_744_090  # $27,440.90
        matched = session.scalar(select(func.count()).where(Payment.stakeholder_id == lockman.id))
        assert matched == 156
        again = run(session, data_dir / FOLDER / GENERAL)
        assert (again.created, again.updated, again.unchanged) == (0, 0, 21_332)

    def test_research_payments_in_the_old_layout(self, session: Session, data_dir: Path) -> None:
        job = run(session, data_dir / FOLDER / RESEARCH_2013)
        assert job.created == 1_794
        assert total(session, kind="research") == 742_145_145  # $7,421,451.45
        with_nct = session.scalar(
            select(func.count()).where(Payment.clinicaltrials_id.is_not(None))
        )
        assert with_nct == 360

    def test_a_file_that_is_not_open_payments_stops(self, session: Session, tmp_path: Path) -> None:
        path = tmp_path / "x.csv"
        path.write_text("Record_ID,amount\n1,2\n")
        with pytest.raises(import_service.BadFile) as caught:
            run(session, path)
        assert "not an Open Payments" in str(caught.value)

    def test_a_bad_amount_rejects_its_row_only(
        self, session: Session, data_dir: Path, tmp_path: Path
    ) -> None:
        lines = (data_dir / FOLDER / GENERAL).read_text().splitlines(keepends=True)[:4]
        lines[2] = lines[2].replace("1980.00", "19.805", 1)
        path = tmp_path / "three.csv"
        path.write_text("".join(lines))
        job = run(session, path)
        assert (job.created, job.rejected) == (2, 1)


class TestSpendReport:
    @pytest.fixture
    def loaded(self, session: Session, data_dir: Path) -> None:
        run(session, data_dir / FOLDER / GENERAL)

    def test_by_manufacturer_uses_the_cms_id_whatever_the_spelling(
        self,
        loaded: None,
        client: TestClient,
        api_as: Callable[[str], dict[str, str]],
    ) -> None:
        report = client.get(
            "/api/v1/reports/spend", params={"group_by": "manufacturer"}, headers=api_as("finance")
        ).json()
        assert report["total"] == "3330158.10"
        keys = [i["key"] for i in report["items"]]
        assert len(keys) == len(set(keys)) == 316
        by_year = client.get(
            "/api/v1/reports/spend",
            params={"group_by": "year", "format": "csv"},
            headers=api_as("compliance"),
        )
        assert by_year.headers["content-type"].startswith("text/csv")
        assert by_year.text.splitlines()[0] == "year,label,payments,total_usd"
        assert sum(float(line.split(",")[-1]) for line in by_year.text.splitlines()[1:]) == (
            pytest.approx(3330158.10)
        )

    def test_field_teams_get_403_with_the_reason(
        self, client: TestClient, api_as: Callable[[str], dict[str, str]]
    ) -> None:
        response = client.get("/api/v1/reports/spend", headers=api_as("rep"))
        assert response.status_code == 403
        assert "compliance and finance" in response.json()["detail"]

    def test_an_unknown_grouping_names_the_field(
        self, client: TestClient, api_as: Callable[[str], dict[str, str]]
    ) -> None:
        response = client.get(
            "/api/v1/reports/spend", params={"group_by": "color"}, headers=api_as("finance")
        )
        assert response.status_code == 400
        assert response.json()["field"] == "group_by"
