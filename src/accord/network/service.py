"""The network as the API and pages read it: the pyramid, the top stakeholders, rising stars,
ego networks, communities and the stakeholder view's network section.

Everything starts from the gate: only stakeholders in the caller's territories appear, as nodes,
as members or in counts, and the firewall's `network` category decides per stakeholder what of
them shows: full (edges with types, weights and sources), summary (tier and influence score) or
none. Tier itself is identity, which every function sees (FIREWALL.md), so the pyramid and the
top list serve finance and operations too.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from accord.access import gate, permissions
from accord.access.firewall import STAGES, Level
from accord.access.gate import Lens
from accord.access.principal import Principal
from accord.config import get_settings
from accord.errors import Forbidden, InvalidInput, NotFound
from accord.network.compute import ALL
from accord.network.models import UNDIRECTED, EdgeType, NetworkEdge, NetworkMetric, NetworkSnapshot
from accord.network.schemas import (
    AreaRead,
    CommunityMemberRead,
    CommunityRead,
    CommunitySummaryRead,
    EdgeRead,
    EgoNetworkRead,
    HistoryPoint,
    MetricRead,
    NetworkSectionRead,
    NodeRead,
    PyramidRead,
    RisingRead,
    RisingStarRead,
    SnapshotRef,
    TierRow,
    TopStakeholderRead,
)
from accord.network.service_recompute import latest_snapshot, recompute
from accord.policy import service as policy_service
from accord.product.models import Product, TherapeuticArea
from accord.stakeholder.models import (
    Specialty,
    Stakeholder,
    StakeholderProduct,
    StakeholderType,
    Tier,
)

__all__ = [
    "communities",
    "community",
    "ego_network",
    "network_section",
    "pyramid",
    "recompute",
    "rising_stars",
    "scopes",
    "top_stakeholders",
]

TIER_ORDER = (Tier.global_, Tier.national, Tier.regional, Tier.local)
#: what an ego network may draw: the strongest relations first
MAX_NEIGHBOURS = 150
MAX_SECOND_RING_EDGES = 1_500
MAX_COMMUNITY_MEMBERS = 200


def scopes(session: Session) -> list[AreaRead]:
    """The therapeutic areas metrics are computed for (besides overall)."""
    rows = session.execute(
        select(TherapeuticArea.code, TherapeuticArea.name).order_by(TherapeuticArea.name)
    )
    return [AreaRead(code=c, name=n) for c, n in rows]


def _scope(session: Session, therapeutic_area: str | None) -> str:
    if not therapeutic_area:
        return ALL
    known = session.scalar(
        select(TherapeuticArea.code).where(TherapeuticArea.code == therapeutic_area)
    )
    if known is None:
        raise InvalidInput(f"no therapeutic area {therapeutic_area!r}", field="therapeutic_area")
    return known


def snapshot_ref(snapshot: NetworkSnapshot | None) -> SnapshotRef | None:
    if snapshot is None:
        return None
    return SnapshotRef(
        id=snapshot.id,
        taken_on=snapshot.taken_on,
        node_count=snapshot.node_count,
        edge_count=snapshot.edge_count,
        brokerage_method=snapshot.brokerage_method,
    )


class _NetworkLevels:
    """The firewall's network level per stakeholder for one caller: one level for everyone
    when the policy does not depend on the stage for the caller's function (the default),
    else the strictest among each stakeholder's products' stages."""

    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.function = principal.function
        self.policy = policy_service.current_policy(session)
        self.untied = self.policy.section(self.function, "network").level
        self.uniform = len({self.policy.level(self.function, s, "network") for s in STAGES}) == 1

    def of(self, ids: Iterable[int]) -> dict[int, Level]:
        wanted = sorted(set(ids))
        if self.uniform or not wanted:
            return dict.fromkeys(wanted, self.untied)
        stages: dict[int, set[Any]] = defaultdict(set)
        for start in range(0, len(wanted), 5_000):
            rows = self.session.execute(
                select(StakeholderProduct.stakeholder_id, Product.lifecycle_stage)
                .join(Product, Product.id == StakeholderProduct.product_id)
                .where(StakeholderProduct.stakeholder_id.in_(wanted[start : start + 5_000]))
            )
            for sid, stage in rows:
                stages[sid].add(stage)
        return {
            sid: self.policy.section(self.function, "network", stages.get(sid, set())).level
            for sid in wanted
        }

    def most(self) -> Level:
        """The best level the caller has for anyone (to refuse a whole page early)."""
        if self.uniform:
            return self.untied
        return max(self.policy.level(self.function, s, "network") for s in STAGES)


def _metrics(snapshot_id: int, scope: str) -> Select[NetworkMetric, Stakeholder]:
    return (
        select(NetworkMetric, Stakeholder)
        .join(Stakeholder, Stakeholder.id == NetworkMetric.stakeholder_id)
        .where(NetworkMetric.snapshot_id == snapshot_id, NetworkMetric.scope == scope)
    )


def pyramid(
    session: Session, principal: Principal, *, therapeutic_area: str | None = None
) -> PyramidRead:
    """Stakeholders per tier and type among those the caller may see."""
    permissions.require(principal, permissions.NETWORK_READ)
    scope = _scope(session, therapeutic_area)
    snapshot = latest_snapshot(session)
    counts: dict[Tier, Counter[StakeholderType]] = {t: Counter() for t in TIER_ORDER}
    if snapshot is not None:
        stmt = gate.visible_stakeholders(
            select(NetworkMetric.tier, Stakeholder.type, func.count())
            .join(Stakeholder, Stakeholder.id == NetworkMetric.stakeholder_id)
            .where(NetworkMetric.snapshot_id == snapshot.id, NetworkMetric.scope == scope)
            .group_by(NetworkMetric.tier, Stakeholder.type),
            principal,
        )
        for tier, kind, count in session.execute(stmt):
            counts[Tier(tier)][StakeholderType(kind)] += count
    return PyramidRead(
        therapeutic_area=None if scope == ALL else scope,
        snapshot=snapshot_ref(snapshot),
        tiers=[
            TierRow(tier=t, total=sum(counts[t].values()), by_type=dict(counts[t].most_common()))
            for t in TIER_ORDER
        ],
    )


def top_stakeholders(
    session: Session,
    principal: Principal,
    *,
    therapeutic_area: str | None = None,
    tier: Tier | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[TopStakeholderRead]:
    """The most influential stakeholders the caller may see, by name and tier (identity);
    influence where the network category is at least summary, the evidence where it is full."""
    permissions.require(principal, permissions.NETWORK_READ)
    scope = _scope(session, therapeutic_area)
    snapshot = latest_snapshot(session)
    if snapshot is None:
        return []
    stmt = (
        _metrics(snapshot.id, scope)
        .add_columns(Specialty.display_name)
        .outerjoin(Specialty, Specialty.code == Stakeholder.primary_specialty_code)
        .order_by(NetworkMetric.influence.desc(), Stakeholder.id)
        .limit(limit)
        .offset(offset)
    )
    if tier is not None:
        stmt = stmt.where(NetworkMetric.tier == tier)
    rows = session.execute(gate.visible_stakeholders(stmt, principal)).all()
    levels = _NetworkLevels(session, principal).of(s.id for _, s, _ in rows)
    out = []
    for rank, (metric, stakeholder, specialty) in enumerate(rows, start=offset + 1):
        level = levels[stakeholder.id]
        out.append(
            TopStakeholderRead(
                rank=rank,
                id=stakeholder.id,
                name=stakeholder.name,
                credentials=stakeholder.credentials,
                type=stakeholder.type,
                specialty=specialty,
                tier=metric.tier,
                influence=round(metric.influence, 3) if level >= Level.summary else None,
                evidence=metric.evidence if level >= Level.full else None,
            )
        )
    return out


def _previous(session: Session, snapshot: NetworkSnapshot, scope: str) -> NetworkSnapshot | None:
    """The newest earlier snapshot that still holds metrics for the scope."""
    candidate = latest_snapshot(session, before=snapshot.id)
    while candidate is not None:
        held = session.scalar(
            select(NetworkMetric.stakeholder_id)
            .where(NetworkMetric.snapshot_id == candidate.id, NetworkMetric.scope == scope)
            .limit(1)
        )
        if held is not None:
            return candidate
        candidate = latest_snapshot(session, before=candidate.id)
    return None


def rising_stars(
    session: Session,
    principal: Principal,
    *,
    therapeutic_area: str | None = None,
    limit: int = 20,
    min_gain: float | None = None,
) -> RisingRead:
    """The largest influence gains between the two newest snapshots, among the stakeholders
    whose influence the caller may see. Gains below ACCORD_NETWORK_RISING_MIN_GAIN are left
    out: every relation added anywhere shifts everyone's PageRank a little, and those shifts
    are not news."""
    permissions.require(principal, permissions.NETWORK_READ)
    floor = get_settings().network_rising_min_gain if min_gain is None else min_gain
    scope = _scope(session, therapeutic_area)
    snapshot = latest_snapshot(session)
    since = _previous(session, snapshot, scope) if snapshot is not None else None
    if snapshot is None or since is None:
        return RisingRead(
            therapeutic_area=None if scope == ALL else scope,
            since=snapshot_ref(since),
            snapshot=snapshot_ref(snapshot),
            stakeholders=[],
        )
    before = (
        select(NetworkMetric.stakeholder_id, NetworkMetric.influence, NetworkMetric.tier)
        .where(NetworkMetric.snapshot_id == since.id, NetworkMetric.scope == scope)
        .subquery()
    )
    gain = NetworkMetric.influence - before.c.influence
    stmt = (
        _metrics(snapshot.id, scope)
        .add_columns(before.c.influence, before.c.tier, gain)
        .join(before, before.c.stakeholder_id == NetworkMetric.stakeholder_id)
        .where(gain > 0, gain >= floor)
        .order_by(gain.desc(), Stakeholder.id)
        .limit(limit * 2)
    )
    rows = session.execute(gate.visible_stakeholders(stmt, principal)).all()
    levels = _NetworkLevels(session, principal).of(s.id for _, s, *_ in rows)
    stars = [
        RisingStarRead(
            id=s.id,
            name=s.name,
            type=s.type,
            tier=m.tier,
            influence=round(m.influence, 3),
            influence_before=round(old, 3),
            gain=round(g, 3),
            tier_before=Tier(old_tier) if old_tier else None,
        )
        for m, s, old, old_tier, g in rows
        if levels[s.id] >= Level.summary
    ][:limit]
    return RisingRead(
        therapeutic_area=None if scope == ALL else scope,
        since=snapshot_ref(since),
        snapshot=snapshot_ref(snapshot),
        stakeholders=stars,
    )


def _require_full(session: Session, principal: Principal, stakeholder: Stakeholder) -> None:
    decision = Lens(session, principal, stakeholder).section("network")
    if decision.level < Level.full:
        raise Forbidden(decision.reason)


def _edges(stmt: Select[Any], session: Session) -> list[NetworkEdge]:
    return list(session.scalars(stmt))


def ego_network(
    session: Session,
    principal: Principal,
    stakeholder_id: int,
    *,
    depth: int = 1,
    edge_types: Collection[EdgeType] | None = None,
    therapeutic_area: str | None = None,
) -> EgoNetworkRead:
    """The stakeholder's relations (depth 1) and their neighbours' (depth 2): only nodes in the
    caller's territories whose network category the caller sees in full; the others are
    counted, never named. The strongest relations are kept when there are too many to draw."""
    permissions.require(principal, permissions.NETWORK_READ)
    if depth not in (1, 2):
        raise InvalidInput("depth must be 1 or 2", field="depth")
    scope = _scope(session, therapeutic_area)
    ego = gate.get_visible_stakeholder(session, principal, stakeholder_id)
    _require_full(session, principal, ego)
    area_id = (
        None
        if scope == ALL
        else session.scalar(select(TherapeuticArea.id).where(TherapeuticArea.code == scope))
    )

    def filtered(stmt: Select[Any]) -> Select[Any]:
        if edge_types:
            stmt = stmt.where(NetworkEdge.type.in_(sorted(edge_types)))
        if area_id is not None:
            stmt = stmt.where(NetworkEdge.therapeutic_area_id == area_id)
        return stmt

    first = _edges(
        filtered(
            select(NetworkEdge)
            .where(or_(NetworkEdge.source_id == ego.id, NetworkEdge.target_id == ego.id))
            .order_by(NetworkEdge.weight.desc(), NetworkEdge.id)
        ),
        session,
    )
    levels = _NetworkLevels(session, principal)

    def allowed(ids: set[int]) -> set[int]:
        visible: set[int] = set()
        ordered = sorted(ids)
        for start in range(0, len(ordered), 5_000):
            visible |= set(
                session.scalars(
                    gate.visible_stakeholders(
                        select(Stakeholder.id).where(
                            Stakeholder.id.in_(ordered[start : start + 5_000])
                        ),
                        principal,
                    )
                )
            )
        by_level = levels.of(visible)
        return {i for i in visible if by_level[i] >= Level.full}

    neighbours = {e.target_id if e.source_id == ego.id else e.source_id for e in first}
    shown = allowed(neighbours)
    hidden = sum(
        1 for e in first if (e.target_id if e.source_id == ego.id else e.source_id) not in shown
    )
    kept_first = [
        e for e in first if (e.target_id if e.source_id == ego.id else e.source_id) in shown
    ]
    ring: list[int] = []
    for e in kept_first:
        other = e.target_id if e.source_id == ego.id else e.source_id
        if other not in ring:
            ring.append(other)
    truncated = len(ring) > MAX_NEIGHBOURS
    ring = ring[:MAX_NEIGHBOURS]
    nodes: dict[int, int] = {ego.id: 0, **dict.fromkeys(ring, 1)}
    edges = [e for e in kept_first if e.source_id in nodes and e.target_id in nodes]
    if ring:
        # relations among the neighbours (and, at depth 2, beyond them)
        around = _edges(
            filtered(
                select(NetworkEdge)
                .where(
                    or_(NetworkEdge.source_id.in_(ring), NetworkEdge.target_id.in_(ring)),
                    NetworkEdge.source_id != ego.id,
                    NetworkEdge.target_id != ego.id,
                )
                .order_by(NetworkEdge.weight.desc(), NetworkEdge.id)
                .limit(MAX_SECOND_RING_EDGES + 1)
            ),
            session,
        )
        if len(around) > MAX_SECOND_RING_EDGES:
            truncated = True
            around = around[:MAX_SECOND_RING_EDGES]
        inside = [e for e in around if e.source_id in nodes and e.target_id in nodes]
        inside_ids = {e.id for e in inside}
        edges += inside
        if depth == 2:
            outer = {e.source_id for e in around} | {e.target_id for e in around}
            outer -= set(nodes)
            shown_outer = allowed(outer)
            for e in around:
                if e.id in inside_ids:
                    continue
                far = e.target_id if e.source_id in nodes else e.source_id
                if far in shown_outer:
                    nodes.setdefault(far, 2)
                    edges.append(e)
    codes = {i: c for i, c in session.execute(select(TherapeuticArea.id, TherapeuticArea.code))}
    return EgoNetworkRead(
        stakeholder_id=ego.id,
        depth=depth,
        nodes=_nodes(session, principal, nodes),
        edges=[_edge_read(e, codes) for e in edges],
        hidden_relations=hidden,
        truncated=truncated,
    )


def _edge_read(edge: NetworkEdge, codes: dict[int, str]) -> EdgeRead:
    return EdgeRead(
        source_id=edge.source_id,
        target_id=edge.target_id,
        type=edge.type,
        directed=edge.type not in UNDIRECTED,
        weight=round(edge.weight, 4),
        evidence_count=edge.evidence_count,
        first_date=edge.first_date,
        last_date=edge.last_date,
        therapeutic_area=None
        if edge.therapeutic_area_id is None
        else codes.get(edge.therapeutic_area_id),
        sources=edge.sources.split() if edge.sources else [],
    )


def _nodes(session: Session, principal: Principal, depth_of: dict[int, int]) -> list[NodeRead]:
    ids = sorted(depth_of)
    snapshot = latest_snapshot(session)
    metrics: dict[int, tuple[float | None, int | None]] = {}
    if snapshot is not None:
        for sid, influence, community_id in session.execute(
            select(
                NetworkMetric.stakeholder_id, NetworkMetric.influence, NetworkMetric.community
            ).where(
                NetworkMetric.snapshot_id == snapshot.id,
                NetworkMetric.scope == ALL,
                NetworkMetric.stakeholder_id.in_(ids),
            )
        ):
            metrics[sid] = (influence, community_id)
    policy = policy_service.current_policy(session)
    place = policy.section(principal.function, "contact").level >= Level.summary
    out = []
    for s in session.scalars(select(Stakeholder).where(Stakeholder.id.in_(ids))):
        value, group = metrics.get(s.id, (None, None))
        out.append(
            NodeRead(
                id=s.id,
                name=s.name,
                type=s.type,
                city=s.city if place else None,
                state=s.state if place else None,
                tier=s.tier,
                influence=None if value is None else round(value, 3),
                community=group,
                depth=depth_of[s.id],
            )
        )
    return sorted(out, key=lambda n: (n.depth, -(n.influence or 0), n.id))


def communities(
    session: Session, principal: Principal, *, therapeutic_area: str | None = None, limit: int = 50
) -> list[CommunitySummaryRead]:
    """The largest communities (two members or more) with their most influential members the
    caller may see; 403 with the policy's reason where the network is hidden from the
    caller's function, as for one community."""
    permissions.require(principal, permissions.NETWORK_READ)
    scope = _scope(session, therapeutic_area)
    levels = _NetworkLevels(session, principal)
    if levels.most() < Level.summary:
        raise Forbidden(levels.policy.section(principal.function, "network").reason)
    snapshot = latest_snapshot(session)
    if snapshot is None:
        return []
    sizes = session.execute(
        select(NetworkMetric.community, func.count())
        .where(NetworkMetric.snapshot_id == snapshot.id, NetworkMetric.scope == scope)
        .group_by(NetworkMetric.community)
        .having(func.count() > 1)
        .order_by(func.count().desc(), NetworkMetric.community)
        .limit(limit)
    ).all()
    if not sizes:
        return []
    wanted = [c for c, _ in sizes]
    ranked = (
        gate.visible_stakeholders(
            select(
                NetworkMetric.community,
                Stakeholder.name,
                Stakeholder.state,
                func.row_number()
                .over(partition_by=NetworkMetric.community, order_by=NetworkMetric.influence.desc())
                .label("position"),
            )
            .join(Stakeholder, Stakeholder.id == NetworkMetric.stakeholder_id)
            .where(
                NetworkMetric.snapshot_id == snapshot.id,
                NetworkMetric.scope == scope,
                NetworkMetric.community.in_(wanted),
            ),
            principal,
        )
    ).subquery()
    leaders: dict[int, list[str]] = defaultdict(list)
    for community_id, name in session.execute(
        select(ranked.c.community, ranked.c.name)
        .where(ranked.c.position <= 5)
        .order_by(ranked.c.community, ranked.c.position)
    ):
        leaders[community_id].append(name)
    states: dict[int, Counter[str]] = defaultdict(Counter)
    for community_id, state, count in session.execute(
        gate.visible_stakeholders(
            select(NetworkMetric.community, Stakeholder.state, func.count())
            .join(Stakeholder, Stakeholder.id == NetworkMetric.stakeholder_id)
            .where(
                NetworkMetric.snapshot_id == snapshot.id,
                NetworkMetric.scope == scope,
                NetworkMetric.community.in_(wanted),
                Stakeholder.state.is_not(None),
            )
            .group_by(NetworkMetric.community, Stakeholder.state),
            principal,
        )
    ):
        states[community_id][str(state)] = count
    return [
        CommunitySummaryRead(
            id=c,
            size=size,
            leaders=leaders.get(c, []),
            main_states=[s for s, _ in states[c].most_common(3)],
        )
        for c, size in sizes
    ]


