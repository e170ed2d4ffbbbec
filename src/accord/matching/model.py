"""The Fellegi-Sunter record-linkage model: blocking, comparison levels, EM, match scores."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt
import polars as pl
from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler
from rapidfuzz.process import cpdist

#: the columns a record frame carries (all text except `id`); `standardise` fills the derived ones
RECORD_COLUMNS: tuple[str, ...] = (
    "type",
    "first_name",
    "alt_first_name",
    "middle_name",
    "last_name",
    "alt_last_name",
    "sex",
    "credentials",
    "specialty",
    "state",
    "city",
    "zip5",
    "street",
)

#: a pair at or above this match probability is merged without a person looking at it
AUTO_MERGE_PROBABILITY = 0.999
#: from here up to the auto-merge threshold a pair goes to the data stewards' queue
REVIEW_PROBABILITY = 0.5

MISSING = -1  # the level of a comparison where either side has no value: weight 0

Levels = npt.NDArray[np.int8]
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

# USPS street suffixes and unit words (Publication 28), the spellings the files mix
_STREET_WORDS = {
    "STREET": "ST",
    "AVENUE": "AVE",
    "AV": "AVE",
    "ROAD": "RD",
    "DRIVE": "DR",
    "BOULEVARD": "BLVD",
    "LANE": "LN",
    "COURT": "CT",
    "PLACE": "PL",
    "PARKWAY": "PKWY",
    "HIGHWAY": "HWY",
    "SUITE": "STE",
    "BUILDING": "BLDG",
    "FLOOR": "FL",
    "NORTH": "N",
    "SOUTH": "S",
    "EAST": "E",
    "WEST": "W",
    "CENTER": "CTR",
    "CIRCLE": "CIR",
    "SQUARE": "SQ",
    "TERRACE": "TER",
    "PIKE": "PK",
    "ROOM": "RM",
    "APARTMENT": "APT",
    "UNIT": "UNIT",
    "NUMBER": "",
    "NO": "",
}


def _text(value: str | None, *, keep_digits: bool) -> str | None:
    if value is None:
        return None
    pattern = r"[^A-Z0-9 ]" if keep_digits else r"[^A-Z ]"
    cleaned = re.sub(r"\s+", " ", re.sub(pattern, "", value.upper().replace("-", " "))).strip()
    return cleaned or None


def clean_name(value: str | None) -> str | None:
    """Upper case, letters and single spaces only: `O'Brien-Smith` → `OBRIEN SMITH`."""
    return _text(value, keep_digits=False)


def clean_street(value: str | None) -> str | None:
    """Upper case, punctuation dropped, USPS abbreviations for suffixes, directions and units."""
    text = _text(value.replace(".", "").replace(",", " ") if value else None, keep_digits=True)
    if text is None:
        return None
    words = [_STREET_WORDS.get(w, w) for w in text.split(" ")]
    return " ".join(w for w in words if w) or None


def clean_zip5(value: str | None) -> str | None:
    digits = re.sub(r"\D", "", value or "")
    if len(digits) in (3, 4, 7, 8):  # spreadsheets drop New England's leading zeros
        digits = digits.zfill(5 if len(digits) <= 5 else 9)
    return digits[:5] if len(digits) >= 5 else None


def standardise(frame: pl.DataFrame) -> pl.DataFrame:
    """A record frame with every RECORD_COLUMN cleaned (missing ones added empty) and the
    blocking keys derived: first initial, last-name prefix."""
    out = frame
    for column in RECORD_COLUMNS:
        if column not in out.columns:
            out = out.with_columns(pl.lit(None, dtype=pl.String).alias(column))
    name_cols = ["first_name", "alt_first_name", "middle_name", "last_name", "alt_last_name"]
    out = out.with_columns(
        *[
            pl.col(c).cast(pl.String).map_elements(clean_name, return_dtype=pl.String)
            for c in [*name_cols, "city", "specialty"]
        ],
        pl.col("credentials")
        .cast(pl.String)
        .map_elements(lambda v: _text(v, keep_digits=True), return_dtype=pl.String),
        pl.col("street").cast(pl.String).map_elements(clean_street, return_dtype=pl.String),
        pl.col("zip5").cast(pl.String).map_elements(clean_zip5, return_dtype=pl.String),
        pl.col("state").cast(pl.String).str.strip_chars().str.to_uppercase(),
        pl.col("type").cast(pl.String),
        pl.col("sex").cast(pl.String).str.strip_chars().str.to_uppercase(),
    )
    out = out.with_columns(
        pl.when(pl.col("sex").is_in(["M", "F"])).then(pl.col("sex")).otherwise(None).alias("sex"),
        pl.when(pl.col("state").str.len_chars() == 2)
        .then(pl.col("state"))
        .otherwise(None)
        .alias("state"),
        pl.col("first_name").str.slice(0, 1).alias("first_initial"),
        pl.col("last_name").str.slice(0, 3).alias("last_prefix"),
    )
    return out.with_columns(pl.col("id").cast(pl.Int64))


# --- comparisons -------------------------------------------------------------------------


def _values(frame: pl.DataFrame, column: str, index: Ints) -> pl.Series:
    return frame.get_column(column).gather(index)


def _present(a: pl.Series, b: pl.Series) -> npt.NDArray[np.bool_]:
    return np.asarray((a.is_not_null() & b.is_not_null()).to_numpy(), dtype=bool)


def _equal(a: pl.Series, b: pl.Series) -> npt.NDArray[np.bool_]:
    return np.asarray((a == b).fill_null(False).to_numpy(), dtype=bool)


def _both(
    a: pl.Series, b: pl.Series, expr: pl.Expr, *, missing: bool = False
) -> npt.NDArray[np.bool_]:
    """A boolean expression over columns `a` and `b` of the pairs; `missing` where null."""
    frame = pl.DataFrame({"a": a, "b": b})
    return np.asarray(frame.select(expr.fill_null(missing)).to_series().to_numpy(), dtype=bool)


def _similarity(a: pl.Series, b: pl.Series, scorer: Callable[..., float]) -> Floats:
    """Pairwise similarity in [0, 1] for aligned columns (0 where a side is missing); the
    library is only asked about the pairs where both sides have a value."""
    out = np.zeros(len(a))
    present = _present(a, b)
    if not present.any():
        return out
    mask = pl.Series(present)
    scores = np.asarray(
        cpdist(a.filter(mask).to_list(), b.filter(mask).to_list(), scorer=scorer, workers=1),
        dtype=np.float64,
    )
    out[present] = scores / 100.0 if scores.max(initial=0.0) > 1.0 else scores
    return out


def _jaro_winkler(a: pl.Series, b: pl.Series) -> Floats:
    return _similarity(a, b, JaroWinkler.normalized_similarity)


def _token_set(a: pl.Series, b: pl.Series) -> Floats:
    return _similarity(a, b, fuzz.token_set_ratio)


def _by_thresholds(
    present: npt.NDArray[np.bool_], checks: Sequence[npt.NDArray[np.bool_]]
) -> Levels:
    """Level = the first check that holds (0, 1, ...), else the last level; MISSING where a
    side has no value."""
    levels = np.full(len(present), len(checks), dtype=np.int8)
    for level in range(len(checks) - 1, -1, -1):
        levels[checks[level]] = level
    levels[~present] = MISSING
    return levels


@dataclass(frozen=True)
class Pairs:
    """Candidate pairs as row positions into the left and right standardised frames."""

    left: pl.DataFrame
    right: pl.DataFrame
    i: Ints
    j: Ints

    def column(self, name: str) -> tuple[pl.Series, pl.Series]:
        return _values(self.left, name, self.i), _values(self.right, name, self.j)

    def __len__(self) -> int:
        return len(self.i)


_A, _B = pl.col("a"), pl.col("b")


def compare_last_name(p: Pairs) -> Levels:
    a, b = p.column("last_name")
    alt_a, alt_b = p.column("alt_last_name")
    jw = np.maximum.reduce([_jaro_winkler(a, b), _jaro_winkler(alt_a, b), _jaro_winkler(a, alt_b)])
    exact = _equal(a, b)
    other_name = _equal(alt_a, b) | _equal(a, alt_b)
    return _by_thresholds(_present(a, b), [exact, other_name, jw >= 0.94, jw >= 0.88])


def compare_first_name(p: Pairs) -> Levels:
    a, b = p.column("first_name")
    alt_a, alt_b = p.column("alt_first_name")
    exact = _equal(a, b)
    other_name = _equal(alt_a, b) | _equal(a, alt_b)
    # one is the other's initial or its beginning (J / JOHN, CHRIS / CHRISTOPHER)
    compatible = _both(a, b, _A.str.starts_with(_B) | _B.str.starts_with(_A))
    jw = _jaro_winkler(a, b)
    return _by_thresholds(_present(a, b), [exact, other_name, compatible, jw >= 0.88])


def compare_middle_initial(p: Pairs) -> Levels:
    a, b = p.column("middle_name")
    a1, b1 = a.str.slice(0, 1), b.str.slice(0, 1)
    return _by_thresholds(_present(a1, b1), [_equal(a1, b1)])


def _exact_comparison(column: str) -> Callable[[Pairs], Levels]:
    def compare(p: Pairs) -> Levels:
        a, b = p.column(column)
        return _by_thresholds(_present(a, b), [_equal(a, b)])

    compare.__name__ = f"compare_{column}"
    return compare


def compare_credentials(p: Pairs) -> Levels:
    a, b = p.column("credentials")
    shared = _both(a, b, _A.str.split(" ").list.set_intersection(_B.str.split(" ")).list.len() > 0)
    return _by_thresholds(_present(a, b), [_equal(a, b), shared])


def compare_specialty(p: Pairs) -> Levels:
    a, b = p.column("specialty")
    similar = _token_set(a, b)
    return _by_thresholds(_present(a, b), [_equal(a, b), similar >= 0.8])


def compare_address(p: Pairs) -> Levels:
    """One comparison for the whole practice address: state, city, ZIP and street are far from
    independent (the same street implies the same ZIP, city and state), so counting each as
    separate evidence would overstate an address match several times over."""
    street_a, street_b = p.column("street")
    zip_a, zip_b = p.column("zip5")
    city_a, city_b = p.column("city")
    state_a, state_b = p.column("state")
    same_zip = _equal(zip_a, zip_b)
    # token sets forgive word order and a missing suite, not another house number
    number = r"^(\d\S*)"
    same_number = _both(
        street_a,
        street_b,
        _A.str.extract(number).eq_missing(_B.str.extract(number))
        | _A.str.extract(number).is_null()
        | _B.str.extract(number).is_null(),
        missing=True,
    )
    same_street = (_token_set(street_a, street_b) >= 0.9) & same_number
    same_city = _equal(city_a, city_b) | (_jaro_winkler(city_a, city_b) >= 0.9)
    same_state = _equal(state_a, state_b)
    return _by_thresholds(
        _present(state_a, state_b) | _present(zip_a, zip_b),
        [same_street & same_zip, same_zip, same_city & same_state, same_state],
    )


@dataclass(frozen=True)
class Comparison:
    """One field's comparison: its levels, best agreement first, the last one 'other'."""

    name: str
    levels: tuple[str, ...]
    compute: Callable[[Pairs], Levels]
    #: the prior mean of m per level: EM's starting point and its Dirichlet prior, and the m
    #: used as is where EM is not run (the master). The values are the EM estimates on NPPES
    #: vs CMS Doctors and Clinicians (docs/matching.md), rounded: how often a true duplicate's
    #: field disagrees is a property of how records are keyed in, and carries over
    m_prior: tuple[float, ...]
    #: the record columns it reads (a blocking rule on one of them leaves it out of its EM round)
    uses: tuple[str, ...] = ()
    #: adjust the exact level's u to the frequency of the value (a shared rare surname says more
    #: than a shared SMITH)
    term_frequency: bool = False

    @property
    def columns(self) -> tuple[str, ...]:
        return self.uses or (self.name,)


