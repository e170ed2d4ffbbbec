"""merge_stakeholders and undo_merge: every child row moves, every source value is kept, the
hard identifier rule holds, and an undo puts back exactly what was there."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.access.principal import Principal
from accord.audit.models import AuditEntry
from accord.consent.models import Consent, ConsentChannel, ConsentStatus
from accord.db.base import utcnow
from accord.errors import Forbidden, MergedAway, NotFound, RuleViolation
from accord.interaction.models import Channel, Interaction, Outcome, Purpose
from accord.matching import service as matching_service
from accord.matching.models import StakeholderMerge
from accord.matching.service_merge import references, undo_merge
from accord.stakeholder import service as stakeholder_service
from accord.stakeholder.models import (
    Address,
    Affiliation,
    Stakeholder,
    StakeholderIdentifier,
    StakeholderProduct,
    StakeholderStatus,
)
from accord.stakeholder.schemas import AddressIn, StakeholderCreate
from accord.user import service as user_service
from tests.factories import make_hcp, relate

Persona = Callable[[str], Principal]


def hcp(
    session: Session,
    *,
    first: str = "Adaeze",
    middle: str | None = None,
    last: str = "Okafor",
    npi: str | None = None,
    source: str = "manual",
    credentials: str | None = "MD",
    line1: str = "55 Fruit St",
) -> Stakeholder:
    return stakeholder_service.create_stakeholder(
        session,
        None,
        StakeholderCreate(
            type="hcp",  # type: ignore[arg-type]
            first_name=first,
            middle_name=middle,
            last_name=last,
            credentials=credentials,
            npi=npi,
            source=source,
            specialty="207RC0000X",
            address=AddressIn(line1=line1, city="Boston", state="MA", postal_code="02114"),
        ),
    )


def snapshot(session: Session, *ids: int) -> dict[str, list[dict[str, Any]]]:
    """Every row that names one of the stakeholders, table by table, and their own rows."""
    session.flush()
    conn = session.connection()
    out: dict[str, list[dict[str, Any]]] = {}
    stakeholder = Stakeholder.__table__
    out["stakeholder"] = [
        dict(r._mapping)
        for r in conn.execute(
            select(stakeholder).where(stakeholder.c.id.in_(ids)).order_by(stakeholder.c.id)
        )
    ]
    for table, column in references():
        pk = next(iter(table.primary_key.columns))
        rows = conn.execute(select(table).where(column.in_(ids)).order_by(pk)).all()
        if rows:
            out[f"{table.name}.{column.name}"] = [dict(r._mapping) for r in rows]
    return out


@pytest.fixture
def pair(session: Session) -> tuple[Stakeholder, Stakeholder]:
    """Dr Okafor from NPPES, and the same doctor keyed in by hand with her middle name, her
    consent, a call, an affiliation and two product relations (one the registry record has)."""
    registry = hcp(session, npi="1234567893", source="nppes")
    relate(session, registry, "LPT")
    manual = hcp(session, middle="Ngozi", credentials=None, line1="55 Fruit Street")
    relate(session, manual, "LPT")
    relate(session, manual, "ONP")
    msl = user_service.get_by_username(session, "msl")
    assert msl is not None
    org = make_hcp(session, "General")  # any stakeholder serves as the organization end
    session.add_all(
        [
            Consent(
                stakeholder_id=manual.id,
                channel=next(iter(ConsentChannel)),
                purpose=Purpose.scientific,
                status=next(iter(ConsentStatus)),
                effective_at=utcnow(),
                source="signed form",
            ),
            Interaction(
                stakeholder_id=manual.id,
                owner_id=msl.id,
                function=msl.function,
                channel=next(iter(Channel)),
                purpose=Purpose.scientific,
                occurred_at=utcnow(),
                outcome=next(iter(Outcome)),
                topics=["dosing"],
            ),
            Affiliation(
                stakeholder_id=manual.id,
                organization_id=org.id,
                role="attending",
                is_primary=True,
                source="manual",
            ),
        ]
    )
    session.flush()
    return registry, manual


class TestMergeStakeholders:
    def test_every_child_row_moves_to_the_survivor(
        self, session: Session, persona: Persona, pair: tuple[Stakeholder, Stakeholder]
    ) -> None:
        registry, manual = pair
        admin = persona("admin")
        record = matching_service.merge_stakeholders(
            session, admin, survivor_id=registry.id, merged_id=manual.id, reason="same doctor"
        )
        for table in (Consent, Interaction, Affiliation, Address):
            rows = session.scalars(
                select(table).where(table.stakeholder_id == manual.id)  # type: ignore[attr-defined]
            ).all()
            assert rows == [], table.__name__
        products = session.scalars(
            select(StakeholderProduct.product_id).where(
                StakeholderProduct.stakeholder_id == registry.id
            )
        ).all()
        assert len(products) == 2  # LPT once (the clash removed), ONP moved
        assert record.removed["stakeholder_product"][0]["relation"] == '"prescriber"'
        assert "consent.stakeholder_id" in record.moved
        addresses = session.scalars(
            select(Address).where(Address.stakeholder_id == registry.id).order_by(Address.id)
        ).all()
        assert [a.is_primary for a in addresses] == [True, False]  # the survivor's stays primary

    def test_empty_survivor_fields_take_the_merged_values_with_their_source(
        self, session: Session, persona: Persona, pair: tuple[Stakeholder, Stakeholder]
    ) -> None:
        registry, manual = pair
        record = matching_service.merge_stakeholders(
            session, persona("admin"), survivor_id=registry.id, merged_id=manual.id, reason="dup"
        )
        survivor = session.get_one(Stakeholder, registry.id)
        assert survivor.middle_name == "Ngozi"
        assert survivor.credentials == "MD"  # non-empty survivor value kept
        assert survivor.name == "Adaeze Ngozi Okafor, MD"
        assert record.overwritten["middle_name"] == {
            "old": None,
            "new": '"Ngozi"',
            "source": f"stakeholder {manual.id}",
        }

    def test_the_merged_record_is_kept_hidden_with_a_pointer(
        self, session: Session, persona: Persona, pair: tuple[Stakeholder, Stakeholder]
    ) -> None:
        registry, manual = pair
        admin = persona("admin")
        matching_service.merge_stakeholders(
            session, admin, survivor_id=registry.id, merged_id=manual.id, reason="dup"
        )
        merged = session.get_one(Stakeholder, manual.id)
        assert merged.status == StakeholderStatus.merged
        assert merged.merged_into_id == registry.id
        with pytest.raises(MergedAway) as pointer:
            stakeholder_service.gate.get_visible_stakeholder(session, admin, manual.id)
        assert pointer.value.merged_into == registry.id
        listed = stakeholder_service.list_stakeholders(
            session, admin, filters=stakeholder_service.StakeholderFilter(q="okafor")
        )
        assert [s.id for s in listed.items] == [registry.id]

    def test_the_merge_is_audited_in_the_same_transaction(
        self, session: Session, persona: Persona, pair: tuple[Stakeholder, Stakeholder]
    ) -> None:
        registry, manual = pair
        matching_service.merge_stakeholders(
            session, persona("admin"), survivor_id=registry.id, merged_id=manual.id, reason="dup"
        )
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.reason.like(f"merge of stakeholder {manual.id}%"))
        ).all()
        fields = {(e.entity, e.field) for e in entries}
        assert ("stakeholder", "status") in fields
        assert ("consent", "stakeholder_id") in fields
        assert ("stakeholder_product", "relation") in fields  # the removed clash
        assert all(e.actor == "admin" for e in entries)

    def test_two_records_with_different_npis_are_never_merged(
        self, session: Session, persona: Persona
    ) -> None:
        a = hcp(session, npi="1234567893", source="nppes")
        b = hcp(session, npi="1245319599", source="nppes")
        with pytest.raises(RuleViolation, match="different NPIs"):
            matching_service.merge_stakeholders(
                session, persona("admin"), survivor_id=a.id, merged_id=b.id, reason="same name"
            )
        assert session.get_one(Stakeholder, b.id).status == StakeholderStatus.active

    def test_only_data_stewards_merge(
        self, session: Session, persona: Persona, pair: tuple[Stakeholder, Stakeholder]
    ) -> None:
        registry, manual = pair
        for who in ("msl", "rep", "compliance"):
            with pytest.raises(Forbidden):
                matching_service.merge_stakeholders(
                    session, persona(who), survivor_id=registry.id, merged_id=manual.id, reason="x"
                )

    def test_a_steward_outside_the_territory_gets_404(
        self, session: Session, persona: Persona
    ) -> None:
        west = make_hcp(session, "Yamada", city="Seattle", state="WA")
        other = make_hcp(session, "Yamada", city="Seattle", state="WA")
        with pytest.raises(NotFound):
            matching_service.merge_stakeholders(
                session, persona("rep"), survivor_id=west.id, merged_id=other.id, reason="x"
            )


class TestUndoMerge:
    def test_merge_then_undo_gives_identical_rows(
        self, session: Session, persona: Persona, pair: tuple[Stakeholder, Stakeholder]
    ) -> None:
        registry, manual = pair
        admin = persona("admin")
        before = snapshot(session, registry.id, manual.id)
        record = matching_service.merge_stakeholders(
            session, admin, survivor_id=registry.id, merged_id=manual.id, reason="dup"
        )
        assert snapshot(session, registry.id, manual.id) != before
        undo_merge(session, admin, merge_id=record.id, reason="two doctors after all")
        session.expire_all()
        assert snapshot(session, registry.id, manual.id) == before
        undone = session.get_one(StakeholderMerge, record.id)
        assert undone.undone_by == "admin"
        assert undone.undo_reason == "two doctors after all"

    def test_an_undo_happens_once(
        self, session: Session, persona: Persona, pair: tuple[Stakeholder, Stakeholder]
    ) -> None:
        registry, manual = pair
        admin = persona("admin")
        record = matching_service.merge_stakeholders(
            session, admin, survivor_id=registry.id, merged_id=manual.id, reason="dup"
        )
        undo_merge(session, admin, merge_id=record.id, reason="wrong")
        with pytest.raises(Exception, match="already undone"):
            undo_merge(session, admin, merge_id=record.id, reason="again")

    def test_identifiers_move_and_come_back(self, session: Session, persona: Persona) -> None:
        registry = hcp(session, npi="1234567893", source="nppes")
        manual = hcp(session, middle="N")
        session.add(
            StakeholderIdentifier(
                stakeholder_id=manual.id,
                system="orcid",
                value="0000-0002-1825-0097",
                source="manual",
                recorded_on=utcnow().date(),
            )
        )
        session.flush()
        admin = persona("admin")
        record = matching_service.merge_stakeholders(
            session, admin, survivor_id=registry.id, merged_id=manual.id, reason="dup"
        )
        systems = session.scalars(
            select(StakeholderIdentifier.system).where(
                StakeholderIdentifier.stakeholder_id == registry.id
            )
        ).all()
        assert sorted(systems) == ["npi", "orcid"]
        undo_merge(session, admin, merge_id=record.id, reason="wrong")
        back = session.scalars(
            select(StakeholderIdentifier.system).where(
                StakeholderIdentifier.stakeholder_id == manual.id
            )
        ).all()
        assert back == ["orcid"]
