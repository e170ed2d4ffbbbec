"""Edges built in bulk from their sources, columnar (Polars), one frame per relation type.

Each source gives evidence rows (a, b, area, weight, date, reference); rows of the same pair,
type and area are summed into one edge that keeps its first and last date, how many records
stand behind it and the first 20 of them. Weights (documented in docs/network.md):

- coauthor: 1/(authors - 1) per shared publication (Newman's collaboration weight: a
  two-author paper ties its authors more than a 40-author consortium paper does);
- colleague: 1/sqrt(people - 1) per organization shared at the same time, organizations with at
  most ACCORD_NETWORK_COLLEAGUE_MAX_MEMBERS people only; member 0.5; part_of 1;
- coinvestigator 1 per trial site shared; investigator_at 0.5 per trial;
- cospeaker 1 per event; spoke_to 0.2 per event;
- referral: ln(1 + pair count) / ln(12), so the CMS minimum of 11 shared patients weighs 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlalchemy import String, cast, delete, select, text
from sqlalchemy.orm import Session

from accord.db.bulk import append_frame, read_frame, set_aside_postgres
from accord.event.models import SPEAKING_ROLES, Event, EventParticipant, ParticipantRole
from accord.network.models import UNDIRECTED, EdgeType, NetworkEdge, Referral
from accord.product.models import TherapeuticArea
from accord.science.models import (
    ClinicalTrial,
    Publication,
    PublicationAuthor,
    TrialSite,
    TrialSiteInvestigator,
)
from accord.stakeholder.models import Affiliation, Stakeholder, StakeholderKind, StakeholderStatus

MAX_SOURCES = 20
BLOCK = 50_000

EVIDENCE = pl.Schema(
    {
        "a": pl.Int64,
        "b": pl.Int64,
        "area": pl.Int64,
        "weight": pl.Float64,
        "day": pl.Date,
        "ref": pl.String,
    }
)

EDGE_SCHEMA = pl.Schema(
    {
        "source_id": pl.Int64,
        "target_id": pl.Int64,
        "type": pl.String,
        "therapeutic_area_id": pl.Int64,
        "weight": pl.Float64,
        "evidence_count": pl.Int64,
        "first_date": pl.Date,
        "last_date": pl.Date,
        "sources": pl.String,
    }
)


@dataclass(frozen=True)
class Areas:
    """Therapeutic areas and the keyword pattern of each (word prefixes, any case)."""

    ids: tuple[int, ...]
    codes: tuple[str, ...]
    names: tuple[str, ...]
    patterns: tuple[str | None, ...]

    def code_of(self, area_id: int | None) -> str | None:
        return None if area_id is None else self.codes[self.ids.index(area_id)]

    def id_of(self, code: str) -> int | None:
        return self.ids[self.codes.index(code)] if code in self.codes else None

    def classify(self, texts: pl.Expr) -> pl.Expr:
        """The first area whose keywords the text contains, else null."""
        chain: Any = None
        for area_id, pattern in zip(self.ids, self.patterns, strict=True):
            if not pattern:
                continue
            hit = texts.str.contains(pattern)
            chain = (
                pl.when(hit).then(pl.lit(area_id))
                if chain is None
                else chain.when(hit).then(pl.lit(area_id))
            )
        if chain is None:
            return pl.lit(None, dtype=pl.Int64)
        result: pl.Expr = chain.otherwise(pl.lit(None, dtype=pl.Int64)).cast(pl.Int64)
        return result


def load_areas(session: Session) -> Areas:
    rows = session.execute(
        select(
            TherapeuticArea.id, TherapeuticArea.code, TherapeuticArea.name, TherapeuticArea.keywords
        ).order_by(TherapeuticArea.id)
    ).all()
    patterns: list[str | None] = []
    for *_rest, keywords in rows:
        words = [k.strip().lower() for k in (keywords or []) if k and k.strip()]
        escaped = "|".join(_escape(w) for w in words)
        patterns.append(rf"(?i)\b(?:{escaped})" if words else None)
    return Areas(
        tuple(r[0] for r in rows),
        tuple(r[1] for r in rows),
        tuple(r[2] for r in rows),
        tuple(patterns),
    )


def _escape(word: str) -> str:
    return "".join(f"\\{c}" if not c.isalnum() and c != " " else c for c in word)


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema=EVIDENCE)


def _clique(
    members: pl.DataFrame, group: str, weight: pl.Expr, area: str | None = None
) -> pl.DataFrame:
    """Every pair within each group: members has (group, person, day, ref[, area]) plus
    `size`, the group's person count."""
    left = members.rename({"person": "a"})
    right = members.select(group, pl.col("person").alias("b"))
    pairs = left.join(right, on=group).filter(pl.col("a") < pl.col("b"))
    return pairs.select(
        "a",
        "b",
        (pl.col(area) if area else pl.lit(None, dtype=pl.Int64)).alias("area"),
        weight.alias("weight"),
        pl.col("day"),
        pl.col("ref"),
    ).cast(EVIDENCE)


