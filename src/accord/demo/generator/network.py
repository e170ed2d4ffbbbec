"""The influence network's sources, generated column-wise: events with their speakers, chairs
and attendees; CMS-style shared-patient referrals; publications with co-authors; trials with
their officials, sites and site investigators; plans and PBMs under their payers.

A latent tier per person drives everything, so that the recompute finds a pyramid: the few
global experts chair sessions at global congresses, write with co-authors across the country
and abroad and lead trials with sites in many states; national ones speak at national meetings
and webinars; regional ones at their state chapter's symposium; local HCPs attend, refer their
patients to specialists nearby and now and then give a dinner program in their own city.

Foreign co-authors and the investigators of sites abroad are left unlinked, as the PubMed and
ClinicalTrials.gov importers leave people they cannot match: the recompute finds them
(accord.network.discovery). Identifiers are clearly synthetic: PMIDs from 900,000,001 and NCT
numbers from NCT09000001, ranges the registries have not reached.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl

from accord.demo.generator.places import PLACES
from accord.demo.generator.vocabulary import AREAS, FEMALE_FIRST, LAST_NAMES, MALE_FIRST, TOPICS
from accord.stakeholder.models import StakeholderType

US = "United States"
#: the network's evidence covers the three years up to `now`
YEARS = 3
FIRST_PMID = 900_000_001
FIRST_NCT = 9_000_001

#: latent tier shares (global, national, regional) by group; the rest are local
LATENT_SHARE: dict[str, tuple[float, float, float]] = {
    "md": (0.012, 0.075, 0.30),
    "np": (0.0, 0.002, 0.08),
    "pa": (0.0, 0.002, 0.08),
    "pharm": (0.0, 0.004, 0.10),
    "researcher": (0.05, 0.15, 0.33),
    "official": (0.0, 0.03, 0.12),
}

CONDITIONS: dict[str, tuple[str, ...]] = {
    "CARDIO": (
        "Hypercholesterolemia",
        "Atherosclerotic Cardiovascular Disease",
        "Heart Failure",
        "Hypertension",
    ),
    "ONC": (
        "Non-Small Cell Lung Cancer",
        "Breast Cancer",
        "Diffuse Large B-Cell Lymphoma",
        "Colorectal Cancer",
    ),
    "IMM": (
        "Rheumatoid Arthritis",
        "Systemic Lupus Erythematosus",
        "Psoriatic Arthritis",
        "Ankylosing Spondylitis",
    ),
}
DESIGNS = (
    "a multicenter cohort study",
    "a randomized controlled trial",
    "a real-world analysis",
    "a systematic review and meta-analysis",
    "results of a registry",
    "a consensus statement",
)
#: the names of the congresses and societies per area (synthetic)
CONGRESS: dict[str, tuple[str, str, str]] = {
    #          global congress, national meeting, state chapter
    "CARDIO": (
        "World Congress of Cardiometabolic Medicine",
        "National Cardiometabolic Society Annual Meeting",
        "Cardiometabolic Chapter Symposium",
    ),
    "ONC": (
        "International Summit on Clinical Oncology",
        "National Oncology Forum Annual Meeting",
        "Oncology Chapter Symposium",
    ),
    "IMM": (
        "Global Rheumatology Congress",
        "National Rheumatology Assembly",
        "Rheumatology Chapter Symposium",
    ),
}
#: (city, state or None, country) of the global congresses
GLOBAL_VENUES = (
    ("Boston", "MA", US),
    ("San Francisco", "CA", US),
    ("Chicago", "IL", US),
    ("Barcelona", None, "Spain"),
    ("Vienna", None, "Austria"),
    ("Amsterdam", None, "Netherlands"),
    ("Copenhagen", None, "Denmark"),
    ("Toronto", None, "Canada"),
)
#: (city, country) of co-authors and trial sites abroad
ABROAD = (
    ("Toronto", "Canada"),
    ("London", "United Kingdom"),
    ("Paris", "France"),
    ("Berlin", "Germany"),
    ("Madrid", "Spain"),
    ("Milan", "Italy"),
    ("Stockholm", "Sweden"),
    ("Zurich", "Switzerland"),
    ("Amsterdam", "Netherlands"),
    ("Tokyo", "Japan"),
    ("Seoul", "South Korea"),
    ("Sydney", "Australia"),
)
JOURNALS: dict[str, tuple[str, ...]] = {
    "CARDIO": ("Journal of Demo Cardiometabolic Research", "Demo Heart Reports"),
    "ONC": ("Journal of Demo Clinical Oncology", "Demo Cancer Letters"),
    "IMM": ("Journal of Demo Rheumatology", "Demo Arthritis Reports"),
}

#: event families: (kind, scope, speakers per event, attendees low, attendees high)
FAMILIES = (
    ("congress", "global", 4, 15, 40),
    ("congress", "national", 4, 12, 32),
    ("webinar", "national", 2, 15, 45),
    ("advisory_board", "national", 1, 6, 10),
    ("symposium", "regional", 4, 6, 16),
    ("speaker_program", "local", 1, 4, 10),
)
GLOBAL, NATIONAL, WEBINAR, BOARD, REGIONAL, PROGRAM = range(6)


@dataclass(frozen=True)
class NetworkInputs:
    """What the network draws on: the population as arrays, the generated frames it links to,
    the therapeutic area ids and the product names per area."""

    now_us: int
    ids: np.ndarray
    type_code: np.ndarray
    types: tuple[StakeholderType, ...]
    place: np.ndarray
    area: np.ndarray
    tier_code: np.ndarray
    profession: np.ndarray
    first: list[str | None]
    last: list[str | None]
    names: pl.Series
    specialty: pl.Series
    npis: pl.DataFrame  # stakeholder_id, value
    area_ids: dict[str, int]
    products: dict[str, list[str]]
    first_ids: dict[str, int]


US_PER_DAY = 86_400 * 1_000_000


def _draw_in_groups(
    rng: np.random.Generator, rows: np.ndarray, keys: np.ndarray, wanted: np.ndarray
) -> np.ndarray:
    """For each wanted key, a random row among those with that key; -1 where there is none."""
    out = np.full(len(wanted), -1, dtype=np.int64)
    if len(rows) == 0 or len(wanted) == 0:
        return out
    order = np.argsort(keys, kind="stable")
    rows, keys = rows[order], keys[order]
    uniq, starts, counts = np.unique(keys, return_index=True, return_counts=True)
    slot = np.searchsorted(uniq, wanted).clip(0, len(uniq) - 1)
    found = uniq[slot] == wanted
    picked = rows[starts[slot] + (rng.random(len(wanted)) * counts[slot]).astype(np.int64)]
    return np.where(found, picked, out)


def _fallback(
    rng: np.random.Generator,
    rows: np.ndarray,
    key_sets: list[tuple[np.ndarray, np.ndarray]],
    n: int,
) -> np.ndarray:
    """A row by the first key that has members (e.g. same city, else same state, else anywhere)."""
    out = np.full(n, -1, dtype=np.int64)
    for member_keys, wanted in key_sets:
        missing = out < 0
        if not missing.any():
            break
        out[missing] = _draw_in_groups(rng, rows, member_keys, wanted[missing])
    missing = out < 0
    if missing.any() and len(rows):
        out[missing] = rows[rng.integers(0, len(rows), int(missing.sum()))]
    return out


def _labels(codes: np.ndarray, labels: list[str] | tuple[str, ...]) -> pl.Series:
    return pl.Series(list(labels), dtype=pl.String).gather(
        pl.Series(np.asarray(codes, dtype=np.int64))
    )


def _dates(days: np.ndarray) -> pl.Series:
    return pl.Series(np.asarray(days, dtype=np.int32)).cast(pl.Date)


def latent_tiers(rng: np.random.Generator, inputs: NetworkInputs) -> np.ndarray:
    """0 global .. 3 local for every person, -1 for organizations; the tier the stakeholder
    record was generated with is a floor (a recorded national KOL stays at least national)."""
    types = inputs.types
    group = np.full(len(inputs.ids), "", dtype=object)
    hcp = inputs.type_code == types.index(StakeholderType.hcp)
    group[hcp] = np.array(["md", "np", "pa", "pharm"], dtype=object)[inputs.profession[hcp]]
    group[inputs.type_code == types.index(StakeholderType.researcher)] = "researcher"
    for official in (
        StakeholderType.payer_official,
        StakeholderType.regulator_official,
        StakeholderType.patient_advocate,
    ):
        group[inputs.type_code == types.index(official)] = "official"
    u = rng.random(len(inputs.ids))
    tier = np.full(len(inputs.ids), -1, dtype=np.int64)
    for name, (g, n, r) in LATENT_SHARE.items():
        mine = group == name
        tier[mine] = np.select(
            [u[mine] < g, u[mine] < g + n, u[mine] < g + n + r], [0, 1, 2], default=3
        )
    recorded = inputs.tier_code
    floor = (recorded >= 0) & (tier >= 0)
    tier[floor] = np.minimum(tier[floor], recorded[floor])
    return tier


class NetworkGenerator:
    def __init__(self, rng: np.random.Generator, inputs: NetworkInputs) -> None:
        self.rng = rng
        self.x = inputs
        n = len(inputs.ids)
        self.n = n
        states = sorted({p.state for p in PLACES})
        self.state_names = states
        place_state = np.array([states.index(p.state) for p in PLACES], dtype=np.int64)
        self.place_state = place_state
        self.state = place_state[inputs.place]
        self.tier = latent_tiers(rng, inputs)
        types = inputs.types
        self.person = np.flatnonzero(self.tier >= 0)
        md = (inputs.type_code == types.index(StakeholderType.hcp)) & (inputs.profession == 0)
        researcher = inputs.type_code == types.index(StakeholderType.researcher)
        self.science = np.flatnonzero(md | researcher)
        self.hcps = np.flatnonzero(inputs.type_code == types.index(StakeholderType.hcp))
        self.sites = np.flatnonzero(
            np.isin(
                inputs.type_code,
                [
                    types.index(StakeholderType.hospital),
                    types.index(StakeholderType.academic_medical_center),
                ],
            )
        )
        self.today = inputs.now_us // US_PER_DAY
        # the biggest city of each state hosts its chapter's symposium
        best: dict[int, int] = {}
        for i, p in enumerate(PLACES):
            s = int(place_state[i])
            if s not in best or p.weight > PLACES[best[s]].weight:
                best[s] = i
        self.state_city = np.array([best.get(s, 0) for s in range(len(states))], dtype=np.int64)

    # -- helpers -----------------------------------------------------------------------------
    def _days(self, k: int) -> np.ndarray:
        return np.asarray(self.today - 1 - self.rng.integers(0, YEARS * 365, k), dtype=np.int64)

    def _topics(self, area: np.ndarray) -> pl.Series:
        """A topic of each row's area (TOPICS)."""
        pick = self.rng.integers(0, 1 << 30, len(area))
        return pl.Series(
            [
                TOPICS[AREAS[int(a)]][int(i) % len(TOPICS[AREAS[int(a)]])]
                for a, i in zip(area, pick, strict=True)
            ],
            dtype=pl.String,
        )

    def _names(self, rows: np.ndarray) -> pl.Series:
        first = pl.Series(self.x.first, dtype=pl.String).gather(pl.Series(rows))
        last = pl.Series(self.x.last, dtype=pl.String).gather(pl.Series(rows))
        return pl.DataFrame({"f": first, "l": last}).select(pl.concat_str("f", "l", separator=" "))[
            "f"
        ]

    def _foreign(self, k: int) -> tuple[pl.Series, pl.Series, np.ndarray]:
        """k people abroad drawn from a fixed pool (first names, last names, place index)."""
        pool = max(20, self.n // 40)
        rng = np.random.default_rng(pool)  # the pool is a fixed cast, whatever the seed
        female = rng.random(pool) < 0.5
        given = np.where(
            female,
            _labels(rng.integers(0, len(FEMALE_FIRST), pool), FEMALE_FIRST).to_numpy(),
            _labels(rng.integers(0, len(MALE_FIRST), pool), MALE_FIRST).to_numpy(),
        )
        family = _labels(rng.integers(0, len(LAST_NAMES), pool), LAST_NAMES).to_numpy()
        where = rng.integers(0, len(ABROAD), pool)
        who = self.rng.integers(0, pool, k)
        return (
            pl.Series(given[who], dtype=pl.String),
            pl.Series(family[who], dtype=pl.String),
            where[who],
        )

    # -- plans and PBMs under payers ---------------------------------------------------------
    def plan_affiliations(self, first_id: int) -> pl.DataFrame:
        types = self.x.types
        payers = np.flatnonzero(self.x.type_code == types.index(StakeholderType.payer))
        plans = np.flatnonzero(
            np.isin(
                self.x.type_code,
                [types.index(StakeholderType.health_plan), types.index(StakeholderType.pbm)],
            )
        )
        if len(payers) == 0 or len(plans) == 0:
            return pl.DataFrame()
        parent = _fallback(self.rng, payers, [(self.state[payers], self.state[plans])], len(plans))
        is_pbm = self.x.type_code[plans] == types.index(StakeholderType.pbm)
        start = self.today - self.rng.integers(365, 15 * 365, len(plans))
        return pl.DataFrame(
            {
                "id": np.arange(first_id, first_id + len(plans), dtype=np.int64),
                "stakeholder_id": self.x.ids[plans],
                "organization_id": self.x.ids[parent],
                "role": _labels(is_pbm.astype(np.int64), ["health plan of", "PBM of"]),
                "is_primary": np.ones(len(plans), dtype=bool),
                "start_date": _dates(start),
                "end_date": pl.Series([None] * len(plans), dtype=pl.Date),
                "source": ["demo generator"] * len(plans),
            }
        )

    # -- events ------------------------------------------------------------------------------
    def _talk_slots(self) -> list[np.ndarray]:
        """Per family, the row of every talk (a person giving several talks repeats)."""
        rng = self.rng
        tier = self.tier
        people = self.person
        t = tier[people]
        k = len(people)

        def poisson(lam: float) -> np.ndarray:
            return rng.poisson(lam, k)

        counts = [np.zeros(k, dtype=np.int64) for _ in FAMILIES]
        g, nat, reg, loc = t == 0, t == 1, t == 2, t == 3
        counts[GLOBAL] += np.where(g, 3 + poisson(1.5), 0) + np.where(nat, rng.random(k) < 0.25, 0)
        counts[NATIONAL] += np.where(g, poisson(1.5), 0) + np.where(nat, 1 + poisson(0.6), 0)
        counts[WEBINAR] += np.where(g, poisson(0.7), 0) + np.where(nat, poisson(0.4), 0)
        counts[BOARD] += np.where(g, poisson(0.5), 0) + np.where(nat, poisson(0.3), 0)
        counts[REGIONAL] += np.where(reg & (rng.random(k) < 0.7), 1 + poisson(0.6), 0)
        is_md = np.isin(people, self.science)
        counts[PROGRAM] += np.where(reg, poisson(0.8), 0) + np.where(
            loc & is_md & (rng.random(k) < 0.04), 1, 0
        )
        return [np.repeat(people, c) for c in counts]

    def _group(
        self, rows: np.ndarray, keys: np.ndarray, per_event: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Shuffle the talks, then fill events of `per_event` speakers per key: returns the
        talks' rows in their new order with each talk's event number and whether it opens its
        event (the chair), and per event its key and its number within the key."""
        perm = self.rng.permutation(len(rows))
        rows, keys = rows[perm], keys[perm]
        order = np.argsort(keys, kind="stable")
        rows, keys = rows[order], keys[order]
        uniq, starts, counts = np.unique(keys, return_index=True, return_counts=True)
        rank = np.arange(len(keys)) - np.repeat(starts, counts)
        per_key = (counts + per_event - 1) // per_event
        base = np.repeat(np.cumsum(per_key) - per_key, counts)
        event = base + rank // per_event
        event_key = np.repeat(uniq, per_key)
        within = np.arange(int(per_key.sum())) - np.repeat(np.cumsum(per_key) - per_key, per_key)
        return rows, event, rank % per_event == 0, event_key, within

    def events(self, first_event: int, first_participant: int) -> tuple[pl.DataFrame, pl.DataFrame]:
        rng = self.rng
        x = self.x
        slots = self._talk_slots()
        event_frames: list[pl.DataFrame] = []
        people: list[pl.DataFrame] = []
        next_id = first_event
        area_of = x.area
        years = range(YEARS)
        # one global and one national congress per area and year, on fixed dates
        congress_day = {
            (scope, a, y): int(self.today - 365 * (y + 1) + rng.integers(30, 330))
            for scope in (GLOBAL, NATIONAL)
            for a in range(len(AREAS))
            for y in years
        }
        venue_global = {
            (a, y): int(rng.integers(0, len(GLOBAL_VENUES)))
            for a in range(len(AREAS))
            for y in years
        }
        weights = np.array([p.weight for p in PLACES])
        venue_national = {
            (a, y): int(np.searchsorted(np.cumsum(weights), rng.random() * weights.sum()))
            for a in range(len(AREAS))
            for y in years
        }
        audience = np.flatnonzero(
            np.isin(
                x.type_code,
                [x.types.index(StakeholderType.hcp), x.types.index(StakeholderType.researcher)],
            )
        )
        kols = self.person[self.tier[self.person] <= 2]
        for family, (kind, scope, per_event, low, high) in enumerate(FAMILIES):
            rows = slots[family]
            if len(rows) == 0:
                continue
            if family == REGIONAL:
                keys = self.state[rows] * len(AREAS) + area_of[rows]
            elif family == PROGRAM:
                keys = x.place[rows]
            else:
                keys = area_of[rows]
            rows, event, opens, event_key, within = self._group(rows, keys, per_event)
            k = len(event_key)
            ids = np.arange(next_id, next_id + k, dtype=np.int64)
            next_id += k
            area = event_key % len(AREAS) if family == REGIONAL else event_key
            if family == PROGRAM:
                area = np.asarray(area_of[rows][opens], dtype=np.int64)
            year = within % YEARS
            topic_name = self._topics(area)
            city: list[str | None]
            state: list[str | None]
            country: list[str]
            if family in (GLOBAL, NATIONAL):
                day = (
                    np.array(
                        [
                            congress_day[(family, int(a), int(y))]
                            for a, y in zip(area, year, strict=True)
                        ]
                    )
                    + (within // YEARS) % 3
                )
                which = 0 if family == GLOBAL else 1
                titles = [CONGRESS[AREAS[int(a)]][which] for a in area]
                if family == GLOBAL:
                    venues = [
                        GLOBAL_VENUES[venue_global[(int(a), int(y))]]
                        for a, y in zip(area, year, strict=True)
                    ]
                    city = [v[0] for v in venues]
                    state = [v[1] for v in venues]
                    country = [v[2] for v in venues]
                else:
                    places = [
                        PLACES[venue_national[(int(a), int(y))]]
                        for a, y in zip(area, year, strict=True)
                    ]
                    city = [p.city for p in places]
                    state = [p.state for p in places]
                    country = [US] * k
                day_series = _dates(day)
                name = (
                    pl.DataFrame({"t": titles, "d": day_series, "s": topic_name})
                    .select(
                        pl.concat_str(
                            "t",
                            pl.lit(" "),
                            pl.col("d").dt.year().cast(pl.String),
                            pl.lit(": "),
                            pl.col("s").str.slice(0, 1).str.to_uppercase(),
                            pl.col("s").str.slice(1),
                            pl.lit(" session"),
                        )
                    )
                    .to_series()
                )
            else:
                day = self._days(k)
                day_series = _dates(day)
                if family == WEBINAR:
                    city, state, country = [None] * k, [None] * k, [US] * k
                    prefix = pl.lit("Webinar: ")
                    suffix = pl.lit("")
                elif family == BOARD:
                    picks = np.searchsorted(np.cumsum(weights), rng.random(k) * weights.sum())
                    picks = picks.clip(0, len(PLACES) - 1)
                    city = [PLACES[int(p)].city for p in picks]
                    state = [PLACES[int(p)].state for p in picks]
                    country = [US] * k
                    prefix = pl.lit("Advisory board on ")
                    suffix = pl.lit("")
                elif family == REGIONAL:
                    st = event_key // len(AREAS)
                    host = self.state_city[st]
                    city = [PLACES[int(p)].city for p in host]
                    state = [PLACES[int(p)].state for p in host]
                    country = [US] * k
                    chapter = [
                        f"{PLACES[int(p)].state} {CONGRESS[AREAS[int(a)]][2]}: "
                        for p, a in zip(host, area, strict=True)
                    ]
                    prefix = pl.Series("c", chapter)  # type: ignore[assignment]
                    suffix = pl.lit("")
                else:
                    city = [PLACES[int(p)].city for p in event_key]
                    state = [PLACES[int(p)].state for p in event_key]
                    country = [US] * k
                    prefix = pl.lit("")
                    suffix = pl.Series("c", [f" dinner program, {c}" for c in city])  # type: ignore[assignment]
                name = (
                    pl.DataFrame({"s": topic_name, "d": day_series})
                    .select(
                        pl.concat_str(
                            prefix,
                            pl.col("s").str.slice(0, 1).str.to_uppercase(),
                            pl.col("s").str.slice(1),
                            suffix,
                            pl.lit(" ("),
                            pl.col("d").dt.strftime("%b %Y"),
                            pl.lit(")"),
                        )
                    )
                    .to_series()
                )
            created = pl.Series(np.asarray(day, dtype=np.int64) * US_PER_DAY - 60 * US_PER_DAY)
            created = created.cast(pl.Datetime("us", "UTC"))
            event_frames.append(
                pl.DataFrame(
                    {
                        "id": ids,
                        "name": name,
                        "kind": [kind] * k,
                        "scope": [scope] * k,
                        "therapeutic_area_id": pl.Series(
                            [x.area_ids.get(AREAS[int(a)]) for a in area], dtype=pl.Int64
                        ),
                        "start_date": day_series,
                        "end_date": day_series,
                        "city": pl.Series(city, dtype=pl.String),
                        "state": pl.Series(state, dtype=pl.String),
                        "country": pl.Series(country, dtype=pl.String),
                        "created_at": created,
                        "updated_at": created,
                    }
                )
            )
            role = np.where(opens & (per_event > 1 or family == BOARD), 1, 0)
            people.append(
                pl.DataFrame(
                    {
                        "event_id": ids[event],
                        "row": rows,
                        "role": _labels(role, ["speaker", "chair"]),
                    }
                )
            )
            # the audience
            size = rng.integers(low, high + 1, k)
            at = np.repeat(np.arange(k), size)
            if family == BOARD:
                who = _draw_in_groups(rng, kols, area_of[kols], area[at])
            elif family == REGIONAL:
                st = (event_key // len(AREAS))[at]
                who = _draw_in_groups(rng, audience, self.state[audience], st)
            elif family == PROGRAM:
                who = _draw_in_groups(rng, self.hcps, x.place[self.hcps], event_key[at])
            else:
                who = _draw_in_groups(rng, audience, area_of[audience], area[at])
            keep = who >= 0
            people.append(
                pl.DataFrame(
                    {
                        "event_id": ids[at][keep],
                        "row": who[keep],
                        "role": ["attendee"] * int(keep.sum()),
                    }
                )
            )
        if not event_frames:
            return pl.DataFrame(), pl.DataFrame()
        events = pl.concat(event_frames)
        part = pl.concat(people).unique(["event_id", "row", "role"], maintain_order=True)
        speaking = part.filter(pl.col("role") != "attendee").unique(
            ["event_id", "row"], keep="first", maintain_order=True
        )
        audience_rows = part.filter(pl.col("role") == "attendee").join(
            speaking.select("event_id", "row"), on=["event_id", "row"], how="anti"
        )
        part = pl.concat([speaking, audience_rows]).sort("event_id", maintain_order=True)
        participants = part.select(
            pl.int_range(first_participant, first_participant + part.height, dtype=pl.Int64).alias(
                "id"
            ),
            "event_id",
            pl.Series("stakeholder_id", x.ids).gather(part["row"]).alias("stakeholder_id"),
            "role",
        )
        return events, participants

    # -- referrals -------------------------------------------------------------------------------
    def referrals(self, first_id: int) -> pl.DataFrame:
        """The CMS shared-patient-patterns shape: primary care refers to specialists, mostly in
        its own city, else its state; specialists refer on to one another. At least 11 shared
        encounters per pair (CMS publishes none below)."""
        rng = self.rng
        x = self.x
        npi = x.npis.select(
            pl.col("stakeholder_id").cast(pl.Int64), pl.col("value").cast(pl.String)
        )
        held = np.isin(x.ids, npi["stakeholder_id"].to_numpy())
        hcps = self.hcps[held[self.hcps]]
        code = x.specialty.gather(pl.Series(hcps))
        primary = (
            code.str.contains(r"^(?:207R00000X|207Q00000X|363L|363A|207RG)")
            .fill_null(False)
            .to_numpy()
        )
        pharmacy = code.str.starts_with("1835").fill_null(False).to_numpy()
        pcps = hcps[primary & ~pharmacy]
        specialists = hcps[~primary & ~pharmacy]
        if len(pcps) == 0 or len(specialists) == 0:
            return pl.DataFrame()
        sources: list[np.ndarray] = []
        targets: list[np.ndarray] = []
        for senders, lam in ((pcps, 2.5), (specialists, 1.2)):
            fan = rng.poisson(lam, len(senders))
            frm = np.repeat(senders, fan)
            u = rng.random(len(frm))
            to = np.full(len(frm), -1, dtype=np.int64)
            city = u < 0.6
            state = (u >= 0.6) & (u < 0.92)
            to[city] = _draw_in_groups(rng, specialists, x.place[specialists], x.place[frm[city]])
            local = city & (to < 0)
            state |= local
            to[state] = _draw_in_groups(
                rng, specialists, self.state[specialists], self.state[frm[state]]
            )
            rest = to < 0
            to[rest] = specialists[rng.integers(0, len(specialists), int(rest.sum()))]
            sources.append(frm)
            targets.append(to)
        frm = np.concatenate(sources)
        to = np.concatenate(targets)
        keep = frm != to
        pairs = (
            pl.DataFrame({"a": frm[keep], "b": to[keep]}).unique(maintain_order=True).sort("a", "b")
        )
        k = pairs.height
        # busier specialists (higher latent tier) share more patients
        pull = (4 - self.tier[pairs["b"].to_numpy()]).clip(1, 4)
        pair_count = 11 + np.floor(rng.exponential(12.0, k) * pull).astype(np.int64)
        bene = np.maximum(np.floor(pair_count * rng.uniform(0.45, 0.95, k)), 11).astype(np.int64)
        same_day = np.floor(pair_count * rng.uniform(0.0, 0.15, k)).astype(np.int64)
        # the last full calendar year, as CMS publishes a year's file
        last_year = (date(1970, 1, 1) + timedelta(days=int(self.today))).year - 1
        npi_of = pl.DataFrame({"sid": x.ids}).join(
            npi.rename({"stakeholder_id": "sid"}), on="sid", how="left", maintain_order="left"
        )["value"]
        a = pairs["a"]
        b = pairs["b"]
        return pl.DataFrame(
            {
                "id": np.arange(first_id, first_id + k, dtype=np.int64),
                "from_npi": npi_of.gather(a),
                "to_npi": npi_of.gather(b),
                "from_stakeholder_id": pl.Series(x.ids).gather(a),
                "to_stakeholder_id": pl.Series(x.ids).gather(b),
                "pair_count": pair_count,
                "beneficiary_count": bene,
                "same_day_count": same_day,
                "period_start": pl.Series([date(last_year, 1, 1)] * k, dtype=pl.Date),
                "period_end": pl.Series([date(last_year, 12, 31)] * k, dtype=pl.Date),
                "import_job_id": pl.Series([None] * k, dtype=pl.Int64),
            }
        )

    # -- publications --------------------------------------------------------------------------
    def publications(self, first_pub: int, first_slot: int) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Senior authors by latent tier; co-authors from the senior's city, from the whole
        country (the global and national experts) and abroad (the global ones mostly)."""
        rng = self.rng
        x = self.x
        sci = self.science
        t = self.tier[sci]
        papers = np.select(
            [t == 0, t == 1, t == 2],
            [
                4 + rng.poisson(4, len(sci)),
                1 + rng.poisson(2, len(sci)),
                rng.poisson(0.8, len(sci)),
            ],
            default=0,
        )
        senior = np.repeat(sci, papers)
        p = len(senior)
        if p == 0:
            return pl.DataFrame(), pl.DataFrame()
        st = self.tier[senior]
        area = x.area[senior]
        leading = st <= 1
        # a global or national expert's paper: other leaders of the area across the country,
        # now and then a KOL from the senior's own city; a regional KOL's paper: colleagues
        # from the same city and now and then a KOL from the same state
        n_city = np.where(leading, rng.poisson(0.3, p), 1 + rng.poisson(1.0, p))
        n_country = np.select(
            [st == 0, st == 1], [1 + rng.poisson(2, p), 1 + rng.poisson(1.0, p)], 0
        )
        n_state = np.where(st == 2, rng.random(p) < 0.5, 0).astype(np.int64)
        n_abroad = np.select([st == 0, st == 1], [rng.poisson(1.2, p), rng.poisson(0.3, p)], 0)
        paper = np.arange(p)
        kols = sci[self.tier[sci] <= 2]
        leaders = sci[self.tier[sci] <= 1]
        city_at = np.repeat(paper, n_city)
        city_who = np.where(
            leading[city_at],
            _draw_in_groups(rng, kols, x.place[kols], x.place[senior][city_at]),
            _draw_in_groups(rng, sci, x.place[sci], x.place[senior][city_at]),
        )
        country_at = np.repeat(paper, n_country)
        country_who = _draw_in_groups(rng, leaders, x.area[leaders], area[country_at])
        state_at = np.repeat(paper, n_state)
        state_who = _draw_in_groups(rng, kols, self.state[kols], self.state[senior][state_at])
        linked = pl.DataFrame(
            {
                "paper": np.concatenate([city_at, country_at, state_at, paper]),
                "row": np.concatenate([city_who, country_who, state_who, senior]),
                "last": np.concatenate(
                    [np.zeros(len(city_at) + len(country_at) + len(state_at)), np.ones(p)]
                ).astype(bool),
            }
        ).filter(pl.col("row") >= 0)
        # the senior's own slot wins over a co-author draw of the same person
        linked = linked.sort("paper", "last", descending=[False, True]).unique(
            ["paper", "row"], keep="first", maintain_order=True
        )
        first_names = pl.Series(x.first, dtype=pl.String)
        last_names = pl.Series(x.last, dtype=pl.String)
        place_city = pl.Series([q.city for q in PLACES], dtype=pl.String)
        place_state = pl.Series([q.state for q in PLACES], dtype=pl.String)
        rows = linked["row"]
        places = pl.Series(x.place).gather(rows)
        order = np.where(
            linked["last"].to_numpy(), 1 << 20, rng.integers(0, 1 << 19, linked.height)
        )
        us_slots = pl.DataFrame(
            {
                "paper": linked["paper"],
                "order": order,
                "stakeholder_id": pl.Series(x.ids).gather(rows),
                "last_name": last_names.gather(rows),
                "fore_name": first_names.gather(rows),
                "city": place_city.gather(places),
                "state": place_state.gather(places),
                "country": pl.Series([US] * linked.height, dtype=pl.String),
            }
        )
        abroad_at = np.repeat(paper, n_abroad)
        given, family, where = self._foreign(len(abroad_at))
        foreign = pl.DataFrame(
            {
                "paper": abroad_at,
                "order": rng.integers(0, 1 << 19, len(abroad_at)),
                "stakeholder_id": pl.Series([None] * len(abroad_at), dtype=pl.Int64),
                "last_name": family,
                "fore_name": given,
                "city": _labels(where, [c for c, _ in ABROAD]),
                "state": pl.Series([None] * len(abroad_at), dtype=pl.String),
                "country": _labels(where, [c for _, c in ABROAD]),
            }
        )
        slots = pl.concat([us_slots, foreign]).unique(
            ["paper", "last_name", "fore_name"], keep="first", maintain_order=True
        )
        slots = slots.sort("paper", "order").with_columns(
            (pl.int_range(pl.len()).over("paper") + 1).alias("position")
        )
        pub_ids = np.arange(first_pub, first_pub + p, dtype=np.int64)
        slots = slots.with_columns(
            pl.Series(pub_ids).gather(slots["paper"]).alias("publication_id"),
            pl.concat_str(
                pl.lit('["'),
                pl.col("city"),
                pl.lit(", "),
                pl.coalesce(pl.col("state"), pl.col("country")),
                pl.when(pl.col("state").is_not_null()).then(pl.lit(", USA")).otherwise(pl.lit("")),
                pl.lit('"]'),
            ).alias("affiliations"),
            pl.col("fore_name").str.slice(0, 1).alias("initials"),
            pl.when(pl.col("stakeholder_id").is_not_null())
            .then(pl.lit("demo_generator"))
            .otherwise(None)
            .alias("linked_by"),
        )
        authors = slots.select(
            pl.int_range(first_slot, first_slot + slots.height, dtype=pl.Int64).alias("id"),
            "publication_id",
            pl.col("position").cast(pl.Int64),
            "last_name",
            "fore_name",
            "initials",
            "affiliations",
            "city",
            "state",
            "country",
            "stakeholder_id",
            "linked_by",
        )
        day = self._days(p)
        conditions = [CONDITIONS[AREAS[int(a)]] for a in area]
        which = rng.integers(0, 4, p)
        condition = pl.Series([c[int(i)] for c, i in zip(conditions, which, strict=True)])
        design = _labels(rng.integers(0, len(DESIGNS), p), DESIGNS)
        journal = pl.Series(
            [
                JOURNALS[AREAS[int(a)]][int(j)]
                for a, j in zip(area, rng.integers(0, 2, p), strict=True)
            ],
            dtype=pl.String,
        )
        topic = self._topics(area)
        pmid = pl.Series(np.arange(FIRST_PMID, FIRST_PMID + p, dtype=np.int64)).cast(pl.String)
        days = _dates(day)
        created = pl.Series(np.asarray(day, dtype=np.int64) * US_PER_DAY).cast(
            pl.Datetime("us", "UTC")
        )
        frame = pl.DataFrame(
            {
                "id": pub_ids,
                "pmid": pmid,
                "topic": topic,
                "condition": condition,
                "design": design,
                "journal": journal,
                "published_date": days,
                "created_at": created,
            }
        )
        publications = frame.select(
            "id",
            "pmid",
            pl.lit(None, dtype=pl.String).alias("doi"),
            pl.concat_str(
                pl.col("topic").str.slice(0, 1).str.to_uppercase(),
                pl.col("topic").str.slice(1),
                pl.lit(" in "),
                pl.col("condition").str.to_lowercase(),
                pl.lit(": "),
                "design",
            ).alias("title"),
            "journal",
            pl.lit(None, dtype=pl.String).alias("journal_abbreviation"),
            pl.col("published_date").dt.year().cast(pl.Int64).alias("published_year"),
            "published_date",
            pl.concat_str(pl.lit('["'), pl.col("condition"), pl.lit('", "Humans"]')).alias(
                "mesh_terms"
            ),
            pl.lit('["Journal Article"]').alias("publication_types"),
            pl.col("pmid").str.zfill(64).alias("fingerprint"),
            pl.lit(None, dtype=pl.Int64).alias("import_job_id"),
            "created_at",
            pl.col("created_at").alias("updated_at"),
        )
        return publications, authors

    # -- trials ----------------------------------------------------------------------------------
    def trials(
        self, first_ids: dict[str, int]
    ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
        """Phase 3 trials with sites across the country and a few abroad, led by a global or
        national expert; phase 2 in the lead's state; phase 1 at one or two sites."""
        rng = self.rng
        x = self.x
        count = max(6, self.n // 150)
        sci = self.science
        leads_pool = sci[self.tier[sci] <= 1]
        if len(leads_pool) == 0 or len(self.sites) == 0:
            return pl.DataFrame(), pl.DataFrame(), pl.DataFrame(), pl.DataFrame()
        phase = np.select([rng.random(count) < 0.3, rng.random(count) < 0.55], [3, 2], 1)
        lead = leads_pool[rng.integers(0, len(leads_pool), count)]
        area = x.area[lead]
        n_us = np.select(
            [phase == 3, phase == 2],
            [rng.integers(8, 26, count), rng.integers(3, 9, count)],
            rng.integers(1, 3, count),
        )
        n_abroad = np.where(phase == 3, rng.integers(1, 5, count), 0)
        trial_ids = np.arange(first_ids["clinical_trial"], first_ids["clinical_trial"] + count)
        at = np.repeat(np.arange(count), n_us)
        national = phase[at] == 3
        site = np.empty(len(at), dtype=np.int64)
        site[national] = self.sites[rng.integers(0, len(self.sites), int(national.sum()))]
        home = ~national
        site[home] = _fallback(
            rng, self.sites, [(self.state[self.sites], self.state[lead[at][home]])], int(home.sum())
        )
        us_sites = pl.DataFrame({"trial": at, "org": site}).unique(maintain_order=True)
        abroad_at = np.repeat(np.arange(count), n_abroad)
        where = rng.integers(0, len(ABROAD), len(abroad_at))
        status = ("COMPLETED", "RECRUITING", "ACTIVE_NOT_RECRUITING")
        org_names = x.names
        place_city = pl.Series([q.city for q in PLACES], dtype=pl.String)
        place_state = pl.Series([q.state for q in PLACES], dtype=pl.String)
        orgs = us_sites["org"]
        sites = pl.concat(
            [
                pl.DataFrame(
                    {
                        "trial": us_sites["trial"],
                        "facility": org_names.gather(orgs),
                        "city": place_city.gather(pl.Series(x.place).gather(orgs)),
                        "state": place_state.gather(pl.Series(x.place).gather(orgs)),
                        "country": pl.Series([US] * us_sites.height, dtype=pl.String),
                        "organization_id": pl.Series(x.ids).gather(orgs),
                        "row": orgs,
                    }
                ),
                pl.DataFrame(
                    {
                        "trial": abroad_at,
                        "facility": _labels(where, [f"{c} University Hospital" for c, _ in ABROAD]),
                        "city": _labels(where, [c for c, _ in ABROAD]),
                        "state": pl.Series([None] * len(abroad_at), dtype=pl.String),
                        "country": _labels(where, [c for _, c in ABROAD]),
                        "organization_id": pl.Series([None] * len(abroad_at), dtype=pl.Int64),
                        "row": pl.Series([-1] * len(abroad_at), dtype=pl.Int64),
                    }
                ).unique(["trial", "facility"], maintain_order=True),
            ]
        ).sort("trial", maintain_order=True)
        sites = sites.with_columns(
            pl.int_range(
                first_ids["trial_site"], first_ids["trial_site"] + sites.height, dtype=pl.Int64
            ).alias("id"),
            (pl.int_range(pl.len()).over("trial") + 1).alias("position"),
        )
        # investigators: a principal investigator per site (a KOL of the site's state when
        # there is one) and sub-investigators from the site's city
        kols = sci[self.tier[sci] <= 2]
        us_rows = sites.filter(pl.col("row") >= 0)
        site_rows = us_rows["row"].to_numpy()
        pi = _fallback(
            rng,
            kols,
            [(self.state[kols], self.state[site_rows])],
            len(site_rows),
        )
        subs_n = rng.poisson(0.8, len(site_rows))
        sub_at = np.repeat(np.arange(len(site_rows)), subs_n)
        sub = _fallback(
            rng,
            sci,
            [
                (x.place[sci], x.place[site_rows][sub_at]),
                (self.state[sci], self.state[site_rows][sub_at]),
            ],
            len(sub_at),
        )
        site_id = us_rows["id"].to_numpy()
        trial_of_site = us_rows["trial"].to_numpy()
        linked = pl.DataFrame(
            {
                "site_id": np.concatenate([site_id, site_id[sub_at]]),
                "trial": np.concatenate([trial_of_site, trial_of_site[sub_at]]),
                "row": np.concatenate([pi, sub]),
                "order": np.concatenate([np.zeros(len(pi)), np.ones(len(sub))]).astype(np.int64),
            }
        ).unique(["site_id", "row"], keep="first", maintain_order=True)
        abroad_rows = sites.filter(pl.col("row") < 0)
        given, family, _ = self._foreign(abroad_rows.height)
        investigators = pl.concat(
            [
                linked.select(
                    "site_id",
                    "trial",
                    "order",
                    self._names(linked["row"].to_numpy()).alias("name"),
                    pl.Series(x.ids).gather(linked["row"]).alias("stakeholder_id"),
                ),
                pl.DataFrame(
                    {
                        "site_id": abroad_rows["id"],
                        "trial": abroad_rows["trial"],
                        "order": pl.Series([0] * abroad_rows.height, dtype=pl.Int64),
                        "name": given + " " + family,
                        "stakeholder_id": pl.Series([None] * abroad_rows.height, dtype=pl.Int64),
                    }
                ),
            ]
        ).sort("site_id", "order", maintain_order=True)
        first_inv = first_ids["trial_site_investigator"]
        investigators = investigators.select(
            pl.int_range(first_inv, first_inv + investigators.height, dtype=pl.Int64).alias("id"),
            "site_id",
            pl.Series(trial_ids).gather(investigators["trial"]).alias("trial_id"),
            (pl.int_range(pl.len()).over("site_id") + 1).cast(pl.Int64).alias("position"),
            "name",
            pl.when(pl.col("order") == 0)
            .then(pl.lit("Principal Investigator"))
            .otherwise(pl.lit("Sub-Investigator"))
            .alias("role"),
            "stakeholder_id",
            pl.when(pl.col("stakeholder_id").is_not_null())
            .then(pl.lit("demo_generator"))
            .otherwise(None)
            .alias("linked_by"),
        )
        site_status = _labels(rng.integers(0, 3, sites.height), status)
        trial_sites = sites.select(
            "id",
            pl.Series(trial_ids).gather(sites["trial"]).alias("trial_id"),
            pl.col("position").cast(pl.Int64),
            "facility",
            "city",
            "state",
            "country",
            site_status.alias("status"),
            "organization_id",
            pl.when(pl.col("organization_id").is_not_null())
            .then(pl.lit("demo_generator"))
            .otherwise(None)
            .alias("linked_by"),
        )
        # the trials themselves and their overall officials
        start = self.today - rng.integers(120, YEARS * 365, count)
        length = np.select([phase == 3, phase == 2], [1100, 700], 400)
        condition = pl.Series(
            [
                CONDITIONS[AREAS[int(a)]][int(i)]
                for a, i in zip(area, rng.integers(0, 4, count), strict=True)
            ],
            dtype=pl.String,
        )
        product = pl.Series(
            [
                (x.products.get(AREAS[int(a)]) or ["an investigational agent"])[
                    int(i) % max(1, len(x.products.get(AREAS[int(a)]) or [1]))
                ]
                for a, i in zip(area, rng.integers(0, 1 << 20, count), strict=True)
            ],
            dtype=pl.String,
        )
        nct = pl.Series(np.arange(FIRST_NCT, FIRST_NCT + count)).cast(pl.String).str.zfill(8)
        done = start + length < self.today
        created = pl.Series(start.astype(np.int64) * US_PER_DAY).cast(pl.Datetime("us", "UTC"))
        trials = pl.DataFrame(
            {
                "id": trial_ids.astype(np.int64),
                "nct_id": "NCT" + nct,
                "phase_n": phase,
                "product": product,
                "condition": condition,
                "start": _dates(start),
                "completion": _dates(start + length),
                "done": done,
                "enrollment": (pl.Series(n_us + n_abroad) * rng.integers(8, 40, count)),
                "created_at": created,
            }
        ).select(
            "id",
            "nct_id",
            pl.concat_str(
                pl.lit("A Phase "),
                pl.col("phase_n").cast(pl.String),
                pl.lit(" Study of "),
                "product",
                pl.lit(" in "),
                "condition",
            ).alias("title"),
            pl.lit(None, dtype=pl.String).alias("official_title"),
            pl.concat_str(pl.lit("PHASE"), pl.col("phase_n").cast(pl.String)).alias("phase"),
            pl.when("done")
            .then(pl.lit("COMPLETED"))
            .otherwise(pl.lit("RECRUITING"))
            .alias("status"),
            pl.lit("INTERVENTIONAL").alias("study_type"),
            pl.concat_str(pl.lit('["'), "condition", pl.lit('"]')).alias("conditions"),
            pl.concat_str(pl.lit('["'), "product", pl.lit('"]')).alias("interventions"),
            pl.lit("Accord Demo Therapeutics").alias("sponsor"),
            pl.lit("INDUSTRY").alias("sponsor_class"),
            pl.col("start").alias("start_date"),
            pl.col("completion").alias("completion_date"),
            pl.col("enrollment").cast(pl.Int64),
            pl.lit("api_v2_json").alias("source_format"),
            pl.col("nct_id").str.zfill(64).alias("fingerprint"),
            pl.lit(None, dtype=pl.Int64).alias("import_job_id"),
            "created_at",
            pl.col("created_at").alias("updated_at"),
        )
        first_official = first_ids["trial_official"]
        officials = pl.DataFrame(
            {
                "id": np.arange(first_official, first_official + count, dtype=np.int64),
                "trial_id": trial_ids.astype(np.int64),
                "position": np.ones(count, dtype=np.int64),
                "name": self._names(lead),
                "role": ["PRINCIPAL_INVESTIGATOR"] * count,
                "affiliation": pl.Series([None] * count, dtype=pl.String),
                "stakeholder_id": x.ids[lead],
                "linked_by": ["demo_generator"] * count,
            }
        )
        return trials, officials, trial_sites, investigators


#: the tables generate_network returns, in the order they are written (foreign keys first)
NETWORK_TABLES = (
    "event",
    "event_participant",
    "referral",
    "publication",
    "publication_author",
    "clinical_trial",
    "trial_official",
    "trial_site",
    "trial_site_investigator",
)


def generate_network(
    seed: int, inputs: NetworkInputs
) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    """The network's sources, and the plan-in-payer affiliations to add to the affiliations.
    A generator of its own (seeded from `seed`) keeps the other tables as they were."""
    rng = np.random.default_rng([seed, 5])
    maker = NetworkGenerator(rng, inputs)
    first = inputs.first_ids
    frames: dict[str, pl.DataFrame] = {}
    plans = maker.plan_affiliations(first["affiliation"])
    frames["event"], frames["event_participant"] = maker.events(
        first["event"], first["event_participant"]
    )
    frames["referral"] = maker.referrals(first["referral"])
    frames["publication"], frames["publication_author"] = maker.publications(
        first["publication"], first["publication_author"]
    )
    (
        frames["clinical_trial"],
        frames["trial_official"],
        frames["trial_site"],
        frames["trial_site_investigator"],
    ) = maker.trials(first)
    return frames, plans
