"""The demo's influence network: its sources are deterministic with the seed, and the recompute
finds in them every relation type and a pyramid (few global, some national, more regional,
most local)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from accord.audit.trail import Actor, set_actor
from accord.db.session import Database
from accord.demo.generator import Size
from accord.demo.generator.frames import Frames, generate_frames
from accord.demo.generator.load import build_context, generate
from accord.demo.generator.network import FIRST_NCT, FIRST_PMID, NETWORK_TABLES
from accord.event.models import Event, EventScope
from accord.network import service_recompute
from accord.network.models import EdgeType, NetworkEdge, Referral
from accord.science.models import ClinicalTrial, Publication

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SMALL = Size("net", stakeholders=2_000, interactions=2_000, users=20)
SEED = 11


@dataclass
class Recomputed:
    session: Session
    frames: Frames
    tiers: dict[str, int]
    edge_types: dict[str, int]


@pytest.fixture(scope="module")
def recomputed(database: Database) -> Iterator[Recomputed]:
    """SMALL generated and recomputed once per backend, rolled back after the module."""
    with database.engine.connect() as conn:
        outer = conn.begin()
        session = sessionmaker(bind=conn, join_transaction_mode="create_savepoint")()
        set_actor(session, Actor(id=None, name="test"))
        try:
            context = build_context(session, NOW)
            frames = generate_frames(SMALL, SEED, context)
            generate(session, SMALL, SEED, now=NOW)
            snapshot = service_recompute.recompute(session, requested_by="test", today=NOW.date())
            tiers = dict(service_recompute.tier_counts(session, snapshot.id))
            edge_types = {
                str(t): int(n)
                for t, n in session.execute(
                    select(NetworkEdge.type, func.count()).group_by(NetworkEdge.type)
                )
            }
            yield Recomputed(session, frames, tiers, edge_types)
        finally:
            session.close()
            outer.rollback()


class TestDeterminism:
    def test_the_same_seed_gives_the_same_network_sources(self, recomputed: Recomputed) -> None:
        context = build_context(recomputed.session, NOW)
        first_ids = {
            t: int(recomputed.frames[t]["id"].min())  # type: ignore[arg-type]
            for t in recomputed.frames
            if "id" in recomputed.frames[t].columns
        }
        npis = set(recomputed.frames["stakeholder_identifier"]["value"].to_list())
        again = generate_frames(
            SMALL,
            SEED,
            replace(
                context,
                first_ids=first_ids,
                taken_npis=frozenset(context.taken_npis - npis),
                password_hash=recomputed.frames["user"]["password_hash"][0],
            ),
        )
        for table in (*NETWORK_TABLES, "affiliation"):
            assert again[table].equals(recomputed.frames[table]), table

    def test_another_seed_gives_another_network(self, recomputed: Recomputed) -> None:
        other = generate_frames(SMALL, SEED + 1, build_context(recomputed.session, NOW))
        assert not other["event"]["name"].equals(recomputed.frames["event"]["name"])


class TestSources:
    def test_every_source_table_is_generated(self, recomputed: Recomputed) -> None:
        for table in NETWORK_TABLES:
            assert recomputed.frames[table].height > 0, table

    def test_identifiers_are_clearly_synthetic(self, recomputed: Recomputed) -> None:
        pmids = recomputed.session.scalars(select(Publication.pmid)).all()
        assert pmids
        assert all(int(p) >= FIRST_PMID for p in pmids)
        ncts = recomputed.session.scalars(select(ClinicalTrial.nct_id)).all()
        assert ncts
        assert all(int(n[3:]) >= FIRST_NCT for n in ncts)

    def test_referrals_keep_the_cms_minimum_and_link_both_npis(
        self, recomputed: Recomputed
    ) -> None:
        rows = recomputed.session.execute(
            select(
                Referral.pair_count,
                Referral.beneficiary_count,
                Referral.same_day_count,
                Referral.from_stakeholder_id,
                Referral.to_stakeholder_id,
            )
        ).all()
        assert rows
        for pairs, beneficiaries, same_day, a, b in rows:
            assert pairs >= 11
            assert 11 <= beneficiaries <= pairs
            assert 0 <= same_day <= pairs
            assert a is not None
            assert b is not None
            assert a != b

    def test_every_event_scope_appears(self, recomputed: Recomputed) -> None:
        scopes = set(recomputed.session.scalars(select(Event.scope).distinct()))
        assert scopes == set(EventScope)


class TestPyramid:
    def test_every_relation_type_appears(self, recomputed: Recomputed) -> None:
        assert set(recomputed.edge_types) == {t.value for t in EdgeType}

    def test_tiers_form_a_pyramid(self, recomputed: Recomputed) -> None:
        tiers = recomputed.tiers
        assert 0 < tiers["global"] < tiers["national"] < tiers["regional"] < tiers["local"]
