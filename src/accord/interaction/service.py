"""Interactions: recording them under the consent and firewall rules, and reading them back
through the viewer's lens (the timeline in full, the rest as counts)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, false, func, or_, select
from sqlalchemy.orm import Session

from accord.access import gate, permissions
from accord.access.firewall import Level
from accord.access.gate import Lens
from accord.access.principal import Principal
from accord.audit import trail
from accord.consent import service as consent_service
from accord.db.base import utcnow
from accord.engagement import service as engagement_service
from accord.errors import InvalidInput, RuleViolation
from accord.interaction.models import (
    CONSENT_CHANNEL,
    DEFAULT_PURPOSE,
    EVENT_CHANNELS,
    Channel,
    Interaction,
    InteractionProduct,
    Outcome,
    Purpose,
)
from accord.interaction.schemas import InteractionCreate
from accord.pagination import check_limit, decode_cursor, encode_cursor
from accord.product import service as product_service
from accord.product.models import LifecycleStage, Product
from accord.user.models import Function, User

#: the firewall category an interaction falls in, by the function that owned it. Research
#: (clinical operations) exchange is scientific and non-promotional, so it sits with medical.
ACTIVITY_CATEGORY: dict[Function, str] = {
    Function.medical: "activities_medical",
    Function.research: "activities_medical",
    Function.commercial: "activities_commercial",
    Function.market_access: "activities_market_access",
}
ACTIVITY_CATEGORIES: tuple[str, ...] = (
    "activities_medical",
    "activities_commercial",
    "activities_market_access",
)
#: an approved product may be promoted; an investigational or not-yet-approved one may not
UNAPPROVED_STAGES = frozenset({LifecycleStage.development, LifecycleStage.pre_launch})


def functions_of(category: str) -> list[Function]:
    return [f for f, c in ACTIVITY_CATEGORY.items() if c == category]


def record_interaction(
    session: Session, actor: Principal, stakeholder_id: int, data: InteractionCreate
) -> Interaction:
    """Log a touchpoint. Refused when the stakeholder asked not to be contacted, when the
    consent for this channel and purpose is withdrawn, and when commercial would promote a
    product that is not approved (21 CFR 312.7: no promotion of investigational products)."""
    stakeholder = gate.get_visible_stakeholder(session, actor, stakeholder_id)
    permissions.require(actor, permissions.ENGAGEMENT_RECORD)
    now = utcnow()
    if data.occurred_at > now + timedelta(minutes=5):
        raise InvalidInput("an interaction is recorded after it happens", field="occurred_at")
    products = product_service.products_by_code(session, data.products, field="products")
    if data.channel in EVENT_CHANNELS:
        purpose = data.purpose or Purpose.events
    else:
        purpose = data.purpose or DEFAULT_PURPOSE[actor.function]
    if actor.function == Function.commercial:
        for index, product in enumerate(products):
            if product.lifecycle_stage in UNAPPROVED_STAGES:
                raise RuleViolation(
                    f"{product.code} is at {product.lifecycle_stage.value}: commercial may not "
                    "discuss a product before approval (21 CFR 312.7)",
                    field=f"products[{index}]",
                )
        if purpose in (Purpose.scientific, Purpose.research):
            raise RuleViolation(
                "commercial interactions are promotional or about events", field="purpose"
            )
    blocked = engagement_service.do_not_contact_since(session, stakeholder.id)
    if blocked is not None and data.occurred_at >= blocked:
        raise RuleViolation(
            f"{stakeholder.name} asked not to be contacted on {blocked.date().isoformat()}",
            field="stakeholder",
        )
    consent_channel = CONSENT_CHANNEL[data.channel]
    if consent_channel is not None:
        withdrawn = consent_service.withdrawn_at(
            session, stakeholder.id, channel=consent_channel, purpose=purpose, at=data.occurred_at
        )
        if withdrawn is not None:
            raise RuleViolation(
                f"{stakeholder.name} withdrew {consent_channel} consent for {purpose.value} "
                f"communication on {withdrawn.date().isoformat()}",
                field="channel",
            )
    topics = [t.strip() for t in data.topics if t.strip()]
    interaction = Interaction(
        stakeholder_id=stakeholder.id,
        owner_id=actor.user_id,
        function=actor.function,
        channel=data.channel,
        purpose=purpose,
        occurred_at=data.occurred_at,
        outcome=data.outcome,
        topics=topics,
        notes=data.notes,
        created_at=now,
    )
    with trail.reason(session, f"{data.channel.value} interaction recorded"):
        session.add(interaction)
        session.flush()
        for product in products:
            session.add(InteractionProduct(interaction_id=interaction.id, product_id=product.id))
        session.flush()
    return interaction


# --- reading through the lens -------------------------------------------------------------


@dataclass(frozen=True)
class TimelineFilter:
    channel: Channel | None = None
    function: Function | None = None
    product: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def _products_of(session: Session, ids: list[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = defaultdict(list)
    if ids:
        rows = session.execute(
            select(InteractionProduct.interaction_id, InteractionProduct.product_id).where(
                InteractionProduct.interaction_id.in_(ids)
            )
        )
        for interaction_id, product_id in rows:
            out[interaction_id].append(product_id)
    return out


def _tied_to(product_ids: list[int]) -> ColumnElement[bool]:
    """The interaction is about one of these products."""
    if not product_ids:
        return false()
    return (
        select(InteractionProduct.interaction_id)
        .where(
            InteractionProduct.interaction_id == Interaction.id,
            InteractionProduct.product_id.in_(product_ids),
        )
        .exists()
    )


def _month(session: Session) -> ColumnElement[str]:
    """The UTC calendar month of occurred_at as YYYY-MM, in the database's dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", Interaction.occurred_at), "YYYY-MM")
    return func.strftime("%Y-%m", Interaction.occurred_at)


