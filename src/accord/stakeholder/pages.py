"""HTML routes: global search (results as you type), the stakeholder page (the 360 view), its
timeline swapped by filters, and the "Log interaction" form."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from accord.access import permissions
from accord.access.deps import CurrentPrincipal, SessionDep
from accord.access.principal import Principal
from accord.consent.models import ConsentChannel
from accord.db.base import utcnow
from accord.errors import AppError, InvalidInput
from accord.interaction import service as interaction_service
from accord.interaction.models import Channel, Outcome, Purpose
from accord.interaction.schemas import InteractionCreate
from accord.product import service as product_service
from accord.stakeholder import service as stakeholder_service
from accord.stakeholder import view as stakeholder_view
from accord.stakeholder.models import StakeholderType, Tier
from accord.user.models import FUNCTION_LABELS, Function
from accord.web.render import flash, render

router = APIRouter(include_in_schema=False)

#: the quiet line a section seen as a summary carries, in words a field user reads in a glance
SUMMARY_NOTES = {
    "contact": "You see the city and state only.",
    "organizational_status": "You see the primary affiliation only.",
    "engagement_status": "Each team's status and lead are visible to the engaging teams; "
    "you see the overall status only.",
    "consents": "You see the current state of each consent; its history and proof stay with "
    "the teams that contact the stakeholder.",
    "activities_medical": "Medical detail is visible to medical affairs; you see counts only.",
    "activities_commercial": "Sales detail is visible to sales & marketing; you see counts only.",
    "activities_market_access": "Market access detail is visible to market access; "
    "you see counts only.",
    "requests_existence": "Requests are handled privately by the team they are for; you see "
    "that they exist, their status and due dates, never what they ask.",
    "insights": "Insight text is visible to medical affairs; you see the count only.",
    "payments": "Each transfer of value is visible to compliance and finance; you see the "
    "totals per year.",
    "network": "Relations and the evidence behind the tier are visible to the engaging teams; "
    "you see the tier and influence score only.",
    "research_involvement": "Trial detail is visible to medical affairs and research; you see "
    "whether the stakeholder is an investigator and how many publications they have.",
}
#: a section shown only because it holds the viewer's own records (own work is visible)
OWN_WORK_NOTE = (
    "You see only the records you created; the rest of this section is not shared with your team."
)

ACTIVITY_TITLES = {
    "activities_medical": "Medical activities",
    "activities_commercial": "Commercial activities",
    "activities_market_access": "Market access activities",
}
REQUEST_KINDS = {
    "mir": "Medical information request",
    "iss": "Investigator-sponsored study",
    "grant": "Grant request",
    "speaker": "Speaker request",
}
#: at most this many months in an activity summary's bar list
SUMMARY_MONTHS = 12


US_STATES = (
    "AK",
    "AL",
    "AR",
    "AZ",
    "CA",
    "CO",
    "CT",
    "DC",
    "DE",
    "FL",
    "GA",
    "HI",
    "IA",
    "ID",
    "IL",
    "IN",
    "KS",
    "KY",
    "LA",
    "MA",
    "MD",
    "ME",
    "MI",
    "MN",
    "MO",
    "MS",
    "MT",
    "NC",
    "ND",
    "NE",
    "NH",
    "NJ",
    "NM",
    "NV",
    "NY",
    "OH",
    "OK",
    "OR",
    "PA",
    "RI",
    "SC",
    "SD",
    "TN",
    "TX",
    "UT",
    "VA",
    "VT",
    "WA",
    "WI",
    "WV",
    "WY",
)


@router.get("/stakeholders", response_class=HTMLResponse)
def stakeholder_list(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    q: str = "",
    type: str = "",
    specialty: str = "",
    state: str = "",
    tier: str = "",
    cursor: str | None = None,
) -> HTMLResponse:
    """Stakeholders in your territories, filtered; the same filters export as CSV."""
    query = {"q": q.strip(), "type": type, "specialty": specialty, "state": state, "tier": tier}
    error: AppError | None = None
    results: list[Any] = []
    next_cursor: str | None = None
    try:
        filters = stakeholder_service.StakeholderFilter(
            q=query["q"] or None,
            type=StakeholderType(type) if type else None,
            specialty=specialty or None,
            state=state or None,
            tier=Tier(tier) if tier else None,
        )
        page = stakeholder_service.list_stakeholders(
            session, principal, filters=filters, limit=50, cursor=cursor
        )
        results, next_cursor = list(page.items), page.next_cursor
    except ValueError:
        error = InvalidInput("choose a type and a tier from the lists", field="type")
    except AppError as caught:
        error = caught
    kept = {k: v for k, v in query.items() if v}
    specialties = stakeholder_service.specialties(session)
    return render(
        request,
        "stakeholder/list.html",
        principal=principal,
        page_title="Stakeholders",
        query=query,
        results=results,
        next_cursor=next_cursor,
        next_href="/stakeholders?" + urlencode({**kept, "cursor": next_cursor or ""}),
        export_href="/api/v1/stakeholders/export?" + urlencode({**kept, "format": "csv"}),
        types=[(t.value, t.value.replace("_", " ").capitalize()) for t in StakeholderType],
        specialties=[(sp.code, sp.display_name) for sp in specialties],
        specialty_names={sp.code: sp.display_name for sp in specialties},
        states=US_STATES,
        tiers=[(t.value, t.value.capitalize()) for t in Tier],
        error=str(error) if error else None,
        error_field=error.field if error else None,
        status_code=400 if error else 200,
    )


@router.get("/search", response_class=HTMLResponse)
def search(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    q: str = "",
    cursor: str | None = None,
) -> HTMLResponse:
    """Stakeholders in your territories whose last or organization name starts with `q`."""
    as_you_type = request.headers.get("hx-target") == "search-results"
    page = (
        stakeholder_service.list_stakeholders(
            session,
            principal,
            filters=stakeholder_service.StakeholderFilter(q=q.strip() or None),
            limit=8 if as_you_type else 50,
            cursor=cursor,
        )
        if q.strip()
        else None
    )
    template = "stakeholder/_search_results.html" if as_you_type else "stakeholder/search.html"
    return render(
        request,
        template,
        principal=principal,
        page_title=f"Search: {q}" if q else "Search",
        q=q,
        results=page.items if page else [],
        next_cursor=page.next_cursor if page else None,
    )


# --- the timeline's filters -----------------------------------------------------------------


@dataclass
class TimelineQuery:
    """The timeline filters as typed in the URL, what they mean, and what is wrong with them."""

    values: dict[str, str]
    filters: interaction_service.TimelineFilter
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def active(self) -> dict[str, str]:
        """The filters in force (non-empty and valid), in the order of the form."""
        return {k: v for k, v in self.values.items() if v and k not in self.errors}

    def url(self, stakeholder_id: int, **extra: str) -> str:
        query = urlencode({**self.active, **extra})
        return f"/stakeholders/{stakeholder_id}" + (f"?{query}" if query else "")


def _parse_day(value: str, label: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{label} must be a date such as 2026-11-23") from None


def timeline_query(
    products: list[str], *, channel: str, function: str, product: str, since: str, until: str
) -> TimelineQuery:
    values = {
        "channel": channel.strip(),
        "function": function.strip(),
        "product": product.strip(),
        "since": since.strip(),
        "until": until.strip(),
    }
    errors: dict[str, str] = {}
    parsed: dict[str, Any] = {}
    if values["channel"]:
        try:
            parsed["channel"] = Channel(values["channel"])
        except ValueError:
            errors["channel"] = "Choose a channel from the list"
    if values["function"]:
        try:
            parsed["function"] = Function(values["function"])
        except ValueError:
            errors["function"] = "Choose a team from the list"
    if values["product"]:
        if values["product"] in products:
            parsed["product"] = values["product"]
        else:
            errors["product"] = "Choose a product from the list"
    for name, label in (("since", "From"), ("until", "To")):
        if values[name]:
            try:
                day = _parse_day(values[name], label)
            except ValueError as error:
                errors[name] = str(error)
                continue
            # "to" is inclusive: everything before the next midnight (UTC)
            start = datetime.combine(day, time(), tzinfo=UTC)
            parsed[name] = start + timedelta(days=1) if name == "until" else start
    return TimelineQuery(values, interaction_service.TimelineFilter(**parsed), errors)


def _product_codes(session: Session) -> list[str]:
    return [p.code for p, _area in product_service.list_products(session)]


# --- shaping the view for the page -----------------------------------------------------------


def activity_bars(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """Counts per month (newest first, at most a year of months with activity), each with its
    channels, for the bar list of an activity summary."""
    months: dict[str, dict[str, int]] = defaultdict(dict)
    for row in summary.get("by_month", []):
        months[row["month"]][row["channel"]] = row["count"]
    newest = sorted(months, reverse=True)[:SUMMARY_MONTHS]
    peak = max((sum(months[m].values()) for m in newest), default=0)
    return [
        {
            "month": m,
            "total": sum(months[m].values()),
            "share": round(100 * sum(months[m].values()) / peak) if peak else 0,
            "channels": sorted(months[m].items(), key=lambda kv: (-kv[1], kv[0])),
        }
        for m in newest
    ]


def consent_matrix(section: dict[str, Any]) -> list[dict[str, Any]]:
    """Every channel x purpose: granted, withdrawn, or unknown when nothing is on record."""
    current = {(c["channel"], c["purpose"]): c for c in section.get("current", [])}
    sources: dict[tuple[str, str], str] = {}
    for h in reversed(section.get("history", [])):  # oldest first, so the latest wins
        sources[(h["channel"], h["purpose"])] = h["source"]
    rows = []
    for channel in ConsentChannel:
        cells = []
        for purpose in Purpose:
            record = current.get((channel.value, purpose.value))
            cells.append(
                {
                    "purpose": purpose.value,
                    "status": record["status"] if record else "unknown",
                    "since": record["since"] if record else None,
                    "source": sources.get((channel.value, purpose.value)),
                }
            )
        rows.append({"channel": channel.value, "cells": cells})
    return rows


def header_facts(view: dict[str, Any]) -> dict[str, Any]:
    """The header card's primary affiliation and location, from whatever the viewer may see."""
    sections = view["sections"]
    affiliation = None
    org = sections.get("organizational_status")
    if org and org.get("affiliations"):
        affiliation = next((a for a in org["affiliations"] if a["primary"]), org["affiliations"][0])
    location = None
    contact = sections.get("contact")
    if contact:
        if "addresses" in contact:
            addresses = contact["addresses"]
            primary = next(
                (a for a in addresses if a["primary"]), addresses[0] if addresses else None
            )
            if primary:
                location = ", ".join(x for x in (primary["city"], primary["state"]) if x)
        else:
            location = ", ".join(x for x in (contact.get("city"), contact.get("state")) if x)
    return {"affiliation": affiliation, "location": location or None}


