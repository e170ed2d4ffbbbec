"""The recompute: experts found in research records, edges rebuilt from their sources, metrics
overall and per therapeutic area, tiers with their evidence, all written in bulk as one dated
snapshot; the stakeholders' tier badge follows the newest overall snapshot."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import polars as pl
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session

from accord.audit import trail
from accord.config import Settings, get_settings
from accord.db.base import utcnow
from accord.db.bulk import append_frame, read_frame
from accord.network import build, compute, discovery
from accord.network.models import NetworkEdge, NetworkMetric, NetworkSnapshot, SnapshotStatus
from accord.network.reach import Evidence
from accord.stakeholder.models import Stakeholder, StakeholderStatus

BLOCK = 50_000


def rules_from(settings: Settings) -> compute.TierRules:
    return compute.TierRules(
        global_talks=settings.network_tier_global_talks,
        global_countries=settings.network_tier_global_countries,
        global_percentile=settings.network_tier_global_percentile,
        national_states=settings.network_tier_national_states,
        national_percentile=settings.network_tier_national_percentile,
        regional_states=settings.network_tier_regional_states,
        regional_cities=settings.network_tier_regional_cities,
    )


class _Clock:
    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self.started = self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = round(self.timings.get(name, 0.0) + now - self.last, 3)
        self.last = now

    def add(self, timings: dict[str, float]) -> None:
        for name, seconds in timings.items():
            self.timings[name] = round(self.timings.get(name, 0.0) + seconds, 3)
        self.last = time.perf_counter()


@dataclass
class Measured:
    """What a recompute computed, not yet written: the metrics per scope, the rebuilt edges
    (None when the stored ones were measured) and the seconds spent so far."""

    started_at: datetime
    clock: _Clock
    metrics: list[pl.DataFrame]
    edges: pl.DataFrame | None
    methods: dict[str, str]
    node_count: int
    edge_count: int
    found: discovery.Discovery | None


def recompute(
    session: Session,
    *,
    requested_by: str,
    build_edges: bool = True,
    discover: bool = True,
    found: discovery.Discovery | None = None,
    settings: Settings | None = None,
    today: date | None = None,
) -> NetworkSnapshot:
    """Recompute the whole network in one unit of work (the caller commits): `measure` then
    `store`. With `build_edges` False the edges already stored are measured as they are."""
    measured = measure(
        session, build_edges=build_edges, discover=discover, found=found, settings=settings
    )
    return store(session, measured, requested_by=requested_by, settings=settings, today=today)


def measure(
    session: Session,
    *,
    build_edges: bool = True,
    discover: bool = True,
    found: discovery.Discovery | None = None,
    settings: Settings | None = None,
) -> Measured:
    """Read the sources and compute every metric and tier, writing nothing (unless
    `discover` finds experts to add).

    The job and the CLI run discovery, this and `store` as three units: on SQLite a writer
    locks out every other writer until it commits, and a transaction that read before
    another one committed cannot write at all; so the minutes of reading and computing hold
    no lock, and the write takes its turn for seconds."""
    settings = settings or get_settings()
    clock = _Clock()
    started_at = utcnow()
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        session.execute(text("SET LOCAL work_mem = '256MB'"))
        session.execute(text("SET LOCAL jit = off"))

    if build_edges and discover:
        found = discovery.discover(session)
        clock.lap("discover")
    with compute.Measurer(
        edge_visits=settings.network_brokerage_edge_visits,
        processes=settings.network_processes,
        parallel_min_edges=settings.network_parallel_min_edges,
    ) as measurer:
        return _measure(session, measurer, build_edges, settings, clock, started_at, found)


def _measure(
    session: Session,
    measurer: compute.Measurer,
    build_edges: bool,
    settings: Settings,
    clock: _Clock,
    started_at: datetime,
    found: discovery.Discovery | None,
) -> Measured:
    """The overall graph goes to `measurer` as soon as its relations are known, the
    therapeutic areas' as soon as the evidence says who is in them; the evidence is read and
    the tiers assigned while the graphs are measured."""
    rules = rules_from(settings)
    areas = build.load_areas(session)
    builder = build.EdgeBuilder(
        session, areas, colleague_max_members=settings.network_colleague_max_members
    )
    nodes = np.sort(builder.active["id"].to_numpy())
    edges: pl.DataFrame | None = None
    pairs: pl.DataFrame | None = None
    if not build_edges:
        pairs = read_frame(
            session,
            select(
                NetworkEdge.source_id,
                NetworkEdge.target_id,
                NetworkEdge.therapeutic_area_id,
                NetworkEdge.weight,
            ),
            {
                "source_id": pl.Int64,
                "target_id": pl.Int64,
                "therapeutic_area_id": pl.Int64,
                "weight": pl.Float64,
            },
        )
        clock.lap("read")
        measurer.submit(compute.Scope.of(compute.ALL, nodes, pairs))
    pubs = builder.publication_areas()
    trials = builder.trial_areas()
    investigators = builder.site_investigators()
    participants = builder.participants()
    if pairs is None:
        edges = pl.concat(
            [
                *builder.affiliations().values(),
                builder.coauthors(pubs),
                *builder.trials(trials, investigators).values(),
                *builder.events(participants).values(),
                builder.referrals(),
            ]
        )
        clock.lap("build")
        pairs = edges.select("source_id", "target_id", "therapeutic_area_id", "weight")
        measurer.submit(compute.Scope.of(compute.ALL, nodes, pairs))
    evidence = Evidence(session, pubs, trials, investigators, participants)
    clock.lap("read_evidence")

    counters: dict[str, pl.DataFrame] = {compute.ALL: evidence.counters(None)}
    for area_id, code in zip(areas.ids, areas.codes, strict=True):
        area_counters = evidence.counters(area_id)
        scoped = pairs.filter(pl.col("therapeutic_area_id") == area_id)
        ids = np.union1d(
            np.union1d(scoped["source_id"].to_numpy(), scoped["target_id"].to_numpy()),
            area_counters["sid"].to_numpy(),
        ).astype(np.int64)
        ids = ids[np.isin(ids, nodes)]
        if len(ids) == 0:
            continue
        counters[code] = area_counters
        measurer.submit(compute.Scope.of(code, ids, scoped))
    clock.lap("reach")
    # scopes in the order of `counters` (overall first), tiers assigned as each one is done
    frames_out: dict[str, pl.DataFrame] = {}
    methods: dict[str, str] = {}
    overall_edges = 0
    waited = 0.0
    for scope, result in measurer.completed():
        waited += time.perf_counter() - clock.last
        clock.last = time.perf_counter()
        # per phase, summed over the scopes (worker processes run them side by side)
        clock.add(result.timings)
        methods[scope] = result.brokerage_method
        if scope == compute.ALL:
            overall_edges = result.edge_count
        metrics = pl.DataFrame(
            {
                "sid": result.ids,
                "influence": result.influence,
                "influence_percentile": compute.percentiles(result.influence),
                "brokerage": result.brokerage,
                "community": result.community,
                "degree": result.degree,
            }
        ).join(counters[scope], on="sid", how="left")
        metrics = metrics.with_columns(
            [pl.col(c).fill_null(0) for c in counters[scope].columns if c != "sid"]
        )
        metrics = compute.assign_tiers(metrics, rules)
        clock.lap("tiers")
        frames_out[scope] = metrics.select(
            pl.lit(scope).alias("scope"),
            pl.col("sid").alias("stakeholder_id"),
            "influence",
            "influence_percentile",
            "brokerage",
            "community",
            "degree",
            "reach_cities",
            "reach_states",
            "reach_countries",
            pl.col("coauthor_states").alias("coauthors"),
            "trial_sites",
            "trials",
            "talks_global",
            "talks_national",
            "talks_regional",
            "talks_local",
            "members",
            "tier",
            "evidence",
        )
    clock.timings["measure"] = round(waited, 3)
    methods = {scope: methods[scope] for scope in counters if scope in methods}
    return Measured(
        started_at=started_at,
        clock=clock,
        metrics=[frames_out[scope] for scope in counters if scope in frames_out],
        edges=edges,
        methods=methods,
        node_count=len(nodes),
        edge_count=overall_edges,
        found=found,
    )


def store(
    session: Session,
    measured: Measured,
    *,
    requested_by: str,
    settings: Settings | None = None,
    today: date | None = None,
) -> NetworkSnapshot:
    """Write what `measure` computed as the newest snapshot: the metrics, the changed tier
    badges, the rebuilt edges; retire the snapshots beyond those kept."""
    settings = settings or get_settings()
    rules = rules_from(settings)
    clock = measured.clock
    clock.last = time.perf_counter()
    postgres = session.get_bind().dialect.name == "postgresql"
    found = measured.found
    snapshot = NetworkSnapshot(
        taken_on=today or measured.started_at.date(),
        started_at=measured.started_at,
        status=SnapshotStatus.running,
        requested_by=requested_by[:150],
        parameters={
            "tiers": rules.__dict__,
            "colleague_max_members": settings.network_colleague_max_members,
            "brokerage_edge_visits": settings.network_brokerage_edge_visits,
            "processes": settings.network_processes,
            **({"found": found.__dict__} if found is not None else {}),
        },
    )
    session.add(snapshot)
    session.flush()
    _write(session, snapshot, measured.metrics, postgres, clock)
    clock.lap("write_tiers")
    if measured.edges is not None:
        build.write_edges(session, measured.edges)
        clock.lap("write_edges")
    _retire(session, settings.network_snapshots_kept, postgres)
    clock.lap("retire")
    snapshot.node_count = measured.node_count
    snapshot.edge_count = measured.edge_count
    snapshot.brokerage_method = "; ".join(f"{s}: {m}" for s, m in measured.methods.items())
    snapshot.timings = {**clock.timings, "total": round(time.perf_counter() - clock.started, 3)}
    snapshot.status = SnapshotStatus.succeeded
    snapshot.finished_at = utcnow()
    session.flush()
    return snapshot


def _write(
    session: Session,
    snapshot: NetworkSnapshot,
    frames: list[pl.DataFrame],
    postgres: bool,
    clock: _Clock,
) -> None:
    """The metrics with COPY (phase "write"); the stakeholders' tier where the overall tier
    changed (phase "write_tiers": every stakeholder on a first recompute, few after)."""
    if not frames:
        return
    metrics = pl.concat(frames).select(pl.lit(snapshot.id).alias("snapshot_id"), pl.all())
    if postgres:
        _write_partition(session, snapshot.id, metrics)
    else:
        append_frame(session, "network_metric", metrics, block_rows=BLOCK)
    clock.lap("write")
    overall = metrics.filter(pl.col("scope") == compute.ALL).select(
        pl.col("stakeholder_id").alias("id"), pl.col("tier").alias("new_tier")
    )
    current = read_frame(
        session,
        select(Stakeholder.id, Stakeholder.tier).where(
            Stakeholder.status != StakeholderStatus.merged
        ),
        {"id": pl.Int64, "tier": pl.String},
    )
    changed = overall.join(current, on="id").filter(
        pl.col("tier").is_null() | (pl.col("tier") != pl.col("new_tier"))
    )
    if changed.is_empty():
        return
    by_tier = changed.group_by("new_tier").len().sort("new_tier").iter_rows()
    trail.record_bulk(
        session,
        action="update",
        entity="stakeholder",
        field="tier",
        new_value={tier: count for tier, count in by_tier},
        reason=f"network snapshot {snapshot.id}: tiers recomputed from the evidence",
    )
    if postgres:
        session.execute(
            text("CREATE TEMP TABLE network_tier (id integer, tier varchar(16)) ON COMMIT DROP")
        )
        append_frame(
            session,
            "network_tier",
            changed.select("id", pl.col("new_tier").alias("tier")),
            block_rows=BLOCK,
        )
        session.execute(
            text(
                "UPDATE stakeholder SET tier = n.tier FROM network_tier n "
                "WHERE stakeholder.id = n.id"
            )
        )
        session.execute(text("DROP TABLE network_tier"))
        # stakeholders loaded in this session read their new tier on next access
        for held in list(session.identity_map.values()):
            if isinstance(held, Stakeholder):
                session.expire(held, ["tier"])
    else:
        rows: list[dict[str, Any]] = [
            {"id": i, "tier": t} for i, t in changed.select("id", "new_tier").iter_rows()
        ]
        for start in range(0, len(rows), BLOCK):
            session.execute(
                update(Stakeholder),
                rows[start : start + BLOCK],
                execution_options={trail.AUDITED_BULK: True},
            )


def partition_name(snapshot_id: int) -> str:
    """A snapshot's partition of `network_metric` on PostgreSQL (migration 9d3b6f1e0a47)."""
    return f"network_metric_s{int(snapshot_id)}"