def community(
    session: Session,
    principal: Principal,
    community_id: int,
    *,
    therapeutic_area: str | None = None,
) -> CommunityRead:
    """One community of the newest snapshot: its members the caller may see (most influential
    first), where they are, their tiers and how they relate."""
    permissions.require(principal, permissions.NETWORK_READ)
    scope = _scope(session, therapeutic_area)
    snapshot = latest_snapshot(session)
    if snapshot is None:
        raise NotFound(f"no community {community_id}: the network has not been computed yet")
    size = session.scalar(
        select(func.count()).where(
            NetworkMetric.snapshot_id == snapshot.id,
            NetworkMetric.scope == scope,
            NetworkMetric.community == community_id,
        )
    )
    if not size:
        raise NotFound(f"no community {community_id}")
    levels = _NetworkLevels(session, principal)
    if levels.most() < Level.summary:
        raise Forbidden(levels.policy.section(principal.function, "network").reason)
    rows = session.execute(
        gate.visible_stakeholders(
            _metrics(snapshot.id, scope)
            .where(NetworkMetric.community == community_id)
            .order_by(NetworkMetric.influence.desc(), Stakeholder.id),
            principal,
        )
    ).all()
    by_level = levels.of(s.id for _, s in rows)
    seen = [(m, s) for m, s in rows if by_level[s.id] >= Level.summary]
    full_ids = sorted(s.id for _, s in seen if by_level[s.id] >= Level.full)[:5_000]
    relations: Counter[EdgeType] = Counter()
    if full_ids:
        for kind, count in session.execute(
            select(NetworkEdge.type, func.count())
            .where(NetworkEdge.source_id.in_(full_ids), NetworkEdge.target_id.in_(full_ids))
            .group_by(NetworkEdge.type)
        ):
            relations[EdgeType(kind)] = count
    return CommunityRead(
        id=community_id,
        therapeutic_area=None if scope == ALL else scope,
        snapshot=snapshot_ref(snapshot),
        size=size,
        members=[
            CommunityMemberRead(
                id=s.id,
                name=s.name,
                type=s.type,
                state=s.state,
                tier=m.tier,
                influence=round(m.influence, 3),
            )
            for m, s in seen[:MAX_COMMUNITY_MEMBERS]
        ],
        hidden_members=size - len(seen),
        states=dict(Counter(s.state for _, s in seen if s.state).most_common()),
        tiers={t: c for t in TIER_ORDER if (c := sum(1 for m, _ in seen if m.tier == t))},
        relation_counts=dict(relations.most_common()),
    )