def _said(value: str) -> str:
    """A code such as remote_meeting, as people write it."""
    return value.replace("_", " ").capitalize()


def _options(session: Session) -> dict[str, Any]:
    """(value, label) choices for the timeline filters and the "Log interaction" form."""
    products = product_service.list_products(session)
    return {
        "channels": [(c.value, _said(c.value)) for c in Channel],
        "outcomes": [(o.value, _said(o.value)) for o in Outcome],
        "purposes": [(p.value, _said(p.value)) for p in Purpose],
        "functions": [(f.value, FUNCTION_LABELS[f]) for f in interaction_service.ACTIVITY_CATEGORY],
        "product_filter": [(p.code, f"{p.code} · {p.name}") for p, _area in products],
        "products": [
            {"code": p.code, "name": p.name, "stage": p.lifecycle_stage.value}
            for p, _area in products
        ],
    }


def _may_log(principal: Principal) -> bool:
    return permissions.has(principal, permissions.ENGAGEMENT_RECORD)


def _render_page(
    request: Request,
    session: Session,
    principal: Principal,
    stakeholder_id: int,
    query: TimelineQuery,
    *,
    cursor: str = "",
    form: dict[str, Any] | None = None,
    form_errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    view = stakeholder_view.view_stakeholder(
        session,
        principal,
        stakeholder_id,
        timeline_filters=query.filters,
        timeline_cursor=cursor or None,
    )
    return render(
        request,
        "stakeholder/view.html",
        principal=principal,
        page_title=view["name"],
        status_code=400 if query.errors else status_code,
        **_page_context(session, principal, view, query, cursor=cursor),
        form=form or {},
        form_errors=form_errors or {},
    )


def _page_context(
    session: Session,
    principal: Principal,
    view: dict[str, Any],
    query: TimelineQuery,
    *,
    cursor: str = "",
) -> dict[str, Any]:
    sections = view["sections"]
    return {
        "view": view,
        "sid": view["id"],
        "header": header_facts(view),
        "activity_titles": ACTIVITY_TITLES,
        "activities": {
            c: activity_bars(sections[c]["summary"]) for c in ACTIVITY_TITLES if c in sections
        },
        "consents": consent_matrix(sections["consents"]) if "consents" in sections else [],
        "purposes": [p.value for p in Purpose],
        "summary_notes": SUMMARY_NOTES,
        "own_work_note": OWN_WORK_NOTE,
        "function_labels": {f.value: label for f, label in FUNCTION_LABELS.items()},
        "show_timeline": bool(view["timeline"]["items"])
        or any(sections.get(c, {}).get("visibility") == "full" for c in ACTIVITY_TITLES)
        or bool(query.active),
        "query": query,
        "cursor": cursor,
        "may_log": _may_log(principal),
        "options": _options(session),
        "request_kinds": REQUEST_KINDS,
        "default_occurred_at": utcnow().strftime("%Y-%m-%dT%H:%M"),
    }


@router.get("/stakeholders/{stakeholder_id}", response_class=HTMLResponse)
def stakeholder_page(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    stakeholder_id: int,
    channel: str = "",
    function: str = "",
    product: str = "",
    since: str = "",
    until: str = "",
    cursor: str = "",
) -> HTMLResponse:
    """Everything the viewer may see of one stakeholder, section by section, with the
    timeline filtered as the URL says (so a filtered view can be shared and the back button
    works)."""
    query = timeline_query(
        _product_codes(session),
        channel=channel,
        function=function,
        product=product,
        since=since,
        until=until,
    )
    return _render_page(request, session, principal, stakeholder_id, query, cursor=cursor)


@router.get("/stakeholders/{stakeholder_id}/timeline", response_class=HTMLResponse)
def stakeholder_timeline(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    stakeholder_id: int,
    channel: str = "",
    function: str = "",
    product: str = "",
    since: str = "",
    until: str = "",
    cursor: str = "",
) -> Response:
    """The timeline list alone, for htmx: the filters swap it, "Show more" appends to it. The
    address bar shows the page with the filters (HX-Push-Url), never this fragment's URL."""
    query = timeline_query(
        _product_codes(session),
        channel=channel,
        function=function,
        product=product,
        since=since,
        until=until,
    )
    if not request.headers.get("hx-request"):
        target = query.url(stakeholder_id, **({"cursor": cursor} if cursor else {}))
        return RedirectResponse(target + "#timeline", status_code=303)
    lens = stakeholder_view.lens_for(session, principal, stakeholder_id)
    items, next_cursor = (
        interaction_service.timeline(
            session,
            lens,
            filters=query.filters,
            limit=stakeholder_view.TIMELINE_PAGE,
            cursor=cursor or None,
        )
        if not query.errors
        else ([], None)
    )
    more = bool(cursor)
    headers = {"Vary": "HX-Request"}
    if not more:
        headers["HX-Push-Url"] = query.url(stakeholder_id)
    return render(
        request,
        "stakeholder/_timeline_more.html" if more else "stakeholder/_timeline.html",
        principal=principal,
        page_title=lens.stakeholder.name,
        headers=headers,
        sid=stakeholder_id,
        items=items,
        next_cursor=next_cursor,
        query=query,
        cursor=cursor,
        function_labels={f.value: label for f, label in FUNCTION_LABELS.items()},
    )


# --- the "Log interaction" form --------------------------------------------------------------

#: the form's fields, for errors the service names by a path such as products[1]
FORM_FIELDS = ("channel", "occurred_at", "outcome", "purpose", "products", "topics", "notes")


def _form_field(name: str | None) -> str:
    base = (name or "").split("[", 1)[0].split(".", 1)[0]
    return base if base in FORM_FIELDS else "form"


@router.post("/stakeholders/{stakeholder_id}/interactions", response_class=HTMLResponse)
def log_interaction(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    stakeholder_id: int,
    channel: Annotated[str, Form()] = "",
    occurred_at: Annotated[str, Form()] = "",
    outcome: Annotated[str, Form()] = "neutral",
    purpose: Annotated[str, Form()] = "",
    products: Annotated[list[str] | None, Form()] = None,
    topics: Annotated[str, Form()] = "",
    notes: Annotated[str, Form()] = "",
) -> Response:
    """Record a touchpoint from the stakeholder page; a refusal (withdrawn consent, do not
    contact, a product before approval) is shown beside the field it is about."""
    form = {
        "channel": channel,
        "occurred_at": occurred_at,
        "outcome": outcome,
        "purpose": purpose,
        "products": products or [],
        "topics": topics,
        "notes": notes,
    }
    errors: dict[str, str] = {}
    if not channel:
        errors["channel"] = "Choose how you met or contacted the stakeholder"
    when: datetime | None = None
    if not occurred_at:
        errors["occurred_at"] = "Enter when it happened"
    else:
        try:
            when = datetime.fromisoformat(occurred_at)
        except ValueError:
            errors["occurred_at"] = "Enter a date and time such as 2026-11-23 14:30"
        else:
            when = when.replace(tzinfo=UTC) if when.tzinfo is None else when
    status_code = 400
    if not errors:
        try:
            data = InteractionCreate.model_validate(
                {
                    "channel": channel,
                    "occurred_at": when,
                    "outcome": outcome or "neutral",
                    "purpose": purpose or None,
                    "products": [p for p in (products or []) if p],
                    "topics": [t.strip() for t in topics.split(",") if t.strip()],
                    "notes": notes.strip() or None,
                }
            )
            interaction_service.record_interaction(session, principal, stakeholder_id, data)
        except ValidationError as invalid:
            for problem in invalid.errors():
                name = _form_field(str(problem["loc"][0]) if problem["loc"] else None)
                errors.setdefault(name, str(problem["msg"]))
        except AppError as error:
            errors[_form_field(error.field)] = error.message[:1].upper() + error.message[1:]
            status_code = error.status
        else:
            # no #timeline anchor: the confirmation shows at the top, where flashes are
            flash(
                request,
                "success",
                f"{_said(channel)} interaction logged; it is first on the timeline below.",
            )
            return RedirectResponse(f"/stakeholders/{stakeholder_id}", status_code=303)
    query = timeline_query([], channel="", function="", product="", since="", until="")
    return _render_page(
        request,
        session,
        principal,
        stakeholder_id,
        query,
        form=form,
        form_errors=errors,
        status_code=status_code,
    )
