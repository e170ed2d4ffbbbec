"""The stewards' duplicate queue in headless Chromium: a data steward merges a pair, undoes it
and rejects another, each with a reason, without a page reload (HTMX)."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.audit.trail import Actor, set_actor
from accord.db.session import get_database, unit_of_work
from accord.matching.models import CandidateStatus, MatchCandidate
from accord.stakeholder import service as stakeholder_service
from accord.stakeholder.models import Stakeholder
from accord.stakeholder.schemas import AddressIn, StakeholderCreate
from tests.web.test_browser import browser, live_server, new_page, page, shot, sign_in

__all__ = ["browser", "live_server", "new_page", "page"]  # the shared browser fixtures


def _hcp(session: object, first: str, last: str, npi: str | None, line1: str) -> Stakeholder:
    return stakeholder_service.create_stakeholder(
        session,  # type: ignore[arg-type]
        None,
        StakeholderCreate(
            type="hcp",  # type: ignore[arg-type]
            first_name=first,
            last_name=last,
            credentials="MD",
            npi=npi,
            source="nppes" if npi else "event sign-in sheet",
            specialty="207RC0000X",
            address=AddressIn(line1=line1, city="Boston", state="MA", postal_code="02114"),
        ),
    )


@pytest.fixture(scope="module")
def queue(live_server: str) -> tuple[int, int]:
    """Two pending pairs in the live server's database, as the matcher leaves them."""
    with unit_of_work(get_database().session_factory) as session:
        set_actor(session, Actor(id=None, name="test"))
        ids = []
        for first, last, npi in (("Adaeze", "Okafor", "1234567893"), ("Lars", "Eklund", None)):
            registry = _hcp(session, first, last, npi, "55 Fruit St")
            again = _hcp(session, first, last, None, "55 Fruit Street")
            candidate = MatchCandidate(
                stakeholder_id=registry.id,
                other_id=again.id,
                probability=0.98 if npi else 0.91,
                weight=5.6 if npi else 3.3,
                fields={
                    "last_name": {"level": "exact", "weight": 11.2},
                    "credentials": {"level": "missing", "weight": 0.0},
                    "address": {"level": "ZIP", "weight": 8.8},
                    "sex": {"level": "different", "weight": -6.6},
                },
                status=CandidateStatus.pending,
            )
            session.add(candidate)
            session.flush()
            ids.append(candidate.id)
    return ids[0], ids[1]


def test_a_steward_walks_the_duplicate_queue(  # type: ignore[no-untyped-def]
    page, queue: tuple[int, int], tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    first, second = queue
    sign_in(page, "admin")
    page.goto("/stewardship")
    card = page.locator("#possible-duplicates")
    expect(card).to_contain_text("2 to decide")
    pair = card.locator(f'[data-match-candidate="{first}"]')
    expect(pair).to_contain_text("1234567893")
    expect(pair).to_contain_text("98.0%")
    expect(pair.locator(".badge--success").first).to_contain_text("last name: exact")
    expect(pair.locator(".badge--error")).to_contain_text("sex: different")
    shot(page, tmp_path, "duplicates-queue")

    pair.get_by_label(f"Reason for pair {first}").fill("same doctor, keyed in at an event")
    url = page.url
    pair.get_by_role("button", name="Merge").click()
    expect(page.locator("#duplicates")).to_contain_text("Merged stakeholder")
    assert page.url == url  # swapped in place, no reload
    expect(page.locator(f'[data-match-candidate="{first}"]')).to_have_count(0)
    merges = page.locator("#merges")
    expect(merges).to_contain_text("same doctor, keyed in at an event")

    merges.get_by_label("Reason to undo merge", exact=False).first.fill("two doctors after all")
    merges.get_by_role("button", name="Undo merge").first.click()
    expect(page.locator("#duplicates")).to_contain_text("are apart again")

    other = page.locator(f'[data-match-candidate="{second}"]')
    other.get_by_label(f"Reason for pair {second}").fill("father and son")
    other.get_by_role("button", name="Not a duplicate").click()
    expect(page.locator("#duplicates")).to_contain_text(f"Marked pair {second}")
    expect(page.locator(f'[data-match-candidate="{second}"]')).to_have_count(0)
    shot(page, tmp_path, "duplicates-decided")


def test_the_field_never_sees_the_queue(page, queue: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "rep")
    response = page.goto("/stewardship")
    assert response is not None
    assert response.status == 403
