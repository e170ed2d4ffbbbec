"""The network on the real files: the PubMed co-author graph and the ClinicalTrials.gov
investigator-site network come out as ../shared/data's SOURCES.md says."""

from __future__ import annotations

from pathlib import Path

import igraph as ig
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from accord.network import service_recompute
from accord.network.discovery import AUTHOR, INVESTIGATOR
from accord.network.models import EdgeType, NetworkEdge, NetworkMetric
from accord.science.models import ClinicalTrial, TrialSiteInvestigator
from accord.stakeholder.models import Stakeholder, StakeholderIdentifier, Tier
from tests.science.conftest import SUBSET, run_pubmed, run_trials


def edges_of(session: Session, kind: EdgeType) -> list[tuple[int, int]]:
    return [
        (a, b)
        for a, b in session.execute(
            select(NetworkEdge.source_id, NetworkEdge.target_id).where(NetworkEdge.type == kind)
        )
    ]


def top_by_influence(session: Session, snapshot_id: int, n: int) -> list[str]:
    return list(
        session.scalars(
            select(Stakeholder.name)
            .join(NetworkMetric, NetworkMetric.stakeholder_id == Stakeholder.id)
            .where(NetworkMetric.snapshot_id == snapshot_id, NetworkMetric.scope == "all")
            .order_by(NetworkMetric.influence.desc())
            .limit(n)
        )
    )


class TestCoauthorGraph:
    def test_the_pubmed_subset_gives_the_graph_sources_md_describes(
        self, session: Session, data_dir: Path
    ) -> None:
        run_pubmed(session, data_dir / "pubmed" / SUBSET)
        snapshot = service_recompute.recompute(session, requested_by="test")

        authors = session.scalar(select(func.count()).where(StakeholderIdentifier.system == AUTHOR))
        assert authors == 4_124  # distinct LastName|ForeName
        pairs = edges_of(session, EdgeType.coauthor)
        assert len(set(pairs)) == 25_612
        degree: dict[int, int] = {}
        for a, b in set(pairs):
            degree[a] = degree.get(a, 0) + 1
            degree[b] = degree.get(b, 0) + 1
        names = {i: n for i, n in session.execute(select(Stakeholder.id, Stakeholder.name))}
        ranked = sorted(degree.items(), key=lambda kv: -kv[1])
        assert [(names[i], d) for i, d in ranked[:2]] == [("Melhem Solh", 63), ("Shadi Yaghi", 54)]

        ids = sorted(
            {i for p in pairs for i in p}
            | set(
                session.scalars(
                    select(StakeholderIdentifier.stakeholder_id).where(
                        StakeholderIdentifier.system == AUTHOR
                    )
                )
            )
        )
        index = {sid: n for n, sid in enumerate(ids)}
        graph = ig.Graph(n=len(ids), edges=[(index[a], index[b]) for a, b in set(pairs)])
        sizes = sorted(graph.connected_components().sizes(), reverse=True)
        assert len(sizes) == 473
        assert sizes[:5] == [97, 88, 64, 49, 41]

        assert snapshot.node_count == 4_124
        assert snapshot.edge_count == 25_612
        assert snapshot.brokerage_method.startswith("all: exact")
        # weighted PageRank with Newman's weights: the most prolific authors lead (Hanson,
        # 6 articles; Gholamrezanezhad, 4), ahead of Solh's single 40-author paper
        assert top_by_influence(session, snapshot.id, 2) == [
            "Summer E Hanson",
            "Ali Gholamrezanezhad",
        ]
        solh = session.execute(
            select(NetworkMetric.tier, NetworkMetric.evidence, NetworkMetric.reach_countries)
            .join(Stakeholder, Stakeholder.id == NetworkMetric.stakeholder_id)
            .where(Stakeholder.name == "Melhem Solh", NetworkMetric.scope == "all")
        ).one()
        assert solh.tier == Tier.global_  # 9 countries, influence in the top 1%
        assert solh.evidence.startswith("co-authors in 22 states")
        assert solh.reach_countries == 9

    def test_a_second_recompute_finds_no_one_new_and_gives_the_same_tiers(
        self, session: Session, data_dir: Path
    ) -> None:
        run_pubmed(session, data_dir / "pubmed" / SUBSET)
        first = service_recompute.recompute(session, requested_by="test")
        people = session.scalar(select(func.count()).select_from(Stakeholder))
        second = service_recompute.recompute(session, requested_by="test")
        assert session.scalar(select(func.count()).select_from(Stakeholder)) == people
        assert second.parameters["found"]["slots_linked"] == 0
        assert service_recompute.tier_counts(session, first.id) == service_recompute.tier_counts(
            session, second.id
        )


class TestInvestigatorSiteNetwork:
    def test_nci_match_investigators_and_their_sites_come_out_as_the_files_say(
        self, session: Session, data_dir: Path
    ) -> None:
        run_trials(session, data_dir / "clinicaltrials-gov" / "legacy-xml")
        snapshot = service_recompute.recompute(session, requested_by="test")

        match = session.scalar(
            select(ClinicalTrial.id).where(ClinicalTrial.nct_id == "NCT02465060")
        )
        investigators = session.scalar(
            select(func.count(func.distinct(TrialSiteInvestigator.stakeholder_id))).where(
                TrialSiteInvestigator.trial_id == match
            )
        )
        assert investigators == 256  # 1,113 site investigators, 256 distinct names
        assert (
            session.scalar(select(func.count()).where(StakeholderIdentifier.system == INVESTIGATOR))
            > 256
        )

        person = aliased(Stakeholder)
        sites_per_person = dict(
            session.execute(
                select(person.name, func.count(func.distinct(NetworkEdge.target_id)))
                .join(person, person.id == NetworkEdge.source_id)
                .where(NetworkEdge.type == EdgeType.investigator_at)
                .group_by(person.name)
            ).all()
        )
        assert sites_per_person["Mehmet S. Copur"] == 60
        assert sites_per_person["Philip J. Stella"] == 52
        assert sites_per_person["Alison K. Conlin"] == 39
        assert sites_per_person["Bryan A. Faller"] == 37

        assert top_by_influence(session, snapshot.id, 4) == [
            "Mehmet S. Copur",
            "Philip J. Stella",
            "Alison K. Conlin",
            "Bryan A. Faller",
        ]
        copur = session.execute(
            select(NetworkMetric.trial_sites, NetworkMetric.evidence, NetworkMetric.tier)
            .join(Stakeholder, Stakeholder.id == NetworkMetric.stakeholder_id)
            .where(Stakeholder.name == "Mehmet S. Copur", NetworkMetric.scope == "all")
        ).one()
        assert copur.trial_sites == 60
        assert copur.evidence.startswith("investigator at 60 sites in 9 states")
        assert copur.tier == Tier.national
