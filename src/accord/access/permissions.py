"""Named permissions and who holds them; every check returns a Decision with its reason."""

from __future__ import annotations

from accord.access.decision import Decision
from accord.access.principal import Principal
from accord.errors import Forbidden
from accord.user.models import Function, Role

AUDIT_READ = "audit:read"
USERS_MANAGE = "users:manage"
USERS_READ_TEAM = "users:read_team"
TERRITORIES_READ = "territories:read"
POLICY_READ = "policy:read"
POLICY_WRITE = "policy:write"
STAKEHOLDER_EDIT = "stakeholder:edit"
ENGAGEMENT_RECORD = "engagement:record"
CONSENT_RECORD = "consent:record"
REQUEST_RECEIVE = "request:receive"
IMPORT_RUN = "import:run"
PAYMENTS_REPORT = "payments:report"
CHANGE_DECIDE = "change_request:decide"
STAKEHOLDER_MERGE = "stakeholder:merge"
NETWORK_READ = "network:read"
NETWORK_RECOMPUTE = "network:recompute"

#: the functions that engage stakeholders (meet them, write to them, hear their requests)
ENGAGING_FUNCTIONS = frozenset(
    {Function.medical, Function.commercial, Function.market_access, Function.research}
)

#: every permission, with who holds it and why; docs/permissions.md is checked against it
PERMISSIONS: dict[str, str] = {
    AUDIT_READ: "compliance only: the audit trail is reviewed by compliance (21 CFR 11.10(e)); "
    "no other function reads it, administrators included",
    USERS_MANAGE: "administrators (admin function or admin role) create users and assign "
    "functions, roles and territories",
    USERS_READ_TEAM: "managers see their reports; everyone sees themselves",
    TERRITORIES_READ: "every signed-in user reads the territory hierarchy",
    POLICY_READ: "compliance reads the firewall policy it owns",
    POLICY_WRITE: "only compliance changes the firewall policy, with a reason",
    STAKEHOLDER_EDIT: "the engaging functions, who meet the stakeholder, and administrators "
    "correct the master record, with a reason",
    ENGAGEMENT_RECORD: "the engaging functions (medical, commercial, market access, research) "
    "record interactions, insights, engagement status and channel preferences; back office "
    "and compliance do not engage stakeholders",
    CONSENT_RECORD: "the engaging functions and compliance record consent grants and "
    "withdrawals (a stakeholder says so to whoever they meet; forms reach compliance)",
    PAYMENTS_REPORT: "compliance and finance report transfers of value (CMS Open Payments) "
    "in full; field teams see a stakeholder's totals per year on its page",
    CHANGE_DECIDE: "administrators (the data stewards) approve or reject data change "
    "requests, with a reason",
    STAKEHOLDER_MERGE: "administrators (the data stewards, who decide change requests) merge "
    "duplicate stakeholders, reject possible duplicates and undo merges, with a reason",
    IMPORT_RUN: "administrators (the data stewards) run imports and read their jobs and "
    "row-level error reports",
    REQUEST_RECEIVE: "the engaging functions pass on a stakeholder's request; who answers it "
    "is decided by its kind (medical answers MIRs)",
    NETWORK_READ: "every function reads the pyramid and the top stakeholders (tier is "
    "identity); what more of the network shows is the firewall's network category",
    NETWORK_RECOMPUTE: "administrators recompute the influence network on demand; it is "
    "recomputed every night anyway",
}


def check(principal: Principal, permission: str) -> Decision:
    if permission == AUDIT_READ:
        if principal.function == Function.compliance:
            return Decision(True, "compliance reads the audit trail")
        return Decision(False, f"only compliance reads the audit trail ({PERMISSIONS[AUDIT_READ]})")
    if permission == USERS_MANAGE:
        if principal.function == Function.admin or principal.role == Role.admin:
            return Decision(True, "administrators manage users")
        return Decision(False, "only administrators manage users")
    if permission == USERS_READ_TEAM:
        if principal.role in (Role.manager, Role.admin) or principal.function == Function.admin:
            return Decision(True, "managers read their team")
        return Decision(False, "only managers read a team")
    if permission in (POLICY_READ, POLICY_WRITE):
        if principal.function == Function.compliance:
            return Decision(True, "compliance owns the firewall policy")
        verb = "changes" if permission == POLICY_WRITE else "reads"
        return Decision(False, f"only compliance {verb} the firewall policy")
    if permission == STAKEHOLDER_EDIT:
        if principal.function in ENGAGING_FUNCTIONS or principal.function == Function.admin:
            return Decision(True, f"{principal.function_label} corrects the stakeholder master")
        return Decision(False, f"{principal.function_label} does not edit the stakeholder master")
    if permission in (ENGAGEMENT_RECORD, REQUEST_RECEIVE):
        if principal.function in ENGAGING_FUNCTIONS:
            return Decision(True, f"{principal.function_label} engages stakeholders")
        return Decision(
            False,
            f"{principal.function_label} does not engage stakeholders; interactions, requests "
            "and insights are recorded by medical, commercial, market access and research",
        )
    if permission == CONSENT_RECORD:
        if principal.function in ENGAGING_FUNCTIONS or principal.function == Function.compliance:
            return Decision(True, f"{principal.function_label} records consents")
        return Decision(False, f"{principal.function_label} does not record consents")
    if permission == PAYMENTS_REPORT:
        if principal.function in (Function.compliance, Function.finance):
            return Decision(True, f"{principal.function_label} reports transfers of value")
        return Decision(
            False, "spend reports are for compliance and finance (transparency reporting)"
        )
    if permission == CHANGE_DECIDE:
        if principal.function == Function.admin or principal.role == Role.admin:
            return Decision(True, "data stewards decide change requests")
        return Decision(False, "only data stewards (administrators) decide change requests")
    if permission == STAKEHOLDER_MERGE:
        if principal.function == Function.admin or principal.role == Role.admin:
            return Decision(True, "data stewards merge duplicate stakeholders")
        return Decision(
            False, "only data stewards (administrators) merge stakeholders or decide duplicates"
        )
    if permission == IMPORT_RUN:
        if principal.function == Function.admin or principal.role == Role.admin:
            return Decision(True, "administrators run imports")
        return Decision(False, "only administrators (data stewards) run imports")
    if permission == NETWORK_READ:
        return Decision(
            True,
            "every function knows who the key stakeholders are; the firewall's network "
            "category decides what more shows",
        )
    if permission == NETWORK_RECOMPUTE:
        if principal.function == Function.admin or principal.role == Role.admin:
            return Decision(True, "administrators recompute the network on demand")
        return Decision(
            False,
            "only administrators recompute the network on demand; it is recomputed every night",
        )
    if permission == TERRITORIES_READ:
        return Decision(True, "every signed-in user reads the territory hierarchy")
    return Decision(False, f"unknown permission {permission!r}")


def require(principal: Principal, permission: str) -> Decision:
    """Raise Forbidden with the reason unless `principal` holds `permission`."""
    decision = check(principal, permission)
    if not decision.allowed:
        raise Forbidden(decision.reason)
    return decision


def has(principal: Principal, permission: str) -> bool:
    return check(principal, permission).allowed
