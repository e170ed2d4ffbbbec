"""The demo data generator: deterministic, faithful on both databases, and keeping the
business rules the rest of Accord enforces (consent, do-not-contact, firewall functions)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest
from sqlalchemy import Table, select
from sqlalchemy.orm import Session, sessionmaker

from accord.audit.models import AuditEntry
from accord.audit.service import verify_chain
from accord.audit.trail import Actor, set_actor
from accord.consent.models import Consent, ConsentStatus
from accord.db.base import Base
from accord.db.session import Database
from accord.demo.generator import SIZES, Size
from accord.demo.generator.frames import TABLES, Frames, generate_frames
from accord.demo.generator.load import build_context, generate
from accord.demo.personas import ALIGNMENT
from accord.engagement.models import EngagementLevel, EngagementStatus
from accord.errors import Conflict
from accord.interaction.models import (
    CONSENT_CHANNEL,
    DEFAULT_PURPOSE,
    EVENT_CHANNELS,
    Channel,
    Interaction,
    InteractionProduct,
    Purpose,
)
from accord.product.models import LifecycleStage, Product
from accord.request.models import Request, RequestKind, RequestStatus
from accord.request.sla import due_date_for
from accord.stakeholder.identifiers import npi_is_valid
from accord.stakeholder.models import (
    Specialty,
    Stakeholder,
    StakeholderIdentifier,
    StakeholderSpecialty,
    StakeholderType,
    Tier,
)
from accord.territory.models import Territory, TerritoryAlignment, UserTerritory
from accord.user.models import Function, User

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SMALL = Size("test", stakeholders=400, interactions=4_000, users=24)
SEED = 7


@dataclass
class Generated:
    session: Session
    frames: Frames


@pytest.fixture(scope="module")
def generated(database: Database) -> Iterator[Generated]:
    """SMALL generated once per backend into a transaction rolled back after the module."""
    with database.engine.connect() as conn:
        outer = conn.begin()
        factory = sessionmaker(bind=conn, join_transaction_mode="create_savepoint")
        session = factory()
        set_actor(session, Actor(id=None, name="test"))
        try:
            frames = generate_frames(SMALL, SEED, build_context(session, NOW))
            report = generate(session, SMALL, SEED, now=NOW)
            session.flush()
            assert report.rows == {t: f.height for t, f in frames.items()}
            yield Generated(session, frames)
        finally:
            session.close()
            outer.rollback()


def dict_of(result: object) -> dict[object, object]:
    return {a: b for a, b in result}  # type: ignore[attr-defined]


def rows(session: Session, model: type[Base]) -> list[dict[str, object]]:
    table = model.__table__
    assert isinstance(table, Table)
    return [dict(r._mapping) for r in session.execute(select(table).order_by(*table.primary_key))]


class TestDeterminism:
    def test_the_same_seed_gives_identical_frames(self, generated: Generated) -> None:
        context = build_context(generated.session, NOW)
        # the context of a second run differs only in the next free ids; rebuild the first
        first = generate_frames(SMALL, SEED, _context_before(generated, context))
        for table in TABLES:
            assert first[table].equals(generated.frames[table]), table

    def test_another_seed_gives_other_data(self, generated: Generated) -> None:
        context = _context_before(generated, build_context(generated.session, NOW))
        other = generate_frames(SMALL, SEED + 1, context)
        assert not other["stakeholder"]["name"].equals(generated.frames["stakeholder"]["name"])
        assert not other["interaction"]["occurred_at"].equals(
            generated.frames["interaction"]["occurred_at"]
        )

    @pytest.mark.parametrize(
        ("model", "table"),
        [(Stakeholder, "stakeholder"), (Interaction, "interaction"), (Consent, "consent")],
    )
    def test_the_database_holds_exactly_the_generated_rows(
        self, generated: Generated, model: type[Base], table: str
    ) -> None:
        """With frame determinism, this is what makes SQLite and PostgreSQL identical."""
        frame = generated.frames[table]
        first_id = int(frame["id"].min())  # type: ignore[arg-type]
        stored = [r for r in rows(generated.session, model) if int(str(r["id"])) >= first_id]
        assert len(stored) == frame.height
        for mine, theirs in zip(frame.iter_rows(named=True), stored, strict=True):
            for column, value in mine.items():
                got = theirs[column]
                if column == "topics":
                    assert got == json.loads(value), (table, column)
                elif hasattr(got, "value"):
                    assert got.value == value, (table, column)
                else:
                    assert got == value, (table, column, mine["id"])


def _context_before(generated: Generated, context):  # type: ignore[no-untyped-def]
    """The context the module's run saw: the same, with the first ids it used."""
    from dataclasses import replace

    first_ids = {
        t: int(generated.frames[t]["id"].min())  # type: ignore[arg-type]
        for t in TABLES
        if "id" in generated.frames[t].columns
    }
    npis = set(generated.frames["stakeholder_identifier"]["value"].to_list())
    return replace(
        context,
        first_ids=first_ids,
        taken_npis=frozenset(context.taken_npis - npis),
        password_hash=generated.frames["user"]["password_hash"][0],
    )


