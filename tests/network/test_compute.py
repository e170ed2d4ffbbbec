"""The graph measures: the same figures whether the scopes run here or in worker processes."""

from __future__ import annotations

from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool

import igraph as ig
import numpy as np
import polars as pl
import pytest

from accord.network import compute


def _scopes() -> list[compute.Scope]:
    rng = np.random.default_rng(7)
    ids = np.arange(10, 610, dtype=np.int64)
    source = rng.choice(ids, 3_000)
    target = rng.choice(ids, 3_000)
    weight = rng.random(3_000) + 0.5
    every = pl.DataFrame({"source_id": source, "target_id": target, "weight": weight})
    half = every.head(1_500)
    return [
        compute.Scope.of(compute.ALL, ids, every),
        compute.Scope.of("onc", np.unique(np.r_[half["source_id"], half["target_id"]]), half),
    ]


class TestMeasureAll:
    def test_worker_processes_give_the_figures_of_one_process(self) -> None:
        scopes = _scopes()
        here = compute.measure_all(scopes, edge_visits=100_000, processes=1, parallel_min_edges=0)
        there = compute.measure_all(scopes, edge_visits=100_000, processes=2, parallel_min_edges=0)
        assert list(there) == [compute.ALL, "onc"]
        for name in here:
            assert np.allclose(here[name].influence, there[name].influence)
            assert np.array_equal(here[name].community, there[name].community)
            assert np.allclose(here[name].brokerage, there[name].brokerage)
            assert here[name].edge_count == there[name].edge_count

    def test_a_worker_that_dies_costs_its_time_not_the_recompute(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        class DyingPool:
            """A pool whose workers die on their first task, as one killed out of memory."""

            def __init__(self, **_: object) -> None:
                pass

            def submit(self, *_: object, **__: object) -> Future[object]:
                future: Future[object] = Future()
                future.set_exception(BrokenProcessPool("a worker died"))
                return future

            def shutdown(self, **_: object) -> None:
                pass

        scopes = _scopes()
        here = compute.measure_all(scopes, edge_visits=100_000, processes=1, parallel_min_edges=0)
        monkeypatch.setattr(compute, "ProcessPoolExecutor", DyingPool)
        there = compute.measure_all(scopes, edge_visits=100_000, processes=2, parallel_min_edges=0)
        assert list(there) == [compute.ALL, "onc"]
        for name in here:
            assert np.allclose(here[name].influence, there[name].influence)
            assert np.array_equal(here[name].community, there[name].community)


class TestMeasurer:
    def test_scopes_handed_over_one_by_one_come_back_once_each_whole(self) -> None:
        scopes = _scopes()
        with compute.Measurer(
            edge_visits=100_000, processes=2, parallel_min_edges=2_000
        ) as measurer:
            # the first graph handed over in two halves, the area whole
            for scope in scopes:
                measurer.submit(scope)
            results = list(measurer.completed())
        assert sorted(name for name, _ in results) == [compute.ALL, "onc"]
        alone = {s.name: compute.measure(s, edge_visits=100_000) for s in scopes}
        for name, result in results:
            assert np.allclose(result.influence, alone[name].influence)
            assert np.array_equal(result.community, alone[name].community)
            assert np.allclose(result.brokerage, alone[name].brokerage)
            assert result.brokerage_method == alone[name].brokerage_method
            assert {"graph", "pagerank", "leiden", "brokerage"} <= set(result.timings)

    def test_a_small_network_is_measured_in_this_process(self) -> None:
        with compute.Measurer(
            edge_visits=100_000, processes=2, parallel_min_edges=1_000_000
        ) as measurer:
            for scope in _scopes():
                measurer.submit(scope)
            assert measurer._pool is None
            assert [name for name, _ in measurer.completed()] == [compute.ALL, "onc"]


class TestGraph:
    def test_relations_of_stakeholders_outside_the_scope_are_left_out(self) -> None:
        ids = np.array([1, 2, 3], dtype=np.int64)
        pairs = pl.DataFrame(
            {
                "source_id": [1, 2, 2, 9, 3],
                "target_id": [2, 1, 3, 1, 3],
                "weight": [1.0, 2.0, 1.0, 5.0, 4.0],
            }
        )
        graph, weights, degree = compute.build_graph(ids, pairs)
        # 1-2 twice (summed), 2-3 once; 9 is not in the scope and 3-3 is a loop
        assert graph.get_edgelist() == [(0, 1), (1, 2)]
        assert weights == [3.0, 1.0]
        assert degree.tolist() == [1, 2, 1]


class TestBrokerage:
    def test_exact_in_short_calls_is_igraphs_betweenness(self) -> None:
        graph = ig.Graph.Erdos_Renyi(n=400, m=1_600)
        degree = np.asarray(graph.degree(), dtype=np.int64)
        k = int((degree > 0).sum())
        values, method = compute._brokerage(graph, degree, edge_visits=10**9, seed=1)
        assert method.startswith("exact")
        expected = np.asarray(graph.betweenness(directed=False)) / ((k - 1) * (k - 2) / 2)
        assert np.allclose(values, expected)

    def test_the_estimate_from_half_the_sources_is_on_the_exact_scale(self) -> None:
        graph = ig.Graph.Erdos_Renyi(n=400, m=1_600)
        degree = np.asarray(graph.degree(), dtype=np.int64)
        exact, _ = compute._brokerage(graph, degree, edge_visits=10**9, seed=1)
        estimate, method = compute._brokerage(graph, degree, edge_visits=200 * 1_600, seed=1)
        assert method.startswith("estimated from 200 of ")
        assert abs(estimate.sum() / exact.sum() - 1) < 0.1
