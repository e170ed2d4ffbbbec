"""What the network API and pages call beside the read services (which check `network:read`
themselves): the therapeutic areas, the top list as a page of the project's list shape, and the
on-demand recompute behind `network:recompute` (a background job sent once the request
commits)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from accord.access import permissions
from accord.access.principal import Principal
from accord.errors import InvalidInput
from accord.jobs import enqueue
from accord.network import jobs as network_jobs
from accord.network import service as network_service
from accord.network.schemas import (
    AreaRead,
    RecomputeQueued,
    TopStakeholderRead,
)
from accord.network.service_recompute import latest_snapshot
from accord.pagination import Page, check_limit, decode_cursor, encode_cursor
from accord.stakeholder.models import Tier


def areas(session: Session, principal: Principal) -> list[AreaRead]:
    permissions.require(principal, permissions.NETWORK_READ)
    return network_service.scopes(session)


def top_stakeholders(
    session: Session,
    principal: Principal,
    *,
    therapeutic_area: str | None = None,
    tier: Tier | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Page[TopStakeholderRead]:
    """One page of the most influential stakeholders; the cursor carries the rank reached, so
    a page asked again after a recompute follows the new ranking."""
    permissions.require(principal, permissions.NETWORK_READ)
    size = check_limit(limit)
    offset = 0
    if cursor:
        offset = decode_cursor(cursor)
        if not isinstance(offset, int) or offset < 0:
            raise InvalidInput("cursor is malformed", field="cursor")
    rows = network_service.top_stakeholders(
        session,
        principal,
        therapeutic_area=therapeutic_area,
        tier=tier,
        limit=size + 1,
        offset=offset,
    )
    more = len(rows) > size
    return Page(items=rows[:size], next_cursor=encode_cursor(offset + size) if more else None)


def request_recompute(session: Session, principal: Principal) -> RecomputeQueued:
    """Queue a recompute of the whole network; it runs after this transaction commits (a
    rolled-back request queues nothing)."""
    permissions.require(principal, permissions.NETWORK_RECOMPUTE)
    enqueue(session, network_jobs.recompute_network, principal.username)
    return RecomputeQueued(
        queued=True,
        requested_by=principal.username,
        current=network_service.snapshot_ref(latest_snapshot(session)),
    )