COMPARISONS: tuple[Comparison, ...] = (
    Comparison(
        "last_name",
        ("exact", "other name on file", "Jaro-Winkler ≥ 0.94", "Jaro-Winkler ≥ 0.88", "other"),
        compare_last_name,
        (0.99, 0.001, 0.003, 0.003, 0.003),
        uses=("last_name", "alt_last_name", "last_prefix"),
        term_frequency=True,
    ),
    Comparison(
        "first_name",
        ("exact", "other name on file", "initial or prefix", "Jaro-Winkler ≥ 0.88", "other"),
        compare_first_name,
        (0.985, 0.001, 0.009, 0.002, 0.003),
        uses=("first_name", "alt_first_name", "first_initial"),
        term_frequency=True,
    ),
    Comparison(
        "middle_initial",
        ("same", "different"),
        compare_middle_initial,
        (0.99, 0.01),
        uses=("middle_name",),
    ),
    Comparison("sex", ("same", "different"), _exact_comparison("sex"), (0.995, 0.005)),
    # the stakeholder type (HCP, researcher, payer official; hospital, payer...): a record
    # keyed in twice keeps its type far more often than two namesakes share one. Absent from
    # both registry files (every row is a provider), so neutral there; m is our assumption
    Comparison("type", ("same", "different"), _exact_comparison("type"), (0.95, 0.05)),
    Comparison(
        "credentials", ("exact", "one shared", "other"), compare_credentials, (0.875, 0.035, 0.09)
    ),
    Comparison(
        "specialty",
        ("exact", "token set ≥ 0.8", "other"),
        compare_specialty,
        (0.70, 0.025, 0.275),
    ),
    Comparison(
        "address",
        ("street and ZIP", "ZIP", "city and state", "state", "other"),
        compare_address,
        (0.29, 0.11, 0.105, 0.39, 0.105),
        uses=("state", "city", "zip5", "street"),
    ),
)


