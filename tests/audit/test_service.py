"""verify_chain names the first entry changed, removed or reordered by raw SQL."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from accord.access.principal import Principal
from accord.audit import service as audit_service
from accord.audit.models import AuditEntry, VerificationStatus
from accord.errors import Forbidden, InvalidInput


def seqs(session: Session) -> list[int]:
    return list(session.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq)))


class TestVerifyChain:
    def test_an_intact_log_verifies(self, session: Session) -> None:
        report = audit_service.verify_chain(session)
        assert report.intact
        assert report.entries_checked == len(seqs(session))
        assert report.first_broken_seq is None

    def test_a_changed_value_is_named(self, session: Session) -> None:
        session.execute(text("UPDATE audit_entry SET new_value = '\"tampered\"' WHERE seq = 7"))
        report = audit_service.verify_chain(session)
        assert not report.intact
        assert report.first_broken_seq == 7
        assert "seq 7" in report.message
        assert "changed" in report.message

    def test_a_changed_actor_is_named(self, session: Session) -> None:
        session.execute(text("UPDATE audit_entry SET actor = 'someone-else' WHERE seq = 3"))
        assert audit_service.verify_chain(session).first_broken_seq == 3

    def test_a_removed_entry_is_named_by_the_gap_it_leaves(self, session: Session) -> None:
        session.execute(text("DELETE FROM audit_entry WHERE seq = 5"))
        report = audit_service.verify_chain(session)
        assert not report.intact
        assert report.first_broken_seq == 6
        assert "removed" in report.message

    def test_reordered_entries_are_named(self, session: Session) -> None:
        # swap the sequence numbers of entries 4 and 5 behind the application's back
        session.execute(text("UPDATE audit_entry SET seq = -1 WHERE seq = 4"))
        session.execute(text("UPDATE audit_entry SET seq = 4 WHERE seq = 5"))
        session.execute(text("UPDATE audit_entry SET seq = 5 WHERE seq = -1"))
        report = audit_service.verify_chain(session)
        assert not report.intact
        assert report.first_broken_seq in (4, 5)

    def test_a_recomputed_hash_still_breaks_the_next_link(self, session: Session) -> None:
        # a forger who rewrites a row and its own hash cannot fix the next row's prev_hash
        session.execute(
            text("UPDATE audit_entry SET new_value = '\"forged\"', hash = :h WHERE seq = 2"),
            {"h": "f" * 64},
        )
        report = audit_service.verify_chain(session)
        assert report.first_broken_seq == 2

    def test_entries_cut_from_the_end_are_detected(self, session: Session) -> None:
        last = max(seqs(session))
        session.execute(text("DELETE FROM audit_entry WHERE seq = :s"), {"s": last})
        report = audit_service.verify_chain(session)
        assert not report.intact
        assert report.first_broken_seq == last
        assert "removed from the end" in report.message


class TestListEntries:
    def test_compliance_reads_newest_first(
        self, session: Session, persona: Callable[[str], Principal]
    ) -> None:
        page = audit_service.list_entries(
            session, persona("compliance"), filters=audit_service.AuditFilter(), limit=5
        )
        assert [e.seq for e in page.items] == sorted((e.seq for e in page.items), reverse=True)
        assert page.next_cursor is not None

    @pytest.mark.parametrize("username", ["admin", "msl", "rep", "finance", "meddir"])
    def test_no_other_function_reads_the_trail(
        self, session: Session, persona: Callable[[str], Principal], username: str
    ) -> None:
        with pytest.raises(Forbidden, match="only compliance"):
            audit_service.list_entries(
                session, persona(username), filters=audit_service.AuditFilter()
            )

    def test_filters_by_entity_and_actor(
        self, session: Session, persona: Callable[[str], Principal]
    ) -> None:
        page = audit_service.list_entries(
            session,
            persona("compliance"),
            filters=audit_service.AuditFilter(entity="territory", actor="system"),
            limit=500,
        )
        assert page.items
        assert {(e.entity, e.actor) for e in page.items} == {("territory", "system")}

    def test_since_after_until_names_the_field(
        self, session: Session, persona: Callable[[str], Principal]
    ) -> None:
        from datetime import UTC, datetime

        with pytest.raises(InvalidInput) as caught:
            audit_service.list_entries(
                session,
                persona("compliance"),
                filters=audit_service.AuditFilter(
                    since=datetime(2026, 2, 1, tzinfo=UTC), until=datetime(2026, 1, 1, tzinfo=UTC)
                ),
            )
        assert caught.value.field == "since"


class TestVerificationRuns:
    def test_a_requested_verification_runs_after_commit_in_process(
        self, session: Session, persona: Callable[[str], Principal]
    ) -> None:
        run = audit_service.request_verification(session, persona("compliance"))
        assert run.status == VerificationStatus.pending
        session.commit()
        session.expire_all()
        done = audit_service.get_verification(session, persona("compliance"), run.id)
        assert done.status == VerificationStatus.done
        assert done.intact is True
        assert done.entries_checked
        assert done.entries_checked > 0

    def test_only_compliance_requests_verifications(
        self, session: Session, persona: Callable[[str], Principal]
    ) -> None:
        with pytest.raises(Forbidden):
            audit_service.request_verification(session, persona("admin"))
