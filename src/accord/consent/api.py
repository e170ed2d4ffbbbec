"""JSON routes of consents."""

from __future__ import annotations

from fastapi import APIRouter, status

from accord.access.deps import CurrentPrincipal, SessionDep
from accord.consent import service as consent_service
from accord.consent.models import Consent
from accord.consent.schemas import ConsentCreate, ConsentRead

router = APIRouter(prefix="/api/v1/stakeholders", tags=["consents"])


@router.post(
    "/{stakeholder_id}/consents",
    response_model=ConsentRead,
    status_code=status.HTTP_201_CREATED,
    summary="Record a consent grant or withdrawal",
)
def record_consent(
    session: SessionDep, principal: CurrentPrincipal, stakeholder_id: int, data: ConsentCreate
) -> Consent:
    """Appended to the history; honoured by every later interaction at once."""
    return consent_service.record_consent(session, principal, stakeholder_id, data)
