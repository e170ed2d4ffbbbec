"""Search as you type and the stakeholder page, through the same gate as the API."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from accord.stakeholder import service as stakeholder_service
from accord.stakeholder.models import Stakeholder
from tests.stakeholder.test_service import VALID_NPI, hcp

Web = Callable[[str], TestClient]


@pytest.fixture
def boston(session: Session) -> Stakeholder:
    s = stakeholder_service.create_stakeholder(
        session, None, hcp("Quintero", "Boston", "MA", npi=VALID_NPI)
    )
    session.commit()
    return s


@pytest.fixture
def seattle(session: Session) -> Stakeholder:
    s = stakeholder_service.create_stakeholder(session, None, hcp("Quinlan", "Seattle", "WA"))
    session.commit()
    return s


class TestSearch:
    def test_finds_only_stakeholders_in_the_users_territories(
        self, web_as: Web, boston: Stakeholder, seattle: Stakeholder
    ) -> None:
        page = web_as("rep").get("/search?q=quin")
        assert page.status_code == 200
        assert "Test Quintero, MD" in page.text
        assert "Quinlan" not in page.text

    def test_results_as_you_type_are_a_fragment_of_links(
        self, web_as: Web, boston: Stakeholder, seattle: Stakeholder
    ) -> None:
        fragment = web_as("rep_west").get(
            "/search?q=quin", headers={"HX-Request": "true", "HX-Target": "search-results"}
        )
        assert fragment.status_code == 200
        assert "<html" not in fragment.text
        assert f'href="/stakeholders/{seattle.id}"' in fragment.text
        assert "Quintero" not in fragment.text

    def test_no_match_says_what_to_do(self, web_as: Web) -> None:
        page = web_as("rep").get("/search?q=zzzz")
        assert "No stakeholder found" in page.text


class TestStakeholderPage:
    def test_shows_identity_and_contact_to_the_rep(self, web_as: Web, boston: Stakeholder) -> None:
        page = web_as("rep").get(f"/stakeholders/{boston.id}")
        assert page.status_code == 200
        assert VALID_NPI in page.text
        assert 'data-section="contact"' in page.text
        assert "1 Main St" in page.text

    def test_finance_sees_no_contact_section_at_all(self, web_as: Web, boston: Stakeholder) -> None:
        page = web_as("finance").get(f"/stakeholders/{boston.id}")
        assert page.status_code == 200
        assert 'data-section="identity"' in page.text
        assert 'data-section="contact"' not in page.text
        assert "1 Main St" not in page.text

    def test_out_of_territory_is_404(self, web_as: Web, seattle: Stakeholder) -> None:
        page = web_as("rep").get(f"/stakeholders/{seattle.id}", headers={"accept": "text/html"})
        assert page.status_code == 404
        assert "Quinlan" not in page.text
