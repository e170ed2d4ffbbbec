"""The firewall engine: the shipped default matches FIREWALL.md, the strictest stage wins,
every bad cell is named, and random policies behave (hypothesis)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.access.firewall import (
    CATEGORIES,
    FUNCTIONS,
    STAGES,
    Level,
    Policy,
    default_policy,
    parse_policy,
)
from accord.errors import InvalidInput
from accord.product.models import LifecycleStage as S
from accord.user.models import Function as F  # noqa: N817 - reads like the matrix

DEV, PRE, LAUNCH = S.development, S.pre_launch, S.launch
LATER = (S.launch, S.growth, S.mature, S.loss_of_exclusivity)

# FIREWALL.md's default matrix, row by row: (category, function, dev, pre, launch-onwards)
MATRIX = [
    ("activities_medical", F.commercial, "none", "none", "summary"),
    ("activities_medical", F.market_access, "none", "summary", "summary"),
    ("activities_medical", F.research, "summary", "summary", "summary"),
    ("activities_medical", F.finance, "none", "none", "none"),
    ("activities_commercial", F.medical, "summary", "summary", "summary"),
    ("activities_commercial", F.research, "none", "none", "none"),
    ("activities_market_access", F.commercial, "none", "summary", "summary"),
    ("requests_existence", F.commercial, "summary", "summary", "summary"),
    ("requests_content", F.commercial, "none", "none", "none"),
    ("requests_content", F.market_access, "none", "none", "none"),
    ("requests_content", F.medical, "full", "full", "full"),
    ("requests_content", F.compliance, "full", "full", "full"),
    ("insights", F.commercial, "none", "none", "summary"),
    ("plans", F.market_access, "none", "summary", "summary"),
    ("payments", F.finance, "full", "full", "full"),
    ("payments", F.commercial, "summary", "summary", "summary"),
    ("payments", F.research, "none", "none", "none"),
    ("network", F.finance, "summary", "summary", "summary"),
    ("network", F.operations, "summary", "summary", "summary"),
    ("contact", F.finance, "none", "none", "none"),
    ("research_involvement", F.commercial, "none", "none", "summary"),
    ("research_involvement", F.market_access, "none", "none", "none"),
]


class TestDefaultPolicy:
    @pytest.mark.parametrize(("category", "function", "dev", "pre", "later"), MATRIX)
    def test_matches_the_reference_matrix(
        self, category: str, function: F, dev: str, pre: str, later: str
    ) -> None:
        policy = default_policy()
        assert policy.level(function, DEV, category).name == dev
        assert policy.level(function, PRE, category).name == pre
        for stage in LATER:
            assert policy.level(function, stage, category).name == later

    def test_identity_is_full_for_everyone(self) -> None:
        policy = default_policy()
        assert {policy.level(f, s, "identity") for f in FUNCTIONS for s in STAGES} == {Level.full}

    def test_back_office_sees_identity_and_network_summary_only(self) -> None:
        policy = default_policy()
        for function in (F.operations, F.admin):
            visible = {c for c in CATEGORIES if policy.section(function, c).visible}
            assert visible == {"identity", "network"}

    def test_every_rule_says_why(self) -> None:
        assert all(len(default_policy().why[c]) > 30 for c in CATEGORIES)

    def test_the_reason_quotes_the_rule_and_version(self) -> None:
        decision = default_policy().section(F.commercial, "activities_medical", [LAUNCH])
        assert decision.level == Level.summary
        assert decision.reason.startswith("activities_medical is summary for commercial at launch")
        assert "(policy v1, rule activities_medical.commercial)" in decision.reason


class TestStrictestWins:
    def test_several_stages_take_the_strictest(self) -> None:
        decision = default_policy().section(F.commercial, "insights", [S.mature, PRE])
        assert decision.level == Level.none
        assert "at pre_launch" in decision.reason

    def test_no_product_reads_the_launch_column(self) -> None:
        policy = default_policy()
        assert policy.section(F.commercial, "insights").level == Level.summary

    def test_an_unknown_category_is_an_error(self) -> None:
        with pytest.raises(KeyError):
            default_policy().section(F.medical, "gossip")


def document() -> dict[str, Any]:
    return default_policy().to_document()


class TestParsePolicy:
    def test_the_document_round_trips(self) -> None:
        again = parse_policy(document(), version=2)
        assert again.cells == default_policy().cells

    @pytest.mark.parametrize(
        ("mutate", "field"),
        [
            (lambda d: d["rules"].pop("insights"), "rules.insights"),
            (
                lambda d: d["rules"]["insights"]["levels"].pop("commercial"),
                "rules.insights.commercial",
            ),
            (
                lambda d: d["rules"]["insights"]["levels"].update(commercial="some"),
                "rules.insights.commercial",
            ),
            (
                lambda d: d["rules"]["insights"]["levels"].update(commercial={"launch": "full"}),
                "rules.insights.commercial.development",
            ),
            (
                lambda d: d["rules"]["insights"]["levels"].update(commercial={"beta": "full"}),
                "rules.insights.commercial.beta",
            ),
            (
                lambda d: d["rules"]["insights"]["levels"].update(sales="full"),
                "rules.insights.sales",
            ),
            (lambda d: d["rules"].update(gossip={"why": "x", "levels": {}}), "rules.gossip"),
            (lambda d: d["rules"]["insights"].update(why=""), "rules.insights.why"),
            (
                lambda d: d["rules"]["identity"]["levels"].update(finance="none"),
                "rules.identity.finance",
            ),
        ],
    )
    def test_a_bad_cell_is_named(self, mutate: Any, field: str) -> None:
        doc = document()
        mutate(doc)
        with pytest.raises(InvalidInput) as caught:
            parse_policy(doc, version=2)
        assert caught.value.field == field


levels = st.sampled_from(["none", "summary", "full"])
cell = st.one_of(levels, st.fixed_dictionaries({s.value: levels for s in STAGES}))


@st.composite
def random_documents(draw: st.DrawFn) -> dict[str, Any]:
    rules: dict[str, Any] = {}
    for category in CATEGORIES:
        rules[category] = {
            "why": "a reason",
            "levels": {
                f.value: ("full" if category == "identity" else draw(cell)) for f in FUNCTIONS
            },
        }
    return {"rules": rules}


class TestRandomPolicies:
    @settings(max_examples=60, deadline=None)
    @given(
        random_documents(),
        st.sampled_from(FUNCTIONS),
        st.sampled_from(CATEGORIES),
        st.sets(st.sampled_from(STAGES)),
    )
    def test_the_section_level_is_the_minimum_over_stages(
        self, doc: dict[str, Any], function: F, category: str, stages: set[S]
    ) -> None:
        policy = parse_policy(doc, version=7)
        expected = min(policy.level(function, s, category) for s in (stages or {LAUNCH}))
        decision = policy.section(function, category, stages)
        assert decision.level == expected
        assert f"policy v7, rule {category}.{function.value}" in decision.reason

    @settings(max_examples=60, deadline=None)
    @given(random_documents())
    def test_to_document_and_back_is_a_fixed_point(self, doc: dict[str, Any]) -> None:
        policy: Policy = parse_policy(doc, version=3)
        assert parse_policy(policy.to_document(), version=3).cells == policy.cells

    @settings(max_examples=40, deadline=None)
    @given(
        random_documents(),
        st.sampled_from(FUNCTIONS),
        st.sampled_from(CATEGORIES),
        st.sets(st.sampled_from(STAGES), min_size=1),
        st.sampled_from(STAGES),
    )
    def test_adding_a_product_never_loosens_a_section(
        self, doc: dict[str, Any], function: F, category: str, stages: set[S], extra: S
    ) -> None:
        policy = parse_policy(doc, version=3)
        with_extra = policy.section(function, category, stages | {extra}).level
        assert with_extra <= policy.section(function, category, stages).level
