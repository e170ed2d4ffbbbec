"""Consents (history, current state, proof), engagement status and channel preferences."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pydantic import ValidationError
from sqlalchemy.orm import Session

from accord.access.principal import Principal
from accord.consent import service as consent_service
from accord.consent.schemas import ConsentCreate
from accord.engagement import service as engagement_service
from accord.engagement.schemas import ChannelPreferenceCreate, EngagementStatusSet
from accord.errors import Forbidden
from accord.interaction import service as interaction_service
from accord.interaction.schemas import InteractionCreate
from accord.stakeholder import view as stakeholder_view
from accord.stakeholder.models import Stakeholder
from tests.factories import days_ago, make_hcp

Persona = Callable[[str], Principal]


@pytest.fixture
def boston(session: Session) -> Stakeholder:
    return make_hcp(session, products=("LPT",))


def consent(status: str, days: float, **extra: object) -> ConsentCreate:
    body = {
        "channel": "email",
        "purpose": "promotional",
        "status": status,
        "source": "signed form",
        "proof": "form 2291, scanned",
        "effective_at": days_ago(days),
        **extra,
    }
    return ConsentCreate.model_validate(body)


class TestConsents:
    def test_a_grant_needs_its_proof(self) -> None:
        with pytest.raises(ValidationError):
            consent("granted", 3, proof=None)

    def test_history_and_current_state(
        self, session: Session, persona: Persona, boston: Stakeholder
    ) -> None:
        consent_service.record_consent(session, persona("rep"), boston.id, consent("granted", 300))
        consent_service.record_consent(
            session, persona("rep"), boston.id, consent("withdrawn", 200)
        )
        view = stakeholder_view.view_stakeholder(session, persona("rep"), boston.id)
        section = view["sections"]["consents"]
        assert section["current"] == [
            {
                "channel": "email",
                "purpose": "promotional",
                "status": "withdrawn",
                "since": section["current"][0]["since"],
            }
        ]
        assert [h["status"] for h in section["history"]] == ["withdrawn", "granted"]
        assert section["history"][1]["proof"] == "form 2291, scanned"

    def test_finance_does_not_record_consents(
        self, session: Session, persona: Persona, boston: Stakeholder
    ) -> None:
        with pytest.raises(Forbidden):
            consent_service.record_consent(
                session, persona("finance"), boston.id, consent("granted", 1)
            )

    def test_a_recent_withdrawal_means_nobody_engages_next(
        self, session: Session, persona: Persona, boston: Stakeholder
    ) -> None:
        consent_service.record_consent(session, persona("rep"), boston.id, consent("withdrawn", 5))
        view = stakeholder_view.view_stakeholder(session, persona("msl"), boston.id)
        nxt = view["sections"]["engagement_status"]["next"]
        assert nxt["function"] is None
        assert "withdrawn" in nxt["reason"]


class TestEngagementStatus:
    def test_a_function_that_interacted_this_year_is_engaged(
        self, session: Session, persona: Persona, boston: Stakeholder
    ) -> None:
        interaction_service.record_interaction(
            session,
            persona("msl"),
            boston.id,
            InteractionCreate.model_validate({"channel": "phone", "occurred_at": days_ago(30)}),
        )
        engagement_service.set_status(
            session,
            persona("rep"),
            boston.id,
            EngagementStatusSet(status="collaborating", reason="speaker program faculty"),  # type: ignore[arg-type]
        )
        view = stakeholder_view.view_stakeholder(session, persona("msl"), boston.id)
        section = view["sections"]["engagement_status"]
        by_function = {f["function"]: f["status"] for f in section["functions"]}
        assert by_function == {
            "medical": "engaged",
            "commercial": "collaborating",
            "market_access": "not_engaged",
            "research": "not_engaged",
        }
        assert section["overall"] == "collaborating"
        assert section["next"]["function"] == "commercial"

    def test_do_not_contact_is_the_overall_status(
        self, session: Session, persona: Persona, boston: Stakeholder
    ) -> None:
        engagement_service.set_status(
            session,
            persona("access"),
            boston.id,
            EngagementStatusSet(status="do_not_contact", reason="asked by letter"),  # type: ignore[arg-type]
        )
        view = stakeholder_view.view_stakeholder(session, persona("rep"), boston.id)
        assert view["sections"]["engagement_status"]["overall"] == "do_not_contact"
        assert view["sections"]["engagement_status"]["next"]["function"] is None


class TestChannelPreferences:
    def test_stated_and_inferred_preferences(
        self, session: Session, persona: Persona, boston: Stakeholder
    ) -> None:
        engagement_service.record_preference(
            session,
            persona("msl"),
            boston.id,
            ChannelPreferenceCreate(
                channel="remote_meeting", preference="preferred", source="told the MSL"
            ),  # type: ignore[arg-type]
        )
        for days, outcome in (
            (3, "no_response"),
            (10, "no_response"),
            (20, "no_response"),
            (30, "no_response"),
            (40, "positive"),
        ):
            interaction_service.record_interaction(
                session,
                persona("rep"),
                boston.id,
                InteractionCreate.model_validate(
                    {"channel": "approved_email", "occurred_at": days_ago(days), "outcome": outcome}
                ),
            )
        view = stakeholder_view.view_stakeholder(session, persona("msl"), boston.id)
        prefs = view["sections"]["channel_preferences"]
        assert prefs["stated"][0]["channel"] == "remote_meeting"
        assert prefs["inferred"] == [
            {
                "channel": "approved_email",
                "preference": "avoid",
                "response_rate": 0.2,
                "attempts": 5,
            }
        ]
