"""What the home page shows for each function and role."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.access import permissions
from accord.access.principal import Principal
from accord.audit.models import AuditEntry, AuditVerification
from accord.db.base import utcnow
from accord.territory import service as territory_service
from accord.territory.models import Territory
from accord.user import service as user_service
from accord.user.models import Function, User


@dataclass(frozen=True)
class Panel:
    """A card on the home page; `empty` says what to do when there is nothing to show yet."""

    key: str
    title: str
    empty: str


@dataclass(frozen=True)
class TeamMember:
    username: str
    full_name: str
    function: Function
    role: str
    territories: list[str]


@dataclass(frozen=True)
class Stat:
    label: str
    value: str
    hint: str = ""


@dataclass
class Home:
    headline: str
    summary: str
    territories: list[Territory]
    sees_all_territories: bool
    panels: list[Panel]
    team: list[TeamMember] = field(default_factory=list)
    stats: list[Stat] = field(default_factory=list)
    last_verification: AuditVerification | None = None


SUGGESTIONS = Panel(
    "suggestions",
    "My suggestions today",
    "No suggestions yet. Once stakeholders are loaded, the orchestration engine proposes each "
    "morning who to engage, through which channel, and why.",
)
TOP = Panel(
    "top_stakeholders",
    "My top stakeholders",
    "No stakeholders in your territories yet. Load them with `accord import nppes` or "
    "`accord generate`; the influence network then ranks them here.",
)

PANELS: dict[Function, tuple[Panel, ...]] = {
    Function.medical: (
        SUGGESTIONS,
        Panel(
            "open_requests",
            "Medical information requests due",
            "No open requests. When an HCP asks a medical question, record it on their page; "
            "it appears here with its due date until medical answers it.",
        ),
        Panel(
            "insights",
            "Recent field insights",
            "No insights yet. Capture what you hear after each scientific exchange; themes "
            "across your territory show here.",
        ),
        TOP,
    ),
    Function.commercial: (
        SUGGESTIONS,
        Panel(
            "calls",
            "Calls and approved emails this week",
            "Nothing planned yet. Log a call or send an approved email from a stakeholder's "
            "page; consent and frequency caps are checked for you.",
        ),
        TOP,
    ),
    Function.market_access: (
        Panel(
            "coverage",
            "Coverage changes",
            "No formulary changes recorded. When a payer changes coverage, the affected "
            "stakeholders and teams are told here.",
        ),
        Panel(
            "accounts",
            "Payers and health plans",
            "No payers loaded yet. Import organizations to see plans and their formulary "
            "status per product.",
        ),
        SUGGESTIONS,
    ),
    Function.research: (
        Panel(
            "trials",
            "Trials and sites",
            "No trials loaded yet. Import ClinicalTrials.gov records to see sites and "
            "investigators.",
        ),
        Panel(
            "iss",
            "Investigator-sponsored study proposals",
            "No ISS proposals yet. Proposals recorded by medical appear here for review.",
        ),
        TOP,
    ),
    Function.compliance: (
        Panel(
            "policy",
            "Firewall policy",
            "The default medical/commercial firewall applies. Review it before go-live.",
        ),
        Panel(
            "consents",
            "Consent withdrawals",
            "No consent withdrawals recorded. Withdrawals apply everywhere the moment they "
            "are recorded and are listed here.",
        ),
    ),
    Function.finance: (
        Panel(
            "payments",
            "Transfers of value to report",
            "No payments loaded yet. Import CMS Open Payments files to reconcile spend per "
            "stakeholder and year.",
        ),
        TOP,
    ),
    Function.operations: (TOP,),
    Function.admin: (),
}

HEADLINES: dict[Function, str] = {
    Function.medical: "Scientific exchange, requests and insights in your territories.",
    Function.commercial: "Your calls, approved emails and top stakeholders.",
    Function.market_access: "Payers, formularies and coverage changes.",
    Function.research: "Trials, sites, investigators and study proposals.",
    Function.compliance: "The firewall, consents and the audit trail.",
    Function.finance: "Transparency reporting and who the top stakeholders are.",
    Function.operations: "Who the top stakeholders are.",
    Function.admin: "Users, roles and territories.",
}


def home_for(session: Session, principal: Principal) -> Home:
    """Assemble the principal's home page from what Accord holds for them."""
    territories = list(territory_service.assigned_to(session, principal.user_id))
    home = Home(
        headline=principal.function_label,
        summary=HEADLINES[principal.function],
        territories=territories,
        sees_all_territories=principal.sees_all_territories,
        panels=list(PANELS[principal.function]),
    )
    if len(principal.team_ids) > 1:
        reports = [
            u
            for u in user_service.list_users(session, principal, limit=500).items
            if u.id != principal.user_id
        ]
        codes = territory_service.codes_by_user(session, [u.id for u in reports])
        home.team = [
            TeamMember(u.username, u.full_name, u.function, u.role.value, codes[u.id])
            for u in reports
        ]
    if permissions.has(principal, permissions.AUDIT_READ):
        since = utcnow() - timedelta(days=1)
        total = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
        recent = (
            session.scalar(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.occurred_at >= since)
            )
            or 0
        )
        home.stats += [
            Stat("Audit entries", f"{total:,}", "in the hash-chained trail"),
            Stat("Last 24 hours", f"{recent:,}", "changes recorded"),
        ]
        home.last_verification = session.scalars(
            select(AuditVerification).order_by(AuditVerification.id.desc()).limit(1)
        ).one_or_none()
    if permissions.has(principal, permissions.USERS_MANAGE):
        by_function = dict(
            session.execute(select(User.function, func.count()).group_by(User.function)).all()
        )
        now = utcnow()
        locked = (
            session.scalar(select(func.count()).select_from(User).where(User.locked_until > now))
            or 0
        )
        home.stats += [
            Stat("Users", f"{sum(by_function.values()):,}", f"in {len(by_function)} functions"),
            Stat("Locked accounts", f"{locked:,}", "after repeated failed sign-ins"),
            Stat(
                "Territories",
                f"{len(territory_service.all_territories(session)):,}",
                "nation, regions and territories",
            ),
        ]
    return home