def _aggregate(evidence: pl.DataFrame, edge_type: EdgeType) -> pl.DataFrame:
    if evidence.is_empty():
        return pl.DataFrame(schema=EDGE_SCHEMA)
    if edge_type in UNDIRECTED:
        evidence = evidence.with_columns(
            pl.min_horizontal("a", "b").alias("a"), pl.max_horizontal("a", "b").alias("b")
        )
    evidence = evidence.filter(pl.col("a") != pl.col("b"))
    return (
        evidence.group_by("a", "b", "area")
        .agg(
            pl.col("weight").sum(),
            pl.col("ref").n_unique().alias("evidence_count"),
            pl.col("day").min().alias("first_date"),
            pl.col("day").max().alias("last_date"),
            pl.col("ref")
            .unique(maintain_order=True)
            .head(MAX_SOURCES)
            .str.join(" ")
            .alias("sources"),
        )
        .select(
            pl.col("a").alias("source_id"),
            pl.col("b").alias("target_id"),
            pl.lit(edge_type.value).alias("type"),
            pl.col("area").alias("therapeutic_area_id"),
            "weight",
            pl.col("evidence_count").cast(pl.Int64),
            "first_date",
            "last_date",
            "sources",
        )
        .cast(EDGE_SCHEMA)
    )