def comparison_vectors(pairs: Pairs, comparisons: Sequence[Comparison] = COMPARISONS) -> Levels:
    """gamma: one row per pair, one column per comparison, the level reached (MISSING = -1)."""
    if len(pairs) == 0:
        return np.zeros((0, len(comparisons)), dtype=np.int8)
    return np.column_stack([c.compute(pairs) for c in comparisons]).astype(np.int8)


# --- blocking ----------------------------------------------------------------------------


@dataclass(frozen=True)
class BlockingRule:
    """Pairs agreeing exactly on every key. The comparisons reading a key are left out of that
    rule's EM round: the rule forces them to agree, so they would look like evidence of a
    match in every pair it found (Splink's convention)."""

    keys: tuple[str, ...]

    @property
    def label(self) -> str:
        return " + ".join(self.keys)

    def fixes(self, comparison: Comparison) -> bool:
        return bool(set(self.keys) & set(comparison.columns))


BLOCKING_RULES: tuple[BlockingRule, ...] = (
    BlockingRule(("last_name", "first_initial", "state")),
    BlockingRule(("zip5", "last_prefix")),
    BlockingRule(("first_name", "last_name")),
    # a surname changed on marriage: same first name at the same ZIP
    BlockingRule(("first_name", "zip5")),
)

