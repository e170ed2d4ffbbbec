"""Every generated table, computed column-wise with one seeded numpy Generator.

Nothing here touches the database: `generate_frames(size, seed, context)` takes what the
database already holds (territories, products, personas, the next free ids) as a `Context`
and returns one Polars DataFrame per table, in insertion order. The same inputs give the
same frames, so the same seed gives identical rows on SQLite and PostgreSQL.

The business rules the data keeps (tests/demo assert them):
- an interaction's function is its owner's and its purpose follows DEFAULT_PURPOSE (event
  channels: events); its owner covers the stakeholder's territory;
- no interaction on a channel whose consent for that purpose was withdrawn before it, and
  none at or after a do_not_contact status;
- commercial never discusses a product before approval (21 CFR 312.7);
- a tenth of the HCPs get about half of the interactions; tiers form a pyramid.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import polars as pl

from accord.demo.generator import Size
from accord.demo.generator.network import NETWORK_TABLES, NetworkInputs, generate_network
from accord.demo.generator.places import PLACES, STREET_SUFFIXES, STREETS
from accord.demo.generator.vocabulary import (
    AREA_NAMES,
    AREAS,
    DECISION_ANSWERS,
    DISEASES,
    FEMALE_FIRST,
    GRANT_QUESTIONS,
    HCP_SPECIALTIES,
    INSIGHTS,
    ISS_QUESTIONS,
    LAST_NAMES,
    MALE_FIRST,
    MIR_ANSWERS,
    MIR_QUESTIONS,
    NOTES,
    ORG_ADJECTIVES,
    PAYER_WORDS,
    SPEAKER_QUESTIONS,
    TOPICS,
)
from accord.interaction.models import CONSENT_CHANNEL, DEFAULT_PURPOSE, Channel, Purpose
from accord.product.models import LifecycleStage
from accord.request.models import RequestKind
from accord.request.service import HANDLING_FUNCTION
from accord.request.sla import SLA_DAYS
from accord.stakeholder.models import PERSON_TYPES, StakeholderType, Tier
from accord.user.models import Function, Role

US_PER_SECOND = 1_000_000
US_PER_DAY = 86_400 * US_PER_SECOND
#: activity covers the two years up to `now`
WINDOW_DAYS = 730
SOURCE = "demo generator"

#: the functions that engage stakeholders, in the order of their codes below
ENGAGING = (Function.commercial, Function.medical, Function.market_access, Function.research)
CHANNELS = tuple(Channel)
PURPOSES = tuple(Purpose)
CONSENT_CHANNELS = ("email", "phone", "messaging", "visit", "mail")
TYPES = tuple(StakeholderType)
TIERS = (Tier.global_, Tier.national, Tier.regional, Tier.local)
UNAPPROVED = frozenset({LifecycleStage.development, LifecycleStage.pre_launch})

#: share of each stakeholder type: four in five are HCPs
TYPE_SHARE: dict[StakeholderType, float] = {
    StakeholderType.hcp: 0.80,
    StakeholderType.researcher: 0.04,
    StakeholderType.payer_official: 0.02,
    StakeholderType.regulator_official: 0.004,
    StakeholderType.patient_advocate: 0.016,
    StakeholderType.clinic: 0.08,
    StakeholderType.hospital: 0.02,
    StakeholderType.academic_medical_center: 0.003,
    StakeholderType.idn: 0.003,
    StakeholderType.payer: 0.002,
    StakeholderType.health_plan: 0.004,
    StakeholderType.pbm: 0.001,
    StakeholderType.regulatory_agency: 0.001,
    StakeholderType.patient_advocacy_group: 0.004,
    StakeholderType.professional_society: 0.002,
}

#: which function engages each stakeholder type (commercial, medical, market access, research)
FUNCTION_MIX: dict[StakeholderType, tuple[float, float, float, float]] = {
    StakeholderType.hcp: (0.58, 0.28, 0.04, 0.10),
    StakeholderType.researcher: (0.05, 0.45, 0.0, 0.50),
    StakeholderType.payer_official: (0.0, 0.15, 0.85, 0.0),
    StakeholderType.regulator_official: (0.0, 0.40, 0.40, 0.20),
    StakeholderType.patient_advocate: (0.20, 0.50, 0.30, 0.0),
    StakeholderType.clinic: (0.55, 0.10, 0.30, 0.05),
    StakeholderType.hospital: (0.45, 0.10, 0.35, 0.10),
    StakeholderType.academic_medical_center: (0.30, 0.25, 0.20, 0.25),
    StakeholderType.idn: (0.40, 0.05, 0.55, 0.0),
    StakeholderType.payer: (0.0, 0.10, 0.90, 0.0),
    StakeholderType.health_plan: (0.0, 0.10, 0.90, 0.0),
    StakeholderType.pbm: (0.0, 0.05, 0.95, 0.0),
    StakeholderType.regulatory_agency: (0.0, 0.30, 0.20, 0.50),
    StakeholderType.patient_advocacy_group: (0.20, 0.50, 0.30, 0.0),
    StakeholderType.professional_society: (0.20, 0.60, 0.0, 0.20),
}

#: channel mix per engaging function, in the order of `Channel`
CHANNEL_MIX: dict[Function, tuple[float, ...]] = {
    #                      in_p  remote phone email appr  webin congr event msg  portal
    Function.commercial: (0.40, 0.10, 0.08, 0.04, 0.22, 0.05, 0.02, 0.05, 0.02, 0.02),
    Function.medical: (0.30, 0.22, 0.08, 0.15, 0.0, 0.07, 0.12, 0.03, 0.01, 0.02),
    Function.market_access: (0.30, 0.25, 0.15, 0.20, 0.02, 0.02, 0.02, 0.02, 0.01, 0.01),
    Function.research: (0.25, 0.30, 0.10, 0.20, 0.0, 0.03, 0.07, 0.02, 0.01, 0.02),
}

#: consent (channel x purpose) on record for a person who gave any: probability of each
CONSENT_ODDS: dict[str, tuple[float, float, float, float]] = {
    #          promo  sci   research events
    "email": (0.55, 0.60, 0.15, 0.40),
    "phone": (0.20, 0.30, 0.10, 0.05),
    "messaging": (0.05, 0.08, 0.02, 0.05),
    "visit": (0.60, 0.65, 0.20, 0.10),
    "mail": (0.15, 0.10, 0.02, 0.10),
}
WITHDRAWN_SHARE = 0.035
DO_NOT_CONTACT_SHARE = 0.0025
TOP_DECILE_BOOST = 8.0  # a tenth of the HCPs weigh 8x: about half of the interactions


@dataclass(frozen=True)
class PersonaUser:
    id: int
    username: str
    function: Function
    role: Role
    territories: tuple[str, ...]


@dataclass(frozen=True)
class Context:
    """What the database holds that the generated rows refer to."""

    now: datetime
    #: territory code -> (id, parent code)
    territories: dict[str, tuple[int, str | None]]
    #: (state, lower-case city or None) -> territory id
    alignment: dict[tuple[str, str | None], int]
    #: product code -> (id, name, lifecycle stage, therapeutic area code)
    products: dict[str, tuple[int, str, LifecycleStage, str]]
    personas: tuple[PersonaUser, ...]
    #: table -> first id to use
    first_ids: dict[str, int]
    taken_npis: frozenset[str]
    password_hash: str
    #: therapeutic area code -> id (events are tied to their area)
    areas: dict[str, int] = field(default_factory=dict)


Frames = dict[str, pl.DataFrame]
Progress = Callable[[str], None]


# --- small column helpers ----------------------------------------------------------------


def _labels(codes: np.ndarray, labels: Sequence[str | None]) -> pl.Series:
    """Strings from integer codes into `labels` (None stays null)."""
    table = pl.Series(list(labels), dtype=pl.String)
    return table.gather(pl.Series(np.asarray(codes, dtype=np.int64)))


def _datetimes(us: np.ndarray) -> pl.Series:
    return pl.Series(np.asarray(us, dtype=np.int64)).cast(pl.Datetime("us", "UTC"))


def _dates(us: np.ndarray) -> pl.Series:
    return pl.Series((np.asarray(us, dtype=np.int64) // US_PER_DAY).astype(np.int32)).cast(pl.Date)


def _pick(rng: np.random.Generator, weights: Sequence[float] | np.ndarray, n: int) -> np.ndarray:
    """n indices drawn with the given (unnormalised) weights."""
    cum = np.cumsum(np.asarray(weights, dtype=np.float64))
    picked = np.searchsorted(cum, rng.random(n) * cum[-1], side="right")
    return np.asarray(picked.clip(0, len(cum) - 1), dtype=np.int64)


def _pick_rows(rng: np.random.Generator, probs: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """For each element, an index drawn from row `rows[i]` of the probability matrix."""
    cum = np.cumsum(probs, axis=1)
    cum = cum / cum[:, -1:]
    u = rng.random(len(rows))
    picked = (u[:, None] > cum[rows]).sum(axis=1)
    return np.asarray(picked.clip(0, probs.shape[1] - 1), dtype=np.int64)


def _counts(total: int, shares: Sequence[float] | np.ndarray, minimum: int = 1) -> list[int]:
    """Split `total` by `shares` (largest remainder), each part at least `minimum`."""
    raw = np.asarray(shares, dtype=np.float64)
    raw = raw / raw.sum() * total
    out = np.maximum(np.floor(raw).astype(np.int64), minimum)
    rest = total - int(out.sum())
    if rest > 0:
        for i in np.argsort(-(raw - np.floor(raw)), kind="stable")[:rest]:
            out[i] += 1
    return [int(x) for x in out]


def _uniform_us(
    rng: np.random.Generator, low: np.ndarray | int, high: np.ndarray | int, n: int
) -> np.ndarray:
    low_a = np.asarray(low, dtype=np.int64)
    span = np.maximum(np.asarray(high, dtype=np.int64) - low_a, 1)
    return np.asarray(low_a + (rng.random(n) * span).astype(np.int64), dtype=np.int64)


def _json_lists(items: Sequence[Sequence[str]]) -> list[str]:
    return [json.dumps(list(i), ensure_ascii=False) for i in items]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower())


# --- the field force -----------------------------------------------------------------------


@dataclass
class Workforce:
    """Users by id with their function and the leaf territories they cover."""

    ids: np.ndarray
    functions: list[Function]
    #: (function, leaf index) -> (user ids, cumulative weights)
    pools: dict[tuple[Function, int], tuple[np.ndarray, np.ndarray]]


def _leaves(context: Context) -> list[str]:
    parents = {p for _, p in context.territories.values() if p}
    return sorted(c for c in context.territories if c not in parents)


def _ancestry(context: Context, leaves: list[str]) -> dict[str, list[int]]:
    """For every territory, the indices of the leaf territories under (or equal to) it."""
    covered: dict[str, list[int]] = {}
    for i, leaf in enumerate(leaves):
        node: str | None = leaf
        while node is not None:
            covered.setdefault(node, []).append(i)
            node = context.territories[node][1]
    return covered


def generate_users(
    rng: np.random.Generator, size: Size, context: Context, leaf_weight: np.ndarray
) -> tuple[Frames, Workforce]:
    """A field force for the demo territories: first-line and regional managers, reps and
    key account managers, MSLs, market access and research; personas keep their places."""
    leaves = _leaves(context)
    regions = sorted({context.territories[leaf][1] or leaf for leaf in leaves})
    nation = next((c for c, (_, p) in context.territories.items() if p is None), None)
    plan: list[tuple[Function, Role, str, str | None]] = []  # function, role, territory, manager
    names: list[str] = []

    def add(function: Function, role: Role, territory: str, manager: str | None) -> str:
        key = f"g{len(plan)}"
        plan.append((function, role, territory, manager))
        names.append(key)
        return key

    def persona_manager(function: Function, territory: str) -> str | None:
        for p in context.personas:
            if p.function == function and p.role == Role.manager and territory in p.territories:
                return p.username
        return None

    directors: dict[tuple[Function, str], str] = {}
    for region in regions:
        for function in (Function.commercial, Function.medical):
            existing = persona_manager(function, region)
            directors[function, region] = existing or add(function, Role.manager, region, None)
    first_line = {
        leaf: add(
            Function.commercial,
            Role.manager,
            leaf,
            directors[Function.commercial, context.territories[leaf][1] or leaf],
        )
        for leaf in leaves
    }
    top = nation or regions[0]
    national = {
        f: persona_manager(f, top) or add(f, Role.manager, top, None)
        for f in (Function.market_access, Function.research)
    }
    field = max(size.users - len(plan), 0)
    reps, msls, access, research = _counts(field, (0.62, 0.18, 0.11, 0.09), minimum=0)
    for count, leaf in zip(_counts(reps, leaf_weight), leaves, strict=True):
        for _ in range(count):
            add(Function.commercial, Role.field, leaf, first_line[leaf])
    for count, leaf in zip(_counts(msls, leaf_weight), leaves, strict=True):
        region = context.territories[leaf][1] or leaf
        for _ in range(count):
            add(Function.medical, Role.field, leaf, directors[Function.medical, region])
    region_weight = [
        sum(
            w
            for w, leaf in zip(leaf_weight, leaves, strict=True)
            if context.territories[leaf][1] == region
        )
        for region in regions
    ]
    for function, total in ((Function.market_access, access), (Function.research, research)):
        for count, region in zip(_counts(total, region_weight), regions, strict=True):
            for _ in range(count):
                add(function, Role.field, region, national[function])

    n = len(plan)
    first_id = context.first_ids["user"]
    ids = np.arange(first_id, first_id + n, dtype=np.int64)
    id_of = {key: int(ids[i]) for i, key in enumerate(names)}
    id_of.update({p.username: p.id for p in context.personas})
    female = rng.random(n) < 0.5
    first = np.where(
        female,
        rng.integers(0, len(FEMALE_FIRST), n),
        rng.integers(0, len(MALE_FIRST), n),
    )
    last = rng.integers(0, len(LAST_NAMES), n)
    usernames, full_names = [], []
    for i in range(n):
        given = (FEMALE_FIRST if female[i] else MALE_FIRST)[first[i]]
        family = LAST_NAMES[last[i]]
        usernames.append(f"{_slug(given)[:1]}{_slug(family)}{int(ids[i])}")
        full_names.append(f"{given} {family}")
    created = _uniform_us(
        rng, _us(context.now) - 6 * 365 * US_PER_DAY, _us(context.now) - WINDOW_DAYS * US_PER_DAY, n
    )
    users = pl.DataFrame(
        {
            "id": ids,
            "username": usernames,
            "full_name": full_names,
            "email": [f"{u}@accord.example" for u in usernames],
            "function": [p[0].value for p in plan],
            "role": [p[1].value for p in plan],
            "manager_id": pl.Series([id_of[p[3]] if p[3] else None for p in plan], dtype=pl.Int64),
            "password_hash": [context.password_hash] * n,
            "is_active": [True] * n,
            "failed_login_count": np.zeros(n, dtype=np.int64),
            "created_at": _datetimes(created),
            "updated_at": _datetimes(created),
        }
    )
    territory_ids = {code: tid for code, (tid, _) in context.territories.items()}
    first_link = context.first_ids["user_territory"]
    links = pl.DataFrame(
        {
            "id": np.arange(first_link, first_link + n, dtype=np.int64),
            "user_id": ids,
            "territory_id": np.array([territory_ids[p[2]] for p in plan], dtype=np.int64),
        }
    )

    # who can own activity in each leaf: weight 1 spread over the leaves a field user covers;
    # personas 1.5 so the demo shows their work; managers 0.1 (field rides, key accounts)
    members: dict[tuple[Function, int], list[tuple[int, float]]] = {}
    everyone: list[tuple[int, Function, Role, str | tuple[str, ...], bool]] = [
        (int(ids[i]), p[0], p[1], p[2], False) for i, p in enumerate(plan)
    ]
    everyone += [(p.id, p.function, p.role, p.territories, True) for p in context.personas]
    ancestry = _ancestry(context, leaves)
    for uid, function, role, territory, is_persona in everyone:
        if function not in ENGAGING:
            continue
        codes = (territory,) if isinstance(territory, str) else territory
        covered = sorted({i for code in codes for i in ancestry.get(code, [])})
        if not covered:
            continue
        base = 0.1 if role == Role.manager else (1.5 if is_persona else 1.0)
        for leaf_index in covered:
            members.setdefault((function, leaf_index), []).append((uid, base / len(covered)))
    pools = {
        key: (
            np.array([m[0] for m in value], dtype=np.int64),
            np.cumsum([m[1] for m in value]),
        )
        for key, value in sorted(members.items(), key=lambda kv: (kv[0][0].value, kv[0][1]))
    }
    return {"user": users, "user_territory": links}, Workforce(ids, [p[0] for p in plan], pools)


def _owners(
    rng: np.random.Generator,
    workforce: Workforce,
    function_code: np.ndarray,
    leaf_index: np.ndarray,
    leaves: int,
) -> np.ndarray:
    """An owner for each row: a user of that function covering that leaf territory (-1 when
    nobody does)."""
    out = np.full(len(function_code), -1, dtype=np.int64)
    if len(out) == 0:
        return out
    group = function_code.astype(np.int64) * leaves + leaf_index
    order = np.argsort(group, kind="stable")
    sorted_groups = group[order]
    bounds = np.flatnonzero(np.diff(sorted_groups)) + 1
    for chunk in np.split(order, bounds):
        key = int(group[chunk[0]])
        pool = workforce.pools.get((ENGAGING[key // leaves], key % leaves))
        if pool is None:
            continue
        ids, cum = pool
        pick = np.searchsorted(cum, rng.random(len(chunk)) * cum[-1], side="right")
        out[chunk] = ids[pick.clip(0, len(ids) - 1)]
    return out


def _us(moment: datetime) -> int:
    return int(moment.astimezone(UTC).timestamp() * US_PER_SECOND)


# --- stakeholders --------------------------------------------------------------------------


@dataclass
class Population:
    """The generated stakeholders as arrays the later tables draw from."""

    ids: np.ndarray
    type_code: np.ndarray
    place: np.ndarray
    leaf: np.ndarray  # index into the leaf territories
    area: np.ndarray  # index into AREAS
    tier_code: np.ndarray  # index into TIERS, -1 for none
    profession: np.ndarray  # 0 md, 1 np, 2 pa, 3 pharm, -1 not an HCP
    first: list[str | None]
    last: list[str | None]
    created_us: np.ndarray

    def of(self, *types: StakeholderType) -> np.ndarray:
        return np.flatnonzero(np.isin(self.type_code, [TYPES.index(t) for t in types]))


PROFESSIONS = ("md", "np", "pa", "pharm")
#: tier shares (global, national, regional, local) by profession; researchers after them
TIER_SHARE = {
    "md": (0.003, 0.02, 0.08, 0.897),
    "np": (0.0, 0.0, 0.01, 0.99),
    "pa": (0.0, 0.0, 0.01, 0.99),
    "pharm": (0.0, 0.002, 0.02, 0.978),
    "researcher": (0.02, 0.10, 0.28, 0.60),
}


def _place_territories(context: Context, leaves: list[str]) -> np.ndarray:
    """The leaf index of every place, by the database's alignment (city rule, else state)."""
    by_id = {tid: code for code, (tid, _) in context.territories.items()}
    out = np.full(len(PLACES), -1, dtype=np.int64)
    for i, place in enumerate(PLACES):
        tid = context.alignment.get((place.state, place.city.lower()))
        if tid is None:
            tid = context.alignment.get((place.state, None))
        if tid is not None and by_id.get(tid) in leaves:
            out[i] = leaves.index(by_id[tid])
    return out


