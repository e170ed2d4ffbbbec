"""Metrics on the network with python-igraph, reach from the evidence, and the pyramid's tiers.

Influence is weighted PageRank on the undirected graph whose edge weights are the sums of the
relations between two stakeholders, scaled so the average stakeholder of the scope scores 1.0.
Communities are Leiden's (modularity, weighted, seeded). Brokerage is betweenness on hops,
normalised to 0-1: exact where stakeholders x relations fit ACCORD_NETWORK_BROKERAGE_EDGE_VISITS,
else estimated from as many sampled sources as fit (the snapshot says which).
"""

from __future__ import annotations

import logging
import multiprocessing
import random
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

import igraph as ig
import numpy as np
import numpy.typing as npt
import polars as pl

from accord.stakeholder.models import Tier

ALL = "all"
log = logging.getLogger("accord.network")


@dataclass(frozen=True)
class TierRules:
    """The thresholds of the pyramid (docs/network.md; ACCORD_NETWORK_TIER_*)."""

    global_talks: int = 2
    global_countries: int = 3
    global_percentile: float = 99.0
    national_states: int = 5
    national_percentile: float = 90.0
    regional_states: int = 2
    regional_cities: int = 3


@dataclass
class GraphResult:
    """Per node of the scope (aligned with `ids`)."""

    ids: npt.NDArray[np.int64]
    influence: npt.NDArray[np.float64]
    brokerage: npt.NDArray[np.float64]
    community: npt.NDArray[np.int64]
    degree: npt.NDArray[np.int64]
    edge_count: int
    brokerage_method: str
    timings: dict[str, float] = field(default_factory=dict)

    def with_brokerage(self, part: Brokerage) -> GraphResult:
        """This result with the brokerage measured apart, the seconds of both added up."""
        timings = dict(self.timings)
        for name, seconds in part.timings.items():
            timings[name] = timings.get(name, 0.0) + seconds
        return GraphResult(
            self.ids,
            self.influence,
            part.values,
            self.community,
            self.degree,
            self.edge_count,
            part.method,
            timings,
        )


def _timed(timings: dict[str, float], name: str, since: float) -> float:
    now = time.perf_counter()
    timings[name] = timings.get(name, 0.0) + (now - since)
    return now


@dataclass(frozen=True)
class Scope:
    """One graph to measure: its stakeholders (sorted ids) and relations as plain arrays, so
    that it can be handed to a worker process."""

    name: str
    ids: npt.NDArray[np.int64]
    source: npt.NDArray[np.int64]
    target: npt.NDArray[np.int64]
    weight: npt.NDArray[np.float64]

    @classmethod
    def of(cls, name: str, ids: npt.NDArray[np.int64], pairs: pl.DataFrame) -> Scope:
        return cls(
            name,
            ids,
            pairs["source_id"].to_numpy(),
            pairs["target_id"].to_numpy(),
            pairs["weight"].to_numpy().astype(np.float64),
        )


def build_graph(
    ids: npt.NDArray[np.int64], pairs: pl.DataFrame
) -> tuple[ig.Graph, list[float], npt.NDArray[np.int64]]:
    """The undirected weighted simple graph over `ids` (sorted) from (source_id, target_id,
    weight) rows: parallel relations summed (see `graph_of`)."""
    return graph_of(Scope.of(ALL, ids, pairs))


