"""Relations (edges) with their sources, shared-patient referrals, and dated snapshots of the
metrics and tiers computed on the network."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accord.db.base import Base, str_enum
from accord.stakeholder.models import Tier


class EdgeType(enum.StrEnum):
    """What relates two stakeholders. Directed types read source -> target."""

    #: two people affiliated with the same organization at the same time
    colleague = "colleague"
    #: a person -> the organization they are affiliated with
    member = "member"
    #: an organization -> the organization it belongs to (hospital in an IDN, plan in a payer)
    part_of = "part_of"
    #: two authors of the same publication
    coauthor = "coauthor"
    #: two investigators of the same trial at the same site
    coinvestigator = "coinvestigator"
    #: an investigator or overall official -> a trial site organization
    investigator_at = "investigator_at"
    #: two speakers (or chairs) at the same event
    cospeaker = "cospeaker"
    #: a speaker -> an attendee of an event they spoke at
    spoke_to = "spoke_to"
    #: CMS shared patient patterns: the first NPI saw the patients before the second
    referral = "referral"


#: types stored once per pair with source_id < target_id
UNDIRECTED = frozenset(
    {EdgeType.colleague, EdgeType.coauthor, EdgeType.coinvestigator, EdgeType.cospeaker}
)


class NetworkEdge(Base):
    """One relation, rebuilt in bulk from its sources by each recompute. `sources` names the
    records behind it ("publication:34002763 trial:NCT02465060"), at most the first 20 of
    `evidence_count`; `therapeutic_area_id` is set when the evidence belongs to one area."""

    __tablename__ = "network_edge"
    __table_args__ = (
        Index("ix_network_edge_source_id", "source_id"),
        Index("ix_network_edge_target_id", "target_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("stakeholder.id", ondelete="CASCADE"))
    target_id: Mapped[int] = mapped_column(ForeignKey("stakeholder.id", ondelete="CASCADE"))
    type: Mapped[EdgeType] = mapped_column(str_enum(EdgeType, 20))
    therapeutic_area_id: Mapped[int | None] = mapped_column(
        ForeignKey("therapeutic_area.id", ondelete="CASCADE")
    )
    weight: Mapped[float] = mapped_column(Float)
    evidence_count: Mapped[int]
    first_date: Mapped[date | None]
    last_date: Mapped[date | None]
    sources: Mapped[str] = mapped_column(Text)


class Referral(Base):
    """A row of the CMS physician shared patient patterns layout: the first NPI saw the
    beneficiaries within the window before the second. Imported as published."""

    __tablename__ = "referral"
    __table_args__ = (
        Index("ix_referral_from_npi_to_npi", "from_npi", "to_npi"),
        Index("ix_referral_from_stakeholder_id", "from_stakeholder_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    from_npi: Mapped[str] = mapped_column(String(10))
    to_npi: Mapped[str] = mapped_column(String(10))
    from_stakeholder_id: Mapped[int | None] = mapped_column(
        ForeignKey("stakeholder.id", ondelete="SET NULL")
    )
    to_stakeholder_id: Mapped[int | None] = mapped_column(
        ForeignKey("stakeholder.id", ondelete="SET NULL"), index=True
    )
    pair_count: Mapped[int]
    beneficiary_count: Mapped[int]
    same_day_count: Mapped[int]
    period_start: Mapped[date | None]
    period_end: Mapped[date | None]
    import_job_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_job.id", ondelete="SET NULL")
    )


class SnapshotStatus(enum.StrEnum):
    running = "running"
    succeeded = "succeeded"
    failed = "failed"


class NetworkSnapshot(Base):
    """One recompute: when, on what graph, with which thresholds, how long each phase took."""

    __tablename__ = "network_snapshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    taken_on: Mapped[date] = mapped_column(index=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    status: Mapped[SnapshotStatus] = mapped_column(str_enum(SnapshotStatus, 16))
    node_count: Mapped[int] = mapped_column(default=0)
    edge_count: Mapped[int] = mapped_column(default=0)
    #: how brokerage was computed ("exact" or "estimated from 64 sampled sources")
    brokerage_method: Mapped[str] = mapped_column(Text, default="")
    #: the thresholds and weights in force, so an old tier can be explained
    parameters: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    #: seconds per phase
    timings: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(150), default="")


class NetworkMetric(Base):
    """A stakeholder's metrics in one snapshot, overall (`scope` "all") or within one
    therapeutic area (`scope` its code).

    No foreign keys: a snapshot's rows (millions at scale) are written by one COPY from ids
    read in the same transaction, and checking each row against the snapshot and stakeholder
    tables doubled the cost of the write. On PostgreSQL the table is partitioned by snapshot
    (migration 9d3b6f1e0a47): a recompute writes its snapshot into a table of its own, builds
    its indexes once and attaches it; retiring a snapshot drops its partition. Elsewhere old
    snapshots' rows are deleted by the recompute that retires them. Every read joins the
    stakeholder it shows. A stakeholder's history is
    read through the primary key, one probe per kept snapshot, so no index of its own.
    """

    __tablename__ = "network_metric"
    __table_args__ = (
        Index("ix_network_metric_snapshot_scope_influence", "snapshot_id", "scope", "influence"),
    )

    snapshot_id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(32), primary_key=True)
    stakeholder_id: Mapped[int] = mapped_column(primary_key=True)
    #: weighted PageRank scaled so that the average stakeholder scores 1.0
    influence: Mapped[float] = mapped_column(Float)
    #: share of stakeholders in the scope with a lower influence (0-100)
    influence_percentile: Mapped[float] = mapped_column(Float)
    #: betweenness, normalised to 0-1 (estimated on large graphs; see the snapshot)
    brokerage: Mapped[float] = mapped_column(Float)
    community: Mapped[int]
    degree: Mapped[int]
    reach_cities: Mapped[int]
    reach_states: Mapped[int]
    reach_countries: Mapped[int]
    coauthors: Mapped[int]
    trial_sites: Mapped[int]
    trials: Mapped[int]
    talks_global: Mapped[int]
    talks_national: Mapped[int]
    talks_regional: Mapped[int]
    talks_local: Mapped[int]
    members: Mapped[int]
    tier: Mapped[Tier] = mapped_column(str_enum(Tier, 16))
    #: the evidence behind the tier, in words
    evidence: Mapped[str] = mapped_column(Text)
