"""The complete stakeholder view: every section the viewer may see, each built by the domain
that owns the data and filtered through the viewer's lens (firewall, territories, own work)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from accord.access import gate
from accord.access.firewall import Level
from accord.access.gate import Lens
from accord.access.principal import Principal
from accord.consent import service as consent_service
from accord.engagement import service as engagement_service
from accord.insight import service as insight_service
from accord.interaction import service as interaction_service
from accord.network import service as network_service
from accord.payment import service as payment_service
from accord.request import service as request_service
from accord.science import service as science_service
from accord.stakeholder.service import (
    contact_section,
    identity_section,
    organizational_status_section,
)

TIMELINE_PAGE = 20


def lens_for(session: Session, actor: Principal, stakeholder_id: int) -> Lens:
    """The viewer's lens on one stakeholder; out of territory is 404."""
    return Lens(session, actor, gate.get_visible_stakeholder(session, actor, stakeholder_id))


def view_stakeholder(
    session: Session,
    actor: Principal,
    stakeholder_id: int,
    *,
    timeline_filters: interaction_service.TimelineFilter | None = None,
    timeline_cursor: str | None = None,
) -> dict[str, Any]:
    """Sections in the order of the stakeholder page; a section at none is absent, unless
    it holds records the viewer created (own work is always visible)."""
    lens = lens_for(session, actor, stakeholder_id)
    s = lens.stakeholder
    sections: dict[str, dict[str, Any]] = {}

    def put(category: str, body: dict[str, Any] | None) -> None:
        if body is None:
            return
        decision = lens.section(category)
        sections[category] = {
            "visibility": decision.level.name,
            "reason": decision.reason,
            **body,
        }

    for category, build in (
        ("identity", identity_section),
        ("contact", contact_section),
        ("organizational_status", organizational_status_section),
    ):
        if lens.level(category) > Level.none:
            put(category, build(session, s, lens.level(category)))
    if lens.level("engagement_status") > Level.none:
        put("engagement_status", engagement_service.engagement_section(session, lens))
    if lens.level("channel_preferences") > Level.none:
        put("channel_preferences", engagement_service.channel_preferences_section(session, lens))
    if lens.level("consents") > Level.none:
        put("consents", consent_service.consents_section(session, lens))
    for category, summary in interaction_service.activity_summaries(session, lens).items():
        put(category, {"summary": summary})
    for category, body in request_service.requests_sections(session, lens).items():
        put(category, body)
    put("insights", insight_service.insights_section(session, lens))
    put("research_involvement", science_service.research_involvement_section(session, lens))
    if lens.level("network") > Level.none:
        network = network_service.network_section(session, lens)
        put("network", network.model_dump(mode="json") if network else None)
    if lens.level("payments") > Level.none:
        put("payments", payment_service.payments_section(session, lens))
    items, cursor = interaction_service.timeline(
        session,
        lens,
        filters=timeline_filters or interaction_service.TimelineFilter(),
        limit=TIMELINE_PAGE,
        cursor=timeline_cursor,
    )
    return {
        "id": s.id,
        "name": s.name,
        "type": s.type,
        "sections": sections,
        "timeline": {"items": items, "next_cursor": cursor},
    }