Mode = Literal["link", "dedupe"]


def block(
    left: pl.DataFrame,
    right: pl.DataFrame,
    *,
    mode: Mode,
    rules: Sequence[BlockingRule] = BLOCKING_RULES,
) -> tuple[Ints, Ints, npt.NDArray[np.bool_]]:
    """The union of the pairs each rule finds, as row positions (i, j) into left and right,
    and a (pairs x rules) matrix saying which rules found each pair. In dedupe mode left is
    right and only i < j is kept."""
    lpos = left.select(pl.int_range(pl.len(), dtype=pl.Int64).alias("_i"), pl.all())
    rpos = right.select(pl.int_range(pl.len(), dtype=pl.Int64).alias("_j"), pl.all())
    found: list[pl.DataFrame] = []
    for r, rule in enumerate(rules):
        keys = list(rule.keys)
        lk = lpos.select("_i", *keys).drop_nulls(keys)
        rk = rpos.select("_j", *keys).drop_nulls(keys)
        joined = lk.join(rk, on=keys, how="inner").select("_i", "_j")
        if mode == "dedupe":
            joined = joined.filter(pl.col("_i") < pl.col("_j"))
        found.append(joined.with_columns(pl.lit(r, dtype=pl.Int32).alias("_rule")))
    if not found:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros((0, 0), bool)
    every = pl.concat(found)
    union = (
        every.group_by("_i", "_j")
        .agg(pl.col("_rule").alias("_rules"))
        .sort("_i", "_j")  # deterministic order whatever the join's threads did
    )
    i = union.get_column("_i").to_numpy().astype(np.int64)
    j = union.get_column("_j").to_numpy().astype(np.int64)
    by_rule = np.zeros((len(union), len(rules)), dtype=bool)
    for row, rule_list in enumerate(union.get_column("_rules").to_list()):
        by_rule[row, rule_list] = True
    return i, j, by_rule


