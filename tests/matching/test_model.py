"""The Fellegi-Sunter model on small hand-made frames, with its arithmetic checked by hand."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from accord.matching import model


def frame(*rows: dict[str, str | None], first_id: int = 1) -> pl.DataFrame:
    return pl.DataFrame(
        [{"id": first_id + n, **row} for n, row in enumerate(rows)],
        schema={"id": pl.Int64, **{c: pl.String for c in rows[0]}},
    )


def levels(left: pl.DataFrame, right: pl.DataFrame, name: str) -> list[int]:
    lf, rf = model.standardise(left), model.standardise(right)
    n = lf.height
    pairs = model.Pairs(lf, rf, np.arange(n, dtype=np.int64), np.arange(n, dtype=np.int64))
    comparison = next(c for c in model.COMPARISONS if c.name == name)
    return [int(x) for x in comparison.compute(pairs)]


class TestStandardise:
    def test_names_lose_punctuation_and_case(self) -> None:
        assert model.clean_name("O'Brien-Smith ") == "OBRIEN SMITH"

    def test_streets_use_usps_abbreviations(self) -> None:
        assert model.clean_street("55 Fruit Street, Suite 4") == "55 FRUIT ST STE 4"

    def test_zip_codes_keep_five_digits_and_lost_zeros(self) -> None:
        assert model.clean_zip5("02114-2696") == "02114"
        assert model.clean_zip5("2115") == "02115"
        assert model.clean_zip5("") is None


class TestComparisonLevels:
    def test_last_name_levels_from_exact_to_other(self) -> None:
        left = frame(
            {"last_name": "Okafor"},
            {"last_name": "Okafor"},
            {"last_name": "Martinez"},
            {"last_name": "Okafor"},
            {"last_name": None},
        )
        right = frame(
            {"last_name": "OKAFOR"},
            {"last_name": "Okafur"},
            {"last_name": "Martines"},
            {"last_name": "Lindqvist"},
            {"last_name": "Okafor"},
        )
        # exact; JW(OKAFOR, OKAFUR) = 0.933 -> the >= 0.88 level; JW(MARTINEZ, MARTINES) = 0.95
        assert levels(left, right, "last_name") == [0, 3, 2, 4, model.MISSING]

    def test_first_name_initial_is_compatible(self) -> None:
        left = frame({"first_name": "J"}, {"first_name": "Chris"}, {"first_name": "Ann"})
        right = frame({"first_name": "John"}, {"first_name": "Christopher"}, {"first_name": "Zoe"})
        assert levels(left, right, "first_name") == [2, 2, 4]

    def test_address_is_one_comparison_from_street_to_state(self) -> None:
        row = {"street": "55 Fruit St", "zip5": "02114", "city": "Boston", "state": "MA"}
        left = frame(row, row, row, row, row)
        right = frame(
            {"street": "55 Fruit Street", "zip5": "02114", "city": "Boston", "state": "MA"},
            {"street": "1 Main St", "zip5": "02114", "city": "Boston", "state": "MA"},
            {"street": "1 Main St", "zip5": "02215", "city": "Boston", "state": "MA"},
            {"street": "1 Main St", "zip5": "01060", "city": "Northampton", "state": "MA"},
            {"street": "1 Main St", "zip5": "10001", "city": "New York", "state": "NY"},
        )
        assert levels(left, right, "address") == [0, 1, 2, 3, 4]


class TestEstimation:
    def test_u_is_the_smoothed_share_of_random_pairs(self) -> None:
        comparison = model.Comparison("sex", ("same", "different"), lambda p: p.i, (0.9, 0.1))
        gamma = np.array([[0], [0], [1], [model.MISSING]], dtype=np.int8)
        (u,) = model.estimate_u(gamma, [comparison])
        # (2 + 1) / (3 + 2) and (1 + 1) / (3 + 2): missing pairs do not count
        assert u.tolist() == pytest.approx([0.6, 0.4])

    def test_em_separates_matches_from_non_matches(self) -> None:
        comparisons = [
            model.Comparison(name, ("agree", "disagree"), lambda p: p.i, (0.9, 0.1))
            for name in ("a", "b", "c")
        ]
        # 30 pairs agreeing everywhere (matches) and 70 agreeing nowhere
        gamma = np.vstack([np.zeros((30, 3), dtype=np.int8), np.ones((70, 3), dtype=np.int8)])
        u = [np.array([0.05, 0.95])] * 3
        m, traces = model.estimate_m(gamma, u, comparisons, prior_strength=0.0)
        assert traces[0].lambda_ == pytest.approx(0.3, abs=1e-3)
        for estimate in m:
            assert estimate[0] == pytest.approx(1.0, abs=1e-3)

    def test_the_dirichlet_prior_pulls_m_towards_its_mean_on_few_pairs(self) -> None:
        comparison = model.Comparison("a", ("agree", "disagree"), lambda p: p.i, (0.9, 0.1))
        gamma = np.zeros((2, 1), dtype=np.int8)
        m, _ = model.estimate_m(gamma, [np.array([0.05, 0.95])], [comparison], prior_strength=20)
        # 2 pairs with p close to 1 at "agree" plus 20 pseudo-pairs split 18 / 2
        assert m[0][0] == pytest.approx((2 + 18) / 22, abs=0.01)


class TestScoring:
    def test_match_weight_is_the_prior_plus_the_log2_bayes_factors(self) -> None:
        comparisons = tuple(
            model.Comparison(name, ("agree", "disagree"), lambda p: p.i, (0.9, 0.1))
            for name in ("a", "b")
        )
        fitted = model.Model(
            comparisons,
            m=[np.array([0.9, 0.1]), np.array([0.8, 0.2])],
            u=[np.array([0.01, 0.99]), np.array([0.5, 0.5])],
            prior=1 / 1025,
        )
        gamma = np.array([[0, 0], [0, 1], [1, model.MISSING]], dtype=np.int8)
        weights = fitted.field_weights(gamma)
        assert weights[0].tolist() == pytest.approx([math.log2(90), math.log2(1.6)])
        assert weights[2, 1] == 0  # missing is neutral
        total = weights.sum(axis=1) + fitted.prior_weight
        assert fitted.prior_weight == pytest.approx(-10)
        probability = model.match_probability(total)
        odds = (1 / 1024) * 90 * 1.6
        assert probability[0] == pytest.approx(odds / (1 + odds))

    def test_a_rare_surname_weighs_more_than_a_common_one(self) -> None:
        people = [
            {"first_name": f"F{n}", "last_name": "Smith", "state": "MA"} for n in range(20)
        ] + [{"first_name": "Ngozi", "last_name": "Okafor", "state": "MA"}]
        left = frame(*people)
        right = frame(
            {"first_name": "Fay", "last_name": "Smith", "state": "MA"},
            {"first_name": "Nkem", "last_name": "Okafor", "state": "MA"},
            first_id=100,
        )
        scored = model.fit_and_score(left, right)
        by_pair = {
            (int(a), int(b)): float(w[0])
            for a, b, w in zip(scored.left_id, scored.right_id, scored.field_weights, strict=True)
        }
        assert by_pair[(21, 101)] > by_pair[(1, 100)] + 3

    def test_blocking_is_the_union_of_the_rules(self) -> None:
        left = model.standardise(
            frame(
                {"first_name": "Ann", "last_name": "Lee", "state": "MA", "zip5": "02114"},
                {"first_name": "Bo", "last_name": "Kim", "state": "NY", "zip5": "10001"},
            )
        )
        right = model.standardise(
            frame(
                {"first_name": "Ann", "last_name": "Lee", "state": "CA", "zip5": "90001"},
                {"first_name": "Bob", "last_name": "Kimball", "state": "WA", "zip5": "10001"},
                {"first_name": "Zed", "last_name": "Park", "state": "MA", "zip5": "02114"},
                first_id=10,
            )
        )
        i, j, by_rule = model.block(left, right, mode="link")
        assert list(zip(i.tolist(), j.tolist(), strict=True)) == [(0, 0), (1, 1)]
        # Ann Lee by first + last name; Bo Kim / Bob Kimball by ZIP + surname prefix
        rules = [rule.label for rule in model.BLOCKING_RULES]
        assert by_rule[0, rules.index("first_name + last_name")]
        assert by_rule[1, rules.index("zip5 + last_prefix")]

    def test_dedupe_pairs_each_record_once(self) -> None:
        people = frame(
            {"first_name": "Ann", "last_name": "Lee", "state": "MA"},
            {"first_name": "Ann", "last_name": "Lee", "state": "MA"},
        )
        i, j, _ = model.block(model.standardise(people), model.standardise(people), mode="dedupe")
        assert list(zip(i.tolist(), j.tolist(), strict=True)) == [(0, 1)]

    def test_one_to_one_keeps_mutual_best_partners(self) -> None:
        scored = model.Scored(
            left_id=np.array([1, 1, 2]),
            right_id=np.array([10, 11, 10]),
            weight=np.array([5.0, 3.0, 9.0]),
            probability=np.array([0.9, 0.8, 0.99]),
            field_weights=np.zeros((3, 0)),
            gamma=np.zeros((3, 0), dtype=np.int8),
            model=model.Model((), [], [], 0.01),
        )
        kept = model.one_to_one(scored)
        # 10 prefers 2; 1's best partner (10) is taken, so 1 gets no link rather than a worse one
        assert list(zip(kept.left_id.tolist(), kept.right_id.tolist(), strict=True)) == [(2, 10)]
