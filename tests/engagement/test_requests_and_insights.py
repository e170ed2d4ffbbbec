"""Requests (MIRs answered by medical only, SLA due dates, existence vs content) and insights."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from accord.access.principal import Principal
from accord.errors import Forbidden, InvalidInput, NotFound, RuleViolation
from accord.insight import service as insight_service
from accord.insight.schemas import InsightCreate
from accord.request import service as request_service
from accord.request.schemas import RequestCreate, RequestUpdate
from accord.stakeholder import view as stakeholder_view
from accord.stakeholder.models import Stakeholder
from tests.factories import days_ago, make_hcp

Persona = Callable[[str], Principal]
QUESTION = "Can ONP be given to patients with stage 4 renal impairment? QPROBE"


@pytest.fixture
def boston(session: Session) -> Stakeholder:
    return make_hcp(session, products=("ONP",))


def mir(**extra: object) -> RequestCreate:
    return RequestCreate.model_validate(
        {"kind": "mir", "question": QUESTION, "product": "ONP", "off_label": True, **extra}
    )


class TestRequests:
    def test_a_mir_is_due_ten_days_after_receipt_and_handled_by_medical(
        self, session: Session, persona: Persona, boston: Stakeholder
    ) -> None:
        received = days_ago(2)
        request = request_service.create_request(
            session, persona("rep"), boston.id, mir(received_at=received)
        )
        assert request.handling_function == "medical"
        assert request.due_date == received.date() + timedelta(days=10)

    def test_a_commercial_user_cannot_record_a_mir_answer(
        self, session: Session, persona: Persona, boston: Stakeholder
    ) -> None:
        request = request_service.create_request(session, persona("rep"), boston.id, mir())
        with pytest.raises(Forbidden) as caught:
            request_service.update_request(
                session, persona("rep"), request.id, RequestUpdate(answer="Yes.")
            )
        assert "only medical handles a mir" in str(caught.value)

    def test_medical_answers_and_the_request_is_answered(
        self, session: Session, persona: Persona, boston: Stakeholder
    ) -> None:
        request = request_service.create_request(session, persona("rep"), boston.id, mir())
        answered = request_service.update_request(
            session, persona("msl"), request.id, RequestUpdate(answer="See the label, section 8.")
        )
        assert answered.status == "answered"
        assert answered.answered_by_id is not None
        with pytest.raises(RuleViolation):
            request_service.update_request(
                session, persona("msl"), request.id, RequestUpdate(answer="again")
            )

    def test_off_label_is_a_flag_of_mirs_only(
        self, session: Session, persona: Persona, boston: Stakeholder
    ) -> None:
        with pytest.raises(InvalidInput) as caught:
            request_service.create_request(
                session,
                persona("msl"),
                boston.id,
                RequestCreate.model_validate(
                    {"kind": "grant", "question": "CME grant", "off_label": True}
                ),
            )
        assert caught.value.field == "off_label"

    def test_an_iss_is_approved_or_declined_not_answered(
        self, session: Session, persona: Persona, boston: Stakeholder
    ) -> None:
        iss = request_service.create_request(
            session,
            persona("msl"),
            boston.id,
            RequestCreate.model_validate({"kind": "iss", "question": "A registry study"}),
        )
        with pytest.raises(InvalidInput) as caught:
            request_service.update_request(
                session, persona("msl"), iss.id, RequestUpdate(answer="ok")
            )
        assert caught.value.field == "answer"
        decided = request_service.update_request(
            session,
            persona("msl"),
            iss.id,
            RequestUpdate(status="approved"),  # type: ignore[arg-type]
        )
        assert decided.status == "approved"

    def test_a_request_out_of_territory_is_404(
        self, session: Session, persona: Persona, boston: Stakeholder
    ) -> None:
        request = request_service.create_request(session, persona("msl"), boston.id, mir())
        with pytest.raises(NotFound):
            request_service.get_request(session, persona("rep_west"), request.id)

    def test_commercial_learns_that_a_request_exists_not_what_it_asked(
        self, session: Session, persona: Persona, boston: Stakeholder
    ) -> None:
        request_service.create_request(session, persona("msl"), boston.id, mir())
        view = stakeholder_view.view_stakeholder(session, persona("salesmgr"), boston.id)
        existence = view["sections"]["requests_existence"]
        assert existence["open"] == 1
        assert existence["items"][0]["kind"] == "mir"
        assert "requests_content" not in view["sections"]
        assert "QPROBE" not in str(view)
        assert "ONP" not in str(existence)
        medical = stakeholder_view.view_stakeholder(session, persona("meddir"), boston.id)
        content = medical["sections"]["requests_content"]["items"][0]
        assert content["question"] == QUESTION
        assert content["off_label"] is True

    def test_the_rep_who_passed_the_question_on_sees_it(
        self, session: Session, persona: Persona, boston: Stakeholder
    ) -> None:
        request_service.create_request(session, persona("rep"), boston.id, mir())
        view = stakeholder_view.view_stakeholder(session, persona("rep"), boston.id)
        assert view["sections"]["requests_content"]["items"][0]["question"] == QUESTION

    def test_an_open_mir_makes_medical_the_next_to_engage(
        self, session: Session, persona: Persona, boston: Stakeholder
    ) -> None:
        request_service.create_request(session, persona("rep"), boston.id, mir())
        view = stakeholder_view.view_stakeholder(session, persona("rep"), boston.id)
        nxt = view["sections"]["engagement_status"]["next"]
        assert nxt["function"] == "medical"
        assert "medical information request is open" in nxt["reason"]
        assert "QPROBE" not in nxt["reason"]


class TestInsights:
    def test_medical_reads_insights_commercial_counts_them_finance_nothing(
        self, session: Session, persona: Persona, boston: Stakeholder
    ) -> None:
        insight_service.record_insight(
            session,
            persona("msl"),
            boston.id,
            InsightCreate(
                text="Worried about neutropenia IPROBE", topics=["safety"], product="ONP"
            ),
        )
        medical = stakeholder_view.view_stakeholder(session, persona("meddir"), boston.id)
        assert medical["sections"]["insights"]["items"][0]["topics"] == ["safety"]
        rep = stakeholder_view.view_stakeholder(session, persona("rep"), boston.id)
        assert rep["sections"]["insights"] == {
            "visibility": "summary",
            "reason": rep["sections"]["insights"]["reason"],
            "count": 1,
            "items": [],
        }
        finance = stakeholder_view.view_stakeholder(session, persona("finance"), boston.id)
        assert "insights" not in finance["sections"]
        assert "IPROBE" not in str(finance)

    def test_a_reported_coverage_change_makes_market_access_lead(
        self, session: Session, persona: Persona, boston: Stakeholder
    ) -> None:
        insight_service.record_insight(
            session,
            persona("access"),
            boston.id,
            InsightCreate(text="Plan moved ONP to tier 3", topics=["Formulary change"]),
        )
        view = stakeholder_view.view_stakeholder(session, persona("msl"), boston.id)
        assert view["sections"]["engagement_status"]["next"]["function"] == "market_access"