def network_section(session: Session, lens: Lens) -> NetworkSectionRead | None:
    """The stakeholder view's network card: at summary, tier and influence (with their
    history); at full, every metric per scope with its evidence and the relations by type."""
    decision = lens.section("network")
    if decision.level == Level.none:
        return None
    stakeholder = lens.stakeholder
    snapshot = latest_snapshot(session)
    metrics: list[MetricRead] = []
    history: list[HistoryPoint] = []
    influence = None
    if snapshot is not None:
        for m in session.scalars(
            select(NetworkMetric)
            .where(
                NetworkMetric.snapshot_id == snapshot.id,
                NetworkMetric.stakeholder_id == stakeholder.id,
            )
            .order_by(NetworkMetric.scope != ALL, NetworkMetric.scope)
        ):
            if m.scope == ALL:
                influence = round(m.influence, 3)
            metrics.append(
                MetricRead(
                    scope=m.scope,
                    taken_on=snapshot.taken_on,
                    tier=m.tier,
                    influence=round(m.influence, 3),
                    influence_percentile=round(m.influence_percentile, 1),
                    brokerage=m.brokerage,
                    community=m.community,
                    degree=m.degree,
                    reach_cities=m.reach_cities,
                    reach_states=m.reach_states,
                    reach_countries=m.reach_countries,
                    evidence=m.evidence,
                )
            )
        for taken_on, tier, value in session.execute(
            select(NetworkSnapshot.taken_on, NetworkMetric.tier, NetworkMetric.influence)
            .join(NetworkSnapshot, NetworkSnapshot.id == NetworkMetric.snapshot_id)
            .where(NetworkMetric.stakeholder_id == stakeholder.id, NetworkMetric.scope == ALL)
            .order_by(NetworkSnapshot.id)
        ):
            history.append(HistoryPoint(taken_on=taken_on, tier=tier, influence=round(value, 3)))
    relations: dict[EdgeType, int] = {}
    if decision.level >= Level.full:
        for kind, count in session.execute(
            select(NetworkEdge.type, func.count())
            .where(
                or_(
                    NetworkEdge.source_id == stakeholder.id, NetworkEdge.target_id == stakeholder.id
                )
            )
            .group_by(NetworkEdge.type)
        ):
            relations[EdgeType(kind)] = count
    else:
        metrics = []
    return NetworkSectionRead(
        level=decision.level.name,
        reason=decision.reason,
        tier=stakeholder.tier,
        influence=influence,
        metrics=metrics,
        history=history,
        relation_counts=relations,
    )
