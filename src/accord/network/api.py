"""JSON routes of the influence network: the pyramid, the top stakeholders, rising stars,
communities, a stakeholder's ego network, and the on-demand recompute."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from accord.access.deps import CurrentPrincipal, SessionDep
from accord.network import service as network_service
from accord.network import service_view as network_view
from accord.network.models import EdgeType
from accord.network.schemas import (
    AreaRead,
    CommunityRead,
    CommunitySummaryRead,
    EgoNetworkRead,
    PyramidRead,
    RecomputeQueued,
    RisingRead,
    TopStakeholderRead,
)
from accord.pagination import ListResponse
from accord.stakeholder.models import Tier

router = APIRouter(prefix="/api/v1/network", tags=["network"])
stakeholder_router = APIRouter(prefix="/api/v1/stakeholders", tags=["network"])

Area = Annotated[
    str | None,
    Query(description="a therapeutic area code from /api/v1/network/areas; overall when absent"),
]


@router.get("/areas", response_model=ListResponse[AreaRead], summary="Therapeutic areas")
def list_areas(session: SessionDep, principal: CurrentPrincipal) -> ListResponse[AreaRead]:
    """The areas the network is measured in, besides overall."""
    return ListResponse(items=network_view.areas(session, principal))


@router.get("/pyramid", response_model=PyramidRead, summary="Stakeholders per tier and type")
def pyramid(
    session: SessionDep, principal: CurrentPrincipal, therapeutic_area: Area = None
) -> PyramidRead:
    """Counts among the stakeholders in your territories, global tier first."""
    return network_service.pyramid(session, principal, therapeutic_area=therapeutic_area)


@router.get(
    "/top",
    response_model=ListResponse[TopStakeholderRead],
    summary="The most influential stakeholders",
)
def top_stakeholders(
    session: SessionDep,
    principal: CurrentPrincipal,
    therapeutic_area: Area = None,
    tier: Tier | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> ListResponse[TopStakeholderRead]:
    """By name and tier for every function; `influence` where your network category is at
    least summary, `evidence` where it is full."""
    page = network_view.top_stakeholders(
        session,
        principal,
        therapeutic_area=therapeutic_area,
        tier=tier,
        limit=limit,
        cursor=cursor,
    )
    return ListResponse(items=list(page.items), next_cursor=page.next_cursor)


@router.get("/rising", response_model=RisingRead, summary="Rising stars")
def rising_stars(
    session: SessionDep, principal: CurrentPrincipal, therapeutic_area: Area = None
) -> RisingRead:
    """The largest influence gains between the two newest snapshots."""
    return network_service.rising_stars(session, principal, therapeutic_area=therapeutic_area)


@router.get(
    "/communities",
    response_model=ListResponse[CommunitySummaryRead],
    summary="The largest communities",
)
def list_communities(
    session: SessionDep, principal: CurrentPrincipal, therapeutic_area: Area = None
) -> ListResponse[CommunitySummaryRead]:
    return ListResponse(
        items=network_service.communities(session, principal, therapeutic_area=therapeutic_area)
    )


@router.get("/communities/{community_id}", response_model=CommunityRead, summary="A community")
def get_community(
    session: SessionDep,
    principal: CurrentPrincipal,
    community_id: int,
    therapeutic_area: Area = None,
) -> CommunityRead:
    """Its members in your territories, most influential first; the others are counted."""
    return network_service.community(
        session, principal, community_id, therapeutic_area=therapeutic_area
    )


@router.post(
    "/recompute",
    response_model=RecomputeQueued,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Recompute the network in the background",
)
def recompute(session: SessionDep, principal: CurrentPrincipal) -> RecomputeQueued:
    """Administrators only; the job starts once this request has committed."""
    return network_view.request_recompute(session, principal)


@stakeholder_router.get(
    "/{stakeholder_id}/network",
    response_model=EgoNetworkRead,
    summary="A stakeholder's ego network",
)
def ego_network(
    session: SessionDep,
    principal: CurrentPrincipal,
    stakeholder_id: int,
    depth: int = 1,
    edge_type: Annotated[
        list[EdgeType] | None, Query(description="repeat to keep several relation types")
    ] = None,
    therapeutic_area: Area = None,
) -> EgoNetworkRead:
    """Nodes and edges with types and weights (depth 1 or 2); out of your territories is 404,
    a network category below full is 403."""
    return network_service.ego_network(
        session,
        principal,
        stakeholder_id,
        depth=depth,
        edge_types=edge_type,
        therapeutic_area=therapeutic_area,
    )