class EdgeBuilder:
    """Reads the sources once and returns every relation type's edges as frames."""

    def __init__(self, session: Session, areas: Areas, *, colleague_max_members: int) -> None:
        self.session = session
        self.areas = areas
        self.colleague_max_members = colleague_max_members
        self.active = read_frame(
            session,
            select(Stakeholder.id, Stakeholder.kind).where(
                Stakeholder.status != StakeholderStatus.merged
            ),
            {"id": pl.Int64, "kind": pl.String},
        )

    def _read(self, query: Any, schema: dict[str, Any]) -> pl.DataFrame:
        return read_frame(self.session, query, schema)

    def _live(self, frame: pl.DataFrame, *columns: str) -> pl.DataFrame:
        """Rows whose stakeholders are not merged away."""
        ids = self.active.select(pl.col("id"))
        for column in columns:
            frame = frame.join(ids, left_on=column, right_on="id", how="semi")
        return frame

    # -- affiliations ---------------------------------------------------------------------
    def affiliations(self) -> dict[EdgeType, pl.DataFrame]:
        rows = self._read(
            select(
                Affiliation.id,
                Affiliation.stakeholder_id,
                Affiliation.organization_id,
                Affiliation.start_date,
                Affiliation.end_date,
            ),
            {"id": pl.Int64, "person": pl.Int64, "org": pl.Int64, "start": pl.Date, "end": pl.Date},
        )
        rows = self._live(rows, "person", "org")
        kinds = self.active.rename({"id": "person"})
        rows = rows.join(kinds, on="person", how="left")
        ref = pl.concat_str(pl.lit("affiliation:"), pl.col("id"))
        people = rows.filter(pl.col("kind") == StakeholderKind.person.value)
        orgs = rows.filter(pl.col("kind") == StakeholderKind.organization.value)
        member = people.select(
            pl.col("person").alias("a"),
            pl.col("org").alias("b"),
            pl.lit(None, dtype=pl.Int64).alias("area"),
            pl.lit(0.5).alias("weight"),
            pl.coalesce("start", "end").alias("day"),
            ref.alias("ref"),
        ).cast(EVIDENCE)
        part_of = orgs.select(
            pl.col("person").alias("a"),
            pl.col("org").alias("b"),
            pl.lit(None, dtype=pl.Int64).alias("area"),
            pl.lit(1.0).alias("weight"),
            pl.coalesce("start", "end").alias("day"),
            ref.alias("ref"),
        ).cast(EVIDENCE)
        sizes = people.group_by("org").agg(pl.col("person").n_unique().alias("size"))
        small = people.join(
            sizes.filter(pl.col("size").is_between(2, self.colleague_max_members)), on="org"
        )
        left = small.select(
            "org",
            pl.col("person").alias("a"),
            pl.col("start").alias("s1"),
            pl.col("end").alias("e1"),
            pl.col("id").alias("i1"),
            "size",
        )
        right = small.select(
            "org",
            pl.col("person").alias("b"),
            pl.col("start").alias("s2"),
            pl.col("end").alias("e2"),
            pl.col("id").alias("i2"),
        )
        pairs = left.join(right, on="org").filter(
            (pl.col("a") < pl.col("b"))
            & (pl.col("s1").is_null() | pl.col("e2").is_null() | (pl.col("s1") <= pl.col("e2")))
            & (pl.col("s2").is_null() | pl.col("e1").is_null() | (pl.col("s2") <= pl.col("e1")))
        )
        colleague = pairs.select(
            "a",
            "b",
            pl.lit(None, dtype=pl.Int64).alias("area"),
            (1.0 / (pl.col("size") - 1).cast(pl.Float64).sqrt()).alias("weight"),
            pl.max_horizontal("s1", "s2").alias("day"),
            pl.concat_str(pl.lit("organization:"), pl.col("org")).alias("ref"),
        ).cast(EVIDENCE)
        return {
            EdgeType.member: _aggregate(member, EdgeType.member),
            EdgeType.part_of: _aggregate(part_of, EdgeType.part_of),
            EdgeType.colleague: _aggregate(colleague, EdgeType.colleague),
        }

    # -- publications -----------------------------------------------------------------------
    def publication_areas(self) -> pl.DataFrame:
        pubs = self._read(
            select(
                Publication.id,
                Publication.pmid,
                Publication.published_date,
                Publication.title,
                cast(Publication.mesh_terms, String),
            ),
            {
                "pub": pl.Int64,
                "pmid": pl.String,
                "day": pl.Date,
                "title": pl.String,
                "mesh": pl.String,
            },
        )
        return pubs.select(
            "pub",
            "pmid",
            "day",
            self.areas.classify(
                pl.concat_str(pl.col("title"), pl.col("mesh"), separator=" ", ignore_nulls=True)
            ).alias("area"),
        )

    def coauthors(self, pubs: pl.DataFrame) -> pl.DataFrame:
        slots = self._read(
            select(PublicationAuthor.publication_id, PublicationAuthor.stakeholder_id).where(
                PublicationAuthor.stakeholder_id.is_not(None)
            ),
            {"pub": pl.Int64, "person": pl.Int64},
        )
        slots = self._live(slots, "person").unique()
        sizes = slots.group_by("pub").agg(pl.len().alias("size"))
        members = (
            slots.join(sizes, on="pub")
            .join(pubs, on="pub")
            .with_columns(pl.concat_str(pl.lit("publication:"), pl.col("pmid")).alias("ref"))
        )
        evidence = _clique(members, "pub", 1.0 / (pl.col("size") - 1).cast(pl.Float64), area="area")
        return _aggregate(evidence, EdgeType.coauthor)

    # -- trials -------------------------------------------------------------------------------
    def trial_areas(self) -> pl.DataFrame:
        trials = self._read(
            select(
                ClinicalTrial.id,
                ClinicalTrial.nct_id,
                ClinicalTrial.start_date,
                ClinicalTrial.title,
                cast(ClinicalTrial.conditions, String),
            ),
            {
                "trial": pl.Int64,
                "nct": pl.String,
                "day": pl.Date,
                "title": pl.String,
                "conditions": pl.String,
            },
        )
        return trials.select(
            "trial",
            "nct",
            "day",
            self.areas.classify(
                pl.concat_str(
                    pl.col("conditions"), pl.col("title"), separator=" ", ignore_nulls=True
                )
            ).alias("area"),
        )

    def site_investigators(self) -> pl.DataFrame:
        """(trial, site, site organization, person) for every linked site investigator."""
        rows = self._read(
            select(
                TrialSiteInvestigator.trial_id,
                TrialSiteInvestigator.site_id,
                TrialSite.organization_id,
                TrialSiteInvestigator.stakeholder_id,
            )
            .join(TrialSite, TrialSite.id == TrialSiteInvestigator.site_id)
            .where(TrialSiteInvestigator.stakeholder_id.is_not(None)),
            {"trial": pl.Int64, "site": pl.Int64, "org": pl.Int64, "person": pl.Int64},
        )
        return self._live(rows, "person")

    def trials(
        self, trials: pl.DataFrame, investigators: pl.DataFrame
    ) -> dict[EdgeType, pl.DataFrame]:
        rows = investigators.join(trials, on="trial").unique(["site", "person"])
        ref = pl.concat_str(pl.lit("trial:"), pl.col("nct"))
        at_site = (
            self._live(rows.filter(pl.col("org").is_not_null()), "org")
            .select(
                pl.col("person").alias("a"),
                pl.col("org").alias("b"),
                "area",
                pl.lit(0.5).alias("weight"),
                "day",
                ref.alias("ref"),
            )
            .cast(EVIDENCE)
        )
        members = rows.with_columns(ref.alias("ref"))
        co = _clique(members, "site", pl.lit(1.0), area="area")
        return {
            EdgeType.investigator_at: _aggregate(at_site, EdgeType.investigator_at),
            EdgeType.coinvestigator: _aggregate(co, EdgeType.coinvestigator),
        }

    # -- events --------------------------------------------------------------------------------
    def participants(self) -> pl.DataFrame:
        rows = self._read(
            select(
                EventParticipant.event_id,
                EventParticipant.stakeholder_id,
                EventParticipant.role,
                Event.therapeutic_area_id,
                Event.start_date,
                Event.scope,
                Event.city,
                Event.state,
                Event.country,
            ).join(Event, Event.id == EventParticipant.event_id),
            {
                "event": pl.Int64,
                "person": pl.Int64,
                "role": pl.String,
                "area": pl.Int64,
                "day": pl.Date,
                "scope": pl.String,
                "city": pl.String,
                "state": pl.String,
                "country": pl.String,
            },
        )
        return self._live(rows, "person")

    def events(self, participants: pl.DataFrame) -> dict[EdgeType, pl.DataFrame]:
        speaking = [r.value for r in SPEAKING_ROLES]
        ref = pl.concat_str(pl.lit("event:"), pl.col("event"))
        speakers = participants.filter(pl.col("role").is_in(speaking)).unique(["event", "person"])
        audience = participants.filter(pl.col("role") == ParticipantRole.attendee.value).unique(
            ["event", "person"]
        )
        co = _clique(speakers.with_columns(ref.alias("ref")), "event", pl.lit(1.0), area="area")
        spoke = (
            speakers.select("event", pl.col("person").alias("a"), "area", "day")
            .join(audience.select("event", pl.col("person").alias("b")), on="event")
            .select("a", "b", "area", pl.lit(0.2).alias("weight"), "day", ref.alias("ref"))
            .cast(EVIDENCE)
        )
        return {
            EdgeType.cospeaker: _aggregate(co, EdgeType.cospeaker),
            EdgeType.spoke_to: _aggregate(spoke, EdgeType.spoke_to),
        }

    # -- referrals -------------------------------------------------------------------------------
    def referrals(self) -> pl.DataFrame:
        rows = self._read(
            select(
                Referral.id,
                Referral.from_stakeholder_id,
                Referral.to_stakeholder_id,
                Referral.pair_count,
                Referral.period_end,
            ).where(
                Referral.from_stakeholder_id.is_not(None), Referral.to_stakeholder_id.is_not(None)
            ),
            {"id": pl.Int64, "a": pl.Int64, "b": pl.Int64, "pairs": pl.Int64, "day": pl.Date},
        )
        rows = self._live(rows, "a", "b")
        evidence = rows.select(
            "a",
            "b",
            pl.lit(None, dtype=pl.Int64).alias("area"),
            (pl.col("pairs").cast(pl.Float64).log1p() / math.log(12)).alias("weight"),
            "day",
            pl.concat_str(pl.lit("referral:"), pl.col("id")).alias("ref"),
        ).cast(EVIDENCE)
        return _aggregate(evidence, EdgeType.referral)


def write_edges(session: Session, edges: pl.DataFrame) -> None:
    """Replace every edge with `edges` (the whole network is rebuilt from its sources). On
    PostgreSQL the emptied table's keys and indexes are set aside during the COPY and built
    once after it (a tenth of the cost of growing them row by row)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("TRUNCATE network_edge"))
        restore = set_aside_postgres(session, ["network_edge"])
        append_frame(session, "network_edge", edges, block_rows=BLOCK)
        for statement in restore:
            session.execute(text(statement))
        return
    session.execute(delete(NetworkEdge))
    append_frame(session, "network_edge", edges, block_rows=BLOCK)