def _org_name(
    rng: np.random.Generator, kind: StakeholderType, city: str, state: str, area: str
) -> str:
    adjective = ORG_ADJECTIVES[int(rng.integers(len(ORG_ADJECTIVES)))]
    family = LAST_NAMES[int(rng.integers(len(LAST_NAMES)))]
    payer = PAYER_WORDS[int(rng.integers(len(PAYER_WORDS)))]
    variant = int(rng.integers(3))
    field = {"CARDIO": "Cardiology", "ONC": "Oncology & Hematology", "IMM": "Rheumatology"}[area]
    society = {"CARDIO": "Cardiology", "ONC": "Clinical Oncology", "IMM": "Rheumatology"}[area]
    if kind == StakeholderType.clinic:
        return (
            f"{city} {field} Associates",
            f"{family} Family Medicine",
            f"{adjective} Internal Medicine Group",
        )[variant]
    if kind == StakeholderType.hospital:
        return (
            f"{adjective} {city} Hospital",
            f"{city} General Hospital",
            f"{adjective} Medical Center",
        )[variant]
    if kind == StakeholderType.academic_medical_center:
        return (
            f"{city} University Medical Center",
            f"{adjective} Academic Medical Center",
            f"{family} University Hospital",
        )[variant]
    if kind == StakeholderType.idn:
        return (f"{adjective} Health System", f"{adjective} Health Partners", f"{payer} Health")[
            variant
        ]
    if kind == StakeholderType.payer:
        return f"{payer} Health Insurance"
    if kind == StakeholderType.health_plan:
        return f"{payer} Health Plan of {state}"
    if kind == StakeholderType.pbm:
        return f"{payer} Pharmacy Benefits"
    if kind == StakeholderType.regulatory_agency:
        return (
            f"{state} Board of Pharmacy",
            f"{state} Medicaid Office",
            f"{state} Board of Medicine",
        )[variant]
    if kind == StakeholderType.patient_advocacy_group:
        return f"{DISEASES[int(rng.integers(len(DISEASES)))]} Patient Alliance of {city}"
    return f"{state} Society of {society}"


