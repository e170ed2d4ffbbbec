"""The network through the gate: territories and the firewall's network category decide which
nodes, edges, counts and metrics each persona sees."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from accord.access.gate import Lens
from accord.access.principal import Principal
from accord.config import get_settings
from accord.errors import Forbidden, InvalidInput, NotFound
from accord.network import service as network_service
from accord.network import service_recompute
from accord.network.models import EdgeType, NetworkMetric, Referral
from accord.policy import service as policy_service
from accord.stakeholder.models import Stakeholder, Tier
from tests.factories import make_hcp
from tests.network.graph import Graph

Personas = Callable[[str], Principal]


@pytest.fixture
def graph(session: Session) -> Graph:
    built = Graph(session)
    service_recompute.recompute(session, requested_by="test")
    return built


class TestEgoNetwork:
    def test_msl_sees_every_relation_in_territory_and_counts_the_rest(
        self, session: Session, persona: Personas, graph: Graph
    ) -> None:
        ego = network_service.ego_network(session, persona("rep"), graph.ames.id)
        ids = {n.id for n in ego.nodes}
        assert {graph.ames.id, graph.baker.id, graph.cole.id, graph.fenway.id} <= ids
        assert graph.west.id not in ids
        assert ego.hidden_relations == 1  # the co-author in Los Angeles
        types = {e.type for e in ego.edges}
        assert {EdgeType.colleague, EdgeType.member, EdgeType.referral, EdgeType.spoke_to} <= types
        referral = next(e for e in ego.edges if e.type == EdgeType.referral)
        assert (referral.source_id, referral.target_id) == (graph.cole.id, graph.ames.id)
        assert referral.directed
        assert referral.sources[0].startswith("referral:")

    def test_compliance_sees_the_co_author_with_the_paper_behind_the_edge(
        self, session: Session, persona: Personas, graph: Graph
    ) -> None:
        ego = network_service.ego_network(session, persona("compliance"), graph.ames.id)
        coauthor = next(e for e in ego.edges if e.type == EdgeType.coauthor)
        assert coauthor.sources == ["publication:90000001"]
        assert coauthor.therapeutic_area == "CARDIO"
        assert ego.hidden_relations == 0

    def test_rep_outside_territory_gets_404(
        self, session: Session, persona: Personas, graph: Graph
    ) -> None:
        with pytest.raises(NotFound):
            network_service.ego_network(session, persona("rep_west"), graph.ames.id)

    def test_finance_sees_no_edges(self, session: Session, persona: Personas, graph: Graph) -> None:
        with pytest.raises(Forbidden, match="network is summary for finance"):
            network_service.ego_network(session, persona("finance"), graph.ames.id)

    def test_edge_types_filter(self, session: Session, persona: Personas, graph: Graph) -> None:
        ego = network_service.ego_network(
            session, persona("msl"), graph.ames.id, edge_types={EdgeType.colleague}
        )
        assert {e.type for e in ego.edges} == {EdgeType.colleague}
        assert {n.id for n in ego.nodes} == {graph.ames.id, graph.baker.id}

    def test_depth_two_reaches_neighbours_of_neighbours(
        self, session: Session, persona: Personas, graph: Graph
    ) -> None:
        one = network_service.ego_network(session, persona("msl"), graph.baker.id)
        two = network_service.ego_network(session, persona("msl"), graph.baker.id, depth=2)
        assert graph.cole.id not in {n.id for n in one.nodes}
        assert {n.id: n.depth for n in two.nodes}[graph.cole.id] == 2

    def test_bad_depth_and_unknown_area_name_their_field(
        self, session: Session, persona: Personas, graph: Graph
    ) -> None:
        with pytest.raises(InvalidInput) as bad_depth:
            network_service.ego_network(session, persona("msl"), graph.ames.id, depth=3)
        assert bad_depth.value.field == "depth"
        with pytest.raises(InvalidInput) as bad_area:
            network_service.pyramid(session, persona("msl"), therapeutic_area="DERM")
        assert bad_area.value.field == "therapeutic_area"


class TestPyramidAndTop:
    def test_the_pyramid_counts_only_stakeholders_in_territory(
        self, session: Session, persona: Personas, graph: Graph
    ) -> None:
        everyone = network_service.pyramid(session, persona("compliance"))
        boston = network_service.pyramid(session, persona("rep"))
        total = sum(t.total for t in everyone.tiers)
        assert total == sum(t.total for t in boston.tiers) + 1  # West is in Los Angeles
        assert [t.tier for t in everyone.tiers] == [
            Tier.global_,
            Tier.national,
            Tier.regional,
            Tier.local,
        ]

    def test_the_national_speaker_is_national_and_says_why(
        self, session: Session, persona: Personas, graph: Graph
    ) -> None:
        top = network_service.top_stakeholders(session, persona("msl"))
        ames = next(t for t in top if t.id == graph.ames.id)
        assert ames.tier == Tier.national
        assert ames.evidence is not None
        assert "speaker at 1 national event" in ames.evidence
        assert session.get(Stakeholder, graph.ames.id).tier == Tier.national  # the badge

    def test_finance_knows_the_top_stakeholders_by_name_and_tier_only(
        self, session: Session, persona: Personas, graph: Graph
    ) -> None:
        top = network_service.top_stakeholders(session, persona("finance"))
        assert top
        assert all(t.evidence is None for t in top)
        assert all(t.influence is not None for t in top)  # summary: tier and influence

    def test_the_area_pyramid_holds_only_the_area_evidence(
        self, session: Session, persona: Personas, graph: Graph
    ) -> None:
        cardio = network_service.top_stakeholders(
            session, persona("compliance"), therapeutic_area="CARDIO"
        )
        assert {t.id for t in cardio} == {
            graph.ames.id,
            graph.baker.id,
            graph.cole.id,
            graph.west.id,
        }


class TestRisingAndHistory:
    def test_rising_stars_are_the_largest_influence_gains(
        self, session: Session, persona: Personas, graph: Graph
    ) -> None:
        assert network_service.rising_stars(session, persona("msl")).stakeholders == []
        for n in range(3):
            other = make_hcp(session, f"Referrer{n}", city="Boston")
            session.add(
                Referral(
                    from_npi="1234567893",
                    to_npi="1245319599",
                    from_stakeholder_id=other.id,
                    to_stakeholder_id=graph.baker.id,
                    pair_count=200,
                    beneficiary_count=100,
                    same_day_count=0,
                )
            )
        session.flush()
        service_recompute.recompute(session, requested_by="test")
        rising = network_service.rising_stars(session, persona("msl"))
        assert rising.stakeholders[0].id == graph.baker.id
        assert all(star.gain >= 0.1 for star in rising.stakeholders)
        gain = rising.stakeholders[0].gain
        below = network_service.rising_stars(session, persona("msl"), min_gain=gain + 0.01)
        assert graph.baker.id not in {star.id for star in below.stakeholders}

    def test_snapshots_beyond_those_kept_lose_their_metrics_and_keep_their_summary(
        self, session: Session, graph: Graph
    ) -> None:
        settings = get_settings().model_copy(update={"network_snapshots_kept": 2})
        first = service_recompute.latest_snapshot(session)
        assert first is not None
        # a row written one by one (on PostgreSQL it lands in the default partition)
        session.add(
            NetworkMetric(
                snapshot_id=first.id,
                scope="ONC",
                stakeholder_id=graph.baker.id,
                influence=1.0,
                influence_percentile=50.0,
                brokerage=0.0,
                community=1,
                degree=0,
                reach_cities=0,
                reach_states=0,
                reach_countries=0,
                coauthors=0,
                trial_sites=0,
                trials=0,
                talks_global=0,
                talks_national=0,
                talks_regional=0,
                talks_local=0,
                members=0,
                tier=Tier.local,
                evidence="written by hand",
            )
        )
        session.flush()
        second = service_recompute.recompute(session, requested_by="test", settings=settings)
        third = service_recompute.recompute(session, requested_by="test", settings=settings)

        def rows(snapshot_id: int) -> int:
            count = select(func.count()).where(NetworkMetric.snapshot_id == snapshot_id)
            return session.scalar(count) or 0

        assert rows(first.id) == 0
        assert rows(second.id) == rows(third.id) > 0
        assert service_recompute.snapshot_count(session) == 3  # the summary rows stay
        if session.get_bind().dialect.name == "postgresql":
            tables = set(
                session.scalars(
                    text(
                        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                        " JOIN pg_class p ON p.oid = i.inhparent"
                        " WHERE p.relname = 'network_metric'"
                        " AND p.relnamespace = to_regnamespace(current_schema())"
                    )
                )
            )
            assert service_recompute.partition_name(first.id) not in tables
            assert {
                service_recompute.partition_name(second.id),
                service_recompute.partition_name(third.id),
                "network_metric_default",
            } <= tables

    def test_the_view_section_is_full_for_medical_and_summary_for_finance(
        self, session: Session, persona: Personas, graph: Graph
    ) -> None:
        ames = session.get(Stakeholder, graph.ames.id)
        assert ames is not None
        full = network_service.network_section(session, Lens(session, persona("msl"), ames))
        assert full is not None
        assert full.level == "full"
        assert full.metrics[0].scope == "all"
        assert full.relation_counts[EdgeType.colleague] == 1
        assert [h.tier for h in full.history] == [Tier.national]
        summary = network_service.network_section(session, Lens(session, persona("finance"), ames))
        assert summary is not None
        assert summary.level == "summary"
        assert summary.metrics == []
        assert summary.relation_counts == {}
        assert summary.tier == Tier.national
        assert summary.influence is not None


class TestCommunities:
    def test_a_community_lists_its_members_in_territory(
        self, session: Session, persona: Personas, graph: Graph
    ) -> None:
        number = session.scalar(
            select(NetworkMetric.community).where(
                NetworkMetric.stakeholder_id == graph.ames.id, NetworkMetric.scope == "all"
            )
        )
        assert number is not None
        everyone = network_service.community(session, persona("compliance"), number)
        boston = network_service.community(session, persona("rep"), number)
        assert graph.ames.id in {m.id for m in boston.members}
        assert boston.size == everyone.size
        assert boston.hidden_members == everyone.hidden_members + (
            1 if graph.west.id in {m.id for m in everyone.members} else 0
        )
        listed = network_service.communities(session, persona("rep"))
        assert number in {c.id for c in listed}
        with pytest.raises(NotFound):
            network_service.community(session, persona("rep"), 99_999)

    def test_a_function_the_policy_keeps_from_the_network_gets_403_on_the_list_as_on_one(
        self, session: Session, persona: Personas, graph: Graph
    ) -> None:
        compliance = persona("compliance")
        document = policy_service.read_policy(session, compliance).policy.to_document()
        document["rules"]["network"]["levels"]["commercial"] = "none"
        policy_service.change_policy(
            session, compliance, document=document, reason="network kept from sales for a test"
        )
        rep = persona("rep")
        with pytest.raises(Forbidden) as listed:
            network_service.communities(session, rep)
        with pytest.raises(Forbidden) as one:
            network_service.community(session, rep, 1)
        assert str(listed.value) == str(one.value)
        assert "network" in str(listed.value)
        assert network_service.communities(session, persona("msl"))
