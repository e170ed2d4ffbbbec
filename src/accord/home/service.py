"""What the home page shows for each function and role."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from accord.access import gate, permissions
from accord.access.principal import Principal
from accord.audit.models import AuditEntry, AuditVerification
from accord.consent.models import Consent, ConsentStatus
from accord.db.base import utcnow
from accord.insight.models import Insight
from accord.interaction.models import Interaction
from accord.network import service as network_service
from accord.request.models import OPEN_STATUSES, Request, RequestKind
from accord.stakeholder.models import Stakeholder, Tier
from accord.territory import service as territory_service
from accord.territory.models import Territory
from accord.user import service as user_service
from accord.user.models import Function, User


@dataclass(frozen=True)
class PanelRow:
    """One line of a panel: a stakeholder with what the panel says about them."""

    title: str
    href: str
    meta: str
    badge: str | None = None
    badge_kind: str = "neutral"


@dataclass(frozen=True)
class Panel:
    """A card on the home page; `empty` says what to do when there is nothing to show yet."""

    key: str
    title: str
    empty: str
    rows: tuple[PanelRow, ...] = ()


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
            "Requests due",
            "No open requests. When an HCP asks a medical question or for a grant, record it "
            "on their page; it appears here with its due date until medical answers it.",
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
        Panel(
            "speaker_requests",
            "Speaker requests due",
            "No open speaker requests. When an HCP asks to speak on a program, record it on "
            "their page; sales & marketing decides it before its due date.",
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


PANEL_SIZE = 8


def _stakeholder_href(stakeholder_id: int) -> str:
    return f"/stakeholders/{stakeholder_id}"


def _open_requests(
    session: Session, principal: Principal, kinds: tuple[RequestKind, ...]
) -> list[PanelRow]:
    """Open requests the principal's function handles, in their territories, soonest due
    first. Kind and due date only: the question is read on the stakeholder page, through the
    firewall."""
    stmt = (
        gate.visible_stakeholders(
            select(Request.kind, Request.due_date, Stakeholder.id, Stakeholder.name)
            .join(Stakeholder, Stakeholder.id == Request.stakeholder_id)
            .where(
                Request.status.in_(OPEN_STATUSES),
                Request.kind.in_(kinds),
                Request.handling_function == principal.function,
            ),
            principal,
        )
        .order_by(Request.due_date, Request.id)
        .limit(PANEL_SIZE)
    )
    today = utcnow().date()
    return [
        PanelRow(
            title=name,
            href=_stakeholder_href(sid),
            meta=f"{KIND_LABELS[kind]} · due {due.isoformat()}",
            badge="Overdue" if due < today else None,
            badge_kind="error",
        )
        for kind, due, sid, name in session.execute(stmt)
    ]


def _my_insights(session: Session, principal: Principal) -> list[PanelRow]:
    """The principal's own latest insights (own work is always visible)."""
    stmt = (
        gate.visible_stakeholders(
            select(Insight.text, Insight.recorded_at, Stakeholder.id, Stakeholder.name)
            .join(Stakeholder, Stakeholder.id == Insight.stakeholder_id)
            .where(Insight.author_id == principal.user_id),
            principal,
        )
        .order_by(Insight.recorded_at.desc())
        .limit(PANEL_SIZE)
    )
    return [
        PanelRow(
            title=name,
            href=_stakeholder_href(sid),
            meta=f"{at.date().isoformat()} · {text[:90]}{'…' if len(text) > 90 else ''}",
        )
        for text, at, sid, name in session.execute(stmt)
    ]


def _my_week(session: Session, principal: Principal) -> list[PanelRow]:
    """The principal's own interactions of the last seven days."""
    since = utcnow() - timedelta(days=7)
    stmt = (
        gate.visible_stakeholders(
            select(Interaction.channel, Interaction.occurred_at, Stakeholder.id, Stakeholder.name)
            .join(Stakeholder, Stakeholder.id == Interaction.stakeholder_id)
            .where(Interaction.owner_id == principal.user_id, Interaction.occurred_at >= since),
            principal,
        )
        .order_by(Interaction.occurred_at.desc())
        .limit(PANEL_SIZE)
    )
    return [
        PanelRow(
            title=name,
            href=_stakeholder_href(sid),
            meta=f"{channel.value.replace('_', ' ')} · {at.date().isoformat()}",
        )
        for channel, at, sid, name in session.execute(stmt)
    ]


