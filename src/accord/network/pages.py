"""HTML routes of the influence network: the pyramid, the top stakeholders (filters swapped by
htmx), rising stars, communities, and a stakeholder's ego-network explorer (Cytoscape.js fed by
the JSON API)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from accord.access.deps import CurrentPrincipal, SessionDep
from accord.access.principal import Principal
from accord.errors import InvalidInput
from accord.network import service as network_service
from accord.network import service_view as network_view
from accord.network.models import UNDIRECTED, EdgeType
from accord.network.schemas import AreaRead
from accord.stakeholder.models import PERSON_TYPES, Tier
from accord.web.render import render

router = APIRouter(include_in_schema=False)

#: the tiers as the pyramid draws them, top to bottom
TIERS = (Tier.global_, Tier.national, Tier.regional, Tier.local)
#: each relation type in words, for the explorer's legend and the stakeholder page
EDGE_LABELS: dict[EdgeType, str] = {
    EdgeType.colleague: "Colleagues",
    EdgeType.member: "Member of",
    EdgeType.part_of: "Part of",
    EdgeType.coauthor: "Co-authors",
    EdgeType.coinvestigator: "Co-investigators",
    EdgeType.investigator_at: "Investigator at",
    EdgeType.cospeaker: "Co-speakers",
    EdgeType.spoke_to: "Spoke to",
    EdgeType.referral: "Referrals",
}
#: one colour per relation type (Okabe-Ito first: distinguishable with colour-blindness)
EDGE_COLOURS: dict[EdgeType, str] = {
    EdgeType.colleague: "#0072b2",
    EdgeType.member: "#56b4e9",
    EdgeType.part_of: "#8a93a3",
    EdgeType.coauthor: "#d55e00",
    EdgeType.coinvestigator: "#009e73",
    EdgeType.investigator_at: "#6fbf9f",
    EdgeType.cospeaker: "#cc79a7",
    EdgeType.spoke_to: "#e69f00",
    EdgeType.referral: "#7b3294",
}


def _filters(
    session: Any, principal: Principal, therapeutic_area: str, tier: str = ""
) -> tuple[dict[str, str], list[AreaRead], dict[str, str]]:
    """The filters as typed, the areas to choose from, and what is wrong with the filters."""
    query = {"therapeutic_area": therapeutic_area.strip(), "tier": tier.strip()}
    areas = network_view.areas(session, principal)
    errors: dict[str, str] = {}
    if query["therapeutic_area"] and query["therapeutic_area"] not in {a.code for a in areas}:
        errors["therapeutic_area"] = "Choose a therapeutic area from the list"
    if query["tier"] and query["tier"] not in {t.value for t in Tier}:
        errors["tier"] = "Choose a tier from the list"
    return query, areas, errors


def _kept(query: dict[str, str], errors: dict[str, str], **extra: str) -> str:
    """The valid filters (and `extra`) as a query string, so a view can be shared."""
    kept = {k: v for k, v in {**query, **extra}.items() if v and k not in errors}
    return urlencode(kept)


def _partial(request: Request) -> bool:
    """htmx swaps a fragment; a history restore (back button after a cache miss) needs the page."""
    return bool(request.headers.get("hx-request")) and not request.headers.get(
        "hx-history-restore-request"
    )


@router.get("/network", response_class=HTMLResponse)
def pyramid_page(
    request: Request, session: SessionDep, principal: CurrentPrincipal, therapeutic_area: str = ""
) -> HTMLResponse:
    """The pyramid of tiers among the stakeholders in your territories; each tier opens its
    top stakeholders."""
    query, areas, errors = _filters(session, principal, therapeutic_area)
    pyramid = network_service.pyramid(
        session,
        principal,
        therapeutic_area=None if errors else query["therapeutic_area"] or None,
    )
    return render(
        request,
        "network/pyramid.html",
        principal=principal,
        page_title="Network",
        pyramid=pyramid,
        total=sum(t.total for t in pyramid.tiers),
        query=query,
        areas=areas,
        errors=errors,
        area_qs=_kept(query, errors),
        tier_hrefs={t.value: "/network/top?" + _kept(query, errors, tier=t.value) for t in TIERS},
        status_code=400 if errors else 200,
    )


@router.get("/network/top", response_class=HTMLResponse)
def top_page(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    therapeutic_area: str = "",
    tier: str = "",
    cursor: str = "",
) -> HTMLResponse:
    """The most influential stakeholders you may see, filtered by tier and area in the URL."""
    query, areas, errors = _filters(session, principal, therapeutic_area, tier)
    rows: list[Any] = []
    next_cursor: str | None = None
    try:
        page = network_view.top_stakeholders(
            session,
            principal,
            therapeutic_area=None
            if "therapeutic_area" in errors
            else query["therapeutic_area"] or None,
            tier=None if "tier" in errors or not query["tier"] else Tier(query["tier"]),
            limit=50,
            cursor=cursor or None,
        )
        rows, next_cursor = list(page.items), page.next_cursor
    except InvalidInput as error:
        errors[error.field or "cursor"] = error.message
    return render(
        request,
        "network/_top_results.html" if _partial(request) else "network/top.html",
        principal=principal,
        page_title="Top stakeholders",
        rows=rows,
        shows_influence=any(r.influence is not None for r in rows),
        shows_evidence=any(r.evidence is not None for r in rows),
        next_href=("/network/top?" + _kept(query, errors, cursor=next_cursor))
        if next_cursor
        else None,
        first_href=("/network/top?" + _kept(query, errors)) if cursor else None,
        query=query,
        areas=areas,
        tiers=TIERS,
        errors=errors,
        status_code=400 if errors else 200,
        headers={"Vary": "HX-Request"},
    )


@router.get("/network/rising", response_class=HTMLResponse)
def rising_page(
    request: Request, session: SessionDep, principal: CurrentPrincipal, therapeutic_area: str = ""
) -> HTMLResponse:
    """The largest influence gains between the two newest snapshots."""
    query, areas, errors = _filters(session, principal, therapeutic_area)
    rising = network_service.rising_stars(
        session,
        principal,
        therapeutic_area=None if errors else query["therapeutic_area"] or None,
    )
    return render(
        request,
        "network/rising.html",
        principal=principal,
        page_title="Rising stars",
        rising=rising,
        query=query,
        areas=areas,
        errors=errors,
        status_code=400 if errors else 200,
    )


@router.get("/network/communities", response_class=HTMLResponse)
def communities_page(
    request: Request, session: SessionDep, principal: CurrentPrincipal, therapeutic_area: str = ""
) -> HTMLResponse:
    """The largest communities, each with its leaders and where its members practise."""
    query, areas, errors = _filters(session, principal, therapeutic_area)
    found = network_service.communities(
        session,
        principal,
        therapeutic_area=None if errors else query["therapeutic_area"] or None,
    )
    return render(
        request,
        "network/communities.html",
        principal=principal,
        page_title="Communities",
        communities=found,
        query=query,
        areas=areas,
        errors=errors,
        area_qs=_kept(query, errors),
        status_code=400 if errors else 200,
    )


@router.get("/network/communities/{community_id}", response_class=HTMLResponse)
def community_page(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    community_id: int,
    therapeutic_area: str = "",
) -> HTMLResponse:
    """One community: its members you may see, their tiers and places, how they relate."""
    found = network_service.community(
        session, principal, community_id, therapeutic_area=therapeutic_area.strip() or None
    )
    return render(
        request,
        "network/community.html",
        principal=principal,
        page_title=f"Community {community_id}",
        community=found,
        edge_labels=EDGE_LABELS,
        area_qs=urlencode({"therapeutic_area": found.therapeutic_area})
        if found.therapeutic_area
        else "",
    )


@router.get("/stakeholders/{stakeholder_id}/network", response_class=HTMLResponse)
def explorer_page(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    stakeholder_id: int,
    depth: str = "1",
    therapeutic_area: str = "",
) -> HTMLResponse:
    """The ego-network explorer: the first drawing comes with the page (no second round trip);
    depth, area and relation types then refetch the JSON API. Out of territory is 404, a
    network category below full is 403."""
    query, areas, errors = _filters(session, principal, therapeutic_area)
    level = 2 if depth.strip() == "2" else 1
    if depth.strip() not in ("", "1", "2"):
        errors["depth"] = "Choose depth 1 or 2"
    ego = network_service.ego_network(
        session,
        principal,
        stakeholder_id,
        depth=level,
        therapeutic_area=None
        if "therapeutic_area" in errors
        else query["therapeutic_area"] or None,
    )
    name = next((n.name for n in ego.nodes if n.id == stakeholder_id), "Stakeholder")
    return render(
        request,
        "network/explorer.html",
        principal=principal,
        page_title=f"Network of {name}",
        sid=stakeholder_id,
        name=name,
        ego=ego,
        ego_data=ego.model_dump(mode="json"),
        depth=level,
        query=query,
        areas=areas,
        errors=errors,
        edge_types=[
            {
                "value": t.value,
                "label": EDGE_LABELS[t],
                "colour": EDGE_COLOURS[t],
                "directed": t not in UNDIRECTED,
                "count": sum(1 for e in ego.edges if e.type == t),
            }
            for t in EdgeType
        ],
        person_types=sorted(t.value for t in PERSON_TYPES),
        status_code=400 if errors else 200,
    )
