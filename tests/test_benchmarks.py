"""The benchmarks print their figure beside a reference measured in the same run: the network
benchmark at a tiny size on PostgreSQL (skipped outside CI when the server is unreachable,
failed under CI), and the relations it generates."""

from __future__ import annotations

import io

import numpy as np
import polars as pl
from benchmarks import bench_database, network
from rich.console import Console

from accord.network.models import UNDIRECTED, EdgeType
from tests.backends import POSTGRES_URL, postgres_reachable, unavailable


def _stakeholders(n: int) -> pl.DataFrame:
    rng = np.random.default_rng(7)
    states = np.array(["MA", "NY", "CA", "TX"])[rng.integers(0, 4, n)]
    return pl.DataFrame(
        {
            "id": np.arange(1, n + 1, dtype=np.int64),
            "kind": np.where(rng.random(n) < 0.15, "organization", "person"),
            "state": states,
            "city": [f"{s} city {c}" for s, c in zip(states, rng.integers(0, 5, n), strict=True)],
        }
    )


class TestGenerateEdges:
    def test_about_ten_relations_per_stakeholder_of_every_type(self) -> None:
        edges = network.generate_edges(_stakeholders(2_000), [1, 2, 3], per_stakeholder=10, seed=1)
        assert 18_000 < edges.height <= 20_000
        assert set(edges["type"].unique()) == {t.value for t in EdgeType}
        assert (edges["source_id"] != edges["target_id"]).all()
        assert edges["id"].n_unique() == edges.height

    def test_undirected_relations_are_stored_once_per_pair_in_order(self) -> None:
        edges = network.generate_edges(_stakeholders(1_000), [1, 2], per_stakeholder=10, seed=1)
        undirected = edges.filter(pl.col("type").is_in([t.value for t in UNDIRECTED]))
        assert (undirected["source_id"] < undirected["target_id"]).all()

    def test_research_and_events_have_areas_affiliations_and_referrals_none(self) -> None:
        edges = network.generate_edges(_stakeholders(1_000), [1, 2], per_stakeholder=10, seed=1)
        by_type = edges.group_by("type").agg(pl.col("therapeutic_area_id").is_not_null().mean())
        share = dict(by_type.iter_rows())
        assert share[EdgeType.referral.value] == 0.0
        assert share[EdgeType.colleague.value] == 0.0
        assert share[EdgeType.coauthor.value] > 0.5
        assert share[EdgeType.spoke_to.value] > 0.9

    def test_degrees_are_heavy_tailed_with_hubs(self) -> None:
        edges = network.generate_edges(_stakeholders(5_000), [1], per_stakeholder=10, seed=1)
        degree = pl.concat([edges["source_id"], edges["target_id"]]).value_counts()["count"]
        assert degree.max() > 10 * degree.median()  # type: ignore[operator]

    def test_the_same_seed_gives_the_same_relations(self) -> None:
        first = network.generate_edges(_stakeholders(500), [1, 2], per_stakeholder=10, seed=3)
        again = network.generate_edges(_stakeholders(500), [1, 2], per_stakeholder=10, seed=3)
        assert first.equals(again)


class TestNetworkBenchmark:
    def test_prints_the_recompute_beside_bare_pagerank_and_leiden(self) -> None:
        problem = postgres_reachable()
        if problem:
            unavailable(problem)
        output = io.StringIO()
        console = Console(file=output, width=200)
        with bench_database(POSTGRES_URL) as bench:
            network.run(bench, "S", console, stakeholders=300)
        printed = output.getvalue()
        assert "recompute total (read, compute, write)" in printed
        assert "bare PageRank + Leiden (reference)" in printed
        for phase in ("read", "graph", "pagerank", "leiden", "brokerage", "tiers", "write"):
            assert f"  {phase} " in printed
        assert "same graph: " in printed
        assert "the same on all " in printed
        assert "of the bare library time" in printed
        assert "goal: under 60 s; overhead under 50% of bare library time: " in printed
        assert "setup (not part of the figure): 300 stakeholders" in printed
