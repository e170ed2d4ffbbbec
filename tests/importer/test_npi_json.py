"""NPI Registry API responses (../shared/data/nppes-api-json), error and empty bodies included."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.importer import service as import_service
from accord.importer.models import ImportJob, ImportRowError
from accord.importer.npi_json import import_npi_json
from accord.stakeholder.models import (
    AuthorizedOfficial,
    StakeholderIdentifier,
    StakeholderKind,
)
from tests.importer.test_nppes import by_npi

FOLDER = "nppes-api-json"


def run(session: Session, path: Path) -> ImportJob:
    with import_service.run_job(session, kind="npi_json", path=path) as job_run:
        import_npi_json(job_run, path)
    return job_run.job


def test_every_file_imports_and_the_distinct_npis_add_up(session: Session, data_dir: Path) -> None:
    for path in sorted((data_dir / FOLDER).glob("*.json")):
        run(session, path)
    npis = session.scalar(
        select(func.count())
        .select_from(StakeholderIdentifier)
        .where(StakeholderIdentifier.system == "npi")
    )
    assert npis == 243
    first = by_npi(session, "1851713903")
    assert first.name == "Josefina Danwing, MSW"
    assert (first.city, first.state) == ("Hesperia", "CA")
    clinic = by_npi(session, "1225701881")
    assert clinic.kind == StakeholderKind.organization
    official = session.scalars(
        select(AuthorizedOfficial).where(AuthorizedOfficial.stakeholder_id == clinic.id)
    ).one()
    assert (official.last_name, official.title) == ("Marshall", "Dir Ins Cred & Payor Contracts")


def test_an_error_body_is_recorded_on_the_job_not_a_failure(
    session: Session, data_dir: Path
) -> None:
    job = run(session, data_dir / FOLDER / "ropensci-npi_api-8d2d52.json")
    assert (job.read, job.created, job.rejected) == (0, 0, 0)
    error = session.scalars(select(ImportRowError).where(ImportRowError.job_id == job.id)).one()
    assert error.value == "04"
    assert "No valid search criteria provided" in error.reason


def test_an_empty_result_reads_nothing(session: Session, data_dir: Path) -> None:
    job = run(session, data_dir / FOLDER / "ropensci-npi_api-a2f836.json")
    assert (job.read, job.created) == (0, 0)


def test_the_same_response_twice_changes_nothing(session: Session, data_dir: Path) -> None:
    path = data_dir / FOLDER / "ropensci-npi_api-f62abe.json"
    run(session, path)
    again = run(session, path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)


@pytest.mark.parametrize(
    ("content", "says"),
    [("not json", "is not JSON"), ('{"hello": 1}', "not an NPI Registry API response")],
)
def test_a_file_that_is_no_response_stops(
    session: Session, tmp_path: Path, content: str, says: str
) -> None:
    path = tmp_path / "x.json"
    path.write_text(content)
    with pytest.raises(import_service.BadFile) as caught:
        run(session, path)
    assert says in str(caught.value)