def _readable(lens: Lens, category: str, level: Level) -> ColumnElement[bool]:
    """Records of `category` the viewer reads at `level` or better: their own, or, when the
    section allows it, those not tied to a product whose stage makes them stricter."""
    mine = Interaction.owner_id == lens.principal.user_id
    if lens.level(category) < level:
        return mine
    return or_(mine, ~_tied_to(lens.products_below(category, level)))


def activity_summaries(session: Session, lens: Lens) -> dict[str, dict[str, Any]]:
    """Per activity category the viewer may see at all: counts per month and channel, the
    date of the last contact and the owning functions, over the records the viewer may see.
    Never notes, topics, products or names (the summary level). Aggregated in the database."""
    month = _month(session)
    out: dict[str, dict[str, Any]] = {}
    for category in ACTIVITY_CATEGORIES:
        section = lens.level(category)
        visible = _readable(lens, category, Level.summary)
        in_full = _readable(lens, category, Level.full)
        rows = session.execute(
            select(
                Interaction.function,
                month,
                Interaction.channel,
                func.count(),
                func.sum(case((in_full, 1), else_=0)),
                func.max(Interaction.occurred_at),
            )
            .where(
                Interaction.stakeholder_id == lens.stakeholder.id,
                Interaction.function.in_(functions_of(category)),
                visible,
            )
            .group_by(Interaction.function, month, Interaction.channel)
            .order_by(month, Interaction.channel)
        ).all()
        if not rows and section == Level.none:
            continue
        counts: Counter[tuple[str, str]] = Counter()
        owners: set[str] = set()
        full = 0
        last: datetime | None = None
        for function, month_key, channel, n, n_full, latest in rows:
            counts[(str(month_key), channel.value)] += int(n)
            owners.add(function.value)
            full += int(n_full or 0)
            if latest is not None and (last is None or latest > last):
                last = latest
        out[category] = {
            "total": sum(counts.values()),
            "in_full": full,
            "last_contact": last.isoformat() if last else None,
            "owning_functions": sorted(owners),
            "by_month": [
                {"month": m, "channel": c, "count": n} for (m, c), n in sorted(counts.items())
            ],
        }
    return out