class TestStakeholders:
    def test_npis_pass_the_check_digit_and_are_unique(self, generated: Generated) -> None:
        npis = generated.session.scalars(
            select(StakeholderIdentifier.value).where(StakeholderIdentifier.system == "npi")
        ).all()
        assert len(npis) >= SMALL.stakeholders * 0.8
        assert all(npi_is_valid(n) for n in npis)
        assert len(set(npis)) == len(npis)

    def test_about_four_in_five_are_hcps_and_every_type_appears(self, generated: Generated) -> None:
        types = Counter(generated.frames["stakeholder"]["type"].to_list())
        assert set(types) == {t.value for t in StakeholderType}
        assert 0.75 <= types["hcp"] / SMALL.stakeholders <= 0.85

    def test_everyone_lives_in_a_demo_state_and_territory_follows_the_alignment(
        self, generated: Generated
    ) -> None:
        session = generated.session
        states = {state for places in ALIGNMENT.values() for state, _ in places}
        rules = {
            (a.state, a.city): a.territory_id for a in session.scalars(select(TerritoryAlignment))
        }
        for s in session.scalars(select(Stakeholder)):
            assert s.state in states
            assert s.city is not None
            expected = rules.get((s.state, s.city.lower()), rules.get((s.state, None)))
            assert s.territory_id == expected, (s.state, s.city)

    def test_specialties_are_known_nucc_codes_and_credentials_fit(
        self, generated: Generated
    ) -> None:
        session = generated.session
        known = set(session.scalars(select(Specialty.code)))
        used = set(session.scalars(select(StakeholderSpecialty.specialty_code)))
        assert used <= known
        for s in session.scalars(select(Stakeholder).where(Stakeholder.type == "hcp")):
            code = s.primary_specialty_code or ""
            assert code in known
            expected = {"363L": {"NP"}, "363A": {"PA"}, "1835": {"PharmD"}}.get(
                code[:4], {"MD", "DO"}
            )
            assert s.credentials in expected, (code, s.credentials)
            assert s.name.endswith(f", {s.credentials}")
            assert s.sort_name == f"{s.last_name} {s.first_name}".lower()

    def test_tiers_form_a_pyramid(self, generated: Generated) -> None:
        tiers = Counter(generated.frames["stakeholder"]["tier"].drop_nulls().to_list())
        assert (
            tiers[Tier.global_.value]
            < tiers[Tier.national.value]
            < tiers[Tier.regional.value]
            < tiers[Tier.local.value]
        )


