"""A stakeholder's publications and trials, read through the gate (research_involvement)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from accord.access.deps import CurrentPrincipal, SessionDep
from accord.science import service as science_service

router = APIRouter(prefix="/api/v1", tags=["science"])


@router.get("/publications", summary="A stakeholder's publications")
def publications(
    session: SessionDep, principal: CurrentPrincipal, stakeholder_id: int
) -> dict[str, Any]:
    """PubMed articles the stakeholder is linked to as an author, newest first. 404 outside
    the caller's territories, 403 (with the policy's reason) below full research involvement."""
    items = science_service.list_publications(session, principal, stakeholder_id=stakeholder_id)
    return {"items": items, "next_cursor": None}


@router.get("/trials", summary="A stakeholder's clinical trials")
def trials(session: SessionDep, principal: CurrentPrincipal, stakeholder_id: int) -> dict[str, Any]:
    """Trials the stakeholder is an official, site investigator or site of, with the role,
    site, phase and status; newest first. 404 outside the caller's territories, 403 below full."""
    items = science_service.list_trials(session, principal, stakeholder_id=stakeholder_id)
    return {"items": items, "next_cursor": None}