def random_pairs(
    n_left: int, n_right: int, *, mode: Mode, size: int, seed: int
) -> tuple[Ints, Ints]:
    """`size` uniformly drawn pairs (distinct records in dedupe mode), reproducibly."""
    rng = np.random.default_rng(seed)
    i = rng.integers(0, n_left, size=size, dtype=np.int64)
    j = rng.integers(0, n_right, size=size, dtype=np.int64)
    if mode == "dedupe":
        keep = i != j
        i, j = i[keep], j[keep]
    return i, j


# --- estimation --------------------------------------------------------------------------


def estimate_u(gamma: Levels, comparisons: Sequence[Comparison]) -> list[Floats]:
    """u per level: the share of random pairs (almost all non-matches) at each level, with one
    pseudo-count per level so that no level has u = 0."""
    out = []
    for k, c in enumerate(comparisons):
        column = gamma[:, k]
        counts = np.bincount(column[column >= 0], minlength=len(c.levels)).astype(np.float64)
        out.append((counts + 1.0) / (counts.sum() + len(c.levels)))
    return out


def _log_bayes_factors(gamma: Levels, log_ratio: Sequence[Floats], use: Sequence[int]) -> Floats:
    total = np.zeros(len(gamma))
    for k in use:
        column = gamma[:, k]
        present = column >= 0
        total[present] += log_ratio[k][column[present]]
    return total


@dataclass
class EMTrace:
    """What one EM round did, for the documentation and the tests."""

    rule: str
    pairs: int
    iterations: int
    lambda_: float


def estimate_m(
    gamma: Levels,
    u: Sequence[Floats],
    comparisons: Sequence[Comparison],
    *,
    by_rule: npt.NDArray[np.bool_] | None = None,
    rules: Sequence[BlockingRule] = (),
    prior_strength: float = 20.0,
    max_iterations: int = 100,
    tolerance: float = 1e-5,
) -> tuple[list[Floats], list[EMTrace]]:
    """m per level by expectation-maximisation over the blocked pairs, u fixed.

    One EM round per blocking rule over the pairs it found, leaving out the comparisons the rule
    forces to agree (they would look like evidence of a match in every pair); each comparison's
    m is the mean of the rounds that estimated it. The M-step is a MAP estimate under a
    Dirichlet prior of `prior_strength` pseudo-pairs centred on `Comparison.m_prior`, so a
    small master with few duplicates does not drive m to degenerate values.
    """
    n_k = len(comparisons)
    rounds: list[tuple[tuple[int, ...], npt.NDArray[np.bool_], str]] = []
    if by_rule is None or not rules:
        rounds.append((tuple(range(n_k)), np.ones(len(gamma), dtype=bool), "all pairs"))
    else:
        for r, rule in enumerate(rules):
            use = tuple(k for k in range(n_k) if not rule.fixes(comparisons[k]))
            rounds.append((use, by_rule[:, r], rule.label))
    sums = [np.zeros(len(c.levels)) for c in comparisons]
    counts = [0] * n_k
    traces: list[EMTrace] = []
    for use, mask, label in rounds:
        g = gamma[mask]
        m = [np.asarray(c.m_prior, dtype=np.float64) for c in comparisons]
        lam = 0.5
        iterations = 0
        if len(g) > 0:
            while iterations < max_iterations:
                iterations += 1
                log_ratio = [np.log(m[k]) - np.log(u[k]) for k in range(n_k)]
                score = _log_bayes_factors(g, log_ratio, use) + math.log(lam / (1 - lam))
                p = 1.0 / (1.0 + np.exp(-np.clip(score, -500, 500)))
                new_m = []
                change = 0.0
                for k, c in enumerate(comparisons):
                    if k not in use:
                        new_m.append(m[k])
                        continue
                    column = g[:, k]
                    present = column >= 0
                    weights = np.bincount(
                        column[present], weights=p[present], minlength=len(c.levels)
                    )
                    prior = prior_strength * np.asarray(c.m_prior)
                    estimate = (weights + prior) / (weights.sum() + prior.sum())
                    change = max(change, float(np.abs(estimate - m[k]).max()))
                    new_m.append(estimate)
                new_lam = float(np.clip(p.mean(), 1e-6, 1 - 1e-6))
                change = max(change, abs(new_lam - lam))
                m, lam = new_m, new_lam
                if change < tolerance:
                    break
        traces.append(EMTrace(label, int(mask.sum()), iterations, lam))
        for k in use:
            if len(g) > 0:
                sums[k] += m[k]
                counts[k] += 1
    result = [
        sums[k] / counts[k] if counts[k] else np.asarray(c.m_prior, dtype=np.float64)
        for k, c in enumerate(comparisons)
    ]
    return result, traces