def timeline(
    session: Session,
    lens: Lens,
    *,
    filters: TimelineFilter = TimelineFilter(),
    limit: int | None = None,
    cursor: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """The interactions the viewer may read in full, newest first, across teams and channels.
    The cursor is the (occurred_at, id) of the last item."""
    size = check_limit(limit)
    readable = or_(
        *(
            and_(Interaction.function.in_(functions_of(c)), _readable(lens, c, Level.full))
            for c in ACTIVITY_CATEGORIES
        )
    )
    stmt = (
        select(Interaction, User.full_name)
        .join(User, User.id == Interaction.owner_id)
        .where(Interaction.stakeholder_id == lens.stakeholder.id, readable)
    )
    if filters.channel:
        stmt = stmt.where(Interaction.channel == filters.channel)
    if filters.function:
        stmt = stmt.where(Interaction.function == filters.function)
    if filters.since:
        stmt = stmt.where(Interaction.occurred_at >= filters.since)
    if filters.until:
        stmt = stmt.where(Interaction.occurred_at < filters.until)
    if filters.product:
        product = product_service.get_product(session, filters.product)
        stmt = stmt.where(_tied_to([product.id]))
    if cursor:
        key = decode_cursor(cursor)
        try:
            at, after_id = datetime.fromisoformat(key[0]), int(key[1])
        except (TypeError, ValueError, IndexError, KeyError):
            raise InvalidInput("cursor is malformed", field="cursor") from None
        if at.tzinfo is None:
            raise InvalidInput("cursor is malformed", field="cursor")
        stmt = stmt.where(
            or_(
                Interaction.occurred_at < at,
                and_(Interaction.occurred_at == at, Interaction.id < after_id),
            )
        )
    stmt = stmt.order_by(Interaction.occurred_at.desc(), Interaction.id.desc()).limit(size + 1)
    rows = session.execute(stmt).all()
    more = len(rows) > size
    rows = rows[:size]
    products = _products_of(session, [i.id for i, _ in rows])
    codes = {pid: code for pid, code in session.execute(select(Product.id, Product.code))}
    items = [
        _read(
            interaction,
            ACTIVITY_CATEGORY[interaction.function],
            owner_name,
            sorted(codes[p] for p in products.get(interaction.id, [])),
        )
        for interaction, owner_name in rows
    ]
    last = rows[-1][0] if rows else None
    next_cursor = encode_cursor([last.occurred_at.isoformat(), last.id]) if more and last else None
    for category in {i["category"] for i in items}:
        lens.audit_medical_read(category)
    return items, next_cursor


def _read(
    interaction: Interaction, category: str, owner_name: str, products: list[str]
) -> dict[str, Any]:
    return {
        "id": interaction.id,
        "stakeholder_id": interaction.stakeholder_id,
        "category": category,
        "function": interaction.function.value,
        "channel": interaction.channel,
        "purpose": interaction.purpose,
        "occurred_at": interaction.occurred_at,
        "outcome": interaction.outcome,
        "owner": owner_name,
        "products": products,
        "topics": list(interaction.topics or []),
        "notes": interaction.notes,
    }


def response_rates(
    session: Session, stakeholder_id: int, *, since: datetime
) -> dict[Channel, tuple[int, int]]:
    """(attempts, responses) per channel since a date: the evidence for inferred preferences."""
    rows = session.execute(
        select(
            Interaction.channel,
            func.count(),
            func.sum(case((Interaction.outcome == Outcome.no_response, 0), else_=1)),
        )
        .where(Interaction.stakeholder_id == stakeholder_id, Interaction.occurred_at >= since)
        .group_by(Interaction.channel)
    ).all()
    return {channel: (int(n), int(responded or 0)) for channel, n, responded in rows}


def last_contact_by_function(session: Session, stakeholder_id: int) -> dict[Function, datetime]:
    rows = session.execute(
        select(Interaction.function, func.max(Interaction.occurred_at))
        .where(Interaction.stakeholder_id == stakeholder_id)
        .group_by(Interaction.function)
    ).all()
    return {function: at for function, at in rows if at is not None}