def _write_partition(session: Session, snapshot_id: int, metrics: pl.DataFrame) -> None:
    """PostgreSQL: the snapshot's metrics into a table of their own with no index, its two
    indexes built after in one sorted pass each, then attached as the snapshot's partition:
    half the time of a COPY that keeps two indexes up to date row by row. Nobody sees the
    rows before the commit, and a failure rolls the table back with the rest."""
    name = partition_name(snapshot_id)
    session.execute(
        text(f"CREATE TABLE {name} (LIKE network_metric INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    )
    append_frame(session, name, metrics, block_rows=BLOCK)
    session.execute(
        text(f"ALTER TABLE {name} ADD PRIMARY KEY (snapshot_id, scope, stakeholder_id)")
    )
    session.execute(text(f"CREATE INDEX ON {name} (snapshot_id, scope, influence)"))
    # the constraint spares the attach a scan of the table to prove it
    session.execute(
        text(
            f"ALTER TABLE {name} ADD CONSTRAINT {name}_snapshot CHECK (snapshot_id = {snapshot_id})"
        )
    )
    session.execute(
        text(f"ALTER TABLE network_metric ATTACH PARTITION {name} FOR VALUES IN ({snapshot_id})")
    )


def _retire(session: Session, kept: int, postgres: bool) -> None:
    """Metrics of snapshots beyond the newest `kept` are deleted (on PostgreSQL their
    partitions dropped); their summary rows stay."""
    ids = session.scalars(
        select(NetworkSnapshot.id)
        .where(NetworkSnapshot.status == SnapshotStatus.succeeded)
        .order_by(NetworkSnapshot.id.desc())
        .offset(kept - 1)
    ).all()
    if not ids:
        return
    if postgres:
        for snapshot_id in ids:
            session.execute(text(f"DROP TABLE IF EXISTS {partition_name(snapshot_id)}"))
    # rows written one by one (the default partition on PostgreSQL)
    session.execute(delete(NetworkMetric).where(NetworkMetric.snapshot_id.in_(ids)))


def latest_snapshot(session: Session, *, before: int | None = None) -> NetworkSnapshot | None:
    stmt = select(NetworkSnapshot).where(NetworkSnapshot.status == SnapshotStatus.succeeded)
    if before is not None:
        stmt = stmt.where(NetworkSnapshot.id < before)
    return session.scalars(stmt.order_by(NetworkSnapshot.id.desc()).limit(1)).first()


def snapshot_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(NetworkSnapshot)) or 0


def tier_counts(session: Session, snapshot_id: int) -> list[tuple[str, int]]:
    """Stakeholders per tier in a snapshot (overall), global first."""
    rows: dict[str, int] = {
        tier: count
        for tier, count in session.execute(
            select(NetworkMetric.tier, func.count())
            .where(NetworkMetric.snapshot_id == snapshot_id, NetworkMetric.scope == compute.ALL)
            .group_by(NetworkMetric.tier)
        )
    }
    order = ("global", "national", "regional", "local")
    return [(t, int(rows.get(t, 0))) for t in order]