def generate_stakeholders(
    rng: np.random.Generator, size: Size, context: Context, leaves: list[str]
) -> tuple[Frames, Population]:
    n = size.stakeholders
    counts = _counts(n, [TYPE_SHARE[t] for t in TYPES])
    counts[TYPES.index(StakeholderType.hcp)] += n - sum(counts)  # the minimums come off HCPs
    type_code = rng.permutation(np.repeat(np.arange(len(TYPES)), counts))
    first_id = context.first_ids["stakeholder"]
    ids = np.arange(first_id, first_id + n, dtype=np.int64)

    place_leaf = _place_territories(context, leaves)
    usable = np.flatnonzero(place_leaf >= 0)
    weights = np.array([PLACES[i].weight for i in usable])
    place = usable[_pick(rng, weights, n)]
    leaf = place_leaf[place]

    is_hcp = type_code == TYPES.index(StakeholderType.hcp)
    is_person = np.isin(type_code, [TYPES.index(t) for t in PERSON_TYPES])
    specialty = np.full(n, -1, dtype=np.int64)
    specialty[is_hcp] = _pick(rng, [s[1] for s in HCP_SPECIALTIES], int(is_hcp.sum()))
    profession = np.full(n, -1, dtype=np.int64)
    spec_profession = np.array([PROFESSIONS.index(s[2]) for s in HCP_SPECIALTIES])
    profession[is_hcp] = spec_profession[specialty[is_hcp]]
    area_weights = np.array([s[3] for s in HCP_SPECIALTIES])
    area = _pick_rows(
        rng,
        np.vstack([area_weights, [[0.4, 0.35, 0.25]]]),
        np.where(is_hcp, specialty, len(HCP_SPECIALTIES)),
    )

    tier_rows = np.array([TIER_SHARE[p] for p in (*PROFESSIONS, "researcher")])
    tier_row = np.where(is_hcp, profession, len(PROFESSIONS))
    tier_code = _pick_rows(rng, tier_rows, tier_row)
    is_researcher = type_code == TYPES.index(StakeholderType.researcher)
    tier_code[~(is_hcp | is_researcher)] = -1

    female = rng.random(n) < 0.52
    first_i = np.where(
        female, rng.integers(0, len(FEMALE_FIRST), n), rng.integers(0, len(MALE_FIRST), n)
    )
    has_middle = rng.random(n) < 0.3
    middle_i = np.where(
        female, rng.integers(0, len(FEMALE_FIRST), n), rng.integers(0, len(MALE_FIRST), n)
    )
    last_i = rng.integers(0, len(LAST_NAMES), n)
    md_is_do = rng.random(n) < 0.28
    cred_draw = rng.random(n)
    org_draws = np.flatnonzero(~is_person)

    credentials: list[str | None] = [None] * n
    first: list[str | None] = [None] * n
    middle: list[str | None] = [None] * n
    last: list[str | None] = [None] * n
    sex: list[str | None] = [None] * n
    name: list[str] = [""] * n
    sort_name: list[str] = [""] * n
    for i in np.flatnonzero(is_person):
        kind = TYPES[type_code[i]]
        names = FEMALE_FIRST if female[i] else MALE_FIRST
        given, family = names[first_i[i]], LAST_NAMES[last_i[i]]
        second = names[middle_i[i]] if has_middle[i] and middle_i[i] != first_i[i] else None
        if kind == StakeholderType.hcp:
            cred: str | None = ("DO" if md_is_do[i] else "MD", "NP", "PA", "PharmD")[profession[i]]
        elif kind == StakeholderType.researcher:
            cred = "PhD" if cred_draw[i] < 0.6 else "MD, PhD"
        elif kind == StakeholderType.payer_official:
            cred = "PharmD" if cred_draw[i] < 0.4 else ("MD" if cred_draw[i] < 0.7 else None)
        elif kind == StakeholderType.regulator_official:
            cred = "MD" if cred_draw[i] < 0.5 else ("PhD" if cred_draw[i] < 0.8 else "PharmD")
        else:
            cred = None
        full = " ".join(p for p in (given, second, family) if p)
        first[i], middle[i], last[i], credentials[i] = given, second, family, cred
        sex[i] = "F" if female[i] else "M"
        name[i] = f"{full}, {cred}" if cred else full
        sort_name[i] = f"{family} {given}".lower()
    for i in org_draws:
        p = PLACES[place[i]]
        org = _org_name(rng, TYPES[type_code[i]], p.city, p.state, AREAS[area[i]])
        name[i], sort_name[i] = org, org.lower()

    org_specialty = {
        StakeholderType.hospital: "282N00000X",
        StakeholderType.academic_medical_center: "282N00000X",
        StakeholderType.clinic: "261QM1300X",
    }
    primary: list[str | None] = [None] * n
    for i in np.flatnonzero(is_hcp):
        primary[i] = HCP_SPECIALTIES[specialty[i]][0]
    for i in org_draws:
        code = org_specialty.get(TYPES[type_code[i]])
        if code == "261QM1300X" and AREAS[area[i]] == "ONC":
            code = "261QX0200X"
        primary[i] = code

    territory_id = {i: context.territories[code][0] for i, code in enumerate(leaves)}
    now = _us(context.now)
    created = _uniform_us(rng, now - 8 * 365 * US_PER_DAY, now - (WINDOW_DAYS + 30) * US_PER_DAY, n)
    states = [PLACES[i].state for i in range(len(PLACES))]
    cities = [PLACES[i].city for i in range(len(PLACES))]
    stakeholders = pl.DataFrame(
        {
            "id": ids,
            "kind": _labels(
                is_person.astype(np.int64) * 0 + (~is_person).astype(np.int64),
                ["person", "organization"],
            ),
            "type": _labels(type_code, [t.value for t in TYPES]),
            "name": name,
            "sort_name": sort_name,
            "first_name": pl.Series(first, dtype=pl.String),
            "middle_name": pl.Series(middle, dtype=pl.String),
            "last_name": pl.Series(last, dtype=pl.String),
            "credentials": pl.Series(credentials, dtype=pl.String),
            "sex": pl.Series(sex, dtype=pl.String),
            "primary_specialty_code": pl.Series(primary, dtype=pl.String),
            "tier": _labels(
                np.where(tier_code < 0, len(TIERS), tier_code), [*(t.value for t in TIERS), None]
            ),
            "territory_id": np.array([territory_id[x] for x in range(len(leaves))], dtype=np.int64)[
                leaf
            ],
            "state": _labels(place, states),
            "city": _labels(place, cities),
            "status": ["active"] * n,
            "created_at": _datetimes(created),
            "updated_at": _datetimes(created),
        }
    )
    population = Population(
        ids=ids,
        type_code=type_code,
        place=place,
        leaf=leaf,
        area=area,
        tier_code=tier_code,
        profession=profession,
        first=first,
        last=last,
        created_us=created,
    )
    frames = {"stakeholder": stakeholders}
    frames["stakeholder_identifier"] = _identifiers(rng, context, population)
    frames["stakeholder_specialty"] = _specialties(rng, context, population, primary, specialty)
    frames["address"] = _addresses(rng, context, population, name)
    return frames, population


