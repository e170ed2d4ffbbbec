"""The audit trail is written once, centrally, from session events, in the same transaction."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.access.principal import Principal
from accord.audit import trail
from accord.audit.models import AuditAction, AuditEntry
from accord.territory import service as territory_service
from accord.territory.models import TerritoryLevel


def entries_for(session: Session, entity: str, entity_id: int | str) -> list[AuditEntry]:
    stmt = (
        select(AuditEntry)
        .where(AuditEntry.entity == entity, AuditEntry.entity_id == str(entity_id))
        .order_by(AuditEntry.seq)
    )
    return list(session.scalars(stmt))


class TestCapturedFromSessionEvents:
    def test_create_writes_one_entry_per_field_with_actor_and_reason(
        self, session: Session, persona: Callable[[str], Principal]
    ) -> None:
        admin = persona("admin")
        region = territory_service.get_by_code(session, "US-W")
        territory = territory_service.create_territory(
            session, code="US-W-PHX", name="Arizona", level=TerritoryLevel.territory, parent=region
        )
        entries = entries_for(session, "territory", territory.id)
        fields = {e.field: e for e in entries}
        assert set(fields) >= {"id", "code", "name", "level", "parent_id", "created_at"}
        assert all(e.action == AuditAction.create for e in entries)
        assert json.loads(fields["code"].new_value or "null") == "US-W-PHX"
        assert fields["code"].old_value is None
        assert {e.actor for e in entries} == {admin.username}
        assert {e.actor_id for e in entries} == {admin.user_id}
        assert {e.reason for e in entries} == {"territory created"}
        assert all(e.occurred_at.tzinfo is not None for e in entries)

    def test_update_records_old_and_new_value_of_the_changed_field_only(
        self, session: Session, persona: Callable[[str], Principal]
    ) -> None:
        persona("admin")
        territory = territory_service.get_by_code(session, "US-W-SEA")
        with trail.reason(session, "renamed after realignment"):
            territory.name = "Washington & Oregon"
        entries = [
            e
            for e in entries_for(session, "territory", territory.id)
            if e.action == AuditAction.update
        ]
        assert [(e.field, e.old_value, e.new_value, e.reason) for e in entries] == [
            ("name", '"Pacific Northwest"', '"Washington & Oregon"', "renamed after realignment")
        ]

    def test_delete_records_the_values_that_were_removed(
        self, session: Session, persona: Callable[[str], Principal]
    ) -> None:
        persona("admin")
        region = territory_service.get_by_code(session, "US-W")
        territory = territory_service.create_territory(
            session, code="US-W-DEN", name="Colorado", level=TerritoryLevel.territory, parent=region
        )
        with trail.reason(session, "created by mistake"):
            session.delete(territory)
        deleted = [
            e
            for e in entries_for(session, "territory", territory.id)
            if e.action == AuditAction.delete
        ]
        by_field = {e.field: e for e in deleted}
        assert by_field["code"].old_value == '"US-W-DEN"'
        assert by_field["code"].new_value is None
        assert {e.reason for e in deleted} == {"created by mistake"}

    def test_an_unchanged_assignment_writes_nothing(
        self, session: Session, persona: Callable[[str], Principal]
    ) -> None:
        persona("admin")
        territory = territory_service.get_by_code(session, "US-W-SEA")
        before = session.scalar(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()).limit(1))
        territory.name = territory.name
        session.flush()
        after = session.scalar(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()).limit(1))
        assert before == after

    def test_a_rolled_back_change_leaves_no_audit_entry(
        self, session: Session, persona: Callable[[str], Principal]
    ) -> None:
        persona("admin")
        region = territory_service.get_by_code(session, "US-W")
        savepoint = session.begin_nested()
        territory_service.create_territory(
            session,
            code="US-W-ABQ",
            name="New Mexico",
            level=TerritoryLevel.territory,
            parent=region,
        )
        savepoint.rollback()
        found = session.scalars(
            select(AuditEntry).where(AuditEntry.new_value == '"US-W-ABQ"')
        ).all()
        assert found == []

    def test_without_an_actor_the_system_is_recorded(self, session: Session) -> None:
        region = territory_service.get_by_code(session, "US-W")
        territory = territory_service.create_territory(
            session, code="US-W-BOI", name="Idaho", level=TerritoryLevel.territory, parent=region
        )
        assert {e.actor for e in entries_for(session, "territory", territory.id)} == {"system"}


class TestHashChain:
    def test_entries_are_chained_and_the_head_follows_the_last(self, session: Session) -> None:
        from accord.audit.models import AuditHead

        rows = session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
        assert rows, "the demo seed writes audited changes"
        assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
        for before, after in itertools.pairwise(rows):
            assert after.prev_hash == before.hash
        head = session.get(AuditHead, trail.HEAD_ID)
        assert head is not None
        assert (head.seq, head.hash) == (rows[-1].seq, rows[-1].hash)


class TestEncodeValue:
    @pytest.mark.parametrize(
        ("value", "encoded"),
        [(None, None), ("a", '"a"'), (3, "3"), (True, "true"), (TerritoryLevel.region, '"region"')],
    )
    def test_values_are_stable_json(self, value: object, encoded: str | None) -> None:
        assert trail.encode_value(value) == encoded


class TestBulkStatements:
    def test_an_unaudited_bulk_update_is_refused(self, session: Session) -> None:
        from sqlalchemy import update

        from accord.territory.models import Territory

        with pytest.raises(trail.AuditBypassError, match="audit trail"):
            session.execute(update(Territory).values(name="x"))

    def test_a_bulk_path_that_writes_its_own_entries_may_proceed(self, session: Session) -> None:
        from sqlalchemy import update

        from accord.territory.models import Territory

        session.execute(
            update(Territory).where(Territory.code == "US-W-SEA").values(name="PNW"),
            execution_options={trail.AUDITED_BULK: True},
        )
        assert territory_service.get_by_code(session, "US-W-SEA").name == "PNW"
