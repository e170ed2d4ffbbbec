"""The network pages as the demo personas see them: the pyramid, the top stakeholders (swapped
by htmx), rising stars, communities, the explorer and the stakeholder page's network card."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.network.graph import Graph, computed_graph

Web = Callable[[str], TestClient]


@pytest.fixture
def graph(session: Session) -> Graph:
    built = computed_graph(session)
    session.commit()
    return built


def _nav(html: str) -> list[str]:
    nav = html[html.index('aria-label="Main"') :]
    nav = nav[: nav.index("</nav>")]
    return re.findall(r"<span>([^<]+)</span></a>", nav)


class TestNavigation:
    @pytest.mark.parametrize("username", ["msl", "rep", "compliance", "finance", "admin"])
    def test_every_function_finds_the_network(self, web_as: Web, username: str) -> None:
        labels = _nav(web_as(username).get("/").text)
        assert labels.index("Network") == labels.index("Stakeholders") + 1


class TestPyramid:
    def test_tiers_are_drawn_top_down_and_open_their_top_stakeholders(
        self, web_as: Web, graph: Graph
    ) -> None:
        page = web_as("msl").get("/network")
        assert page.status_code == 200
        tiers = re.findall(r'data-tier="(\w+)"', page.text)
        assert tiers == ["global", "national", "regional", "local"]
        assert 'href="/network/top?tier=national"' in page.text
        assert "Hcp 1" in page.text or "HCP 1" in page.text

    def test_the_area_stays_in_the_urls(self, web_as: Web, graph: Graph) -> None:
        page = web_as("msl").get("/network?therapeutic_area=CARDIO")
        assert page.status_code == 200
        assert 'href="/network/top?therapeutic_area=CARDIO&amp;tier=national"' in page.text
        assert 'href="/network/rising?therapeutic_area=CARDIO"' in page.text

    def test_an_unknown_area_is_said_beside_the_field(self, web_as: Web, graph: Graph) -> None:
        page = web_as("msl").get("/network?therapeutic_area=DERM")
        assert page.status_code == 400
        assert "Choose a therapeutic area from the list" in page.text

    def test_before_the_first_computation_it_says_what_to_do(self, web_as: Web) -> None:
        page = web_as("msl").get("/network")
        assert page.status_code == 200
        assert "has not been computed yet" in page.text


class TestTop:
    def test_msl_sees_influence_and_evidence(self, web_as: Web, graph: Graph) -> None:
        page = web_as("msl").get("/network/top")
        assert page.status_code == 200
        assert f'href="/stakeholders/{graph.ames.id}"' in page.text
        assert "Influence</th>" in page.text
        assert "speaker at 1 national event" in page.text
        assert "Test West" not in page.text  # Los Angeles, outside the Northeast

    def test_finance_sees_names_and_tiers_without_evidence(self, web_as: Web, graph: Graph) -> None:
        page = web_as("finance").get("/network/top")
        assert page.status_code == 200
        assert "Test Ames, MD" in page.text
        assert "tier--national" in page.text
        assert "speaker at 1 national event" not in page.text
        assert "Evidence</th>" not in page.text
        assert 'data-lock="network"' in page.text

    def test_htmx_filters_swap_only_the_results(self, web_as: Web, graph: Graph) -> None:
        fragment = web_as("msl").get("/network/top?tier=national", headers={"HX-Request": "true"})
        assert fragment.status_code == 200
        assert "<html" not in fragment.text
        assert 'id="top-table"' in fragment.text
        assert re.findall(r"tier tier--(\w+)", fragment.text) == ["national"]

    def test_an_unknown_tier_is_said_beside_the_field(self, web_as: Web, graph: Graph) -> None:
        page = web_as("msl").get("/network/top?tier=galactic")
        assert page.status_code == 400
        assert "Choose a tier from the list" in page.text


class TestRisingAndCommunities:
    def test_rising_stars_explain_that_one_snapshot_is_not_enough(
        self, web_as: Web, graph: Graph
    ) -> None:
        page = web_as("msl").get("/network/rising")
        assert page.status_code == 200
        assert "there is only one so far" in page.text

    def test_communities_link_to_their_members(self, web_as: Web, graph: Graph) -> None:
        web = web_as("msl")
        page = web.get("/network/communities")
        assert page.status_code == 200
        first = re.search(r'href="/network/communities/(\d+)"', page.text)
        assert first
        community = web.get(f"/network/communities/{first.group(1)}")
        assert community.status_code == 200
        assert "Members" in community.text
        assert "Test West" not in community.text

    def test_an_unknown_community_is_a_friendly_404(self, web_as: Web, graph: Graph) -> None:
        page = web_as("msl").get("/network/communities/9999")
        assert page.status_code == 404
        assert "no community 9999" in page.text


class TestExplorer:
    def test_msl_gets_the_drawing_with_the_page(self, web_as: Web, graph: Graph) -> None:
        page = web_as("msl").get(f"/stakeholders/{graph.ames.id}/network")
        assert page.status_code == 200
        assert "/static/vendor/cytoscape.min.js" in page.text
        raw = page.text.split('id="explorer-data">', 1)[1].split("</script>", 1)[0]
        data = json.loads(raw)
        assert data["stakeholder_id"] == graph.ames.id
        assert {e["type"] for e in data["edges"]} >= {"referral", "colleague"}
        assert 'value="referral" checked' in page.text
        assert f'<tr data-node="{graph.baker.id}">' in page.text

    def test_rep_west_gets_404_and_finance_403(self, web_as: Web, graph: Graph) -> None:
        assert web_as("rep_west").get(f"/stakeholders/{graph.ames.id}/network").status_code == 404
        refused = web_as("finance").get(f"/stakeholders/{graph.ames.id}/network")
        assert refused.status_code == 403
        assert "network is summary for finance" in refused.text

    def test_a_bad_depth_is_said_in_the_form(self, web_as: Web, graph: Graph) -> None:
        page = web_as("msl").get(f"/stakeholders/{graph.ames.id}/network?depth=3")
        assert page.status_code == 400
        assert "Choose depth 1 or 2" in page.text


class TestStakeholderNetworkCard:
    def test_msl_sees_the_whole_card_with_a_link_to_the_explorer(
        self, web_as: Web, graph: Graph
    ) -> None:
        page = web_as("msl").get(f"/stakeholders/{graph.ames.id}")
        card = page.text[page.text.index('id="network"') :]
        card = card[: card.index("</section>")]
        assert f'href="/stakeholders/{graph.ames.id}/network"' in card
        assert "Brokerage" in card
        assert "Why this tier" in card
        assert "speaker at 1 national event" in card
        assert 'data-lock="network"' not in card

    def test_finance_sees_tier_and_influence_under_a_lock_line(
        self, web_as: Web, graph: Graph
    ) -> None:
        page = web_as("finance").get(f"/stakeholders/{graph.ames.id}")
        card = page.text[page.text.index('id="network"') :]
        card = card[: card.index("</section>")]
        assert 'data-lock="network"' in card
        assert "you see the tier and influence score only" in card
        assert "Influence" in card
        assert "Brokerage" not in card
        assert "Explore the network" not in card
        assert "speaker at 1 national event" not in card
