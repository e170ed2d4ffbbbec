"""Who in the company should engage this stakeholder next, and why, computed from the data.

The rules run in order and the first that applies decides. They say that a matter exists,
never what it is about, so the sentence is safe for everyone who may see engagement status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.access.firewall import Level
from accord.access.gate import Lens
from accord.consent import service as consent_service
from accord.db.base import utcnow
from accord.engagement.models import EngagementLevel
from accord.insight.models import Insight
from accord.interaction.models import Interaction
from accord.product.models import LifecycleStage
from accord.request.models import OPEN_STATUSES, Request, RequestKind
from accord.stakeholder.models import StakeholderType, Tier
from accord.user.models import FUNCTION_LABELS, Function

#: a withdrawal this recent means the stakeholder wants a rest from everyone
WITHDRAWAL_PAUSE = timedelta(days=90)
#: a coverage change reported this recently makes market access the lead
COVERAGE_WINDOW = timedelta(days=60)
COVERAGE_TOPICS = frozenset({"coverage change", "formulary change", "prior authorization"})
PAYER_TYPES = frozenset(
    {
        StakeholderType.payer,
        StakeholderType.health_plan,
        StakeholderType.pbm,
        StakeholderType.payer_official,
    }
)
SCIENTIFIC_TYPES = frozenset(
    {
        StakeholderType.researcher,
        StakeholderType.regulator_official,
        StakeholderType.regulatory_agency,
        StakeholderType.academic_medical_center,
        StakeholderType.professional_society,
    }
)
UNAPPROVED = frozenset({LifecycleStage.development, LifecycleStage.pre_launch})


@dataclass(frozen=True)
class NextEngagement:
    function: Function | None
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "function": self.function.value if self.function else None,
            "label": FUNCTION_LABELS[self.function] if self.function else "Nobody",
            "reason": self.reason,
        }


def who_should_engage_next(session: Session, lens: Lens, per_function: Any) -> NextEngagement:
    from accord.engagement.service import overall

    stakeholder = lens.stakeholder
    now = utcnow()
    if overall(per_function) == EngagementLevel.do_not_contact:
        return NextEngagement(None, "the stakeholder asked not to be contacted")
    withdrawal = consent_service.latest_withdrawal(session, stakeholder.id)
    if withdrawal is not None and withdrawal.effective_at >= now - WITHDRAWAL_PAUSE:
        return NextEngagement(
            None,
            f"{withdrawal.channel.value} consent for {withdrawal.purpose.value} communication "
            f"was withdrawn on {withdrawal.effective_at.date().isoformat()}; give it a rest",
        )
    open_requests = session.execute(
        select(Request.kind, Request.handling_function, Request.due_date)
        .where(Request.stakeholder_id == stakeholder.id, Request.status.in_(OPEN_STATUSES))
        .order_by(Request.due_date)
    ).all()
    sees_requests = lens.level("requests_existence") > Level.none
    for kind, handling, due in open_requests:
        if handling == Function.medical:
            what = {
                RequestKind.mir: "a medical information request",
                RequestKind.iss: "an investigator-sponsored study proposal",
                RequestKind.grant: "a grant request",
            }.get(kind, "a request")
            reason = (
                f"{what} is open, due {due.isoformat()}; medical answers first"
                if sees_requests
                else "medical affairs has an open matter with this stakeholder"
            )
            return NextEngagement(Function.medical, reason)
    since = now - COVERAGE_WINDOW
    coverage_dates = [
        at
        for topics, at in session.execute(
            select(Insight.topics, Insight.recorded_at).where(
                Insight.stakeholder_id == stakeholder.id, Insight.recorded_at >= since
            )
        )
        if COVERAGE_TOPICS & {t.lower() for t in topics or []}
    ] + [
        at
        for topics, at in session.execute(
            select(Interaction.topics, Interaction.occurred_at).where(
                Interaction.stakeholder_id == stakeholder.id, Interaction.occurred_at >= since
            )
        )
        if COVERAGE_TOPICS & {t.lower() for t in topics or []}
    ]
    if coverage_dates:
        return NextEngagement(
            Function.market_access,
            f"a coverage change was reported on {max(coverage_dates).date().isoformat()}",
        )
    for _kind, handling, due in open_requests:
        if handling == Function.commercial:
            return NextEngagement(
                Function.commercial,
                f"a speaker request is open, due {due.isoformat()}"
                if sees_requests
                else "sales & marketing has an open matter with this stakeholder",
            )
    if stakeholder.type in PAYER_TYPES:
        return NextEngagement(
            Function.market_access, "payers and plans are engaged by market access"
        )
    stages = lens.stakeholder_stages
    if stages and stages <= UNAPPROVED:
        return NextEngagement(
            Function.medical,
            "every product this stakeholder relates to is before approval: scientific "
            "exchange only",
        )
    closest = [
        s
        for s in per_function
        if s.status in (EngagementLevel.engaged, EngagementLevel.collaborating)
    ]
    if closest:
        lead = max(
            closest,
            key=lambda s: (
                s.status == EngagementLevel.collaborating,
                s.since or now - 10 * WITHDRAWAL_PAUSE,
            ),
        )
        verb = "collaborates with" if lead.status == EngagementLevel.collaborating else "engaged"
        when = f" (last on {lead.since.date().isoformat()})" if lead.since else ""
        return NextEngagement(
            lead.function,
            f"{FUNCTION_LABELS[lead.function].lower()} {verb} this stakeholder most closely{when}",
        )
    if stakeholder.type in SCIENTIFIC_TYPES or stakeholder.tier in (Tier.global_, Tier.national):
        return NextEngagement(
            Function.medical,
            "not engaged yet; a scientific leader is met first by medical affairs",
        )
    if stakeholder.type == StakeholderType.hcp and stages - UNAPPROVED:
        return NextEngagement(
            Function.commercial, "not engaged yet, and prescribes in an approved product's area"
        )
    return NextEngagement(Function.medical, "not engaged yet by any team")
