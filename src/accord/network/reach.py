"""Reach and the evidence counters behind a tier, from the source records themselves: the places
of a stakeholder's co-authors (as each paper gives them), of the trial sites they investigate
at or lead, of the audiences they spoke to and of the events' venues, and for an organization
the places of its members; with the counts the evidence sentence quotes."""

from __future__ import annotations

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.db.bulk import read_frame
from accord.event.models import SPEAKING_ROLES
from accord.science.linking import state_code
from accord.science.models import PublicationAuthor, TrialOfficial, TrialSite
from accord.stakeholder.models import Affiliation, Stakeholder, StakeholderStatus

US = "United States"
US_NAMES = frozenset({"united states", "usa", "us", "u.s.a.", "united states of america"})
PLACE = pl.Schema(
    {
        "sid": pl.Int64,
        "area": pl.Int64,
        "source": pl.String,
        "city": pl.String,
        "state": pl.String,
        "country": pl.String,
    }
)
COUNTERS = (
    "reach_cities",
    "reach_states",
    "reach_countries",
    "coauthor_states",
    "audience_states",
    "member_states",
    "site_states",
    "trial_sites",
    "trials",
    "talks_global",
    "talks_national",
    "talks_regional",
    "talks_local",
    "members",
)


def _country(expr: pl.Expr) -> pl.Expr:
    lowered = expr.str.strip_chars().str.to_lowercase()
    return (
        pl.when(expr.is_null() | lowered.is_in(list(US_NAMES)))
        .then(pl.lit(US))
        .otherwise(expr.str.strip_chars())
    )


def _state_codes(frame: pl.DataFrame) -> pl.DataFrame:
    """US states as two-letter codes (trial sites give "California"); none abroad."""
    names = frame["state"].drop_nulls().unique().to_list()
    codes = {name: state_code(name) for name in names}
    mapping = pl.DataFrame(
        {"state": list(codes), "code": list(codes.values())},
        schema={"state": pl.String, "code": pl.String},
    )
    return (
        frame.join(mapping, on="state", how="left")
        .with_columns(
            pl.when(pl.col("country") == US).then(pl.col("code")).otherwise(None).alias("state")
        )
        .drop("code")
    )


