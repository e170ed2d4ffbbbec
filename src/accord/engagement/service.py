"""Engagement status per function and overall, channel preferences (stated and inferred),
and who should engage next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.access import gate, permissions
from accord.access.firewall import Level
from accord.access.gate import Lens
from accord.access.principal import Principal
from accord.audit import trail
from accord.db.base import utcnow
from accord.engagement.models import (
    ChannelPreference,
    EngagementLevel,
    EngagementStatus,
    Preference,
)
from accord.engagement.schemas import ChannelPreferenceCreate, EngagementStatusSet
from accord.user.models import FUNCTION_LABELS, Function, User

ENGAGING_FUNCTIONS: tuple[Function, ...] = (
    Function.medical,
    Function.commercial,
    Function.market_access,
    Function.research,
)
#: a function that interacted within this window counts as engaged even without a status
RECENT = timedelta(days=365)
#: inferred preferences need this many attempts on a channel before they say anything
MIN_ATTEMPTS = 3


def do_not_contact_since(session: Session, stakeholder_id: int) -> datetime | None:
    """When any function recorded that the stakeholder asked not to be contacted."""
    return session.scalar(
        select(func.min(EngagementStatus.changed_at)).where(
            EngagementStatus.stakeholder_id == stakeholder_id,
            EngagementStatus.status == EngagementLevel.do_not_contact,
        )
    )


def set_status(
    session: Session, actor: Principal, stakeholder_id: int, data: EngagementStatusSet
) -> EngagementStatus:
    """Record the actor's function's relationship; do_not_contact from any function stops
    every function's outreach."""
    stakeholder = gate.get_visible_stakeholder(session, actor, stakeholder_id)
    permissions.require(actor, permissions.ENGAGEMENT_RECORD)
    row = session.scalars(
        select(EngagementStatus).where(
            EngagementStatus.stakeholder_id == stakeholder.id,
            EngagementStatus.function == actor.function,
        )
    ).first()
    with trail.reason(session, data.reason):
        if row is None:
            row = EngagementStatus(stakeholder_id=stakeholder.id, function=actor.function)
            session.add(row)
        row.status = data.status
        row.reason = data.reason
        row.lead_user_id = actor.user_id
        row.changed_at = utcnow()
        session.flush()
    return row


def record_preference(
    session: Session, actor: Principal, stakeholder_id: int, data: ChannelPreferenceCreate
) -> ChannelPreference:
    stakeholder = gate.get_visible_stakeholder(session, actor, stakeholder_id)
    permissions.require(actor, permissions.ENGAGEMENT_RECORD)
    preference = ChannelPreference(
        stakeholder_id=stakeholder.id,
        channel=data.channel,
        preference=data.preference,
        source=data.source,
        recorded_by_id=actor.user_id,
        recorded_at=utcnow(),
    )
    with trail.reason(session, f"stated preference: {data.channel.value} {data.preference.value}"):
        session.add(preference)
        session.flush()
    return preference


@dataclass(frozen=True)
class FunctionStatus:
    function: Function
    status: EngagementLevel
    lead: str | None
    reason: str | None
    since: datetime | None
    recorded: bool


def statuses(session: Session, stakeholder_id: int) -> list[FunctionStatus]:
    """Each engaging function's status: recorded, else engaged when it interacted within a
    year, else not_engaged."""
    from accord.interaction import service as interaction_service

    rows = session.execute(
        select(EngagementStatus, User.full_name)
        .outerjoin(User, User.id == EngagementStatus.lead_user_id)
        .where(EngagementStatus.stakeholder_id == stakeholder_id)
    ).all()
    recorded = {row.function: (row, name) for row, name in rows}
    last = interaction_service.last_contact_by_function(session, stakeholder_id)
    cutoff = utcnow() - RECENT
    out = []
    for function in ENGAGING_FUNCTIONS:
        if function in recorded:
            row, name = recorded[function]
            out.append(FunctionStatus(function, row.status, name, row.reason, row.changed_at, True))
        elif function in last and last[function] >= cutoff:
            out.append(
                FunctionStatus(
                    function,
                    EngagementLevel.engaged,
                    None,
                    f"interacted on {last[function].date().isoformat()}",
                    last[function],
                    False,
                )
            )
        else:
            out.append(
                FunctionStatus(function, EngagementLevel.not_engaged, None, None, None, False)
            )
    return out


_RANK = {
    EngagementLevel.not_engaged: 0,
    EngagementLevel.engaged: 1,
    EngagementLevel.collaborating: 2,
    EngagementLevel.do_not_contact: 3,
}


def overall(per_function: list[FunctionStatus]) -> EngagementLevel:
    """do_not_contact from anyone wins; otherwise the closest relationship any team has."""
    return max(
        (s.status for s in per_function), key=_RANK.__getitem__, default=EngagementLevel.not_engaged
    )


def engagement_section(session: Session, lens: Lens) -> dict[str, Any]:
    """Full: per-function status, lead and reason. Summary: the overall status only.
    Both carry who should engage next."""
    from accord.engagement import next_engagement

    per_function = statuses(session, lens.stakeholder.id)
    body: dict[str, Any] = {
        "overall": overall(per_function).value,
        "next": next_engagement.who_should_engage_next(session, lens, per_function).as_dict(),
    }
    if lens.level("engagement_status") == Level.full:
        body["functions"] = [
            {
                "function": s.function.value,
                "label": FUNCTION_LABELS[s.function],
                "status": s.status.value,
                "lead": s.lead,
                "reason": s.reason,
                "since": s.since.isoformat() if s.since else None,
                "recorded": s.recorded,
            }
            for s in per_function
        ]
    return body


def channel_preferences_section(session: Session, lens: Lens) -> dict[str, Any]:
    """Stated preferences (the latest per channel; their source in full only) and preferences
    inferred from a year of responses: the share of attempts on a channel that got an answer."""
    from accord.interaction import service as interaction_service

    stated_rows = session.scalars(
        select(ChannelPreference)
        .where(ChannelPreference.stakeholder_id == lens.stakeholder.id)
        .order_by(ChannelPreference.recorded_at, ChannelPreference.id)
    )
    stated: dict[str, ChannelPreference] = {}
    for row in stated_rows:
        stated[row.channel.value] = row
    rates = interaction_service.response_rates(
        session, lens.stakeholder.id, since=utcnow() - RECENT
    )
    inferred = []
    for channel, (attempts, responses) in rates.items():
        if attempts < MIN_ATTEMPTS:
            continue
        rate = responses / attempts
        preference = (
            Preference.preferred
            if rate >= 0.6
            else Preference.acceptable
            if rate >= 0.25
            else Preference.avoid
        )
        inferred.append(
            {
                "channel": channel.value,
                "preference": preference.value,
                "response_rate": round(rate, 2),
                "attempts": attempts,
            }
        )
    inferred.sort(key=lambda p: (-float(p["response_rate"]), str(p["channel"])))
    full = lens.level("channel_preferences") == Level.full
    return {
        "stated": [
            {
                "channel": channel,
                "preference": p.preference.value,
                # who said it and when is detail; a summary keeps the preference itself
                **({"source": p.source, "recorded_at": p.recorded_at.isoformat()} if full else {}),
            }
            for channel, p in sorted(stated.items())
        ],
        "inferred": inferred,
    }
