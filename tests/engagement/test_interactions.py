"""Recording interactions: consent, do-not-contact and pre-approval rules, then reading them
back through each viewer's lens."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from accord.access.principal import Principal
from accord.consent import service as consent_service
from accord.consent.schemas import ConsentCreate
from accord.engagement import service as engagement_service
from accord.engagement.schemas import EngagementStatusSet
from accord.errors import Forbidden, InvalidInput, NotFound, RuleViolation
from accord.interaction import service as interaction_service
from accord.interaction.models import Purpose
from accord.interaction.schemas import InteractionCreate
from accord.stakeholder import view as stakeholder_view
from accord.stakeholder.models import Stakeholder
from tests.factories import days_ago, make_hcp

Persona = Callable[[str], Principal]


def call(channel: str = "in_person", days: float = 3, **extra: object) -> InteractionCreate:
    return InteractionCreate.model_validate(
        {"channel": channel, "occurred_at": days_ago(days), **extra}
    )


@pytest.fixture
def boston(session: Session) -> Stakeholder:
    return make_hcp(session, products=("LPT",))


def withdraw(session: Session, who: Principal, s: Stakeholder, channel: str, purpose: str) -> None:
    consent_service.record_consent(
        session,
        who,
        s.id,
        ConsentCreate.model_validate(
            {
                "channel": channel,
                "purpose": purpose,
                "status": "withdrawn",
                "source": "phone call",
                "effective_at": days_ago(10),
            }
        ),
    )


class TestRecordInteraction:
    def test_the_owner_function_and_default_purpose_are_recorded(
        self, session: Session, persona: Persona, boston: Stakeholder
    ) -> None:
        done = interaction_service.record_interaction(
            session, persona("msl"), boston.id, call(products=["LPT"], topics=["dosing"])
        )
        assert done.function == "medical"
        assert done.purpose == Purpose.scientific
        assert done.topics == ["dosing"]

    def test_an_email_after_email_consent_was_withdrawn_is_refused(
        self, session: Session, persona: Persona, boston: Stakeholder
    ) -> None:
        withdraw(session, persona("rep"), boston, "email", "promotional")
        with pytest.raises(RuleViolation) as caught:
            interaction_service.record_interaction(
                session, persona("rep"), boston.id, call("approved_email", days=1)
            )
        assert caught.value.field == "channel"
        assert "withdrew email consent for promotional" in str(caught.value)

    def test_an_email_sent_before_the_withdrawal_may_still_be_logged(
        self, session: Session, persona: Persona, boston: Stakeholder
    ) -> None:
        withdraw(session, persona("rep"), boston, "email", "promotional")
        interaction_service.record_interaction(
            session, persona("rep"), boston.id, call("email", days=20)
        )

    def test_a_promotional_withdrawal_leaves_scientific_email_open(
        self, session: Session, persona: Persona, boston: Stakeholder
    ) -> None:
        withdraw(session, persona("rep"), boston, "email", "promotional")
        interaction_service.record_interaction(
            session, persona("msl"), boston.id, call("email", days=1)
        )

    def test_nobody_contacts_a_stakeholder_who_asked_not_to_be(
        self, session: Session, persona: Persona, boston: Stakeholder
    ) -> None:
        engagement_service.set_status(
            session,
            persona("msl"),
            boston.id,
            EngagementStatusSet(status="do_not_contact", reason="asked us to stop"),  # type: ignore[arg-type]
        )
        for who in ("msl", "rep", "access"):
            with pytest.raises(RuleViolation) as caught:
                interaction_service.record_interaction(
                    session, persona(who), boston.id, call("phone", days=0)
                )
            assert caught.value.field == "stakeholder"

    def test_commercial_may_not_discuss_an_unapproved_product(
        self, session: Session, persona: Persona, boston: Stakeholder
    ) -> None:
        with pytest.raises(RuleViolation) as caught:
            interaction_service.record_interaction(
                session, persona("rep"), boston.id, call(products=["LPT", "CVX-201"])
            )
        assert caught.value.field == "products[1]"
        assert "21 CFR 312.7" in str(caught.value)

    def test_medical_may_discuss_an_investigational_product(
        self, session: Session, persona: Persona, boston: Stakeholder
    ) -> None:
        interaction_service.record_interaction(
            session, persona("msl"), boston.id, call(products=["CVX-201"])
        )

    def test_an_unknown_product_is_named(
        self, session: Session, persona: Persona, boston: Stakeholder
    ) -> None:
        with pytest.raises(InvalidInput) as caught:
            interaction_service.record_interaction(
                session, persona("msl"), boston.id, call(products=["LPT", "NOPE"])
            )
        assert caught.value.field == "products[1]"

    def test_the_future_is_not_an_interaction(
        self, session: Session, persona: Persona, boston: Stakeholder
    ) -> None:
        with pytest.raises(InvalidInput) as caught:
            interaction_service.record_interaction(
                session, persona("msl"), boston.id, call(days=-2)
            )
        assert caught.value.field == "occurred_at"

    def test_back_office_does_not_engage(
        self, session: Session, persona: Persona, boston: Stakeholder
    ) -> None:
        with pytest.raises(Forbidden):
            interaction_service.record_interaction(session, persona("finance"), boston.id, call())

    def test_out_of_territory_is_404(
        self, session: Session, persona: Persona, boston: Stakeholder
    ) -> None:
        with pytest.raises(NotFound):
            interaction_service.record_interaction(session, persona("rep_west"), boston.id, call())


class TestActivitiesThroughTheLens:
    @pytest.fixture
    def engaged(self, session: Session, persona: Persona, boston: Stakeholder) -> Stakeholder:
        interaction_service.record_interaction(
            session,
            persona("msl"),
            boston.id,
            call(days=40, products=["LPT"], topics=["off-label dosing"], notes="MED-NOTE"),
        )
        interaction_service.record_interaction(
            session, persona("rep"), boston.id, call("phone", days=5, notes="REP-NOTE")
        )
        return boston

    def test_medical_reads_its_notes_and_sees_commercial_as_counts(
        self, session: Session, persona: Persona, engaged: Stakeholder
    ) -> None:
        view = stakeholder_view.view_stakeholder(session, persona("meddir"), engaged.id)
        notes = [i["notes"] for i in view["timeline"]["items"]]
        assert notes == ["MED-NOTE"]
        commercial = view["sections"]["activities_commercial"]
        assert commercial["visibility"] == "summary"
        assert commercial["summary"]["total"] == 1
        assert commercial["summary"]["by_month"][0]["channel"] == "phone"
        assert "REP-NOTE" not in str(view)

    def test_a_rep_at_growth_sees_that_medical_engaged_not_what_was_said(
        self, session: Session, persona: Persona, engaged: Stakeholder
    ) -> None:
        view = stakeholder_view.view_stakeholder(session, persona("salesmgr"), engaged.id)
        medical = view["sections"]["activities_medical"]
        assert medical["visibility"] == "summary"
        assert medical["summary"]["total"] == 1
        assert "MED-NOTE" not in str(view)
        assert "off-label dosing" not in str(view)
        assert "reps see that medical engaged" in medical["reason"]

    def test_a_record_about_an_investigational_product_drops_out_of_commercial_counts(
        self, session: Session, persona: Persona, engaged: Stakeholder
    ) -> None:
        interaction_service.record_interaction(
            session, persona("msl"), engaged.id, call(days=2, products=["CVX-201"])
        )
        view = stakeholder_view.view_stakeholder(session, persona("rep"), engaged.id)
        assert view["sections"]["activities_medical"]["summary"]["total"] == 1

    def test_an_investigational_product_hides_medical_activity_from_commercial(
        self, session: Session, persona: Persona, engaged: Stakeholder
    ) -> None:
        from tests.factories import relate

        relate(session, engaged, "CVX-201")
        view = stakeholder_view.view_stakeholder(session, persona("rep"), engaged.id)
        assert "activities_medical" not in view["sections"]

    def test_own_work_is_visible_in_full(
        self, session: Session, persona: Persona, engaged: Stakeholder
    ) -> None:
        view = stakeholder_view.view_stakeholder(session, persona("rep"), engaged.id)
        assert [i["notes"] for i in view["timeline"]["items"]] == ["REP-NOTE"]

    def test_finance_sees_no_activity(
        self, session: Session, persona: Persona, engaged: Stakeholder
    ) -> None:
        view = stakeholder_view.view_stakeholder(session, persona("finance"), engaged.id)
        assert not any(k.startswith("activities") for k in view["sections"])
        assert view["timeline"]["items"] == []
        assert set(view["sections"]) == {"identity", "network"}  # network: tier and influence

    def test_compliance_reading_medical_notes_is_audited(
        self, session: Session, persona: Persona, engaged: Stakeholder
    ) -> None:
        from sqlalchemy import select

        from accord.audit.models import AuditEntry

        view = stakeholder_view.view_stakeholder(session, persona("compliance"), engaged.id)
        assert {i["notes"] for i in view["timeline"]["items"]} == {"MED-NOTE", "REP-NOTE"}
        reads = session.scalars(
            select(AuditEntry.field).where(
                AuditEntry.action == "read", AuditEntry.entity_id == str(engaged.id)
            )
        ).all()
        assert "activities_medical" in reads

    def test_the_timeline_pages_and_filters(
        self, session: Session, persona: Persona, boston: Stakeholder
    ) -> None:
        for day in range(1, 8):
            interaction_service.record_interaction(
                session, persona("msl"), boston.id, call("phone" if day % 2 else "email", day)
            )
        lens = stakeholder_view.lens_for(session, persona("msl"), boston.id)
        first, cursor = interaction_service.timeline(session, lens, limit=3)
        assert cursor is not None
        second, _ = interaction_service.timeline(session, lens, limit=3, cursor=cursor)
        dates = [i["occurred_at"] for i in first + second]
        assert dates == sorted(dates, reverse=True)
        assert len(set(dates)) == 6
        phones, _ = interaction_service.timeline(
            session,
            lens,
            filters=interaction_service.TimelineFilter(channel="phone"),  # type: ignore[arg-type]
        )
        assert {i["channel"] for i in phones} == {"phone"}
        assert len(phones) == 4
