"""The network recompute (read, compute, write) beside bare igraph PageRank and Leiden on the
same graph, in the same run.

Setup (timed apart, not part of the figure): the demo generator's stakeholders at the size
(no interactions), then about ten relations per stakeholder generated here, seeded, and
written with COPY into `network_edge`: heavy-tailed degrees (activity drawn from a Pareto law,
so a few hubs), most relations within a city or a state, every edge type, the research and
event types spread over the therapeutic areas. The demo's own network sources (events,
referrals, publications, trials) are not needed: the recompute runs with `build_edges=False`
and measures the edges as stored.

The figure is `service_recompute.recompute` in one unit of work, committed, with its seconds
per phase. The reference reads the same edges with the bare COPY reader (`read_copy`) into
NumPy, builds the igraph graph (parallel relations summed, as the recompute does) and runs
`Graph.pagerank` and `Graph.community_leiden(objective_function="modularity")` once each.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import igraph as ig
import numpy as np
import numpy.typing as npt
import polars as pl
from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from accord.audit.trail import Actor, set_actor
from accord.db.bulk import copy_frame, read_copy, read_frame, set_aside_postgres
from accord.db.session import unit_of_work
from accord.demo.generator import SIZES, Size
from accord.demo.generator.load import generate
from accord.network import service_recompute
from accord.network.models import UNDIRECTED, EdgeType, NetworkMetric
from accord.product.models import TherapeuticArea
from accord.stakeholder.models import Stakeholder, StakeholderStatus
from benchmarks import BenchDatabase, Timer

SEED = 42
EDGES_PER_STAKEHOLDER = 10
GOAL_SECONDS = 60.0
GOAL_OVERHEAD_PERCENT = 50.0
BLOCK = 100_000
#: relations are dated over the ten years before this day (fixed: the same seed, the same rows)
LAST_DATE = date(2026, 12, 1)

#: share of the relations per type (affiliations and research dominate, as in real data)
TYPE_SHARES: dict[EdgeType, float] = {
    EdgeType.colleague: 0.22,
    EdgeType.member: 0.10,
    EdgeType.part_of: 0.01,
    EdgeType.coauthor: 0.20,
    EdgeType.coinvestigator: 0.05,
    EdgeType.investigator_at: 0.04,
    EdgeType.cospeaker: 0.04,
    EdgeType.spoke_to: 0.14,
    EdgeType.referral: 0.20,
}
#: types whose target is an organization; part_of also has one as its source
TO_ORGANIZATION = frozenset({EdgeType.member, EdgeType.investigator_at, EdgeType.part_of})
#: types whose evidence belongs to a therapeutic area (affiliations and referrals do not)
IN_AREA = frozenset(
    {
        EdgeType.coauthor,
        EdgeType.coinvestigator,
        EdgeType.investigator_at,
        EdgeType.cospeaker,
        EdgeType.spoke_to,
    }
)
SOURCE_PREFIX: dict[EdgeType, str] = {
    EdgeType.colleague: "affiliation:",
    EdgeType.member: "affiliation:",
    EdgeType.part_of: "organization:",
    EdgeType.coauthor: "publication:",
    EdgeType.coinvestigator: "trial:NCT",
    EdgeType.investigator_at: "trial:NCT",
    EdgeType.cospeaker: "event:",
    EdgeType.spoke_to: "event:",
    EdgeType.referral: "referral:",
}
#: the recompute's per-scope phases, summed over the scopes
PER_SCOPE = frozenset({"graph", "pagerank", "leiden", "brokerage"})
#: where a relation's other end lives: the same city, else the same state, else anywhere
SAME_CITY, SAME_STATE = 0.60, 0.28


@dataclass(frozen=True)
class Setup:
    stakeholders: int
    edges: int
    generate_s: float
    compute_s: float
    write_s: float


class _Picker:
    """Draws stakeholders in proportion to their activity, within a city, a state or anywhere
    (inverse transform sampling on the cumulative activity, grouped by state then city)."""

    def __init__(
        self,
        members: npt.NDArray[np.int64],
        city: npt.NDArray[np.int64],
        state: npt.NDArray[np.int64],
        activity: npt.NDArray[np.float64],
    ) -> None:
        order = np.lexsort((city[members], state[members]))
        self.members = members[order]
        self.cum = np.cumsum(activity[self.members])
        self.total = float(self.cum[-1])
        starts = self.cum - activity[self.members]
        self.bounds: dict[str, tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]] = {}
        for level, codes in (("city", city), ("state", state)):
            groups = int(codes.max()) + 1
            low = np.full(groups, np.inf)
            high = np.full(groups, -np.inf)
            np.minimum.at(low, codes[self.members], starts)
            np.maximum.at(high, codes[self.members], self.cum)
            empty = ~np.isfinite(low)
            low[empty], high[empty] = 0.0, self.total  # nobody there: anywhere
            self.bounds[level] = (low, high)

    def anywhere(self, rng: np.random.Generator, k: int) -> npt.NDArray[np.int64]:
        return self._at(rng.random(k) * self.total)

    def near(
        self,
        rng: np.random.Generator,
        city: npt.NDArray[np.int64],
        state: npt.NDArray[np.int64],
    ) -> npt.NDArray[np.int64]:
        k = len(city)
        low, high = np.zeros(k), np.full(k, self.total)
        where = rng.random(k)
        in_city = where < SAME_CITY
        in_state = ~in_city & (where < SAME_CITY + SAME_STATE)
        city_low, city_high = self.bounds["city"]
        state_low, state_high = self.bounds["state"]
        low[in_city], high[in_city] = city_low[city[in_city]], city_high[city[in_city]]
        low[in_state], high[in_state] = state_low[state[in_state]], state_high[state[in_state]]
        return self._at(low + rng.random(k) * (high - low))

    def _at(self, points: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
        position = np.searchsorted(self.cum, points, side="right").clip(0, len(self.cum) - 1)
        picked: npt.NDArray[np.int64] = self.members[position]
        return picked


def generate_edges(
    stakeholders: pl.DataFrame, area_ids: list[int], *, per_stakeholder: int, seed: int
) -> pl.DataFrame:
    """About `per_stakeholder` relations per stakeholder as `network_edge` rows (seeded)."""
    rng = np.random.default_rng(seed)
    n = stakeholders.height
    ids = stakeholders["id"].to_numpy().astype(np.int64)
    places = stakeholders.select(
        pl.col("state").fill_null("").rank("dense").alias("state"),
        pl.concat_str([pl.col("state"), pl.col("city")], separator="|", ignore_nulls=True)
        .fill_null("")
        .rank("dense")
        .alias("city"),
    )
    # dense codes from 0: the place's state, and its city within that state
    state = places["state"].to_numpy().astype(np.int64) - 1
    city = places["city"].to_numpy().astype(np.int64) - 1
    is_org = (stakeholders["kind"] == "organization").to_numpy()
    # heavy tail: a Pareto law of activity (shape 1.5) gives a few hubs with thousands of
    # relations and most stakeholders with a handful
    activity = rng.pareto(1.5, n) + 1.0
    everyone = np.arange(n, dtype=np.int64)
    people = _Picker(everyone[~is_org] if (~is_org).any() else everyone, city, state, activity)
    organizations = _Picker(everyone[is_org] if is_org.any() else everyone, city, state, activity)
    # each stakeholder's own area: a few areas hold most of the research (Zipf shares)
    shares = 1.0 / np.arange(1, len(area_ids) + 1)
    home_area = (
        rng.choice(np.asarray(area_ids, dtype=np.int64), size=n, p=shares / shares.sum())
        if area_ids
        else np.zeros(n, dtype=np.int64)
    )
    total = n * per_stakeholder
    today = (LAST_DATE - date(1970, 1, 1)).days
    frames = []
    for kind, share in TYPE_SHARES.items():
        k = max(1, round(total * share))
        source_picker = organizations if kind == EdgeType.part_of else people
        target_picker = organizations if kind in TO_ORGANIZATION else people
        source = source_picker.anywhere(rng, k)
        target = target_picker.near(rng, city[source], state[source])
        keep = source != target
        source, target = source[keep], target[keep]
        k = len(source)
        if kind in UNDIRECTED:
            source, target = np.minimum(source, target), np.maximum(source, target)
        evidence = rng.geometric(0.55, k).astype(np.int64)
        if kind == EdgeType.colleague:
            weight: npt.NDArray[np.floating[Any]] = evidence / np.sqrt(rng.integers(2, 60, k) - 1)
        elif kind == EdgeType.coauthor:
            weight = evidence / (rng.integers(2, 15, k) - 1)
        elif kind == EdgeType.referral:
            pairs = 11 + (rng.pareto(1.3, k) * 20).astype(np.int64)
            weight = np.log1p(pairs) / np.log(12)
            evidence = np.ones(k, dtype=np.int64)
        else:
            per_record = {
                EdgeType.member: 0.5,
                EdgeType.part_of: 1.0,
                EdgeType.coinvestigator: 1.0,
                EdgeType.investigator_at: 0.5,
                EdgeType.cospeaker: 1.0,
                EdgeType.spoke_to: 0.2,
            }[kind]
            if kind in (EdgeType.member, EdgeType.part_of):
                evidence = np.ones(k, dtype=np.int64)
            weight = evidence * per_record
        if kind in IN_AREA and area_ids:
            area = np.where(
                rng.random(k) < 0.8,
                home_area[source],
                rng.choice(np.asarray(area_ids, dtype=np.int64), size=k),
            )
            in_none = rng.random(k) < (0.25 if kind == EdgeType.coauthor else 0.05)
            area_column = pl.Series(area).set(pl.Series(in_none), None)
        else:
            area_column = pl.repeat(None, k, dtype=pl.Int64, eager=True)
        last = today - rng.integers(0, 3650, k)
        first = last - np.where(evidence > 1, rng.integers(0, 1500, k), 0)
        reference = pl.Series(rng.integers(1, 100_000_000, k)).cast(pl.String)
        if kind in (EdgeType.coinvestigator, EdgeType.investigator_at):
            reference = reference.str.zfill(8)
        frames.append(
            pl.DataFrame(
                {
                    "source_id": ids[source],
                    "target_id": ids[target],
                    "type": pl.repeat(kind.value, k, dtype=pl.String, eager=True),
                    "therapeutic_area_id": area_column.cast(pl.Int64),
                    "weight": weight.astype(np.float64),
                    "evidence_count": evidence,
                    "first_date": pl.Series(first.astype(np.int32)).cast(pl.Date),
                    "last_date": pl.Series(last.astype(np.int32)).cast(pl.Date),
                    "sources": (SOURCE_PREFIX[kind] + reference),
                }
            )
        )
    edges = pl.concat(frames)
    return edges.with_columns(pl.int_range(1, edges.height + 1, dtype=pl.Int64).alias("id"))


def _set_up(bench: BenchDatabase, size: Size, per_stakeholder: int) -> Setup:
    database = bench.database
    with Timer() as generating, unit_of_work(database.session_factory) as session:
        set_actor(session, Actor(id=None, name="benchmark"))
        generate(session, size, SEED, now=datetime.now(UTC))
    with Timer() as computing, unit_of_work(database.session_factory) as session:
        stakeholders = read_frame(
            session,
            select(Stakeholder.id, Stakeholder.kind, Stakeholder.state, Stakeholder.city)
            .where(Stakeholder.status != StakeholderStatus.merged)
            .order_by(Stakeholder.id),
            {"id": pl.Int64, "kind": pl.String, "state": pl.String, "city": pl.String},
        )
        area_ids = list(session.scalars(select(TherapeuticArea.id).order_by(TherapeuticArea.id)))
        edges = generate_edges(stakeholders, area_ids, per_stakeholder=per_stakeholder, seed=SEED)
    with Timer() as writing, unit_of_work(database.session_factory) as session:
        session.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
        restore = set_aside_postgres(session, ["network_edge"])
        copy_frame(session, "network_edge", edges, block_rows=BLOCK)
        for statement in restore:
            session.execute(text(statement))
        session.execute(
            text(
                "SELECT setval(pg_get_serial_sequence('network_edge', 'id'), "
                "(SELECT MAX(id) FROM network_edge))"
            )
        )
    with database.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(
            text("VACUUM ANALYZE network_edge")
        )
    return Setup(
        stakeholders.height, edges.height, generating.seconds, computing.seconds, writing.seconds
    )


@dataclass(frozen=True)
class Bare:
    read_s: float
    graph_s: float
    pagerank_s: float
    leiden_s: float
    nodes: int
    relations: int
    communities: int
    #: the same two calls on every scope the recompute measures: overall and each area's
    #: sub-graph (the overall graph's seconds included)
    scopes: int
    every_scope_s: float


def bare_reference(session: Session) -> Bare:
    """The same edges read with the bare COPY reader into NumPy, the igraph graph, then bare
    PageRank and Leiden once each."""
    raw: Any = session.connection().connection.driver_connection
    with Timer() as reading:
        data = read_copy(
            raw.pgconn,
            "COPY (SELECT source_id, target_id, weight, therapeutic_area_id FROM network_edge) "
            "TO STDOUT (FORMAT csv)",
        )
        frame = pl.read_csv(
            bytes(data),
            has_header=False,
            new_columns=["source_id", "target_id", "weight", "area"],
            schema={
                "source_id": pl.Int64,
                "target_id": pl.Int64,
                "weight": pl.Float64,
                "area": pl.Int64,
            },
        )
        source = frame["source_id"].to_numpy()
        target = frame["target_id"].to_numpy()
        weight = frame["weight"].to_numpy()
        node_data = read_copy(
            raw.pgconn,
            "COPY (SELECT id FROM stakeholder WHERE status <> 'merged') TO STDOUT (FORMAT csv)",
        )
        nodes = np.sort(np.array(bytes(node_data).split(), dtype=np.int64))
    with Timer() as building:
        edges = np.column_stack((np.searchsorted(nodes, source), np.searchsorted(nodes, target)))
        graph = ig.Graph(n=len(nodes), edges=edges, directed=False, edge_attrs={"weight": weight})
        # the recompute's graph: one relation per pair, parallel relations summed, no loops
        graph.simplify(multiple=True, loops=True, combine_edges={"weight": "sum"})
    with Timer() as ranking:
        graph.pagerank(weights="weight", directed=False)
    ig.set_random_number_generator(random.Random(SEED))
    with Timer() as clustering:
        communities = graph.community_leiden(objective_function="modularity", weights="weight")
    every_scope_s = ranking.seconds + clustering.seconds
    area = frame["area"].to_numpy()
    areas = frame["area"].drop_nulls().unique().sort().to_list()
    for area_id in areas:
        inside = area == area_id
        scoped_nodes = np.unique(np.concatenate((source[inside], target[inside])))
        scoped = ig.Graph(
            n=len(scoped_nodes),
            edges=np.column_stack(
                (
                    np.searchsorted(scoped_nodes, source[inside]),
                    np.searchsorted(scoped_nodes, target[inside]),
                )
            ),
            directed=False,
            edge_attrs={"weight": weight[inside]},
        )
        scoped.simplify(multiple=True, loops=True, combine_edges={"weight": "sum"})
        ig.set_random_number_generator(random.Random(SEED))
        with Timer() as scoped_s:
            scoped.pagerank(weights="weight", directed=False)
            scoped.community_leiden(objective_function="modularity", weights="weight")
        every_scope_s += scoped_s.seconds
    return Bare(
        reading.seconds,
        building.seconds,
        ranking.seconds,
        clustering.seconds,
        graph.vcount(),
        graph.ecount(),
        len(communities),
        1 + len(areas),
        every_scope_s,
    )


def run(
    bench: BenchDatabase,
    size_name: str,
    console: Console,
    *,
    stakeholders: int | None = None,
    per_stakeholder: int = EDGES_PER_STAKEHOLDER,
) -> None:
    """The benchmark at the generator's size (or `stakeholders`, for the tests)."""
    database = bench.database
    if database.is_sqlite:
        console.print(
            "skipped: the network benchmark runs on PostgreSQL only (its reference reads the "
            "edges with COPY)"
        )
        return
    preset = SIZES[size_name]
    size = Size(
        f"{preset.name}-network",
        stakeholders or preset.stakeholders,
        0,
        preset.users if stakeholders is None else 10,
    )
    with console.status(f"setup: {size.stakeholders:,} stakeholders and their relations"):
        setup = _set_up(bench, size, per_stakeholder)
    console.print(
        f"setup (not part of the figure): {setup.stakeholders:,} stakeholders generated in "
        f"{setup.generate_s:.1f} s; {setup.edges:,} relations computed in {setup.compute_s:.1f} s "
        f"and written with COPY (indexes and keys rebuilt) in {setup.write_s:.1f} s"
    )

    def recompute_once() -> tuple[dict[str, float], int, int, str, int, float]:
        started = time.perf_counter()
        with unit_of_work(database.session_factory) as session:
            set_actor(session, Actor(id=None, name="benchmark"))
            snapshot = service_recompute.recompute(session, requested_by="bench", build_edges=False)
            rows = session.scalar(
                select(func.count())
                .select_from(NetworkMetric)
                .where(NetworkMetric.snapshot_id == snapshot.id)
            )
            return (
                dict(snapshot.timings),
                snapshot.node_count,
                snapshot.edge_count,
                snapshot.brokerage_method,
                rows or 0,
                time.perf_counter() - started,
            )

    # the first recompute sets every stakeholder's tier badge; the nightly one that follows
    # on the same data changes few, as every later night does: the figure is the nightly one
    with console.status("first network recompute"):
        first_timings, *_ = recompute_once()
    with console.status("nightly network recompute"):
        timings, nodes, relations, method, metric_rows, wall_s = recompute_once()
    with console.status("bare igraph PageRank and Leiden"), database.engine.connect() as conn:
        with Session(bind=conn) as session:
            bare = bare_reference(session)
        conn.rollback()

    total_s = float(timings.get("total", wall_s))
    library_s = bare.pagerank_s + bare.leiden_s
    ratio = total_s / library_s if library_s else float("inf")
    overhead = (total_s - library_s) / library_s * 100 if library_s else float("inf")

    table = Table(
        title=f"Network recompute, size {size_name} ({nodes:,} stakeholders, {setup.edges:,} "
        f"relations stored, {relations:,} after summing parallel ones), PostgreSQL",
        caption="x bare: seconds over bare PageRank + Leiden on the same graph in this run",
        title_justify="left",
    )
    table.add_column("figure", no_wrap=True)
    table.add_column("s", justify="right", no_wrap=True)
    table.add_column("x bare", justify="right", no_wrap=True)
    table.add_row(
        "recompute total (read, compute, write), nightly",
        f"{total_s:.2f}",
        f"{ratio:.2f}",
        style="bold",
    )
    for phase, seconds in timings.items():
        if phase == "total":
            continue
        if "measure" in timings and phase in PER_SCOPE:
            # inside `measure`: summed over the scopes, which may run side by side in worker
            # processes, so these can add up to more than `measure` itself
            table.add_row(f"    {phase} (in measure, summed over scopes)", f"{seconds:.2f}", "")
        else:
            table.add_row(f"  {phase}", f"{seconds:.2f}", "")
    table.add_row("  recompute wall time with the commit", f"{wall_s:.2f}", "")
    first_s = float(first_timings.get("total", 0.0))
    table.add_row(
        "first recompute (sets every tier badge)",
        f"{first_s:.2f}",
        f"{first_s / library_s:.2f}" if library_s else "-",
    )
    table.add_row(
        "  of which write_tiers",
        f"{first_timings.get('write_tiers', 0.0):.2f}",
        "",
        end_section=True,
    )
    table.add_row("bare PageRank + Leiden (reference)", f"{library_s:.2f}", "1.00", style="bold")
    table.add_row("  bare PageRank (Graph.pagerank, weighted)", f"{bare.pagerank_s:.2f}", "")
    table.add_row(
        "  bare Leiden (community_leiden, modularity, weighted)", f"{bare.leiden_s:.2f}", ""
    )
    table.add_row(
        f"  the same on all {bare.scopes} scopes the recompute measures",
        f"{bare.every_scope_s:.2f}",
        f"{bare.every_scope_s / library_s:.2f}" if library_s else "-",
    )
    table.add_row(
        "  bare read (COPY reader into NumPy), not in the reference", f"{bare.read_s:.2f}", ""
    )
    table.add_row(
        "  bare graph build (summed, simple), not in the reference", f"{bare.graph_s:.2f}", ""
    )
    console.print(table)
    console.print(f"metrics written: {metric_rows or 0:,} rows; brokerage: {method}")
    same = "same graph" if bare.relations == relations else "DIFFERENT graphs"
    console.print(
        f"{same}: {bare.nodes:,} nodes and {bare.relations:,} relations in the reference, "
        f"{nodes:,} and {relations:,} in the recompute; bare Leiden found "
        f"{bare.communities:,} communities"
    )
    console.print(
        f"recompute {total_s:.1f} s beside bare PageRank + Leiden {library_s:.1f} s: "
        f"x{ratio:.2f}, overhead {overhead:.0f}% of the bare library time (beside the two "
        f"calls on all {bare.scopes} scopes, {bare.every_scope_s:.1f} s: "
        f"x{total_s / bare.every_scope_s if bare.every_scope_s else float('inf'):.2f})"
    )
    under_goal = total_s < GOAL_SECONDS
    lean = overhead < GOAL_OVERHEAD_PERCENT
    verdict = "met" if under_goal and lean else "not met"
    console.print(
        f"goal: under {GOAL_SECONDS:.0f} s; overhead under {GOAL_OVERHEAD_PERCENT:.0f}% of bare "
        f"library time: {verdict} ({total_s:.1f} s {'<' if under_goal else '>='} "
        f"{GOAL_SECONDS:.0f} s; overhead {overhead:.0f}% "
        f"{'<' if lean else '>='} {GOAL_OVERHEAD_PERCENT:.0f}%)"
    )
