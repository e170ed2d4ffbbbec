"""The home page shows each function its own work and its territory's, through the gate."""

from __future__ import annotations

from collections.abc import Callable

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
from accord.stakeholder.models import Tier
from tests.factories import days_ago, make_hcp

Persona = Callable[[str], Principal]
Web = Callable[[str], TestClient]


def panel(html: str, key: str) -> str:
    start = html.index(f'data-panel="{key}"')
    return html[start : html.index("</section>", start)]


def test_medical_sees_open_requests_due_without_their_question(
    session: Session, persona: Persona, web_as: Web
) -> None:
    boston = make_hcp(session, "Quill", products=("LPT",))
    seattle = make_hcp(session, "Rainier", city="Seattle", state="WA")
    for stakeholder in (boston, seattle):
        request_service.create_request(
            session,
            persona("access"),
            stakeholder.id,
            RequestCreate.model_validate(
                {"kind": "mir", "question": "HIDDEN-QUESTION", "received_at": days_ago(12)}
            ),
        )
    html = web_as("msl").get("/").text
    requests = panel(html, "open_requests")
    assert "Test Quill, MD" in requests
    assert "Overdue" in requests
    assert "Rainier" not in requests
    assert "HIDDEN-QUESTION" not in html


def test_a_rep_sees_the_week_and_top_stakeholders(
    session: Session, persona: Persona, web_as: Web
) -> None:
    boston = make_hcp(session, "Sorrel", products=("LPT",))
    boston.tier = Tier.national
    session.flush()
    interaction_service.record_interaction(
        session,
        persona("rep"),
        boston.id,
        InteractionCreate.model_validate({"channel": "phone", "occurred_at": days_ago(1)}),
    )
    html = web_as("rep").get("/").text
    assert "Test Sorrel, MD" in panel(html, "calls")
    top = panel(html, "top_stakeholders")
    assert "Test Sorrel, MD" in top
    assert "National" in top
    assert "Sorrel" not in web_as("rep_west").get("/").text


def test_compliance_sees_recent_withdrawals_and_msl_own_insights(
    session: Session, persona: Persona, web_as: Web
) -> None:
    boston = make_hcp(session, "Tamsin")
    consent_service.record_consent(
        session,
        persona("rep"),
        boston.id,
        ConsentCreate.model_validate(
            {
                "channel": "email",
                "purpose": "promotional",
                "status": "withdrawn",
                "source": "unsubscribe link",
            }
        ),
    )
    insight_service.record_insight(
        session, persona("msl"), boston.id, InsightCreate(text="Prefers outcome data")
    )
    assert "Test Tamsin, MD" in panel(web_as("compliance").get("/").text, "consents")
    assert "Prefers outcome data" in panel(web_as("msl").get("/").text, "insights")
    assert "Prefers outcome data" not in web_as("meddir").get("/").text


def test_top_stakeholders_follow_the_network_once_it_is_computed(
    session: Session, web_as: Web
) -> None:
    from tests.network.graph import computed_graph

    graph = computed_graph(session)  # Ames speaks at a national congress: national
    recorded = make_hcp(session, "Quince")
    recorded.tier = Tier.national  # a tier recorded by hand, not in the snapshot
    session.flush()
    top = panel(web_as("rep").get("/").text, "top_stakeholders")
    assert graph.ames.name in top
    assert "National" in top
    assert "Quince" not in top
