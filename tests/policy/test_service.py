"""Changing the firewall: compliance only, with a reason, versioned, audited, at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.access.firewall import Level
from accord.access.principal import Principal
from accord.audit.models import AuditEntry
from accord.errors import Forbidden, InvalidInput
from accord.policy import service as policy_service
from accord.product.models import LifecycleStage
from accord.user.models import Function


def tightened(session: Session, actor: Principal) -> dict[str, Any]:
    document = policy_service.read_policy(session, actor).policy.to_document()
    document["rules"]["requests_existence"]["levels"]["commercial"] = "none"
    return document


class TestCurrentPolicy:
    def test_is_the_shipped_default_until_compliance_changes_it(self, session: Session) -> None:
        policy = policy_service.current_policy(session)
        assert policy.version == 1
        assert policy.section(Function.commercial, "requests_existence").level == Level.summary


class TestChangePolicy:
    def test_compliance_changes_it_and_it_takes_effect_at_once(
        self, session: Session, persona: Callable[[str], Principal]
    ) -> None:
        compliance = persona("compliance")
        info = policy_service.change_policy(
            session,
            compliance,
            document=tightened(session, compliance),
            reason="reps over-contacted HCPs with open requests",
        )
        assert info.policy.version == 2
        now = policy_service.current_policy(session)
        assert now.version == 2
        assert now.section(Function.commercial, "requests_existence").level == Level.none

    def test_the_change_is_audited_with_its_reason(
        self, session: Session, persona: Callable[[str], Principal]
    ) -> None:
        compliance = persona("compliance")
        policy_service.change_policy(
            session,
            compliance,
            document=tightened(session, compliance),
            reason="audit finding 2026-17",
        )
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "policy_version")
        ).all()
        assert entries
        assert {e.reason for e in entries} == {"audit finding 2026-17"}
        assert {e.actor for e in entries} == {"compliance"}
        assert any(
            e.field == "document" and "requests_existence" in (e.new_value or "") for e in entries
        )

    def test_the_old_version_stays_readable(
        self, session: Session, persona: Callable[[str], Principal]
    ) -> None:
        from accord.policy.models import PolicyVersion

        compliance = persona("compliance")
        for n in range(2):
            doc = tightened(session, compliance)
            doc["rules"]["payments"]["levels"]["research"] = ["none", "summary"][n]
            policy_service.change_policy(session, compliance, document=doc, reason=f"change {n}")
        versions = session.scalars(select(PolicyVersion.version).order_by(PolicyVersion.version))
        assert list(versions) == [2, 3]

    @pytest.mark.parametrize("username", ["admin", "meddir", "salesmgr", "msl"])
    def test_nobody_else_changes_it(
        self, session: Session, persona: Callable[[str], Principal], username: str
    ) -> None:
        with pytest.raises(Forbidden, match="only compliance"):
            policy_service.change_policy(
                session, persona(username), document={"rules": {}}, reason="because I can"
            )

    def test_a_change_needs_a_reason(
        self, session: Session, persona: Callable[[str], Principal]
    ) -> None:
        compliance = persona("compliance")
        with pytest.raises(InvalidInput) as caught:
            policy_service.change_policy(
                session, compliance, document=tightened(session, compliance), reason="  "
            )
        assert caught.value.field == "reason"

    def test_a_bad_policy_writes_nothing(
        self, session: Session, persona: Callable[[str], Principal]
    ) -> None:
        compliance = persona("compliance")
        doc = tightened(session, compliance)
        doc["rules"]["insights"]["levels"]["commercial"] = {"launch": "full"}
        with pytest.raises(InvalidInput) as caught:
            policy_service.change_policy(
                session, compliance, document=doc, reason="a typo in the policy"
            )
        assert caught.value.field == "rules.insights.commercial.development"
        assert policy_service.current_policy(session).version == 1
        assert (
            policy_service.current_policy(session).level(
                Function.commercial, LifecycleStage.launch, "insights"
            )
            == Level.summary
        )

    def test_a_rolled_back_version_is_not_mistaken_for_the_next(
        self, session: Session, persona: Callable[[str], Principal]
    ) -> None:
        compliance = persona("compliance")
        savepoint = session.begin_nested()
        policy_service.change_policy(
            session, compliance, document=tightened(session, compliance), reason="never kept"
        )
        assert policy_service.current_policy(session).version == 2
        savepoint.rollback()
        doc = tightened(session, compliance)
        doc["rules"]["requests_existence"]["levels"]["commercial"] = "summary"
        doc["rules"]["payments"]["levels"]["medical"] = "none"
        policy_service.change_policy(session, compliance, document=doc, reason="the real v2")
        now = policy_service.current_policy(session)
        assert now.version == 2
        assert now.section(Function.commercial, "requests_existence").level == Level.summary
        assert now.section(Function.medical, "payments").level == Level.none
