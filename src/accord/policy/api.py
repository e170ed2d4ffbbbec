"""GET and PUT /api/v1/policy (compliance)."""

from __future__ import annotations

from fastapi import APIRouter

from accord.access.deps import CurrentPrincipal, SessionDep
from accord.policy import service as policy_service
from accord.policy.schemas import PolicyChange, PolicyRead

router = APIRouter(prefix="/api/v1", tags=["firewall policy"])


def _read(info: policy_service.PolicyInfo) -> PolicyRead:
    return PolicyRead(
        version=info.policy.version,
        reason=info.reason,
        created_by=info.created_by,
        created_at=info.created_at,
        rules=info.policy.to_document()["rules"],
    )


@router.get("/policy", response_model=PolicyRead, summary="The firewall policy in force")
def read_policy(session: SessionDep, principal: CurrentPrincipal) -> PolicyRead:
    return _read(policy_service.read_policy(session, principal))


@router.put("/policy", response_model=PolicyRead, summary="Replace the policy (new version)")
def change_policy(
    session: SessionDep, principal: CurrentPrincipal, change: PolicyChange
) -> PolicyRead:
    """Takes the whole policy in the shape GET returns, with a reason; answers the new version.
    A bad cell is refused naming it (for example `rules.insights.commercial.launch`)."""
    return _read(
        policy_service.change_policy(
            session, principal, document={"rules": change.rules}, reason=change.reason
        )
    )
