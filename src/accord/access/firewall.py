"""The firewall: function x lifecycle stage x data category -> full, summary or none.

A policy is a document (the shipped default is default_policy.toml, with the reason for each
rule); `parse_policy` checks it completely and names the first bad cell. `Policy.section`
answers one question, with its reason quoting the rule: what may this function see of this
category of data tied to products at these stages? The strictest stage wins.
"""

from __future__ import annotations

import enum
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from accord.errors import InvalidInput
from accord.product.models import LifecycleStage
from accord.user.models import Function


class Level(enum.IntEnum):
    none = 0
    summary = 1
    full = 2


CATEGORIES: tuple[str, ...] = (
    "identity",
    "contact",
    "organizational_status",
    "engagement_status",
    "channel_preferences",
    "consents",
    "activities_medical",
    "activities_commercial",
    "activities_market_access",
    "requests_existence",
    "requests_content",
    "insights",
    "plans",
    "payments",
    "network",
    "research_involvement",
)
STAGES: tuple[LifecycleStage, ...] = tuple(LifecycleStage)
FUNCTIONS: tuple[Function, ...] = tuple(Function)
#: data tied to no product reads this column
UNTIED_STAGE = LifecycleStage.launch

DEFAULT_POLICY_PATH = Path(__file__).with_name("default_policy.toml")


@dataclass(frozen=True)
class SectionDecision:
    """What a viewer sees of one category, and why."""

    category: str
    level: Level
    reason: str

    @property
    def visible(self) -> bool:
        return self.level > Level.none


@dataclass(frozen=True)
class Policy:
    version: int
    #: (function, stage, category) -> level
    cells: Mapping[tuple[Function, LifecycleStage, str], Level]
    why: Mapping[str, str]

    def level(self, function: Function, stage: LifecycleStage, category: str) -> Level:
        return self.cells[(function, stage, category)]

    def section(
        self, function: Function, category: str, stages: Iterable[LifecycleStage] = ()
    ) -> SectionDecision:
        """The strictest level among `stages` (the launch column when there are none)."""
        if category not in self.why:
            raise KeyError(f"unknown data category {category!r}")
        considered = sorted(set(stages)) or [UNTIED_STAGE]
        stage = min(considered, key=lambda s: (self.level(function, s, category), STAGES.index(s)))
        level = self.level(function, stage, category)
        at = f" at {stage.value}" if self._depends_on_stage(function, category) else ""
        return SectionDecision(
            category=category,
            level=level,
            reason=(
                f"{category} is {level.name} for {function.value}{at}: {self.why[category]} "
                f"(policy v{self.version}, rule {category}.{function.value})"
            ),
        )

    def _depends_on_stage(self, function: Function, category: str) -> bool:
        return len({self.level(function, s, category) for s in STAGES}) > 1

    def to_document(self) -> dict[str, Any]:
        """The policy in the shape PUT /api/v1/policy accepts (stage tables only where needed)."""
        rules: dict[str, Any] = {}
        for category in CATEGORIES:
            levels: dict[str, Any] = {}
            for function in FUNCTIONS:
                by_stage = {s.value: self.level(function, s, category).name for s in STAGES}
                values = set(by_stage.values())
                levels[function.value] = values.pop() if len(values) == 1 else by_stage
            rules[category] = {"why": self.why[category], "levels": levels}
        return {"rules": rules}


def _level(value: object, where: str) -> Level:
    if not isinstance(value, str) or value not in Level.__members__:
        raise InvalidInput(f"{where} must be full, summary or none, not {value!r}", field=where)
    return Level[value]


def parse_policy(document: Mapping[str, Any], *, version: int) -> Policy:
    """Check a whole policy document; every category, function and stage must be decided."""
    rules = document.get("rules")
    if not isinstance(rules, Mapping):
        raise InvalidInput("the policy needs a 'rules' table", field="rules")
    unknown = sorted(set(rules) - set(CATEGORIES))
    if unknown:
        raise InvalidInput(f"unknown data category {unknown[0]!r}", field=f"rules.{unknown[0]}")
    cells: dict[tuple[Function, LifecycleStage, str], Level] = {}
    why: dict[str, str] = {}
    for category in CATEGORIES:
        where = f"rules.{category}"
        rule = rules.get(category)
        if not isinstance(rule, Mapping):
            raise InvalidInput(f"the policy does not decide {category}", field=where)
        reason = rule.get("why")
        if not isinstance(reason, str) or not reason.strip():
            raise InvalidInput(
                f"{category} needs a 'why': the reason the rule exists", field=f"{where}.why"
            )
        why[category] = reason.strip()
        # the file writes functions beside `why`; the API nests them under `levels`
        levels = rule.get("levels", {k: v for k, v in rule.items() if k != "why"})
        if not isinstance(levels, Mapping):
            raise InvalidInput(f"{where}.levels must be a table", field=f"{where}.levels")
        extra = sorted(set(levels) - {f.value for f in FUNCTIONS})
        if extra:
            raise InvalidInput(f"unknown function {extra[0]!r}", field=f"{where}.{extra[0]}")
        for function in FUNCTIONS:
            cell_where = f"{where}.{function.value}"
            value = levels.get(function.value)
            if value is None:
                raise InvalidInput(
                    f"the policy does not decide {category} for {function.value}",
                    field=cell_where,
                )
            if isinstance(value, Mapping):
                bad = sorted(set(value) - {s.value for s in STAGES} - {"default"})
                if bad:
                    raise InvalidInput(
                        f"unknown lifecycle stage {bad[0]!r}", field=f"{cell_where}.{bad[0]}"
                    )
                for stage in STAGES:
                    raw = value.get(stage.value, value.get("default"))
                    if raw is None:
                        raise InvalidInput(
                            f"{category} for {function.value} does not decide {stage.value} "
                            "(name it or give a default)",
                            field=f"{cell_where}.{stage.value}",
                        )
                    cells[(function, stage, category)] = _level(raw, f"{cell_where}.{stage.value}")
            else:
                level = _level(value, cell_where)
                for stage in STAGES:
                    cells[(function, stage, category)] = level
    identity_gaps = [
        f.value for f in FUNCTIONS for s in STAGES if cells[(f, s, "identity")] != Level.full
    ]
    if identity_gaps:
        raise InvalidInput(
            "identity is always full for anyone who may see the stakeholder",
            field=f"rules.identity.{identity_gaps[0]}",
        )
    return Policy(version=version, cells=cells, why=why)


def load_document(text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InvalidInput(f"the policy file is not valid TOML: {error}", field="policy") from None


@lru_cache(maxsize=1)
def default_policy() -> Policy:
    """The policy Accord ships (version 1)."""
    return parse_policy(load_document(DEFAULT_POLICY_PATH.read_text("utf-8")), version=1)
