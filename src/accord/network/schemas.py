"""What the network API and pages return; every node and edge has passed the gate."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from accord.network.models import EdgeType
from accord.stakeholder.models import StakeholderType, Tier


class SnapshotRef(BaseModel):
    id: int
    taken_on: date
    node_count: int
    edge_count: int
    brokerage_method: str


class TierRow(BaseModel):
    tier: Tier
    total: int
    by_type: dict[StakeholderType, int]


class PyramidRead(BaseModel):
    """Counts per tier (global first) and stakeholder type, among the stakeholders the caller
    may see."""

    therapeutic_area: str | None
    snapshot: SnapshotRef | None
    tiers: list[TierRow]


class TopStakeholderRead(BaseModel):
    """Identity and tier (the identity category, visible to every function); influence only
    where the caller's network category is at least summary."""

    rank: int
    id: int
    name: str
    credentials: str | None
    type: StakeholderType
    specialty: str | None
    tier: Tier
    influence: float | None
    evidence: str | None


class RisingStarRead(BaseModel):
    id: int
    name: str
    type: StakeholderType
    tier: Tier
    influence: float
    influence_before: float
    gain: float
    tier_before: Tier | None


class RisingRead(BaseModel):
    therapeutic_area: str | None
    since: SnapshotRef | None
    snapshot: SnapshotRef | None
    stakeholders: list[RisingStarRead]


class NodeRead(BaseModel):
    id: int
    name: str
    type: StakeholderType
    city: str | None
    state: str | None
    tier: Tier | None
    influence: float | None
    community: int | None
    #: 0 for the stakeholder asked about, 1 for a neighbour, 2 for a neighbour's neighbour
    depth: int


class EdgeRead(BaseModel):
    source_id: int
    target_id: int
    type: EdgeType
    directed: bool
    weight: float
    evidence_count: int
    first_date: date | None
    last_date: date | None
    therapeutic_area: str | None
    #: the records behind the edge ("publication:34002763"); at most 20
    sources: list[str]


class EgoNetworkRead(BaseModel):
    stakeholder_id: int
    depth: int
    nodes: list[NodeRead]
    edges: list[EdgeRead]
    #: relations to stakeholders outside the caller's territories or firewall, counted only
    hidden_relations: int
    #: the edges kept when the ego network is larger than the page can draw
    truncated: bool


class MetricRead(BaseModel):
    scope: str
    taken_on: date
    tier: Tier
    influence: float
    influence_percentile: float
    brokerage: float
    community: int
    degree: int
    reach_cities: int
    reach_states: int
    reach_countries: int
    evidence: str


class HistoryPoint(BaseModel):
    taken_on: date
    tier: Tier
    influence: float


class NetworkSectionRead(BaseModel):
    """The stakeholder view's network section. At summary: tier and influence only."""

    level: str
    reason: str
    tier: Tier | None
    influence: float | None
    metrics: list[MetricRead]
    history: list[HistoryPoint]
    relation_counts: dict[EdgeType, int]


class CommunityMemberRead(BaseModel):
    id: int
    name: str
    type: StakeholderType
    state: str | None
    tier: Tier
    influence: float


class CommunityRead(BaseModel):
    id: int
    therapeutic_area: str | None
    snapshot: SnapshotRef
    size: int
    #: members the caller may see, most influential first
    members: list[CommunityMemberRead]
    hidden_members: int
    states: dict[str, int]
    tiers: dict[Tier, int]
    relation_counts: dict[EdgeType, int]


class RecomputeRead(BaseModel):
    snapshot: SnapshotRef
    timings: dict[str, float]
    scopes: list[str]


class CommunitySummaryRead(BaseModel):
    id: int
    size: int
    #: the most influential members the caller may see (names), at most five
    leaders: list[str]
    #: the states most members practise in, most frequent first, at most three
    main_states: list[str]


class AreaRead(BaseModel):
    code: str
    name: str


class RecomputeQueued(BaseModel):
    """A recompute asked for: the job starts once the request has committed."""

    queued: bool
    requested_by: str
    #: the newest snapshot now, which the job will follow with a new one
    current: SnapshotRef | None
