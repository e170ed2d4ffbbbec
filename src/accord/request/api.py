"""JSON routes of requests (MIRs, ISS proposals, grants, speaker requests)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from accord.access.deps import CurrentPrincipal, SessionDep
from accord.request import service as request_service
from accord.request.models import Request
from accord.request.schemas import RequestCreate, RequestUpdate

router = APIRouter(prefix="/api/v1", tags=["requests"])


def _receipt(request: Request) -> dict[str, Any]:
    """What the caller gets back: the request's handling, never its content (the content is
    read through the stakeholder view, where the firewall applies)."""
    return {
        "id": request.id,
        "stakeholder_id": request.stakeholder_id,
        "kind": request.kind.value,
        "status": request.status.value,
        "handled_by": request.handling_function.value,
        "due_date": request.due_date,
    }


@router.post(
    "/stakeholders/{stakeholder_id}/requests",
    status_code=status.HTTP_201_CREATED,
    summary="Receive a request",
)
def create_request(
    session: SessionDep, principal: CurrentPrincipal, stakeholder_id: int, data: RequestCreate
) -> dict[str, Any]:
    """The due date follows the kind's service level (MIR 10 days, speaker 30, grant 60,
    ISS 90)."""
    return _receipt(request_service.create_request(session, principal, stakeholder_id, data))


@router.patch("/requests/{request_id}", summary="Answer or decide a request")
def update_request(
    session: SessionDep, principal: CurrentPrincipal, request_id: int, data: RequestUpdate
) -> dict[str, Any]:
    """Only the handling function may: medical answers MIRs (403 for anyone else)."""
    return _receipt(request_service.update_request(session, principal, request_id, data))