class Evidence:
    """The place rows and counters of every stakeholder, read once per recompute."""

    def __init__(
        self,
        session: Session,
        pubs: pl.DataFrame,
        trials: pl.DataFrame,
        investigators: pl.DataFrame,
        participants: pl.DataFrame,
    ) -> None:
        homes = read_frame(
            session,
            select(Stakeholder.id, Stakeholder.city, Stakeholder.state).where(
                Stakeholder.status != StakeholderStatus.merged
            ),
            {"sid": pl.Int64, "city": pl.String, "state": pl.String},
        )
        places: list[pl.DataFrame] = []

        # co-authors: every other slot of the same paper, at the place the paper gives
        slots = read_frame(
            session,
            select(
                PublicationAuthor.publication_id,
                PublicationAuthor.id,
                PublicationAuthor.stakeholder_id,
                PublicationAuthor.city,
                PublicationAuthor.state,
                PublicationAuthor.country,
            ),
            {
                "pub": pl.Int64,
                "slot": pl.Int64,
                "sid": pl.Int64,
                "city": pl.String,
                "state": pl.String,
                "country": pl.String,
            },
        ).join(pubs.select("pub", "area"), on="pub", how="left")
        linked = slots.filter(pl.col("sid").is_not_null()).select("pub", "slot", "sid", "area")
        others = slots.filter(
            pl.col("city").is_not_null()
            | pl.col("state").is_not_null()
            | pl.col("country").is_not_null()
        ).select("pub", pl.col("slot").alias("other"), "city", "state", "country")
        places.append(
            linked.join(others, on="pub")
            .filter(pl.col("slot") != pl.col("other"))
            .select("sid", "area", pl.lit("coauthor").alias("source"), "city", "state", "country")
        )

        # trial sites: an investigator's own sites; an overall official's every site
        sites = read_frame(
            session,
            select(
                TrialSite.id, TrialSite.trial_id, TrialSite.city, TrialSite.state, TrialSite.country
            ),
            {
                "site": pl.Int64,
                "trial": pl.Int64,
                "city": pl.String,
                "state": pl.String,
                "country": pl.String,
            },
        ).join(trials.select("trial", "area"), on="trial", how="left")
        officials = read_frame(
            session,
            select(TrialOfficial.trial_id, TrialOfficial.stakeholder_id).where(
                TrialOfficial.stakeholder_id.is_not(None)
            ),
            {"trial": pl.Int64, "sid": pl.Int64},
        )
        at_site = investigators.select("site", pl.col("person").alias("sid")).unique()
        places.append(
            at_site.join(sites, on="site").select(
                "sid", "area", pl.lit("site").alias("source"), "city", "state", "country"
            )
        )
        places.append(
            officials.join(sites, on="trial").select(
                "sid", "area", pl.lit("official").alias("source"), "city", "state", "country"
            )
        )

        # audiences: the attendees' homes and the venue
        speaking = [r.value for r in SPEAKING_ROLES]
        speakers = participants.filter(pl.col("role").is_in(speaking)).unique(["event", "person"])
        attendees = participants.filter(~pl.col("role").is_in(speaking)).select(
            "event", pl.col("person").alias("attendee")
        )
        places.append(
            speakers.select("event", pl.col("person").alias("sid"), "area")
            .join(attendees, on="event")
            .join(homes.rename({"sid": "attendee"}), on="attendee")
            .select(
                "sid",
                "area",
                pl.lit("audience").alias("source"),
                "city",
                "state",
                pl.lit(None, pl.String).alias("country"),
            )
        )
        places.append(
            speakers.select(
                pl.col("person").alias("sid"),
                "area",
                pl.lit("venue").alias("source"),
                "city",
                "state",
                "country",
            )
        )

        # an organization's members (people and member organizations), at their homes
        members = read_frame(
            session,
            select(Affiliation.organization_id, Affiliation.stakeholder_id),
            {"sid": pl.Int64, "member": pl.Int64},
        ).unique()
        self.members = members.group_by("sid").agg(pl.len().alias("members"))
        places.append(
            members.join(homes.rename({"sid": "member"}), on="member").select(
                "sid",
                pl.lit(None, pl.Int64).alias("area"),
                pl.lit("member").alias("source"),
                "city",
                "state",
                pl.lit(None, pl.String).alias("country"),
            )
        )

        frame = pl.concat([p.cast(PLACE) for p in places])
        frame = frame.with_columns(_country(pl.col("country")).alias("country"))
        frame = _state_codes(frame).with_columns(
            pl.col("city").str.strip_chars().str.to_lowercase().alias("city")
        )
        # the counters are distinct counts: one row per place a stakeholder reaches from one
        # source in one area, with the names as integer codes (an audience of thousands is
        # mostly the same few cities, and integers count several times faster than strings)
        self.places = frame.unique().with_columns(
            pl.col(c).cast(pl.Categorical).to_physical().cast(pl.Int64)
            for c in ("city", "state", "country")
        )

        self.sites = pl.concat(
            [
                at_site.join(sites.select("site", "trial", "area"), on="site"),
                officials.join(sites.select("site", "trial", "area"), on="trial").select(
                    "site", "sid", "trial", "area"
                ),
            ]
        ).select("sid", "site", "trial", "area")
        self.investigator_sites = at_site.join(sites.select("site", "trial", "area"), on="site")
        self.talks = speakers.select(pl.col("person").alias("sid"), "event", "scope", "area")

    def counters(self, area: int | None) -> pl.DataFrame:
        """One row per stakeholder with any evidence in the scope (area None: overall)."""
        places = self.places if area is None else self.places.filter(pl.col("area") == area)
        sites = self.sites if area is None else self.sites.filter(pl.col("area") == area)
        own_sites = (
            self.investigator_sites
            if area is None
            else self.investigator_sites.filter(pl.col("area") == area)
        )
        talks = self.talks if area is None else self.talks.filter(pl.col("area") == area)
        reach = places.group_by("sid").agg(
            pl.struct("city", "state", "country")
            .filter(pl.col("city").is_not_null())
            .n_unique()
            .alias("reach_cities"),
            pl.col("state").drop_nulls().n_unique().alias("reach_states"),
            pl.col("country").drop_nulls().n_unique().alias("reach_countries"),
            pl.col("state")
            .filter(pl.col("source") == "coauthor")
            .drop_nulls()
            .n_unique()
            .alias("coauthor_states"),
            pl.col("state")
            .filter(pl.col("source") == "audience")
            .drop_nulls()
            .n_unique()
            .alias("audience_states"),
            pl.col("state")
            .filter(pl.col("source") == "site")
            .drop_nulls()
            .n_unique()
            .alias("site_states"),
            pl.col("state")
            .filter(pl.col("source") == "member")
            .drop_nulls()
            .n_unique()
            .alias("member_states"),
        )
        site_counts = own_sites.group_by("sid").agg(pl.col("site").n_unique().alias("trial_sites"))
        trial_counts = sites.group_by("sid").agg(pl.col("trial").n_unique().alias("trials"))
        talk_counts = talks.group_by("sid").agg(
            *[
                pl.col("event").filter(pl.col("scope") == scope).n_unique().alias(f"talks_{scope}")
                for scope in ("global", "national", "regional", "local")
            ]
        )
        frames = [reach, site_counts, trial_counts, talk_counts]
        if area is None:
            frames.append(self.members)
        out = frames[0]
        for other in frames[1:]:
            out = out.join(other, on="sid", how="full", coalesce=True)
        for column in COUNTERS:
            if column not in out.columns:
                out = out.with_columns(pl.lit(0).alias(column))
        return out.with_columns([pl.col(c).fill_null(0).cast(pl.Int64) for c in COUNTERS]).select(
            "sid", *COUNTERS
        )