def _npis(rng: np.random.Generator, n: int, taken: frozenset[str]) -> np.ndarray:
    """n distinct NPIs (10 digits, Luhn check with the 80840 prefix), none of them taken."""
    out = np.empty(0, dtype=np.int64)
    while len(out) < n:
        base = rng.integers(100_000_000, 300_000_000, int(n * 1.05) + 64)
        digits = (base[:, None] // 10 ** np.arange(8, -1, -1)) % 10  # most significant first
        doubled = digits[:, 0::2] * 2
        doubled = np.where(doubled > 9, doubled - 9, doubled)
        total = 24 + doubled.sum(axis=1) + digits[:, 1::2].sum(axis=1)
        npi = base * 10 + (10 - total % 10) % 10
        merged = np.concatenate([out, npi])
        _, first_seen = np.unique(merged, return_index=True)
        merged = merged[np.sort(first_seen)]
        if taken:
            merged = merged[
                ~np.isin(merged, np.array(sorted(int(t) for t in taken if t.isdigit())))
            ]
        out = merged
    return out[:n]


def _identifiers(rng: np.random.Generator, context: Context, pop: Population) -> pl.DataFrame:
    rows = pop.of(
        StakeholderType.hcp,
        StakeholderType.hospital,
        StakeholderType.clinic,
        StakeholderType.academic_medical_center,
    )
    npi = _npis(rng, len(rows), context.taken_npis)
    first_id = context.first_ids["stakeholder_identifier"]
    recorded = pop.created_us[rows] + (rng.random(len(rows)) * 30 * US_PER_DAY).astype(np.int64)
    return pl.DataFrame(
        {
            "id": np.arange(first_id, first_id + len(rows), dtype=np.int64),
            "stakeholder_id": pop.ids[rows],
            "system": ["npi"] * len(rows),
            "value": pl.Series(npi).cast(pl.String),
            "source": [SOURCE] * len(rows),
            "recorded_on": _dates(recorded),
        }
    )


def _specialties(
    rng: np.random.Generator,
    context: Context,
    pop: Population,
    primary: list[str | None],
    specialty: np.ndarray,
) -> pl.DataFrame:
    """The primary specialty of every HCP and care organization; internal medicine as a
    second specialty for two in five internal-medicine subspecialists."""
    rows = np.array([i for i, code in enumerate(primary) if code is not None], dtype=np.int64)
    codes = [primary[i] for i in rows]
    sub = np.array(
        [s[0].startswith("207R") and s[0] != "207R00000X" for s in HCP_SPECIALTIES] + [False]
    )
    second = rows[(sub[specialty[rows]]) & (rng.random(len(rows)) < 0.4)]
    sids = np.concatenate([pop.ids[rows], pop.ids[second]])
    order = np.argsort(sids, kind="stable")
    first_id = context.first_ids["stakeholder_specialty"]
    return pl.DataFrame(
        {
            "id": np.arange(first_id, first_id + len(sids), dtype=np.int64),
            "stakeholder_id": sids[order],
            "specialty_code": pl.Series(codes + ["207R00000X"] * len(second), dtype=pl.String)[
                order
            ],
            "is_primary": np.concatenate(
                [np.ones(len(rows), dtype=bool), np.zeros(len(second), dtype=bool)]
            )[order],
            "source": [SOURCE] * len(sids),
        }
    )


def _addresses(
    rng: np.random.Generator, context: Context, pop: Population, names: list[str]
) -> pl.DataFrame:
    """One primary practice address per stakeholder, with a fictional 555-01xx phone and, for
    many persons, an e-mail at a reserved example domain."""
    n = len(pop.ids)
    is_org = pop.profession < 0
    is_org &= ~np.isin(pop.type_code, [TYPES.index(t) for t in PERSON_TYPES])
    number = rng.integers(1, 400, n) * np.where(is_org, 10, 1) + rng.integers(0, 10, n)
    street = rng.integers(0, len(STREETS), n)
    suffix = rng.integers(0, len(STREET_SUFFIXES), n)
    suite = rng.integers(100, 900, n)
    has_suite = rng.random(n) < 0.35
    zip_tail = rng.integers(0, 100, n)
    phone_tail = rng.integers(0, 100, n)
    has_email = rng.random(n) < np.where(
        pop.type_code == TYPES.index(StakeholderType.hcp), 0.65, 0.5
    )
    domain = rng.integers(0, 3, n)
    domains = ("example.org", "example.com", "example.net")
    line1: list[str] = []
    line2: list[str | None] = []
    postal: list[str] = []
    phone: list[str] = []
    email: list[str | None] = []
    for i in range(n):
        p = PLACES[pop.place[i]]
        line1.append(f"{number[i]} {STREETS[street[i]]} {STREET_SUFFIXES[suffix[i]]}")
        line2.append(f"Suite {suite[i]}" if has_suite[i] else None)
        postal.append(f"{p.zip3}{zip_tail[i]:02d}")
        phone.append(f"({p.area_code}) 555-01{phone_tail[i]:02d}")
        if not has_email[i]:
            email.append(None)
        elif pop.first[i] is not None:
            local = f"{_slug(pop.first[i] or '')}.{_slug(pop.last[i] or '')}"
            email.append(f"{local}{zip_tail[i]}@{domains[domain[i]]}")
        else:
            email.append(f"info@{_slug(names[i])[:40]}.{domains[domain[i]]}")
    first_id = context.first_ids["address"]
    return pl.DataFrame(
        {
            "id": np.arange(first_id, first_id + n, dtype=np.int64),
            "stakeholder_id": pop.ids,
            "kind": ["practice"] * n,
            "is_primary": np.ones(n, dtype=bool),
            "line1": line1,
            "line2": pl.Series(line2, dtype=pl.String),
            "city": _labels(pop.place, [p.city for p in PLACES]),
            "state": _labels(pop.place, [p.state for p in PLACES]),
            "postal_code": postal,
            "phone": phone,
            "email": pl.Series(email, dtype=pl.String),
            "source": [SOURCE] * n,
        }
    )


# --- organizational status and products --------------------------------------------------


def _same_state_org(
    rng: np.random.Generator,
    pop: Population,
    persons: np.ndarray,
    wanted: np.ndarray,
) -> np.ndarray:
    """For each person, an organization of the wanted type (a TYPES code), in the same state
    when there is one, else anywhere."""
    state = np.array([PLACES[i].state for i in range(len(PLACES))])[pop.place]
    out = np.empty(len(persons), dtype=np.int64)
    for type_code in np.unique(wanted):
        orgs = np.flatnonzero(pop.type_code == type_code)
        mine = np.flatnonzero(wanted == type_code)
        org_states = state[orgs]
        order = np.argsort(org_states, kind="stable")
        orgs, org_states = orgs[order], org_states[order]
        keys, starts, counts = np.unique(org_states, return_index=True, return_counts=True)
        u = rng.random(len(mine))
        anywhere = orgs[(u * len(orgs)).astype(np.int64)]
        slot = np.searchsorted(keys, state[persons[mine]])
        slot_c = slot.clip(0, len(keys) - 1)
        found = keys[slot_c] == state[persons[mine]]
        local = orgs[starts[slot_c] + (u * counts[slot_c]).astype(np.int64)]
        out[mine] = np.where(found, local, anywhere)
    return out


def generate_affiliations(
    rng: np.random.Generator, context: Context, pop: Population
) -> pl.DataFrame:
    now = _us(context.now)
    code = {t: TYPES.index(t) for t in TYPES}
    parts: list[tuple[np.ndarray, np.ndarray, list[str], np.ndarray, np.ndarray, np.ndarray]] = []

    def add(
        persons: np.ndarray, orgs: np.ndarray, roles: list[str], primary: bool, ended_share: float
    ) -> None:
        k = len(persons)
        start = now - (rng.random(k) * 18 * 365 + 200).astype(np.int64) * US_PER_DAY
        ended = rng.random(k) < ended_share
        end = start + (rng.random(k) * (now - 30 * US_PER_DAY - start)).astype(np.int64)
        parts.append(
            (
                pop.ids[persons],
                pop.ids[orgs],
                roles,
                np.full(k, primary),
                start,
                np.where(ended, end, -1),
            )
        )

    hcps = pop.of(StakeholderType.hcp)
    hcp_prof = pop.profession[hcps]
    hcp_tier = pop.tier_code[hcps]
    # where HCPs practise: clinic, hospital or academic medical center by profession and tier
    odds = np.array(
        [
            [0.65, 0.25, 0.10],  # md
            [0.80, 0.20, 0.0],  # np
            [0.80, 0.20, 0.0],  # pa
            [0.40, 0.60, 0.0],  # pharm
            [0.15, 0.35, 0.50],  # md of national or global tier
        ]
    )
    row = np.where((hcp_prof == 0) & (hcp_tier >= 0) & (hcp_tier <= 1), 4, hcp_prof)
    care = np.array(
        [
            code[StakeholderType.clinic],
            code[StakeholderType.hospital],
            code[StakeholderType.academic_medical_center],
        ]
    )
    wanted = care[_pick_rows(rng, odds, row)]
    orgs = _same_state_org(rng, pop, hcps, wanted)
    draw = rng.random(len(hcps))
    roles = []
    for prof, tier, kind, d in zip(hcp_prof, hcp_tier, wanted, draw, strict=True):
        if prof == 1:
            roles.append("nurse practitioner")
        elif prof == 2:
            roles.append("physician assistant")
        elif prof == 3:
            roles.append(
                "pharmacy director" if d < 0.1 and kind != care[0] else "clinical pharmacist"
            )
        elif kind == care[0]:
            roles.append(
                "medical director" if d < 0.06 else ("partner" if d < 0.3 else "staff physician")
            )
        else:
            chair = tier in (0, 1) and d < 0.3
            roles.append("department chair" if chair else "attending physician")
    add(hcps, orgs, roles, True, 0.0)
    # hospital privileges for a third of physicians; a quarter of them have ended
    md = hcps[(hcp_prof == 0) & (rng.random(len(hcps)) < 0.33)]
    wanted = np.where(rng.random(len(md)) < 0.8, care[1], care[2])
    add(md, _same_state_org(rng, pop, md, wanted), ["attending physician"] * len(md), False, 0.25)
    # KOLs of national or global reach sit on professional society boards
    kols = hcps[(hcp_tier >= 0) & (hcp_tier <= 1) & (rng.random(len(hcps)) < 0.5)]
    society = np.full(len(kols), code[StakeholderType.professional_society])
    add(kols, _same_state_org(rng, pop, kols, society), ["board member"] * len(kols), False, 0.1)

    def people(
        kind: StakeholderType, targets: Sequence[StakeholderType], role_list: Sequence[str]
    ) -> None:
        persons = pop.of(kind)
        wanted = np.array([code[t] for t in targets])[rng.integers(0, len(targets), len(persons))]
        picks = rng.integers(0, len(role_list), len(persons))
        add(
            persons,
            _same_state_org(rng, pop, persons, wanted),
            [role_list[p] for p in picks],
            True,
            0.0,
        )

    people(
        StakeholderType.researcher,
        (
            StakeholderType.academic_medical_center,
            StakeholderType.academic_medical_center,
            StakeholderType.hospital,
        ),
        ("principal investigator", "research scientist", "research scientist"),
    )
    people(
        StakeholderType.payer_official,
        (StakeholderType.payer, StakeholderType.health_plan, StakeholderType.pbm),
        ("medical director", "pharmacy director", "P&T committee member", "VP pharmacy"),
    )
    people(
        StakeholderType.regulator_official,
        (StakeholderType.regulatory_agency,),
        ("medical officer", "reviewer"),
    )
    people(
        StakeholderType.patient_advocate,
        (StakeholderType.patient_advocacy_group,),
        ("board member", "executive director", "volunteer advocate", "volunteer advocate"),
    )
    # three in five hospitals and clinics belong to an integrated delivery network
    members = pop.of(
        StakeholderType.hospital, StakeholderType.clinic, StakeholderType.academic_medical_center
    )
    members = members[rng.random(len(members)) < 0.6]
    role_of = {
        code[StakeholderType.hospital]: "member hospital",
        code[StakeholderType.clinic]: "member clinic",
        code[StakeholderType.academic_medical_center]: "academic partner",
    }
    idn = np.full(len(members), code[StakeholderType.idn])
    add(
        members,
        _same_state_org(rng, pop, members, idn),
        [role_of[int(t)] for t in pop.type_code[members]],
        True,
        0.05,
    )

    sids = np.concatenate([p[0] for p in parts])
    first_id = context.first_ids["affiliation"]
    end = np.concatenate([p[5] for p in parts])
    return pl.DataFrame(
        {
            "id": np.arange(first_id, first_id + len(sids), dtype=np.int64),
            "stakeholder_id": sids,
            "organization_id": np.concatenate([p[1] for p in parts]),
            "role": [r for p in parts for r in p[2]],
            "is_primary": np.concatenate([p[3] for p in parts]),
            "start_date": _dates(np.concatenate([p[4] for p in parts])),
            "end_date": _dates(np.where(end < 0, 0, end)).set(pl.Series(end < 0), None),
            "source": [SOURCE] * len(sids),
        }
    )


def _area_products(context: Context) -> list[list[tuple[int, LifecycleStage]]]:
    """(product id, stage) per therapeutic area, in the order of AREAS."""
    return [
        sorted((pid, stage) for pid, _, stage, a in context.products.values() if a == area)
        for area in AREAS
    ]


def generate_stakeholder_products(
    rng: np.random.Generator, context: Context, pop: Population
) -> pl.DataFrame:
    """HCPs prescribe their area's approved products; KOLs and researchers investigate the
    unapproved ones; payers decide on coverage of every approved product."""
    by_area = _area_products(context)
    sids: list[np.ndarray] = []
    pids: list[np.ndarray] = []
    relations: list[str] = []

    def add(rows: np.ndarray, product_id: int, relation: str) -> None:
        sids.append(pop.ids[rows])
        pids.append(np.full(len(rows), product_id, dtype=np.int64))
        relations.extend([relation] * len(rows))

    hcp = pop.type_code == TYPES.index(StakeholderType.hcp)
    researcher = pop.type_code == TYPES.index(StakeholderType.researcher)
    kol = (pop.tier_code >= 0) & (pop.tier_code <= 2)
    payers = np.isin(
        pop.type_code,
        [
            TYPES.index(t)
            for t in (
                StakeholderType.payer_official,
                StakeholderType.payer,
                StakeholderType.health_plan,
                StakeholderType.pbm,
            )
        ],
    )
    for a, products in enumerate(by_area):
        in_area = pop.area == a
        for pid, stage in products:
            draw = rng.random(len(pop.ids))
            if stage in UNAPPROVED:
                add(
                    np.flatnonzero(
                        in_area & ((hcp & kol & (draw < 0.5)) | (researcher & (draw < 0.8)))
                    ),
                    pid,
                    "investigator",
                )
            else:
                add(np.flatnonzero(in_area & hcp & (draw < 0.8)), pid, "prescriber")
                add(np.flatnonzero(in_area & researcher & (draw < 0.3)), pid, "investigator")
                add(np.flatnonzero(payers & (draw < 0.7)), pid, "payer_decision")
    all_sids = np.concatenate(sids) if sids else np.empty(0, dtype=np.int64)
    all_pids = np.concatenate(pids) if pids else np.empty(0, dtype=np.int64)
    order = np.lexsort((all_pids, all_sids))
    first_id = context.first_ids["stakeholder_product"]
    return pl.DataFrame(
        {
            "id": np.arange(first_id, first_id + len(order), dtype=np.int64),
            "stakeholder_id": all_sids[order],
            "product_id": all_pids[order],
            "relation": pl.Series(relations, dtype=pl.String)[order],
        }
    )


# --- consent, do-not-contact and interactions ---------------------------------------------


@dataclass
class Withdrawals:
    """Sorted keys (stakeholder row, consent channel, purpose) and when each was withdrawn."""

    keys: np.ndarray
    at: np.ndarray


def _consent_key(rows: np.ndarray, channel: np.ndarray, purpose: np.ndarray) -> np.ndarray:
    key = (rows.astype(np.int64) * len(CONSENT_CHANNELS) + channel) * len(PURPOSES) + purpose
    return np.asarray(key, dtype=np.int64)


def generate_consents(
    rng: np.random.Generator, context: Context, pop: Population, workforce: Workforce, leaves: int
) -> tuple[pl.DataFrame, Withdrawals]:
    """Three in four persons gave consents on record (channel x purpose); a few percent of
    them were later withdrawn, always after the grant and inside the activity window."""
    now = _us(context.now)
    start = now - WINDOW_DAYS * US_PER_DAY
    persons = np.flatnonzero(np.isin(pop.type_code, [TYPES.index(t) for t in PERSON_TYPES]))
    persons = persons[rng.random(len(persons)) < 0.75]
    odds = np.array([CONSENT_ODDS[c] for c in CONSENT_CHANNELS]).reshape(-1)
    hit = rng.random((len(persons), len(odds))) < odds
    who, pair = np.nonzero(hit)
    rows = persons[who]
    channel, purpose = pair // len(PURPOSES), pair % len(PURPOSES)
    k = len(rows)
    granted = _uniform_us(rng, now - 4 * 365 * US_PER_DAY, now - 7 * US_PER_DAY, k)
    granted = np.maximum(granted, pop.created_us[rows])
    withdrawn = rng.random(k) < WITHDRAWN_SHARE
    w = np.flatnonzero(withdrawn)
    w_at = _uniform_us(
        rng, np.maximum(granted[w], start + 30 * US_PER_DAY) + US_PER_DAY, now - US_PER_DAY, len(w)
    )

    grant_sources = ("signed form", "web portal", "verbal", "email reply")
    grant_source = _pick(rng, (0.45, 0.30, 0.15, 0.10), k)
    withdraw_source = _pick(rng, (0.15, 0.35, 0.20, 0.30), len(w))
    form_no = rng.integers(100_000, 999_999, k)
    grant_proof = [
        (
            f"Consent form CF-{form_no[i]} signed at the practice",
            f"Opt-in on the HCP portal, confirmation {form_no[i]}",
            "Verbal consent given at a visit, noted by the field user",
            f"Reply to the welcome e-mail, message {form_no[i]}",
        )[grant_source[i]]
        for i in range(k)
    ]
    withdraw_proof = [
        (
            "Signed withdrawal form received by post",
            "Opted out on the HCP portal",
            "Asked at a visit to stop this kind of contact",
            "Replied 'please stop contacting me' to an e-mail",
        )[withdraw_source[j]]
        for j in range(len(w))
    ]
    # a field user recorded the forms and the verbal consents; portal and e-mail came in alone
    recorder_function = np.zeros(k, dtype=np.int64)  # commercial
    recorder = _owners(rng, workforce, recorder_function, pop.leaf[rows], leaves)
    by_hand = np.isin(grant_source, (0, 2))
    delay = (rng.random(k) * 3 * US_PER_DAY).astype(np.int64)

    all_rows = np.concatenate([rows, rows[w]])
    frame = pl.DataFrame(
        {
            "stakeholder_id": pop.ids[all_rows],
            "channel": _labels(np.concatenate([channel, channel[w]]), CONSENT_CHANNELS),
            "purpose": _labels(np.concatenate([purpose, purpose[w]]), [p.value for p in PURPOSES]),
            "status": ["granted"] * k + ["withdrawn"] * len(w),
            "effective_at": _datetimes(np.concatenate([granted, w_at])),
            "source": _labels(np.concatenate([grant_source, withdraw_source]), grant_sources),
            "proof": grant_proof + withdraw_proof,
            "recorded_by_id": pl.Series(
                np.concatenate([np.where(by_hand, recorder, -1), np.full(len(w), -1)])
            ).replace(-1, None),
            "recorded_at": _datetimes(
                np.minimum(np.concatenate([granted, w_at]) + np.concatenate([delay, delay[w]]), now)
            ),
        }
    ).sort("stakeholder_id", "effective_at", maintain_order=True)
    first_id = context.first_ids["consent"]
    frame = frame.with_columns(
        pl.Series("id", np.arange(first_id, first_id + frame.height, dtype=np.int64))
    ).select("id", *frame.columns)
    keys = _consent_key(rows[w], channel[w], purpose[w])
    order = np.argsort(keys, kind="stable")
    # several withdrawals of one key cannot happen (one grant per key), so keys are unique
    return frame, Withdrawals(keys[order], w_at[order])


def _activity_weights(rng: np.random.Generator, pop: Population) -> np.ndarray:
    """How much attention each stakeholder gets: a tenth of the HCPs (KOLs first) weigh
    TOP_DECILE_BOOST times the rest, so they hold about half of the HCP interactions."""
    weight = rng.lognormal(0.0, 0.5, len(pop.ids))
    hcps = pop.of(StakeholderType.hcp)
    tier_bonus = np.where(pop.tier_code[hcps] >= 0, 3 - pop.tier_code[hcps], 0)
    score = tier_bonus + rng.random(len(hcps)) * 2.5
    top = hcps[np.argsort(-score, kind="stable")[: max(1, len(hcps) // 10)]]
    weight[top] *= TOP_DECILE_BOOST
    others = np.flatnonzero(pop.type_code != TYPES.index(StakeholderType.hcp))
    # organizations and other persons share about an eighth of all interactions
    hcp_total = weight[hcps].sum()
    if len(others):
        weight[others] *= 0.14 * hcp_total / weight[others].sum()
    return weight


def generate_interactions(
    rng: np.random.Generator,
    size: Size,
    context: Context,
    pop: Population,
    workforce: Workforce,
    withdrawals: Withdrawals,
    do_not_contact: dict[int, int],
    leaves: int,
    progress: Progress,
) -> tuple[pl.DataFrame, pl.DataFrame, np.ndarray]:
    """Interactions and their products; returns also each interaction's stakeholder row."""
    n = size.interactions
    now = _us(context.now)
    start = now - WINDOW_DAYS * US_PER_DAY
    weight = _activity_weights(rng, pop)
    row = _pick(rng, weight, n)
    fmix = np.array([FUNCTION_MIX[t] for t in TYPES])
    function = _pick_rows(rng, fmix, pop.type_code[row])
    cmix = np.array([CHANNEL_MIX[f] for f in ENGAGING])
    channel = _pick_rows(rng, cmix, function)
    progress("interactions: owners")
    owner = _owners(rng, workforce, function, pop.leaf[row], leaves)

    event = np.isin(
        channel, [CHANNELS.index(c) for c in (Channel.webinar, Channel.congress, Channel.event)]
    )
    default = np.array([PURPOSES.index(DEFAULT_PURPOSE[f]) for f in ENGAGING])
    purpose = np.where(event, PURPOSES.index(Purpose.events), default[function])

    # when: uniform over the window, on weekdays, in US office hours (13:00-23:00 UTC)
    day = (start // US_PER_DAY) + rng.integers(0, WINDOW_DAYS, n)
    weekday = (day + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0
    day = np.where(weekday == 5, day - 1, np.where(weekday == 6, day - 2, day))
    occurred = (
        day * US_PER_DAY
        + 13 * 3600 * US_PER_SECOND
        + (rng.random(n) * 10 * 3600 * US_PER_SECOND).astype(np.int64)
    )

    # the consent and do-not-contact rules: an interaction that would fall on or after the
    # withdrawal of its channel's consent for its purpose, or on or after a do_not_contact,
    # is moved to a random moment before it
    progress("interactions: consent and do-not-contact rules")
    limit = np.full(n, now, dtype=np.int64)
    consent_channel = np.array(
        [CONSENT_CHANNELS.index(c) if (c := CONSENT_CHANNEL[ch]) else -1 for ch in CHANNELS]
    )[channel]
    if len(withdrawals.keys):
        needs = consent_channel >= 0
        keys = _consent_key(row, np.maximum(consent_channel, 0), purpose)
        slot = np.searchsorted(withdrawals.keys, keys).clip(0, len(withdrawals.keys) - 1)
        match = needs & (withdrawals.keys[slot] == keys)
        limit = np.where(match, np.minimum(limit, withdrawals.at[slot]), limit)
    if do_not_contact:
        dnc_rows = np.array(sorted(do_not_contact), dtype=np.int64)
        dnc_at = np.array([do_not_contact[r] for r in dnc_rows], dtype=np.int64)
        slot = np.searchsorted(dnc_rows, row).clip(0, len(dnc_rows) - 1)
        match = dnc_rows[slot] == row
        limit = np.where(match, np.minimum(limit, dnc_at[slot]), limit)
    late = occurred >= limit
    occurred[late] = _uniform_us(rng, start, limit[late], int(late.sum()))
    occurred = np.minimum(occurred, limit - 1)

    outcome_odds = np.array(
        [[0.35, 0.42, 0.07, 0.16], [0.15, 0.30, 0.05, 0.50]]  # conversations; e-mail and portal
    )
    written = np.isin(
        channel,
        [
            CHANNELS.index(c)
            for c in (Channel.email, Channel.approved_email, Channel.portal, Channel.messaging)
        ],
    )
    outcome = _pick_rows(rng, outcome_odds, written.astype(np.int64))

    # topics: none, one or two of the stakeholder's area
    area = pop.area[row]
    combos: list[list[str]] = []
    combo_index: list[list[int]] = []
    for a in AREAS:
        topics = TOPICS[a]
        index = [len(combos)]
        combos.append([])
        for i in range(len(topics)):
            index.append(len(combos))
            combos.append([topics[i]])
        for i in range(len(topics)):
            for j in range(i + 1, len(topics)):
                index.append(len(combos))
                combos.append([topics[i], topics[j]])
        combo_index.append(index)
    table = np.array(combo_index)
    how_many = _pick(rng, (0.25, 0.5, 0.25), n)
    t = len(TOPICS[AREAS[0]])
    first_topic = rng.integers(0, t, n)
    second_topic = (first_topic + rng.integers(1, t, n)) % t
    lo, hi = np.minimum(first_topic, second_topic), np.maximum(first_topic, second_topic)
    pair_slot = 1 + t + (lo * (2 * t - lo - 1)) // 2 + (hi - lo - 1)
    slot = np.where(how_many == 0, 0, np.where(how_many == 1, 1 + first_topic, pair_slot))
    topics_json = _labels(table[area, slot], _json_lists(combos))

    note_list = [note for f in ENGAGING for note in NOTES[f.value]]
    note_start = np.cumsum([0] + [len(NOTES[f.value]) for f in ENGAGING])[:-1]
    note_count = np.array([len(NOTES[f.value]) for f in ENGAGING])
    note = note_start[function] + (rng.random(n) * note_count[function]).astype(np.int64)
    note = np.where(rng.random(n) < 0.3, note, len(note_list))
    created = np.minimum(occurred + (rng.random(n) * 2 * US_PER_DAY).astype(np.int64), now)

    progress("interactions: products")
    # products: commercial and market access only the approved ones of the area
    by_area = _area_products(context)
    n_products = _pick(rng, (0.15, 0.75, 0.10), n)
    first_product = np.zeros(n, dtype=np.int64)
    second_product = np.full(n, -1, dtype=np.int64)
    u1, u2 = rng.random(n), rng.random(n)
    for f_code, f in enumerate(ENGAGING):
        for area_code in range(len(AREAS)):
            allowed = [
                pid
                for pid, stage in by_area[area_code]
                if not (f in (Function.commercial, Function.market_access) and stage in UNAPPROVED)
            ]
            mask = (function == f_code) & (area == area_code)
            if not allowed:
                n_products[mask] = 0
                continue
            choices = np.array(allowed, dtype=np.int64)
            i1 = (u1[mask] * len(choices)).astype(np.int64)
            first_product[mask] = choices[i1]
            if len(choices) > 1:
                i2 = (i1 + 1 + (u2[mask] * (len(choices) - 1)).astype(np.int64)) % len(choices)
                second_product[mask] = choices[i2]

    progress("interactions: ordering by time")
    order = np.argsort(occurred, kind="stable")
    first_id = context.first_ids["interaction"]
    ids = np.arange(first_id, first_id + n, dtype=np.int64)
    row, function, channel, purpose, occurred, outcome = (
        row[order],
        function[order],
        channel[order],
        purpose[order],
        occurred[order],
        outcome[order],
    )
    interactions = pl.DataFrame(
        {
            "id": ids,
            "stakeholder_id": pop.ids[row],
            "owner_id": owner[order],
            "function": _labels(function, [f.value for f in ENGAGING]),
            "channel": _labels(channel, [c.value for c in CHANNELS]),
            "purpose": _labels(purpose, [p.value for p in PURPOSES]),
            "occurred_at": _datetimes(occurred),
            "outcome": _labels(outcome, ["positive", "neutral", "negative", "no_response"]),
            "topics": topics_json.gather(pl.Series(order)),
            "notes": _labels(note[order], [*note_list, None]),
            "created_at": _datetimes(created[order]),
        }
    )
    n_products, first_product, second_product = (
        n_products[order],
        first_product[order],
        second_product[order],
    )
    one = n_products >= 1
    two = (n_products == 2) & (second_product >= 0)
    links = pl.DataFrame(
        {
            "interaction_id": np.concatenate([ids[one], ids[two]]),
            "product_id": np.concatenate([first_product[one], second_product[two]]),
        }
    ).sort("interaction_id", "product_id")
    return interactions, links, row


# --- engagement status, preferences, requests, insights ---------------------------------


def choose_do_not_contact(
    rng: np.random.Generator, context: Context, pop: Population
) -> dict[int, int]:
    """A handful of persons asked not to be contacted: stakeholder row -> when."""
    now = _us(context.now)
    start = now - WINDOW_DAYS * US_PER_DAY
    persons = np.flatnonzero(np.isin(pop.type_code, [TYPES.index(t) for t in PERSON_TYPES]))
    count = max(1, round(len(persons) * DO_NOT_CONTACT_SHARE))
    rows = np.sort(rng.choice(persons, size=min(count, len(persons)), replace=False))
    at = _uniform_us(rng, start + 60 * US_PER_DAY, now - US_PER_DAY, len(rows))
    return {int(r): int(t) for r, t in zip(rows, at, strict=True)}


def generate_engagement(
    rng: np.random.Generator,
    context: Context,
    pop: Population,
    interactions: pl.DataFrame,
    do_not_contact: dict[int, int],
) -> pl.DataFrame:
    """Each function's status with the stakeholders it engaged: not_engaged after one touch,
    engaged, or collaborating (many touches, or scientific work with a KOL); the lead is the
    owner of the latest interaction. Do-not-contact rows override."""
    tiers = pl.DataFrame({"stakeholder_id": pop.ids, "tier_code": pop.tier_code})
    status = (
        interactions.lazy()
        .group_by("stakeholder_id", "function")
        .agg(
            pl.len().alias("touches"),
            pl.col("owner_id").sort_by("occurred_at").last().alias("lead_user_id"),
            pl.col("occurred_at").max().alias("changed_at"),
        )
        .join(tiers.lazy(), on="stakeholder_id", how="left")
        .with_columns(
            pl.when(pl.col("touches") == 1)
            .then(pl.lit("not_engaged"))
            .when(
                (pl.col("touches") >= 20)
                | (
                    pl.col("function").is_in(["medical", "research"])
                    & pl.col("tier_code").is_between(0, 2)
                    & (pl.col("touches") >= 3)
                )
            )
            .then(pl.lit("collaborating"))
            .otherwise(pl.lit("engaged"))
            .alias("status"),
            pl.lit(None, dtype=pl.String).alias("reason"),
        )
        .select("stakeholder_id", "function", "status", "lead_user_id", "reason", "changed_at")
        .collect()
    )
    rows = np.array(sorted(do_not_contact), dtype=np.int64)
    functions = rng.integers(0, len(ENGAGING), len(rows))
    reasons = (
        "Asked in writing not to be contacted by the company",
        "Told the field user to stop all contact",
        "Do-not-contact request received through the HCP portal",
    )
    dnc = pl.DataFrame(
        {
            "stakeholder_id": pop.ids[rows],
            "function": _labels(functions, [f.value for f in ENGAGING]),
            "status": ["do_not_contact"] * len(rows),
            "lead_user_id": pl.Series([None] * len(rows), dtype=pl.Int64),
            "reason": _labels(rng.integers(0, len(reasons), len(rows)), reasons),
            "changed_at": _datetimes(
                np.array([do_not_contact[int(r)] for r in rows], dtype=np.int64)
            ),
        }
    )
    merged = pl.concat([status.join(dnc, on=["stakeholder_id", "function"], how="anti"), dnc]).sort(
        "stakeholder_id", "function"
    )
    first_id = context.first_ids["engagement_status"]
    return merged.select(
        pl.Series("id", np.arange(first_id, first_id + merged.height, dtype=np.int64)),
        pl.all(),
    )


def generate_preferences(
    rng: np.random.Generator, context: Context, pop: Population, workforce: Workforce, leaves: int
) -> pl.DataFrame:
    """One HCP in eight stated a preferred channel; two in five of those also one to avoid."""
    now = _us(context.now)
    start = now - WINDOW_DAYS * US_PER_DAY
    hcps = pop.of(StakeholderType.hcp)
    stated = hcps[rng.random(len(hcps)) < 0.125]
    preferred = np.array(
        [
            CHANNELS.index(c)
            for c in (
                Channel.in_person,
                Channel.remote_meeting,
                Channel.approved_email,
                Channel.email,
                Channel.webinar,
            )
        ]
    )
    avoided = np.array(
        [CHANNELS.index(c) for c in (Channel.phone, Channel.messaging, Channel.in_person)]
    )
    p = preferred[_pick(rng, (0.35, 0.2, 0.2, 0.15, 0.1), len(stated))]
    a = avoided[rng.integers(0, len(avoided), len(stated))]
    also = (rng.random(len(stated)) < 0.4) & (a != p)
    rows = np.concatenate([stated, stated[also]])
    channel = np.concatenate([p, a[also]])
    k = len(rows)
    at_visit = rng.random(k) < 0.6
    recorder = _owners(rng, workforce, np.zeros(k, dtype=np.int64), pop.leaf[rows], leaves)
    frame = pl.DataFrame(
        {
            "stakeholder_id": pop.ids[rows],
            "channel": _labels(channel, [c.value for c in CHANNELS]),
            "preference": ["preferred"] * len(stated) + ["avoid"] * int(also.sum()),
            "source": _labels(
                at_visit.astype(np.int64), ["preference center", "stated at a visit"]
            ),
            "recorded_by_id": pl.Series(np.where(at_visit, recorder, -1)).replace(-1, None),
            "recorded_at": _datetimes(_uniform_us(rng, start, now, k)),
        }
    ).sort("stakeholder_id", "recorded_at", maintain_order=True)
    first_id = context.first_ids["channel_preference"]
    return frame.select(
        pl.Series("id", np.arange(first_id, first_id + frame.height, dtype=np.int64)), pl.all()
    )


def generate_requests(
    rng: np.random.Generator,
    context: Context,
    pop: Population,
    workforce: Workforce,
    leaves: int,
) -> pl.DataFrame:
    """MIRs from a few percent of the HCPs a year (many off label), and some ISS proposals,
    grant and speaker requests; due dates from the service levels (accord.request.sla)."""
    now = _us(context.now)
    start = now - WINDOW_DAYS * US_PER_DAY
    years = WINDOW_DAYS / 365
    weight = _activity_weights(rng, pop) ** 0.5
    hcps = pop.of(StakeholderType.hcp)
    kols = np.concatenate(
        [
            hcps[(pop.tier_code[hcps] >= 0) & (pop.tier_code[hcps] <= 2)],
            pop.of(StakeholderType.researcher),
        ]
    )
    grantees = pop.of(
        StakeholderType.hospital,
        StakeholderType.academic_medical_center,
        StakeholderType.patient_advocacy_group,
        StakeholderType.professional_society,
    )
    speakers = hcps[(pop.tier_code[hcps] >= 0) & (pop.tier_code[hcps] <= 2)]
    plan = (
        (RequestKind.mir, hcps, max(1, round(0.035 * len(hcps) * years))),
        (RequestKind.iss, kols, max(1, round(0.03 * len(kols) * years))),
        (RequestKind.grant, grantees, max(1, round(0.05 * len(grantees) * years))),
        (RequestKind.speaker, speakers, max(1, round(0.04 * len(speakers) * years))),
    )
    by_area = _area_products(context)
    product_names = {pid: name for pid, name, _, _ in context.products.values()}
    stages = {pid: stage for pid, _, stage, _ in context.products.values()}
    frames = []
    for kind, pool, count in plan:
        if len(pool) == 0:
            continue
        rows = pool[_pick(rng, weight[pool], count)]
        area = pop.area[rows]
        product_slot = rng.integers(0, 2, count)
        products = np.array(
            [
                by_area[a][s % len(by_area[a])][0] if by_area[a] else -1
                for a, s in zip(area, product_slot, strict=True)
            ],
            dtype=np.int64,
        )
        received = _uniform_us(rng, start, now - US_PER_DAY, count)
        age_days = (now - received) // US_PER_DAY
        draw = rng.random(count)
        template = rng.integers(0, 64, count)
        sla = SLA_DAYS[kind]
        if kind == RequestKind.mir:
            handling = np.full(count, ENGAGING.index(HANDLING_FUNCTION[kind]), dtype=np.int64)
            settled = age_days > sla + 4
            status = np.where(
                settled,
                np.where(draw < 0.93, "answered", "closed"),
                np.where(draw < 0.5, "open", np.where(draw < 0.8, "in_review", "answered")),
            )
            via_choices = [
                Channel.phone,
                Channel.email,
                Channel.in_person,
                Channel.portal,
                Channel.congress,
            ]
            via = _pick(rng, (0.3, 0.3, 0.2, 0.15, 0.05), count)
        else:
            # who handles each kind is the request service's rule
            handling = np.full(count, ENGAGING.index(HANDLING_FUNCTION[kind]), dtype=np.int64)
            settled = age_days > sla + 14
            status = np.where(
                settled,
                np.where(draw < 0.5, "approved", np.where(draw < 0.9, "declined", "closed")),
                np.where(draw < 0.5, "open", "in_review"),
            )
            via_choices = [Channel.portal, Channel.email, Channel.in_person]
            via = _pick(rng, (0.5, 0.4, 0.1), count)
        questions, off_label = [], []
        for i in range(count):
            pid = int(products[i])
            product = product_names.get(pid, "the product")
            area_name = AREA_NAMES[AREAS[area[i]]]
            if kind == RequestKind.mir:
                text, off = MIR_QUESTIONS[template[i] % len(MIR_QUESTIONS)]
                questions.append(text.format(product=product))
                off_label.append(off or stages.get(pid) in UNAPPROVED)
            else:
                texts = {
                    RequestKind.iss: ISS_QUESTIONS,
                    RequestKind.grant: GRANT_QUESTIONS,
                    RequestKind.speaker: SPEAKER_QUESTIONS,
                }[kind]
                questions.append(
                    texts[template[i] % len(texts)].format(product=product, area=area_name)
                )
                off_label.append(False)
        answered = np.isin(status, ["answered", "approved", "declined", "closed"])
        answer_delay = np.where(
            kind == RequestKind.mir,
            rng.lognormal(np.log(4.0), 0.6, count),
            rng.random(count) * sla * 1.2 + 5,
        )
        answered_at = np.minimum(
            received + (answer_delay * US_PER_DAY).astype(np.int64), now - 60 * US_PER_SECOND
        )
        answered_at = np.maximum(answered_at, received + 3600 * US_PER_SECOND)
        answerer = _owners(rng, workforce, handling, pop.leaf[rows], leaves)
        field_function = np.where(rng.random(count) < 0.5, 0, 1)
        creator = _owners(rng, workforce, field_function, pop.leaf[rows], leaves)
        in_person = np.array([via_choices[v] == Channel.in_person for v in via])
        answers = [
            (
                MIR_ANSWERS[template[i] % len(MIR_ANSWERS)]
                if kind == RequestKind.mir
                else DECISION_ANSWERS.get(str(status[i]))
            )
            if answered[i]
            else None
            for i in range(count)
        ]
        due = (received // US_PER_DAY + sla) * US_PER_DAY
        frames.append(
            pl.DataFrame(
                {
                    "stakeholder_id": pop.ids[rows],
                    "kind": [kind.value] * count,
                    "status": pl.Series(status.astype(str)),
                    "handling_function": _labels(handling, [f.value for f in ENGAGING]),
                    "product_id": pl.Series(products).replace(-1, None),
                    "question": questions,
                    "off_label": pl.Series(off_label, dtype=pl.Boolean),
                    "received_via": _labels(via, [c.value for c in via_choices]),
                    "received_at": _datetimes(received),
                    "due_date": _dates(due),
                    "answer": pl.Series(answers, dtype=pl.String),
                    "answered_by_id": pl.Series(np.where(answered, answerer, -1)).replace(-1, None),
                    "answered_at": _datetimes(answered_at).set(pl.Series(~answered), None),
                    "created_by_id": pl.Series(np.where(in_person, creator, -1)).replace(-1, None),
                    "created_at": _datetimes(received),
                }
            )
        )
    frame = pl.concat(frames).sort("received_at", maintain_order=True)
    first_id = context.first_ids["request"]
    return frame.select(
        pl.Series("id", np.arange(first_id, first_id + frame.height, dtype=np.int64)), pl.all()
    )


def generate_insights(
    rng: np.random.Generator,
    context: Context,
    pop: Population,
    interactions: pl.DataFrame,
    interaction_rows: np.ndarray,
    products: pl.DataFrame,
) -> pl.DataFrame:
    """Insights written after interactions, mostly by medical (one per 25 interactions)."""
    n_int = interactions.height
    count = n_int // 25
    if count == 0 or n_int == 0:
        return pl.DataFrame()
    now = _us(context.now)
    function = interactions["function"].to_numpy()
    odds = {"medical": 8.0, "research": 2.0, "market_access": 2.0, "commercial": 0.4}
    weight = np.zeros(n_int)
    for f, w in odds.items():
        weight[function == f] = w
    picked = np.sort(_pick(rng, weight, count))
    chosen = interactions[picked]
    area = pop.area[interaction_rows[picked]]
    first_product = products.group_by("interaction_id").agg(pl.col("product_id").first())
    product_of = chosen.select("id").join(
        first_product, left_on="id", right_on="interaction_id", how="left"
    )
    product_ids = product_of["product_id"].to_numpy()
    by_area = _area_products(context)
    names = {pid: name for pid, name, _, _ in context.products.values()}
    fallback = np.array([by_area[a][0][0] if by_area[a] else -1 for a in range(len(AREAS))])
    product_ids = np.where(
        np.isnan(product_ids.astype(np.float64)), fallback[area], product_ids
    ).astype(np.int64)
    sentiments = ("positive", "neutral", "negative")
    sentiment = _pick(rng, (0.35, 0.40, 0.25), count)
    template = rng.integers(0, 2, count)
    texts = [
        INSIGHTS[AREAS[area[i]]][sentiments[sentiment[i]]][template[i]].format(
            product=names.get(int(product_ids[i]), "the product")
        )
        for i in range(count)
    ]
    occurred = chosen["occurred_at"].dt.epoch("us").to_numpy()
    recorded = np.minimum(occurred + (rng.random(count) * 2 * US_PER_DAY).astype(np.int64), now)
    first_id = context.first_ids["insight"]
    return pl.DataFrame(
        {
            "id": np.arange(first_id, first_id + count, dtype=np.int64),
            "stakeholder_id": chosen["stakeholder_id"],
            "author_id": chosen["owner_id"],
            "function": chosen["function"],
            "product_id": pl.Series(product_ids).replace(-1, None),
            "text": texts,
            "topics": chosen["topics"],
            "sentiment": _labels(sentiment, sentiments),
            "recorded_at": _datetimes(recorded),
        }
    )


# --- everything ------------------------------------------------------------------------------

#: the tables in the order they are written (foreign keys first)
TABLES = (
    "user",
    "user_territory",
    "stakeholder",
    "stakeholder_identifier",
    "stakeholder_specialty",
    "address",
    "affiliation",
    "stakeholder_product",
    "consent",
    "engagement_status",
    "channel_preference",
    "interaction",
    "interaction_product",
    "request",
    "insight",
    *NETWORK_TABLES,
)


def _network_inputs(context: Context, pop: Population, frames: Frames) -> NetworkInputs:
    stakeholders = frames["stakeholder"]
    return NetworkInputs(
        now_us=_us(context.now),
        ids=pop.ids,
        type_code=pop.type_code,
        types=TYPES,
        place=pop.place,
        area=pop.area,
        tier_code=pop.tier_code,
        profession=pop.profession,
        first=pop.first,
        last=pop.last,
        names=stakeholders["name"],
        specialty=stakeholders["primary_specialty_code"],
        npis=frames["stakeholder_identifier"].select("stakeholder_id", "value"),
        area_ids=context.areas,
        products={
            area: sorted(name for _, name, _, a in context.products.values() if a == area)
            for area in AREAS
        },
        first_ids={
            **context.first_ids,
            "affiliation": context.first_ids["affiliation"] + frames["affiliation"].height,
        },
    )


def generate_frames(
    size: Size, seed: int, context: Context, progress: Progress | None = None
) -> Frames:
    """Every generated table, in the order of TABLES; the same inputs give the same frames."""
    say = progress or (lambda _step: None)
    rng = np.random.default_rng(seed)
    leaves = _leaves(context)
    place_leaf = _place_territories(context, leaves)
    leaf_weight = np.array(
        [
            sum(p.weight for p, lf in zip(PLACES, place_leaf, strict=True) if lf == i)
            for i in range(len(leaves))
        ]
    )
    say("users")
    frames, workforce = generate_users(rng, size, context, leaf_weight)
    say("stakeholders")
    people, pop = generate_stakeholders(rng, size, context, leaves)
    frames.update(people)
    say("affiliations")
    frames["affiliation"] = generate_affiliations(rng, context, pop)
    frames["stakeholder_product"] = generate_stakeholder_products(rng, context, pop)
    say("consents")
    consents, withdrawals = generate_consents(rng, context, pop, workforce, len(leaves))
    frames["consent"] = consents
    do_not_contact = choose_do_not_contact(rng, context, pop)
    say("interactions")
    interactions, links, rows = generate_interactions(
        rng, size, context, pop, workforce, withdrawals, do_not_contact, len(leaves), say
    )
    say("engagement status")
    frames["engagement_status"] = generate_engagement(
        rng, context, pop, interactions, do_not_contact
    )
    frames["channel_preference"] = generate_preferences(rng, context, pop, workforce, len(leaves))
    frames["interaction"] = interactions
    frames["interaction_product"] = links
    say("requests")
    frames["request"] = generate_requests(rng, context, pop, workforce, len(leaves))
    say("insights")
    frames["insight"] = generate_insights(rng, context, pop, interactions, rows, links)
    say("network")
    network, plans = generate_network(seed, _network_inputs(context, pop, frames))
    frames.update(network)
    if plans.height:
        frames["affiliation"] = pl.concat([frames["affiliation"], plans])
    return {
        table: frames[table]
        for table in TABLES
        if frames.get(table) is not None and frames[table].width
    }
