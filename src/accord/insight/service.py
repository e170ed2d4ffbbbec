"""Insights: recorded by the field, read in full by those the firewall allows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.access import gate, permissions
from accord.access.firewall import Level
from accord.access.gate import Lens
from accord.access.principal import Principal
from accord.audit import trail
from accord.db.base import utcnow
from accord.errors import InvalidInput
from accord.insight.models import Insight
from accord.insight.schemas import InsightCreate
from accord.product import service as product_service
from accord.product.models import Product
from accord.user.models import User


def record_insight(
    session: Session, actor: Principal, stakeholder_id: int, data: InsightCreate
) -> Insight:
    stakeholder = gate.get_visible_stakeholder(session, actor, stakeholder_id)
    permissions.require(actor, permissions.ENGAGEMENT_RECORD)
    product = product_service.get_product(session, data.product) if data.product else None
    topics = [t.strip() for t in data.topics if t.strip()]
    for index, topic in enumerate(topics):
        if len(topic) > 60:
            raise InvalidInput("a topic is at most 60 characters", field=f"topics[{index}]")
    insight = Insight(
        stakeholder_id=stakeholder.id,
        author_id=actor.user_id,
        function=actor.function,
        product_id=product.id if product else None,
        text=data.text.strip(),
        topics=topics,
        sentiment=data.sentiment,
        recorded_at=utcnow(),
    )
    with trail.reason(session, "insight recorded"):
        session.add(insight)
        session.flush()
    return insight


def insights_section(session: Session, lens: Lens) -> dict[str, Any] | None:
    """Full: text, topics, sentiment, author. Summary: the count only (themes need at least
    five stakeholders, which one stakeholder's view never has)."""
    rows = session.execute(
        select(Insight, User.full_name, Product.code)
        .join(User, User.id == Insight.author_id)
        .outerjoin(Product, Product.id == Insight.product_id)
        .where(Insight.stakeholder_id == lens.stakeholder.id)
        .order_by(Insight.recorded_at.desc(), Insight.id.desc())
    ).all()
    levels = [
        lens.record_level("insights", [i.product_id] if i.product_id else [], i.author_id)
        for i, _, _ in rows
    ]
    if lens.level("insights") == Level.none and Level.full not in levels:
        return None
    items = [
        {
            "id": i.id,
            "text": i.text,
            "topics": list(i.topics or []),
            "sentiment": i.sentiment.value if i.sentiment else None,
            "product": code,
            "function": i.function.value,
            "author": author,
            "recorded_at": i.recorded_at.isoformat(),
        }
        for (i, author, code), level in zip(rows, levels, strict=True)
        if level == Level.full
    ]
    if items:
        lens.audit_medical_read("insights")
    return {"count": sum(1 for level in levels if level > Level.none), "items": items}