class TestInteractions:
    def test_function_is_the_owners_and_purpose_follows_the_default(
        self, generated: Generated
    ) -> None:
        session = generated.session
        functions = dict_of(session.execute(select(User.id, User.function)))
        for i in session.scalars(select(Interaction)):
            assert i.function == functions[i.owner_id]
            if i.channel in EVENT_CHANNELS:
                assert i.purpose == Purpose.events
            else:
                assert i.purpose == DEFAULT_PURPOSE[i.function]

    def test_owners_cover_the_stakeholders_territory(self, generated: Generated) -> None:
        session = generated.session
        parents = dict_of(session.execute(select(Territory.id, Territory.parent_id)))
        covers: dict[int, set[int]] = {}
        for user_id, territory_id in session.execute(
            select(UserTerritory.user_id, UserTerritory.territory_id)
        ):
            covers.setdefault(user_id, set()).add(territory_id)
        territory = dict_of(session.execute(select(Stakeholder.id, Stakeholder.territory_id)))
        pairs = session.execute(select(Interaction.owner_id, Interaction.stakeholder_id))
        for owner, stakeholder in pairs:
            node: int | None = territory[stakeholder]
            chain = set()
            while node is not None:
                chain.add(node)
                node = parents[node]
            assert covers[owner] & chain, (owner, stakeholder)

    def test_every_channel_and_engaging_function_appears(self, generated: Generated) -> None:
        frame = generated.frames["interaction"]
        assert set(frame["channel"].to_list()) == {c.value for c in Channel}
        assert set(frame["function"].to_list()) == {
            "medical",
            "commercial",
            "market_access",
            "research",
        }

    def test_a_tenth_of_the_hcps_hold_about_half_of_their_interactions(
        self, generated: Generated
    ) -> None:
        stakeholders = generated.frames["stakeholder"]
        hcps = stakeholders.filter(pl.col("type") == "hcp")["id"]
        per_hcp = (
            generated.frames["interaction"]
            .filter(pl.col("stakeholder_id").is_in(hcps.implode()))
            .group_by("stakeholder_id")
            .len()["len"]
            .to_numpy()
        )
        counts = np.sort(np.concatenate([per_hcp, np.zeros(len(hcps) - len(per_hcp))]))[::-1]
        top = counts[: len(hcps) // 10].sum() / counts.sum()
        assert 0.40 <= top <= 0.65, top

    def test_dates_span_two_years_up_to_now(self, generated: Generated) -> None:
        occurred = generated.frames["interaction"]["occurred_at"]
        assert occurred.max() < NOW  # type: ignore[operator]
        assert occurred.min() >= NOW - timedelta(days=731)  # type: ignore[operator]

    def test_no_interaction_on_a_channel_whose_consent_was_withdrawn(
        self, generated: Generated
    ) -> None:
        session = generated.session
        withdrawn: dict[tuple[int, str, str], datetime] = {}
        for c in session.scalars(select(Consent).where(Consent.status == ConsentStatus.withdrawn)):
            withdrawn[c.stakeholder_id, c.channel.value, c.purpose.value] = c.effective_at
        assert withdrawn, "a few consents are withdrawn"
        for i in session.scalars(select(Interaction)):
            channel = CONSENT_CHANNEL[i.channel]
            at = withdrawn.get((i.stakeholder_id, channel or "", i.purpose.value))
            assert at is None or i.occurred_at < at

    def test_a_withdrawal_follows_a_grant(self, generated: Generated) -> None:
        consents = generated.frames["consent"]
        granted = consents.filter(pl.col("status") == "granted")
        withdrawn = consents.filter(pl.col("status") == "withdrawn")
        joined = withdrawn.join(granted, on=["stakeholder_id", "channel", "purpose"])
        assert joined.height == withdrawn.height
        assert (joined["effective_at"] > joined["effective_at_right"]).all()
        assert 0 < withdrawn.height < granted.height * 0.1

    def test_no_interaction_after_do_not_contact(self, generated: Generated) -> None:
        session = generated.session
        blocked = dict_of(
            session.execute(
                select(EngagementStatus.stakeholder_id, EngagementStatus.changed_at).where(
                    EngagementStatus.status == EngagementLevel.do_not_contact
                )
            )
        )
        assert blocked
        for i in session.scalars(
            select(Interaction).where(Interaction.stakeholder_id.in_(list(blocked)))
        ):
            assert i.occurred_at < blocked[i.stakeholder_id]

    def test_commercial_never_discusses_an_unapproved_product(self, generated: Generated) -> None:
        session = generated.session
        unapproved = (LifecycleStage.development, LifecycleStage.pre_launch)
        count = session.scalar(
            select(Interaction.id)
            .join(InteractionProduct, InteractionProduct.interaction_id == Interaction.id)
            .join(Product, Product.id == InteractionProduct.product_id)
            .where(Interaction.function.in_([Function.commercial, Function.market_access]))
            .where(Product.lifecycle_stage.in_(unapproved))
            .limit(1)
        )
        assert count is None

    @pytest.mark.parametrize("username", ["msl", "rep", "rep_west", "access", "research"])
    def test_each_field_persona_owns_activity(self, generated: Generated, username: str) -> None:
        user_id = generated.session.scalar(select(User.id).where(User.username == username))
        owned = generated.frames["interaction"].filter(pl.col("owner_id") == user_id).height
        assert owned >= 10


class TestRequestsAndInsights:
    def test_due_dates_follow_the_service_levels(self, generated: Generated) -> None:
        for r in generated.session.scalars(select(Request)):
            assert r.due_date == due_date_for(r.kind, r.received_at)

    def test_each_kind_is_handled_by_the_function_the_service_says(
        self, generated: Generated
    ) -> None:
        from accord.request.service import HANDLING_FUNCTION

        for r in generated.session.scalars(select(Request)):
            assert r.handling_function == HANDLING_FUNCTION[r.kind]

    def test_mirs_are_answered_by_medical_and_many_are_off_label(
        self, generated: Generated
    ) -> None:
        session = generated.session
        functions = dict_of(session.execute(select(User.id, User.function)))
        mirs = session.scalars(select(Request).where(Request.kind == RequestKind.mir)).all()
        assert len(mirs) >= 5
        assert any(m.off_label for m in mirs)
        for m in mirs:
            assert m.handling_function == Function.medical
            if m.status == RequestStatus.answered:
                assert m.answered_by_id is not None
                assert functions[m.answered_by_id] == Function.medical
                assert m.answered_at is not None
                assert m.received_at < m.answered_at <= NOW
        kinds = set(generated.frames["request"]["kind"].to_list())
        assert kinds == {k.value for k in RequestKind}

    def test_insights_are_mostly_medical(self, generated: Generated) -> None:
        functions = Counter(generated.frames["insight"]["function"].to_list())
        assert functions["medical"] > sum(functions.values()) / 2


class TestAuditAndSafety:
    def test_one_summary_entry_per_table_and_the_chain_verifies(self, generated: Generated) -> None:
        session = generated.session
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.entity_id == "*").order_by(AuditEntry.seq)
        ).all()
        assert [e.entity for e in entries] == list(generated.frames)
        stakeholder = entries[[e.entity for e in entries].index("stakeholder")]
        assert stakeholder.reason == f"generated 400 stakeholders (size test, seed {SEED})"
        assert stakeholder.actor == "test"
        assert verify_chain(session).intact

    def test_a_second_run_is_refused_and_writes_nothing(self, generated: Generated) -> None:
        session = generated.session
        before = len(session.scalars(select(Stakeholder.id)).all())
        with pytest.raises(Conflict, match="already holds generated data"):
            generate(session, SMALL, SEED + 1, now=NOW)
        assert len(session.scalars(select(Stakeholder.id)).all()) == before


class TestSizes:
    def test_presets_scale_from_s_to_l(self) -> None:
        assert [(s.stakeholders, s.interactions) for s in SIZES.values()] == [
            (10_000, 100_000),
            (100_000, 2_000_000),
            (1_000_000, 20_000_000),
        ]

    def test_a_size_below_a_hundred_stakeholders_is_refused(self) -> None:
        with pytest.raises(ValueError, match="at least 100"):
            Size("tiny", 10, 10, 1)