def estimate_lambda(
    gamma: Levels,
    m: Sequence[Floats],
    u: Sequence[Floats],
    *,
    max_iterations: int = 200,
    tolerance: float = 1e-7,
) -> float:
    """The share of matches among the blocked pairs, by EM with m and u fixed."""
    if len(gamma) == 0:
        return 0.0
    log_ratio = [np.log(m[k]) - np.log(u[k]) for k in range(len(m))]
    base = _log_bayes_factors(gamma, log_ratio, range(len(m)))
    lam = 0.1
    for _ in range(max_iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(base + math.log(lam / (1 - lam)), -500, 500)))
        new_lam = float(np.clip(p.mean(), 1e-9, 1 - 1e-9))
        if abs(new_lam - lam) < tolerance:
            return new_lam
        lam = new_lam
    return lam


# --- the model ---------------------------------------------------------------------------


@dataclass
class Model:
    """Fitted parameters: m and u per comparison level and the prior match probability of two
    records drawn at random."""

    comparisons: tuple[Comparison, ...]
    m: list[Floats]
    u: list[Floats]
    prior: float
    traces: list[EMTrace] = field(default_factory=list)

    @property
    def prior_weight(self) -> float:
        return math.log2(self.prior / (1 - self.prior))

    def field_weights(self, gamma: Levels, u_exact: Floats | None = None) -> Floats:
        """log2(m/u) per pair and comparison; 0 where a side is missing. `u_exact` (pairs x
        comparisons, NaN where unused) replaces u of the exact level by the term frequency."""
        out = np.zeros(gamma.shape, dtype=np.float64)
        for k in range(len(self.comparisons)):
            column = gamma[:, k]
            present = column >= 0
            ratio = np.log2(self.m[k]) - np.log2(self.u[k])
            out[present, k] = ratio[column[present]]
            if u_exact is not None:
                adjusted = (column == 0) & ~np.isnan(u_exact[:, k])
                out[adjusted, k] = np.log2(self.m[k][0]) - np.log2(u_exact[adjusted, k])
        return out

    def parameters(self) -> list[dict[str, object]]:
        """Every level with its m, u and Bayes-factor weight, for docs and explanations."""
        rows: list[dict[str, object]] = []
        for k, c in enumerate(self.comparisons):
            for level, label in enumerate(c.levels):
                m, u = float(self.m[k][level]), float(self.u[k][level])
                rows.append(
                    {
                        "comparison": c.name,
                        "level": label,
                        "m": m,
                        "u": u,
                        "weight": math.log2(m / u),
                    }
                )
        return rows


def match_probability(weight: Floats) -> Floats:
    """From a match weight (log2 odds) to a probability."""
    return 1.0 / (1.0 + np.exp2(-np.clip(weight, -1000, 1000)))


@dataclass
class Scored:
    """Scored candidate pairs: ids, match weight, probability, per-field weights and levels."""

    left_id: Ints
    right_id: Ints
    weight: Floats
    probability: Floats
    field_weights: Floats
    gamma: Levels
    model: Model

    def __len__(self) -> int:
        return len(self.left_id)

    def select(self, keep: npt.NDArray[np.bool_] | Ints) -> Scored:
        return Scored(
            self.left_id[keep],
            self.right_id[keep],
            self.weight[keep],
            self.probability[keep],
            self.field_weights[keep],
            self.gamma[keep],
            self.model,
        )

    def explanation(self, row: int) -> dict[str, dict[str, object]]:
        """Per comparison: the level reached and its weight (what agrees and what does not)."""
        out: dict[str, dict[str, object]] = {}
        for k, c in enumerate(self.model.comparisons):
            level = int(self.gamma[row, k])
            out[c.name] = {
                "level": "missing" if level < 0 else c.levels[level],
                "weight": round(float(self.field_weights[row, k]), 3),
            }
        return out


