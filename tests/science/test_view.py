"""Research involvement on the stakeholder view, page and read API: trials and publications
in full, "is an investigator" as the summary, absent at none; 404 outside the territories."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.access.principal import Principal
from accord.audit.models import AuditEntry
from accord.science.models import TrialSiteInvestigator
from accord.stakeholder import view as stakeholder_view
from accord.stakeholder.models import Stakeholder
from tests.science.conftest import SUBSET, make_person, run_pubmed, run_trials

MATCH = "NCT02465060"


@pytest.fixture
def sequist(session: Session, trials_dir: Path) -> Stakeholder:
    """Lecia Sequist, Boston: principal investigator of NCI-MATCH at three Boston sites."""
    person = make_person(session, "Lecia", "Sequist", city="Boston", state="MA")
    run_trials(session, trials_dir / "legacy-xml" / f"{MATCH}.xml")
    return person


@pytest.fixture
def schnipper(session: Session, pubmed_dir: Path) -> Stakeholder:
    """Jeffrey Schnipper, Boston: an author of two articles in the PubMed subset."""
    person = make_person(session, "Jeffrey", "Schnipper", city="Boston", state="MA")
    run_pubmed(session, pubmed_dir / SUBSET)
    return person


def section(session: Session, who: Principal, sid: int) -> dict[str, object] | None:
    view = stakeholder_view.view_stakeholder(session, who, sid)
    return view["sections"].get("research_involvement")  # type: ignore[no-any-return]


class TestResearchInvolvementSection:
    def test_medical_sees_every_trial_role_with_site_phase_and_status(
        self, session: Session, persona: Callable[[str], Principal], sequist: Stakeholder
    ) -> None:
        body = section(session, persona("msl"), sequist.id)
        assert body is not None
        assert body["visibility"] == "full"
        assert (body["is_investigator"], body["trials"], body["publications"]) == (True, 1, 0)
        roles = body["trial_roles"]
        assert isinstance(roles, list)
        assert {r["site"]["facility"] for r in roles} == {
            "Beth Israel Deaconess Medical Center",
            "Dana-Farber Cancer Institute",
            "Massachusetts General Hospital Cancer Center",
        }
        assert {(r["nct_id"], r["role"], r["phase"], r["status"]) for r in roles} == {
            (MATCH, "PRINCIPAL_INVESTIGATOR", "PHASE2", "RECRUITING")
        }

    def test_publications_count_and_the_latest_are_listed(
        self, session: Session, persona: Callable[[str], Principal], schnipper: Stakeholder
    ) -> None:
        body = section(session, persona("research"), schnipper.id)
        assert body is not None
        assert (body["is_investigator"], body["publications"], body["trials"]) == (False, 2, 0)
        latest = body["latest_publications"]
        assert isinstance(latest, list)
        assert {p["pmid"] for p in latest} == {"33835314", "33932574"}
        assert {p["author_position"] for p in latest} == {10, 25}

    def test_commercial_sees_only_that_they_are_an_investigator(
        self, session: Session, persona: Callable[[str], Principal], sequist: Stakeholder
    ) -> None:
        body = section(session, persona("rep"), sequist.id)
        assert body is not None
        assert body["visibility"] == "summary"
        assert body["is_investigator"] is True
        assert "trial_roles" not in body
        assert "trials" not in body
        assert MATCH not in json.dumps(body)

    def test_market_access_does_not_see_the_section(
        self, session: Session, persona: Callable[[str], Principal], sequist: Stakeholder
    ) -> None:
        assert section(session, persona("access"), sequist.id) is None

    def test_a_stakeholder_without_research_has_no_section(
        self, session: Session, persona: Callable[[str], Principal], sequist: Stakeholder
    ) -> None:
        other = make_person(session, "Ada", "Nobody")
        assert section(session, persona("msl"), other.id) is None

    def test_compliance_reading_it_in_full_is_audited(
        self, session: Session, persona: Callable[[str], Principal], sequist: Stakeholder
    ) -> None:
        body = section(session, persona("compliance"), sequist.id)
        assert body is not None
        assert body["visibility"] == "full"
        reads = session.scalars(
            select(AuditEntry.field).where(
                AuditEntry.action == "read", AuditEntry.entity_id == str(sequist.id)
            )
        ).all()
        assert "research_involvement" in reads

    def test_an_unlinked_investigator_stays_on_the_trial(
        self, session: Session, sequist: Stakeholder
    ) -> None:
        names = session.scalars(
            select(TrialSiteInvestigator.name).where(TrialSiteInvestigator.stakeholder_id.is_(None))
        ).all()
        assert len(names) == 1_113 - 3


class TestStakeholderPage:
    def test_the_card_lists_the_trials_for_medical(
        self, web_as: Callable[[str], TestClient], sequist: Stakeholder
    ) -> None:
        page = web_as("msl").get(f"/stakeholders/{sequist.id}")
        assert page.status_code == 200
        assert 'data-section="research_involvement"' in page.text
        assert MATCH in page.text
        assert "Dana-Farber Cancer Institute" in page.text

    def test_the_card_says_why_commercial_sees_less(
        self, web_as: Callable[[str], TestClient], sequist: Stakeholder
    ) -> None:
        page = web_as("rep").get(f"/stakeholders/{sequist.id}")
        assert 'data-lock="research_involvement"' in page.text
        assert "Investigator" in page.text
        assert MATCH not in page.text

    def test_the_card_comes_after_insights_and_before_payments(
        self, web_as: Callable[[str], TestClient], sequist: Stakeholder
    ) -> None:
        text = web_as("msl").get(f"/stakeholders/{sequist.id}").text
        assert text.index('id="research_involvement"') > text.index('id="requests_existence"')


class TestReadApi:
    def test_trials_for_medical(
        self,
        client: TestClient,
        api_as: Callable[[str], dict[str, str]],
        sequist: Stakeholder,
    ) -> None:
        response = client.get(
            "/api/v1/trials", params={"stakeholder_id": sequist.id}, headers=api_as("msl")
        )
        assert response.status_code == 200, response.text
        items = response.json()["items"]
        assert len(items) == 3
        assert {i["nct_id"] for i in items} == {MATCH}

    def test_publications_for_research(
        self,
        client: TestClient,
        api_as: Callable[[str], dict[str, str]],
        schnipper: Stakeholder,
    ) -> None:
        response = client.get(
            "/api/v1/publications",
            params={"stakeholder_id": schnipper.id},
            headers=api_as("research"),
        )
        assert response.status_code == 200, response.text
        # June 2021 issue first, then 28 April 2021
        assert [i["pmid"] for i in response.json()["items"]] == ["33835314", "33932574"]

    def test_a_summary_viewer_gets_403_with_the_reason(
        self,
        client: TestClient,
        api_as: Callable[[str], dict[str, str]],
        sequist: Stakeholder,
    ) -> None:
        response = client.get(
            "/api/v1/trials", params={"stakeholder_id": sequist.id}, headers=api_as("rep")
        )
        assert response.status_code == 403
        assert "research_involvement" in response.json()["detail"]

    def test_outside_the_territories_is_404(
        self,
        client: TestClient,
        api_as: Callable[[str], dict[str, str]],
        sequist: Stakeholder,
    ) -> None:
        for path in ("/api/v1/trials", "/api/v1/publications"):
            response = client.get(
                path, params={"stakeholder_id": sequist.id}, headers=api_as("rep_west")
            )
            assert response.status_code == 404
