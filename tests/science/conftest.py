"""Fixtures for the science imports: the real PubMed and ClinicalTrials.gov files, a job
runner, and stakeholders to link to."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from accord.importer import service as import_service
from accord.importer.models import ImportJob
from accord.science.clinicaltrials import import_clinicaltrials
from accord.science.pubmed import import_pubmed
from accord.stakeholder import service as stakeholder_service
from accord.stakeholder.models import Stakeholder, StakeholderIdentifier
from accord.stakeholder.schemas import AddressIn, StakeholderCreate

SUBSET = "pubmed21n1298_us_clinical_subset.xml"
SINGLE = "pubmed-29768149.xml"


@pytest.fixture
def pubmed_dir(data_dir: Path) -> Path:
    return data_dir / "pubmed"


@pytest.fixture
def trials_dir(data_dir: Path) -> Path:
    return data_dir / "clinicaltrials-gov"


def run_pubmed(
    session: Session, path: Path, *, dry_run: bool = False, create_researchers: bool = False
) -> ImportJob:
    with import_service.run_job(session, kind="pubmed", path=path, dry_run=dry_run) as run:
        import_pubmed(run, path, create_researchers=create_researchers)
    return run.job


def run_trials(session: Session, path: Path, *, dry_run: bool = False) -> ImportJob:
    with import_service.run_job(session, kind="clinicaltrials", path=path, dry_run=dry_run) as run:
        import_clinicaltrials(run, path)
    return run.job


def make_person(
    session: Session,
    first: str,
    last: str,
    *,
    city: str = "Boston",
    state: str = "MA",
    orcid: str | None = None,
) -> Stakeholder:
    """An HCP practising in `city`, holding `orcid` if given."""
    person = stakeholder_service.create_stakeholder(
        session,
        None,
        StakeholderCreate(
            type="hcp",  # type: ignore[arg-type]
            first_name=first,
            last_name=last,
            credentials="MD",
            address=AddressIn(line1="1 Main St", city=city, state=state),
        ),
    )
    if orcid:
        session.add(
            StakeholderIdentifier(
                stakeholder_id=person.id,
                system="orcid",
                value=orcid,
                source="test",
                recorded_on=date(2026, 1, 1),
            )
        )
        session.flush()
    return person


def make_organization(session: Session, name: str, *, city: str, state: str) -> Stakeholder:
    return stakeholder_service.create_stakeholder(
        session,
        None,
        StakeholderCreate(
            type="hospital",  # type: ignore[arg-type]
            organization_name=name,
            address=AddressIn(line1="1 Hospital Dr", city=city, state=state),
        ),
    )


Person = Callable[..., Stakeholder]