def fit_and_score(
    left: pl.DataFrame,
    right: pl.DataFrame | None = None,
    *,
    comparisons: Sequence[Comparison] = COMPARISONS,
    rules: Sequence[BlockingRule] = BLOCKING_RULES,
    random_pair_count: int = 200_000,
    seed: int = 20261123,
    em: bool = True,
) -> Scored:
    """Standardise, block, compare, estimate u (random pairs) and m (EM), score every blocked
    pair. With `right` None the frame is deduplicated against itself. With `em` False, m is
    the comparisons' documented `m_prior` (for data that may hold no duplicate at all, where
    EM would fit noise) and only the match share is estimated."""
    mode: Mode = "dedupe" if right is None else "link"
    lf = standardise(left)
    rf = lf if right is None else standardise(right)
    comps = tuple(comparisons)
    i, j, by_rule = block(lf, rf, mode=mode, rules=rules)
    gamma = comparison_vectors(Pairs(lf, rf, i, j), comps)
    total = lf.height * rf.height if mode == "link" else lf.height * (lf.height - 1) // 2
    # a small master has fewer distinct pairs than the sample would draw
    size = min(random_pair_count, max(total, 1_000))
    ri, rj = random_pairs(lf.height, rf.height, mode=mode, size=size, seed=seed)
    u = estimate_u(comparison_vectors(Pairs(lf, rf, ri, rj), comps), comps)
    if em:
        m, traces = estimate_m(gamma, u, comps, by_rule=by_rule, rules=rules)
    else:
        m, traces = [np.asarray(c.m_prior, dtype=np.float64) for c in comps], []
    lam = estimate_lambda(gamma, m, u)
    expected_matches = max(lam * len(gamma), 1.0)
    prior = min(expected_matches / max(total, 1), 0.5)
    model = Model(comps, m, u, prior, traces)
    fw = model.field_weights(gamma, term_frequency_u(Pairs(lf, rf, i, j), gamma, comps, mode=mode))
    weight = fw.sum(axis=1) + model.prior_weight
    ids_l = lf.get_column("id").to_numpy().astype(np.int64)
    ids_r = rf.get_column("id").to_numpy().astype(np.int64)
    return Scored(ids_l[i], ids_r[j], weight, match_probability(weight), fw, gamma, model)


def term_frequency_u(
    pairs: Pairs, gamma: Levels, comparisons: Sequence[Comparison], *, mode: Mode
) -> Floats:
    """For comparisons with `term_frequency`, u of an exact agreement on value v is the share
    of records holding v (both sources together): the chance that a random non-matching pair
    agrees on exactly that value, divided by the chance a match has it (Splink's TF
    adjustment). NaN elsewhere."""
    out = np.full(gamma.shape, np.nan)
    for k, c in enumerate(comparisons):
        if not c.term_frequency:
            continue
        column = c.columns[0]
        values = pairs.left.get_column(column)
        if mode == "link":
            values = pl.concat([values, pairs.right.get_column(column)])
        values = values.drop_nulls()
        if values.len() == 0:
            continue
        counts = values.value_counts()
        share = dict(
            zip(
                counts.get_column(column).to_list(),
                (counts.get_column("count") / values.len()).to_list(),
                strict=True,
            )
        )
        exact = np.where(gamma[:, k] == 0)[0]
        left_values = _values(pairs.left, column, pairs.i[exact]).to_list()
        out[exact, k] = [share.get(v or "", 1.0 / values.len()) for v in left_values]
    return out


def one_to_one(scored: Scored) -> Scored:
    """Keep a pair only when each side is the other's best partner (highest weight, ties to
    the lower id), so a record links to at most one record of the other source."""
    if len(scored) == 0:
        return scored
    order = np.lexsort((scored.right_id, scored.left_id, -scored.weight))
    best_left: set[int] = set()
    best_right: dict[int, int] = {}
    for row in order:
        r = int(scored.right_id[row])
        if r not in best_right:
            best_right[r] = int(scored.left_id[row])
    keep = []
    for row in order:
        left_id, right_id = int(scored.left_id[row]), int(scored.right_id[row])
        if left_id in best_left:
            continue
        best_left.add(left_id)
        if best_right[right_id] == left_id:
            keep.append(row)
    return scored.select(np.array(sorted(keep), dtype=np.int64))
