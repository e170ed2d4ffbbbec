"""The firewall policy pages for compliance: the matrix in force, and the form that publishes
a new version (every cell a select; stage-dependent cells one select per lifecycle stage)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from accord.access import permissions
from accord.access.deps import CurrentPrincipal, SessionDep
from accord.access.firewall import CATEGORIES, FUNCTIONS, STAGES, Level, Policy
from accord.access.principal import Principal
from accord.errors import InvalidInput
from accord.policy import service as policy_service
from accord.product.models import LifecycleStage
from accord.user.models import FUNCTION_LABELS
from accord.web.render import flash, render

router = APIRouter(include_in_schema=False)

STAGE_LABELS: dict[LifecycleStage, str] = {
    LifecycleStage.development: "Development",
    LifecycleStage.pre_launch: "Pre-launch",
    LifecycleStage.launch: "Launch",
    LifecycleStage.growth: "Growth",
    LifecycleStage.mature: "Mature",
    LifecycleStage.loss_of_exclusivity: "Loss of exclusivity",
}
STAGE_SHORT: dict[LifecycleStage, str] = {
    LifecycleStage.development: "Dev",
    LifecycleStage.pre_launch: "Pre-launch",
    LifecycleStage.launch: "Launch",
    LifecycleStage.growth: "Growth",
    LifecycleStage.mature: "Mature",
    LifecycleStage.loss_of_exclusivity: "LoE",
}
LEVELS: tuple[str, ...] = tuple(level.name for level in sorted(Level, reverse=True))


def category_label(category: str) -> str:
    return category.replace("_", " ").capitalize()


@dataclass(frozen=True)
class StageSpan:
    """Consecutive stages sharing one level, e.g. "Launch+" -> summary."""

    label: str
    title: str
    level: str


@dataclass(frozen=True)
class Cell:
    function: str
    function_label: str
    #: the level at every stage, in STAGES order
    by_stage: tuple[tuple[LifecycleStage, str], ...]
    spans: tuple[StageSpan, ...]

    @property
    def depends_on_stage(self) -> bool:
        return len(self.spans) > 1

    @property
    def level(self) -> str:
        return self.spans[0].level


@dataclass(frozen=True)
class Row:
    category: str
    label: str
    why: str
    cells: tuple[Cell, ...]


def _spans(levels: list[str]) -> tuple[StageSpan, ...]:
    spans: list[StageSpan] = []
    start = 0
    for i in range(1, len(STAGES) + 1):
        if i < len(STAGES) and levels[i] == levels[start]:
            continue
        first, last = STAGES[start], STAGES[i - 1]
        if first == last:
            label, title = STAGE_SHORT[first], STAGE_LABELS[first]
        elif i == len(STAGES):
            label, title = f"{STAGE_SHORT[first]}+", f"{STAGE_LABELS[first]} onwards"
        else:
            label = f"{STAGE_SHORT[first]}\N{EN DASH}{STAGE_SHORT[last]}"
            title = f"{STAGE_LABELS[first]} to {STAGE_LABELS[last]}"
        spans.append(StageSpan(label, title, levels[start]))
        start = i
    return tuple(spans)


def matrix(policy: Policy) -> list[Row]:
    rows = []
    for category in CATEGORIES:
        cells = []
        for function in FUNCTIONS:
            levels = [policy.level(function, stage, category).name for stage in STAGES]
            cells.append(
                Cell(
                    function=function.value,
                    function_label=FUNCTION_LABELS[function],
                    by_stage=tuple(zip(STAGES, levels, strict=True)),
                    spans=_spans(levels),
                )
            )
        rows.append(Row(category, category_label(category), policy.why[category], tuple(cells)))
    return rows


def document_from_form(policy: Policy, form: dict[str, str]) -> dict[str, Any]:
    """The policy document the form describes; `why` texts are kept from the policy in force.
    A cell given per stage (`cell.<category>.<function>.<stage>`) becomes a stage table, with
    `cell.<category>.<function>` (if sent) as its default; missing cells stay missing so that
    the service names them."""
    rules: dict[str, Any] = {}
    for category in CATEGORIES:
        levels: dict[str, Any] = {}
        for function in FUNCTIONS:
            name = f"cell.{category}.{function.value}"
            by_stage = {
                s.value: form[f"{name}.{s.value}"] for s in STAGES if f"{name}.{s.value}" in form
            }
            if by_stage:
                if name in form:
                    by_stage["default"] = form[name]
                levels[function.value] = by_stage
            elif name in form:
                levels[function.value] = form[name]
        rules[category] = {"why": policy.why[category], "levels": levels}
    return {"rules": rules}


def _form_field(error: InvalidInput) -> str:
    """The form control a service error names (`rules.insights.commercial` -> `cell.…`)."""
    field = error.field or ""
    if field.startswith("rules."):
        return "cell." + field.removeprefix("rules.")
    return field


async def form_data(request: Request) -> dict[str, str]:
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


FormData = Annotated[dict[str, str], Depends(form_data)]


def _render(
    request: Request,
    principal: Principal,
    info: policy_service.PolicyInfo,
    template: str,
    *,
    page_title: str,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        template,
        principal=principal,
        page_title=page_title,
        info=info,
        rows=matrix(info.policy),
        functions=[(f.value, FUNCTION_LABELS[f]) for f in FUNCTIONS],
        stages=[(s.value, STAGE_LABELS[s], STAGE_SHORT[s]) for s in STAGES],
        levels=LEVELS,
        can_change=permissions.has(principal, permissions.POLICY_WRITE),
        values=values or {},
        errors=errors or {},
        status_code=status_code,
    )


@router.get("/policy", response_class=HTMLResponse)
def policy_page(request: Request, session: SessionDep, principal: CurrentPrincipal) -> Response:
    info = policy_service.read_policy(session, principal)
    return _render(request, principal, info, "policy/index.html", page_title="Firewall policy")


@router.get("/policy/edit", response_class=HTMLResponse)
def edit_page(request: Request, session: SessionDep, principal: CurrentPrincipal) -> Response:
    permissions.require(principal, permissions.POLICY_WRITE)
    info = policy_service.read_policy(session, principal)
    return _render(
        request, principal, info, "policy/edit.html", page_title="Change the firewall policy"
    )


@router.post("/policy", response_class=HTMLResponse)
def publish(
    request: Request, session: SessionDep, principal: CurrentPrincipal, form: FormData
) -> Response:
    current = policy_service.read_policy(session, principal)
    document = document_from_form(current.policy, form)
    try:
        info = policy_service.change_policy(
            session, principal, document=document, reason=form.get("reason", "")
        )
    except InvalidInput as error:
        message = error.message[:1].upper() + error.message[1:]
        return _render(
            request,
            principal,
            current,
            "policy/edit.html",
            page_title="Change the firewall policy",
            values=form,
            errors={_form_field(error) or "policy": message},
            status_code=400,
        )
    flash(request, "success", f"Policy version {info.policy.version} is in force.")
    return RedirectResponse("/policy", status_code=303)
