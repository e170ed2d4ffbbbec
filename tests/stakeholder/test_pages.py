"""Search as you type and the stakeholder page, through the same gate as the API."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from accord.access.principal import Principal
from accord.consent import service as consent_service
from accord.consent.schemas import ConsentCreate
from accord.insight import service as insight_service
from accord.insight.schemas import InsightCreate
from accord.interaction import service as interaction_service
from accord.interaction.schemas import InteractionCreate
from accord.request import service as request_service
from accord.request.schemas import RequestCreate
from accord.stakeholder import service as stakeholder_service
from accord.stakeholder.models import Stakeholder
from tests.factories import days_ago, make_hcp, relate
from tests.stakeholder.test_service import VALID_NPI, hcp

Web = Callable[[str], TestClient]
Persona = Callable[[str], Principal]


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


# --- the 360 view, persona by persona -------------------------------------------------------

MED_NOTE = "MED-NOTE discussed renal dosing"
REP_NOTE = "REP-NOTE left the leaflet"
QUESTION = "QUESTION about off-label use in children?"
INSIGHT = "INSIGHT-TEXT statin intolerance"


def _call(channel: str = "in_person", days: float = 3, **extra: object) -> InteractionCreate:
    return InteractionCreate.model_validate(
        {"channel": channel, "occurred_at": days_ago(days), **extra}
    )


@pytest.fixture
def engaged(session: Session, persona: Persona) -> Stakeholder:
    """Met by medical and by sales, with a withdrawn consent, a MIR and an insight."""
    s = make_hcp(session, "Okonkwo", products=("LPT",))
    msl, rep = persona("msl"), persona("rep")
    interaction_service.record_interaction(
        session, msl, s.id, _call(days=40, products=["LPT"], topics=["TOPIC-renal"], notes=MED_NOTE)
    )
    interaction_service.record_interaction(session, rep, s.id, _call("phone", 5, notes=REP_NOTE))
    request_service.create_request(
        session,
        msl,
        s.id,
        RequestCreate.model_validate(
            {"kind": "mir", "question": QUESTION, "product": "LPT", "off_label": True}
        ),
    )
    insight_service.record_insight(
        session, msl, s.id, InsightCreate.model_validate({"text": INSIGHT, "product": "LPT"})
    )
    consent_service.record_consent(
        session,
        rep,
        s.id,
        ConsentCreate.model_validate(
            {
                "channel": "email",
                "purpose": "promotional",
                "status": "withdrawn",
                "source": "phone call",
                "effective_at": days_ago(200),
            }
        ),
    )
    session.commit()
    return s


def sections_on(html: str) -> list[str]:
    return re.findall(r'data-section="([a-z_]+)"', html)


class TestThe360View:
    def test_medical_reads_notes_questions_and_insights(
        self, web_as: Web, engaged: Stakeholder
    ) -> None:
        page = web_as("meddir").get(f"/stakeholders/{engaged.id}")
        assert page.status_code == 200
        assert "<title>Test Okonkwo, MD · Accord</title>" in page.text
        for text in (MED_NOTE, QUESTION, INSIGHT, "Off-label"):
            assert text in page.text
        # sales activity reaches medical as counts only, with the lock line and its reason
        assert REP_NOTE not in page.text
        assert 'data-lock="activities_commercial"' in page.text
        assert "Sales detail is visible to sales &amp; marketing; you see counts only" in page.text
        assert "rule activities_commercial.medical" in page.text

    def test_sections_come_in_their_fixed_order(self, web_as: Web, engaged: Stakeholder) -> None:
        page = web_as("meddir").get(f"/stakeholders/{engaged.id}")
        order = [s for s in dict.fromkeys(sections_on(page.text))]
        assert order == [
            "identity",
            "engagement_status",
            "channel_preferences",
            "consents",
            "timeline",
            "activities_medical",
            "activities_commercial",
            "activities_market_access",
            "requests_existence",
            "requests_content",
            "insights",
            "network",
            "contact",
            "organizational_status",
        ]

    def test_a_sales_manager_sees_that_medical_engaged_not_what_was_said(
        self, web_as: Web, engaged: Stakeholder
    ) -> None:
        page = web_as("salesmgr").get(f"/stakeholders/{engaged.id}")
        assert page.status_code == 200
        assert REP_NOTE in page.text  # the team's own timeline
        assert "Medical detail is visible to medical affairs; you see counts only" in page.text
        medical = page.text.split('data-section="activities_medical"', 1)[1].split("</section>")[0]
        assert re.search(r"<dd data-total>1</dd>", medical)
        for secret in (MED_NOTE, QUESTION, INSIGHT, "TOPIC-renal"):
            assert secret not in page.text
        assert 'data-section="requests_content"' not in page.text
        assert "never what they ask" in page.text  # requests as existence only
        assert "you see the count only" in page.text  # insights as a count

    def test_finance_sees_identity_and_the_network_summary_only(
        self, web_as: Web, engaged: Stakeholder
    ) -> None:
        page = web_as("finance").get(f"/stakeholders/{engaged.id}")
        assert page.status_code == 200
        assert set(sections_on(page.text)) == {"identity", "network"}
        # absent sections leave no gap and no lock line; the network (summary) says so
        assert re.findall(r'data-lock="([a-z_]+)"', page.text) == ["network"]
        assert "you see the tier and influence score only" in page.text
        assert "Log interaction" not in page.text
        assert "1 Main St" not in page.text
        assert "should engage next" not in page.text

    def test_out_of_territory_is_404(self, web_as: Web, engaged: Stakeholder) -> None:
        client = web_as("rep_west")
        assert client.get(f"/stakeholders/{engaged.id}").status_code == 404
        timeline = client.get(
            f"/stakeholders/{engaged.id}/timeline", headers={"HX-Request": "true"}
        )
        assert timeline.status_code == 404
        assert MED_NOTE not in timeline.text

    def test_a_section_at_none_is_not_shown(
        self, session: Session, web_as: Web, engaged: Stakeholder
    ) -> None:
        relate(session, engaged, "CVX-201")  # investigational: medical activity is none for sales
        session.commit()
        page = web_as("rep").get(f"/stakeholders/{engaged.id}")
        assert 'data-section="activities_medical"' not in page.text
        assert "Medical activities" not in page.text

    def test_the_header_says_who_should_engage_next(
        self, web_as: Web, engaged: Stakeholder
    ) -> None:
        page = web_as("rep").get(f"/stakeholders/{engaged.id}")
        header = page.text.split('<header class="card profile"', 1)[1].split("</header>")[0]
        assert "Cardiovascular Disease Physician" in header
        assert "Boston, MA" in header
        assert (
            "Medical affairs should engage next</strong>: a medical information request" in header
        )
        assert 'data-status="engaged"' in header

    def test_consent_chips_carry_their_date(self, web_as: Web, engaged: Stakeholder) -> None:
        page = web_as("rep").get(f"/stakeholders/{engaged.id}")
        withdrawn = re.search(r'<span class="chip chip--withdrawn" title="([^"]+)"', page.text)
        assert withdrawn is not None
        assert re.fullmatch(r"Withdrawn on \d\d \w{3} \d{4} \(phone call\)", withdrawn.group(1))
        assert 'title="No consent on record" data-consent="unknown"' in page.text


class TestTimeline:
    def test_filters_swap_a_fragment_and_push_the_page_url(
        self, web_as: Web, engaged: Stakeholder
    ) -> None:
        fragment = web_as("compliance").get(
            f"/stakeholders/{engaged.id}/timeline?channel=phone&function=&product=&since=&until=",
            headers={"HX-Request": "true"},
        )
        assert fragment.status_code == 200
        assert "<html" not in fragment.text
        assert fragment.headers["HX-Push-Url"] == f"/stakeholders/{engaged.id}?channel=phone"
        assert REP_NOTE in fragment.text
        assert MED_NOTE not in fragment.text

    def test_a_filtered_url_renders_the_whole_page_filtered(
        self, web_as: Web, engaged: Stakeholder
    ) -> None:
        page = web_as("compliance").get(f"/stakeholders/{engaged.id}?function=medical")
        assert page.status_code == 200
        assert MED_NOTE in page.text
        assert REP_NOTE not in page.text
        assert '<option value="medical" selected>' in page.text

    def test_without_htmx_the_fragment_url_opens_the_page(
        self, web_as: Web, engaged: Stakeholder
    ) -> None:
        response = web_as("msl").get(
            f"/stakeholders/{engaged.id}/timeline?product=LPT", follow_redirects=False
        )
        assert response.status_code == 303
        assert response.headers["location"] == f"/stakeholders/{engaged.id}?product=LPT#timeline"

    def test_a_bad_date_is_named_beside_its_field(self, web_as: Web, engaged: Stakeholder) -> None:
        page = web_as("msl").get(f"/stakeholders/{engaged.id}?since=yesterday")
        assert page.status_code == 400
        assert "From must be a date such as 2026-11-23" in page.text
        assert 'id="tl-since" name="since" value="yesterday" aria-invalid="true"' in page.text

    def test_show_more_continues_from_the_cursor(
        self, session: Session, persona: Persona, web_as: Web
    ) -> None:
        s = make_hcp(session, "Paging")
        for day in range(1, 26):
            interaction_service.record_interaction(
                session, persona("msl"), s.id, _call("email", day, notes=f"N{day:02d}")
            )
        session.commit()
        client = web_as("msl")
        page = client.get(f"/stakeholders/{s.id}")
        assert page.text.count('class="timeline__item') == 20
        link = re.search(r'hx-get="(/stakeholders/\d+/timeline\?cursor=[^"]+)"', page.text)
        assert link is not None
        more = client.get(link.group(1).replace("&amp;", "&"), headers={"HX-Request": "true"})
        assert more.status_code == 200
        assert "HX-Push-Url" not in more.headers  # appending does not change the address
        assert more.text.count('class="timeline__item') == 5
        assert "N25" in more.text
        assert "N20" not in more.text
        assert "Show more" not in more.text


class TestLogInteraction:
    def test_logs_and_returns_to_the_timeline(
        self, session: Session, web_as: Web, engaged: Stakeholder
    ) -> None:
        client = web_as("msl")
        response = client.post(
            f"/stakeholders/{engaged.id}/interactions",
            data={
                "csrf_token": client.csrf,  # type: ignore[attr-defined]
                "channel": "remote_meeting",
                "occurred_at": days_ago(1).strftime("%Y-%m-%dT%H:%M"),
                "outcome": "positive",
                "products": "LPT",
                "topics": "renal, dosing",
                "notes": "LOGGED-FROM-THE-PAGE",
            },
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        assert response.headers["location"] == f"/stakeholders/{engaged.id}"
        page = client.get(f"/stakeholders/{engaged.id}")
        assert "LOGGED-FROM-THE-PAGE" in page.text
        assert "Remote meeting interaction logged; it is first on the timeline" in page.text

    def test_a_missing_channel_is_named_beside_the_field(
        self, web_as: Web, engaged: Stakeholder
    ) -> None:
        client = web_as("msl")
        page = client.post(
            f"/stakeholders/{engaged.id}/interactions",
            data={"csrf_token": client.csrf, "occurred_at": "", "notes": "kept"},  # type: ignore[attr-defined]
        )
        assert page.status_code == 400
        assert "Choose how you met or contacted the stakeholder" in page.text
        assert "Enter when it happened" in page.text
        assert ">kept</textarea>" in page.text
        assert '<details class="log-form" open>' in page.text

    def test_a_withdrawn_consent_refuses_the_email_beside_the_channel(
        self, web_as: Web, engaged: Stakeholder
    ) -> None:
        client = web_as("rep")
        page = client.post(
            f"/stakeholders/{engaged.id}/interactions",
            data={
                "csrf_token": client.csrf,  # type: ignore[attr-defined]
                "channel": "approved_email",
                "occurred_at": days_ago(0.1).strftime("%Y-%m-%dT%H:%M"),
            },
        )
        assert page.status_code == 422
        error = page.text.split('id="f-channel-error"', 1)[1].split("</p>")[0]
        assert "withdrew email consent for promotional" in error

    def test_a_rep_may_not_name_an_investigational_product(
        self, web_as: Web, engaged: Stakeholder
    ) -> None:
        client = web_as("rep")
        page = client.post(
            f"/stakeholders/{engaged.id}/interactions",
            data={
                "csrf_token": client.csrf,  # type: ignore[attr-defined]
                "channel": "in_person",
                "occurred_at": days_ago(0.1).strftime("%Y-%m-%dT%H:%M"),
                "products": ["LPT", "CVX-201"],
            },
        )
        assert page.status_code == 422
        assert 'id="f-products-error"' in page.text
        assert "21 CFR 312.7" in page.text

    def test_without_the_csrf_token_nothing_is_logged(
        self, web_as: Web, engaged: Stakeholder
    ) -> None:
        client = web_as("msl")
        response = client.post(
            f"/stakeholders/{engaged.id}/interactions",
            data={"channel": "phone", "occurred_at": days_ago(1).strftime("%Y-%m-%dT%H:%M")},
        )
        assert response.status_code == 403


class TestStakeholderList:
    def test_filters_stay_in_the_url_and_the_export_follows_them(
        self, session: Session, web_as: Callable[[str], TestClient]
    ) -> None:
        make_hcp(session, "Listwell")
        make_hcp(session, "Farwest", city="Seattle", state="WA")
        page = web_as("rep").get("/stakeholders", params={"q": "list", "state": "MA"})
        assert page.status_code == 200
        assert "Test Listwell, MD" in page.text
        assert "/api/v1/stakeholders/export?q=list&amp;state=MA&amp;format=csv" in page.text
        assert "Farwest" not in web_as("rep").get("/stakeholders").text

    def test_a_bad_tier_is_named_not_a_500(self, web_as: Callable[[str], TestClient]) -> None:
        page = web_as("msl").get("/stakeholders", params={"tier": "galactic"})
        assert page.status_code == 400
        assert "choose a type and a tier" in page.text

    def test_every_function_finds_the_list_in_the_navigation(
        self, web_as: Callable[[str], TestClient]
    ) -> None:
        assert 'href="/stakeholders"' in web_as("finance").get("/").text