def _withdrawals(session: Session, principal: Principal) -> list[PanelRow]:
    """Consent withdrawals of the last 90 days, newest first (compliance sees consents)."""
    since = utcnow() - timedelta(days=90)
    stmt = (
        gate.visible_stakeholders(
            select(
                Consent.channel,
                Consent.purpose,
                Consent.effective_at,
                Stakeholder.id,
                Stakeholder.name,
            )
            .join(Stakeholder, Stakeholder.id == Consent.stakeholder_id)
            .where(Consent.status == ConsentStatus.withdrawn, Consent.effective_at >= since),
            principal,
        )
        .order_by(Consent.effective_at.desc())
        .limit(PANEL_SIZE)
    )
    return [
        PanelRow(
            title=name,
            href=_stakeholder_href(sid),
            meta=f"{channel.value} · {purpose.value} · {at.date().isoformat()}",
            badge="Withdrawn",
            badge_kind="warning",
        )
        for channel, purpose, at, sid, name in session.execute(stmt)
    ]


def _top(session: Session, principal: Principal) -> list[PanelRow]:
    """Global and national experts in the principal's territories, the most influential first
    (the network's newest snapshot; identity and tier, which every function may see)."""
    ranked = [
        *network_service.top_stakeholders(session, principal, tier=Tier.global_, limit=PANEL_SIZE),
        *network_service.top_stakeholders(session, principal, tier=Tier.national, limit=PANEL_SIZE),
    ][:PANEL_SIZE]
    if ranked:
        return [
            PanelRow(
                title=top.name,
                href=_stakeholder_href(top.id),
                meta=top.specialty or top.type.value.replace("_", " "),
                badge=top.tier.value.capitalize(),
                badge_kind=f"tier tier--{top.tier.value}",
            )
            for top in ranked
        ]
    # no snapshot yet: the tiers as recorded
    order = case(
        (Stakeholder.tier == Tier.global_, 0), (Stakeholder.tier == Tier.national, 1), else_=2
    )
    stmt = (
        gate.visible_stakeholders(
            select(
                Stakeholder.id,
                Stakeholder.name,
                Stakeholder.tier,
                Stakeholder.city,
                Stakeholder.state,
            ).where(Stakeholder.tier.in_([Tier.global_, Tier.national])),
            principal,
        )
        .order_by(order, Stakeholder.sort_name)
        .limit(PANEL_SIZE)
    )
    return [
        PanelRow(
            title=name,
            href=_stakeholder_href(sid),
            meta=", ".join(x for x in (city, state) if x),
            badge=tier.value.capitalize() if tier else None,
            badge_kind=f"tier tier--{tier.value}" if tier else "neutral",
        )
        for sid, name, tier, city, state in session.execute(stmt)
    ]


KIND_LABELS = {
    RequestKind.mir: "Medical information request",
    RequestKind.iss: "ISS proposal",
    RequestKind.grant: "Grant request",
    RequestKind.speaker: "Speaker request",
}

PANEL_ROWS: dict[str, Callable[[Session, Principal], list[PanelRow]]] = {
    "open_requests": lambda s, p: _open_requests(
        s, p, (RequestKind.mir, RequestKind.grant, RequestKind.speaker)
    ),
    "iss": lambda s, p: _open_requests(s, p, (RequestKind.iss,)),
    "speaker_requests": lambda s, p: _open_requests(s, p, (RequestKind.speaker,)),
    "insights": _my_insights,
    "calls": _my_week,
    "consents": _withdrawals,
    "top_stakeholders": _top,
}


def home_for(session: Session, principal: Principal) -> Home:
    """Assemble the principal's home page from what Accord holds for them."""
    territories = list(territory_service.assigned_to(session, principal.user_id))
    home = Home(
        headline=principal.function_label,
        summary=HEADLINES[principal.function],
        territories=territories,
        sees_all_territories=principal.sees_all_territories,
        panels=[
            replace(panel, rows=tuple(PANEL_ROWS[panel.key](session, principal)))
            if panel.key in PANEL_ROWS
            else panel
            for panel in PANELS[principal.function]
        ],
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