def graph_of(scope: Scope) -> tuple[ig.Graph, list[float], npt.NDArray[np.int64]]:
    """The scope's undirected weighted simple graph, its weights and degrees. Edges are handed
    to igraph sorted, as Python ints: igraph builds its index several times faster from
    sorted input."""
    ids = scope.ids
    # a dense id -> position table: a gather, where a binary search per relation misses
    # the cache ten million times
    top = int(ids[-1]) if len(ids) else 0
    position = np.full(top + 2, -1, dtype=np.int64)
    position[ids] = np.arange(len(ids))
    # relations of stakeholders outside `ids` (merged since the edges were built) point at
    # the last slot, -1, and are left out with the self-loops
    u = position[np.minimum(scope.source, top + 1)]
    v = position[np.minimum(scope.target, top + 1)]
    low, high = np.minimum(u, v), np.maximum(u, v)
    kept = (low != high) & (low >= 0)
    # one sortable key per unordered pair: a sort and a segmented sum are three times faster
    # than a hash group-by, and give the sorted order igraph wants
    key = low[kept] * len(ids) + high[kept]
    order = np.argsort(key)
    key = key[order]
    if len(key) == 0:
        return ig.Graph(n=len(ids), directed=False), [], np.zeros(len(ids), dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    weights = np.add.reduceat(scope.weight[kept][order], starts)
    first, second = np.divmod(key[starts], len(ids))
    # a zip handed straight to igraph: no ten million tuples kept alive at once
    graph = ig.Graph(
        n=len(ids), edges=zip(first.tolist(), second.tolist(), strict=True), directed=False
    )
    degree = np.bincount(first, minlength=len(ids)) + np.bincount(second, minlength=len(ids))
    return graph, weights.tolist(), degree.astype(np.int64)


def measure(scope: Scope, *, edge_visits: int, seed: int = 42) -> GraphResult:
    """Influence, communities and brokerage of one scope's graph."""
    return measure_core(scope, seed=seed).with_brokerage(
        measure_brokerage(scope, edge_visits=edge_visits, seed=seed)
    )


@dataclass
class Brokerage:
    """Brokerage of one scope's nodes (aligned with its `ids`), measured apart from the rest
    so that a large graph's two halves can run side by side."""

    name: str
    values: npt.NDArray[np.float64]
    method: str
    timings: dict[str, float]


def measure_core(scope: Scope, *, seed: int = 42) -> GraphResult:
    """Influence and communities of one scope's graph; brokerage left at zero."""
    ids = scope.ids
    timings: dict[str, float] = {}
    t = time.perf_counter()
    graph, weights, degree = graph_of(scope)
    t = _timed(timings, "graph", t)
    n = len(ids)
    if graph.ecount():
        influence = np.asarray(graph.pagerank(weights=weights, directed=False)) * n
    else:
        influence = np.ones(n)
    t = _timed(timings, "pagerank", t)
    ig.set_random_number_generator(random.Random(seed))
    if graph.ecount():
        membership = np.asarray(
            graph.community_leiden(
                objective_function="modularity", weights=weights, n_iterations=2
            ).membership,
            dtype=np.int64,
        )
    else:
        membership = np.arange(n, dtype=np.int64)
    # communities numbered from 1 by size, the largest first (stable across equal sizes)
    sizes = np.bincount(membership)
    order = np.lexsort((np.arange(len(sizes)), -sizes))
    renumber = np.empty_like(order)
    renumber[order] = np.arange(1, len(order) + 1)
    community = renumber[membership]
    _timed(timings, "leiden", t)
    return GraphResult(
        ids,
        influence,
        np.zeros(n),
        community.astype(np.int64),
        degree,
        graph.ecount(),
        "",
        timings,
    )


def measure_brokerage(scope: Scope, *, edge_visits: int, seed: int = 42) -> Brokerage:
    """Brokerage of one scope's graph (the graph built again: cheaper than shipping it)."""
    timings: dict[str, float] = {}
    t = time.perf_counter()
    graph, _, degree = graph_of(scope)
    t = _timed(timings, "graph", t)
    values, method = _brokerage(graph, degree, edge_visits, seed)
    _timed(timings, "brokerage", t)
    return Brokerage(scope.name, values, method, timings)


class Measurer:
    """Scopes measured as they are handed over, so that the caller reads the evidence while
    the largest graph is already being measured.

    igraph holds the GIL for the length of each call, so threads would not overlap: on a
    network of at least `parallel_min_edges` relations (the first scope handed over, the
    overall graph) the scopes go to `processes` worker processes, the first one in two
    halves side by side (influence and communities; brokerage) so that both are busy from
    the start; the others whole, as each graph built twice costs time. Smaller networks stay
    in this process, measured when their results are asked for, where starting workers
    would cost more than it saves."""

    def __init__(self, *, edge_visits: int, processes: int, parallel_min_edges: int) -> None:
        self.edge_visits = edge_visits
        self.processes = processes
        self.parallel_min_edges = parallel_min_edges
        self.scopes: list[Scope] = []
        self._pool: ProcessPoolExecutor | None = None
        self._futures: dict[Future[GraphResult | Brokerage], str] = {}
        self._parts: dict[str, int] = {}
        self._in_process = False

    def __enter__(self) -> Measurer:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def submit(self, scope: Scope) -> None:
        self.scopes.append(scope)
        if self._in_process:
            return
        if self._pool is None:
            if self.processes <= 1 or len(scope.source) < self.parallel_min_edges:
                self._in_process = True  # decided on the first scope, for all of them
                return
            # spawn: no fork of a process holding threads (the web server's, the job's)
            self._pool = ProcessPoolExecutor(
                max_workers=self.processes, mp_context=multiprocessing.get_context("spawn")
            )
        try:
            if len(self.scopes) == 1:
                # the first, largest graph in two halves: the second worker measures its
                # brokerage while this process is still reading what the other scopes need
                self._add(self._pool.submit(measure_core, scope), scope.name)
                self._add(
                    self._pool.submit(measure_brokerage, scope, edge_visits=self.edge_visits),
                    scope.name,
                )
            else:
                self._add(
                    self._pool.submit(measure, scope, edge_visits=self.edge_visits), scope.name
                )
        except BrokenProcessPool:
            self._fall_back()

    def _add(self, future: Future[Any], name: str) -> None:
        self._futures[future] = name
        self._parts[name] = self._parts.get(name, 0) + 1

    def _fall_back(self) -> None:
        # a worker that died (out of memory, or a main module that is not import-safe)
        # costs the time it ran, never the recompute
        log.warning("network: a worker process died; measuring the scopes in this process")
        self._in_process = True
        self.close()

    def completed(self) -> Iterator[tuple[str, GraphResult]]:
        """Every scope handed over, once, by name, as its measures are complete."""
        done: set[str] = set()
        if not self._in_process:
            cores: dict[str, GraphResult] = {}
            brokerages: dict[str, Brokerage] = {}
            try:
                for future in as_completed(list(self._futures)):
                    name = self._futures[future]
                    part = future.result()
                    if isinstance(part, Brokerage):
                        brokerages[name] = part
                    else:
                        cores[name] = part
                    if self._parts[name] == 2 and not (name in cores and name in brokerages):
                        continue
                    core = cores.pop(name)
                    if name in brokerages:
                        core = core.with_brokerage(brokerages.pop(name))
                    done.add(name)
                    yield name, core
            except BrokenProcessPool:
                self._fall_back()
        for scope in self.scopes:
            if scope.name not in done:
                yield scope.name, measure(scope, edge_visits=self.edge_visits)


def measure_all(
    scopes: list[Scope],
    *,
    edge_visits: int,
    processes: int,
    parallel_min_edges: int,
) -> dict[str, GraphResult]:
    """Measure every scope (see `Measurer`), largest first; results in the scopes' order."""
    with Measurer(
        edge_visits=edge_visits, processes=processes, parallel_min_edges=parallel_min_edges
    ) as measurer:
        for scope in sorted(scopes, key=lambda s: len(s.source), reverse=True):
            measurer.submit(scope)
        done = dict(measurer.completed())
    return {s.name: done[s.name] for s in scopes}


def _brokerage(
    graph: ig.Graph, degree: npt.NDArray[np.int64], edge_visits: int, seed: int
) -> tuple[npt.NDArray[np.float64], str]:
    n = graph.vcount()
    connected = np.flatnonzero(degree > 0)
    k = len(connected)
    if k < 3:
        return np.zeros(n), "exact"
    pairs = (k - 1) * (k - 2) / 2
    # Brandes' algorithm traverses the relations of a source's component once per source:
    # exact costs stakeholders x relations summed over the components (a co-author graph of
    # hundreds of small groups is cheap), an estimate at most its sources x all relations
    relations = max(1, graph.ecount())
    membership = np.asarray(graph.connected_components().membership)
    component_nodes = np.bincount(membership)
    component_relations = np.bincount(membership, weights=degree) / 2
    if float((component_nodes * component_relations).sum()) <= edge_visits:
        return _betweenness_from(graph, connected) / pairs, "exact"
    rng = np.random.default_rng(seed)
    sources = max(MIN_SOURCES, edge_visits // relations)
    if sources >= k:
        return _betweenness_from(graph, connected) / pairs, "exact"
    chosen = rng.choice(connected, size=sources, replace=False)
    # paths from the sampled sources stand for paths from every source
    estimate = _betweenness_from(graph, np.sort(chosen)) * (k / len(chosen))
    return (
        np.clip(estimate / pairs, 0.0, 1.0),
        f"estimated from {len(chosen):,} of {k:,} sources",
    )


#: the fewest sampled sources an estimate uses, whatever the size of the graph
MIN_SOURCES = 8

#: sources x relations per igraph call: about a tenth of a second, so that the web server
#: sharing the process (jobs in-process) gets the GIL back between calls
_VISITS_PER_CALL = 5_000_000


def _betweenness_from(graph: ig.Graph, sources: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
    """Betweenness over the shortest paths that start at `sources` (every source: the exact
    betweenness; igraph already counts an undirected pair once), in calls short enough to
    let other threads run."""
    per_call = max(1, _VISITS_PER_CALL // max(1, graph.ecount()))
    total = np.zeros(graph.vcount())
    for start in range(0, len(sources), per_call):
        chunk = sources[start : start + per_call].tolist()
        total += np.asarray(graph.betweenness(directed=False, sources=chunk))
    return total


def percentiles(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Share of the scope with a lower value, 0-100."""
    if len(values) == 0:
        return np.zeros(0)
    ranks = pl.Series(values).rank("min").to_numpy()
    return (ranks - 1) / len(values) * 100.0


def assign_tiers(frame: pl.DataFrame, rules: TierRules) -> pl.DataFrame:
    """Adds `tier` and `evidence` to a frame of metrics and evidence counters."""
    talks_any_high = pl.col("talks_global") + pl.col("talks_national")
    is_global = (pl.col("talks_global") >= rules.global_talks) | (
        (pl.col("reach_countries") >= rules.global_countries)
        & (pl.col("influence_percentile") >= rules.global_percentile)
    )
    is_national = (talks_any_high >= 1) | (
        (
            (pl.col("reach_states") >= rules.national_states)
            | (pl.col("reach_countries") >= rules.global_countries)
        )
        & (pl.col("influence_percentile") >= rules.national_percentile)
    )
    is_regional = (
        (pl.col("talks_regional") >= 1)
        | (pl.col("reach_states") >= rules.regional_states)
        | (pl.col("reach_cities") >= rules.regional_cities)
    )
    tier = (
        pl.when(is_global)
        .then(pl.lit(Tier.global_.value))
        .when(is_national)
        .then(pl.lit(Tier.national.value))
        .when(is_regional)
        .then(pl.lit(Tier.regional.value))
        .otherwise(pl.lit(Tier.local.value))
    )

    def phrase(count: str, text: Callable[[pl.Expr], pl.Expr]) -> pl.Expr:
        return pl.when(pl.col(count) > 0).then(text(pl.col(count).cast(pl.String)))

    def plural(column: str, one: str, many: str) -> pl.Expr:
        return pl.when(pl.col(column) == 1).then(pl.lit(one)).otherwise(pl.lit(many))

    parts = [
        phrase(
            "coauthor_states",
            lambda c: pl.concat_str(
                pl.lit("co-authors in "),
                c,
                pl.lit(" "),
                plural("coauthor_states", "state", "states"),
            ),
        ),
        phrase(
            "trial_sites",
            lambda c: pl.concat_str(
                pl.lit("investigator at "),
                c,
                pl.lit(" "),
                plural("trial_sites", "site", "sites"),
                pl.lit(" in "),
                pl.col("site_states").cast(pl.String),
                pl.lit(" "),
                plural("site_states", "state", "states"),
            ),
        ),
        pl.when(pl.col("trials") > 1).then(
            pl.concat_str(pl.lit("in "), pl.col("trials").cast(pl.String), pl.lit(" trials"))
        ),
    ]
    for scope in ("global", "national", "regional", "local"):
        column = f"talks_{scope}"
        parts.append(
            pl.when(pl.col(column) > 0).then(
                pl.concat_str(
                    pl.lit("speaker at "),
                    pl.col(column).cast(pl.String),
                    pl.lit(f" {scope} "),
                    plural(column, "event", "events"),
                )
            )
        )
    parts += [
        phrase(
            "audience_states",
            lambda c: pl.concat_str(
                pl.lit("audiences in "),
                c,
                pl.lit(" "),
                plural("audience_states", "state", "states"),
            ),
        ),
        phrase(
            "members",
            lambda c: pl.concat_str(
                pl.lit(""),
                c,
                pl.lit(" "),
                plural("members", "member", "members"),
                pl.lit(" in "),
                pl.col("member_states").cast(pl.String),
                pl.lit(" "),
                plural("member_states", "state", "states"),
            ),
        ),
        pl.when(pl.col("reach_countries") >= 2).then(
            pl.concat_str(
                pl.lit("reach in "), pl.col("reach_countries").cast(pl.String), pl.lit(" countries")
            )
        ),
        pl.when(pl.col("influence_percentile") >= 90).then(
            pl.concat_str(
                pl.lit("influence in the top "),
                (100 - pl.col("influence_percentile"))
                .clip(lower_bound=0.1)
                .round(1)
                .cast(pl.String),
                pl.lit("%"),
            )
        ),
    ]
    evidence = pl.concat_str(parts, separator=", ", ignore_nulls=True)
    evidence = (
        pl.when(evidence == "")
        .then(pl.lit("no recorded relations beyond the local level"))
        .otherwise(evidence)
    )
    return frame.with_columns(tier.alias("tier"), evidence.alias("evidence"))
