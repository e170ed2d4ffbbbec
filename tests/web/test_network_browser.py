"""The influence network in headless Chromium, as an MSL uses it between two meetings: the
pyramid, a tier's top stakeholders, a stakeholder's network card and the ego-network explorer
(relation types toggled in place, a node clicked through to its page); finance sees names and
tiers only; the pages fit a 1024 px iPad."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from accord.audit.trail import Actor, set_actor
from accord.db.session import get_database, unit_of_work
from tests.network.graph import computed_graph
from tests.web.test_browser import (
    _overflowing,
    browser,
    live_server,
    new_page,
    page,
    shot,
    sign_in,
)

__all__ = ["browser", "live_server", "new_page", "page"]  # the shared browser fixtures

IPAD = {"width": 1024, "height": 768}


@pytest.fixture(scope="module")
def network(live_server: str) -> dict[str, int]:
    """The test graph with its first snapshot, in the live server's database."""
    with unit_of_work(get_database().session_factory) as session:
        set_actor(session, Actor(id=None, name="test"))
        graph = computed_graph(session)
        return {
            "ames": graph.ames.id,
            "baker": graph.baker.id,
            "cole": graph.cole.id,
            "west": graph.west.id,
            "fenway": graph.fenway.id,
        }


def test_msl_walks_from_the_pyramid_to_a_stakeholder_through_the_explorer(  # type: ignore[no-untyped-def]
    page, live_server: str, network: dict[str, int], tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    sign_in(page, "msl")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Network").click()
    expect(page).to_have_title(re.compile(r"^Network · Accord"))
    pyramid = page.locator(".pyramid")
    expect(pyramid.locator(".pyramid__tier")).to_have_count(4)
    expect(pyramid.locator('[data-tier="national"] .pyramid__count')).to_have_text("1")
    widths = pyramid.locator(".pyramid__bar").evaluate_all(
        "els => els.map(e => e.getBoundingClientRect().width)"
    )
    assert widths == sorted(widths), widths  # global on top, narrowest
    shot(page, tmp_path, "network-pyramid")

    # a tier opens its top stakeholders, the filter in the URL
    pyramid.locator('[data-tier="national"] .pyramid__bar').click()
    expect(page).to_have_url(re.compile(r"/network/top\?tier=national$"))
    table = page.locator("#top-table")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("Test Ames, MD")
    expect(table).to_contain_text("speaker at 1 national event")
    shot(page, tmp_path, "network-top-national")

    # the tier filter swaps the results in place (htmx) and keeps the URL shareable
    page.get_by_label("Tier").select_option("")
    expect(page).to_have_url(re.compile(r"/network/top$"))
    expect(table.locator("tbody tr")).to_have_count(4)  # West is outside the Northeast
    expect(table).not_to_contain_text("Test West")

    # the stakeholder's network card leads to the explorer
    table.get_by_role("link", name="Test Ames, MD").click()
    card = page.locator("#network")
    expect(card).to_contain_text("Why this tier")
    expect(card).to_contain_text("speaker at 1 national event")
    card.scroll_into_view_if_needed()
    shot(page, tmp_path, "network-card-msl")
    card.get_by_role("link", name="Explore the network").click()
    expect(page).to_have_url(f"{live_server}/stakeholders/{network['ames']}/network")
    explorer = page.locator("[data-explorer]")
    expect(explorer).to_have_attribute("data-ready", "true")
    status = page.locator("#explorer-status")
    expect(status).to_have_text("3 related stakeholders · 6 relations")
    expect(page.locator("#explorer-hidden")).to_contain_text("1 more relation is")
    shot(page, tmp_path, "network-explorer")

    # relation types are hidden in place: without colleagues, talks and memberships only the
    # referral from Cole remains, and Baker and the hospital leave the drawing and the list
    for label in ("Colleagues", "Spoke to", "Member of"):
        explorer.get_by_role("checkbox", name=re.compile(rf"^{label}")).uncheck()
    expect(status).to_have_text("1 related stakeholder · 1 relation")
    # Cytoscape recomputes styles lazily after a batch, so ":visible" is waited for, not read once
    page.wait_for_function(
        "window.accordExplorer.edges(':visible').map(e => e.data('type')).join() === 'referral'"
    )
    hidden = page.evaluate("window.accordExplorer.edges('.hidden').map(e => e.data('type')).sort()")
    assert "referral" not in hidden, hidden
    assert len(hidden) == 5, hidden
    expect(page.locator(f'#explorer-rows tr[data-node="{network["baker"]}"]')).to_be_hidden()
    expect(page.locator(f'#explorer-rows tr[data-node="{network["cole"]}"]')).to_be_visible()
    shot(page, tmp_path, "network-explorer-referrals")

    # depth 2 refetches the JSON API and keeps the URL in step
    explorer.get_by_label("And their relations").check()
    expect(page).to_have_url(re.compile(r"depth=2"))
    expect(explorer).to_have_attribute("data-depth", "2")

    # a node clicked opens that stakeholder's page
    page.locator("#cy").scroll_into_view_if_needed()
    point = page.evaluate(
        """id => { const n = window.accordExplorer.getElementById(String(id));
                   const box = document.getElementById('cy').getBoundingClientRect();
                   const p = n.renderedPosition();
                   return {x: box.left + p.x, y: box.top + p.y}; }""",
        network["cole"],
    )
    page.mouse.click(point["x"], point["y"])
    expect(page).to_have_url(f"{live_server}/stakeholders/{network['cole']}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Test Cole, MD")


def test_finance_sees_names_and_tiers_and_no_relations(  # type: ignore[no-untyped-def]
    page, network: dict[str, int], tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    sign_in(page, "finance")
    page.goto("/network/top")
    table = page.locator("#top-table")
    expect(table).to_contain_text("Test Ames, MD")
    expect(table.locator("thead")).not_to_contain_text("Evidence")
    expect(page.locator('[data-lock="network"]')).to_be_visible()
    shot(page, tmp_path, "network-top-finance")
    page.goto(f"/stakeholders/{network['ames']}")
    card = page.locator("#network")
    expect(card.locator(".lock-note")).to_contain_text("you see the tier and influence score only")
    expect(card.get_by_role("link", name="Explore the network")).to_have_count(0)
    response = page.goto(f"/stakeholders/{network['ames']}/network")
    assert response is not None
    assert response.status == 403
    expect(page.locator(".error-page")).to_contain_text("network is summary for finance")


def test_the_network_pages_fit_an_ipad(  # type: ignore[no-untyped-def]
    new_page, network: dict[str, int], tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    ipad = new_page(IPAD)
    sign_in(ipad, "msl")
    for path, name in (
        ("/network", "pyramid"),
        ("/network/top", "top"),
        ("/network/communities", "communities"),
        (f"/stakeholders/{network['ames']}/network", "explorer"),
    ):
        ipad.goto(path)
        if name == "explorer":
            expect(ipad.locator("[data-explorer]")).to_have_attribute("data-ready", "true")
        assert _overflowing(ipad) == [], name
        shot(ipad, tmp_path, f"network-{name}-1024")
