"""Interactions: recording them under the consent and firewall rules, and reading them back
through the viewer's lens (the timeline in full, the rest as counts)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, false, func, or_, select
from sqlalchemy.orm import Session

from accord.access import gate
from accord.access.firewall import Level
from accord.access.gate import Lens
from accord.access.principal import Principal
from accord.audit import trail
from accord.consent import service as consent_service
from accord.db.base import utcnow
from accord.engagement import service as engagement_service
from accord.errors import Forbidden, InvalidInput, RuleViolation
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
    if actor.function not in ACTIVITY_CATEGORY:
        raise Forbidden(
            f"{actor.function_label} does not engage stakeholders; interactions are recorded "
            "by medical, commercial, market access and research"
        )
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
    for chunk_start in range(0, len(ids), 900):
        chunk = ids[chunk_start : chunk_start + 900]
        rows = session.execute(
            select(InteractionProduct.interaction_id, InteractionProduct.product_id).where(
                InteractionProduct.interaction_id.in_(chunk)
            )
        )
        for interaction_id, product_id in rows:
            out[interaction_id].append(product_id)
    return out


def activity_summaries(session: Session, lens: Lens) -> dict[str, dict[str, Any]]:
    """Per activity category the viewer may see at all: counts per month and channel, the
    date of the last contact and the owning functions, over the records the viewer may see.
    Never notes, topics, products or names (the summary level)."""
    wanted = [c for c in ACTIVITY_CATEGORIES if lens.level(c) > Level.none]
    own_only = [c for c in ACTIVITY_CATEGORIES if c not in wanted]
    functions = [f for c in wanted for f in functions_of(c)]
    clause: ColumnElement[bool] = Interaction.function.in_(functions) if functions else false()
    if own_only:
        mine = and_(
            Interaction.owner_id == lens.principal.user_id,
            Interaction.function.in_([f for c in own_only for f in functions_of(c)]),
        )
        clause = or_(clause, mine)
    rows = session.execute(
        select(
            Interaction.id,
            Interaction.function,
            Interaction.channel,
            Interaction.occurred_at,
            Interaction.owner_id,
        ).where(Interaction.stakeholder_id == lens.stakeholder.id, clause)
    ).all()
    products = _products_of(session, [r.id for r in rows])
    counts: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    last: dict[str, datetime] = {}
    owners: dict[str, Counter[str]] = defaultdict(Counter)
    full: dict[str, int] = Counter()
    for r in rows:
        category = ACTIVITY_CATEGORY[r.function]
        level = lens.record_level(category, products.get(r.id, ()), r.owner_id)
        if level == Level.none:
            continue
        if level == Level.full:
            full[category] += 1
        counts[category][(r.occurred_at.strftime("%Y-%m"), r.channel.value)] += 1
        owners[category][r.function.value] += 1
        if category not in last or r.occurred_at > last[category]:
            last[category] = r.occurred_at
    out: dict[str, dict[str, Any]] = {}
    for category in ACTIVITY_CATEGORIES:
        if category not in counts and category not in wanted:
            continue
        by_month = [
            {"month": month, "channel": channel, "count": n}
            for (month, channel), n in sorted(counts[category].items())
        ]
        out[category] = {
            "total": sum(counts[category].values()),
            "in_full": full[category],
            "last_contact": last[category].isoformat() if category in last else None,
            "owning_functions": sorted(owners[category]),
            "by_month": by_month,
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
    full_functions = [
        f for c in ACTIVITY_CATEGORIES if lens.level(c) == Level.full for f in functions_of(c)
    ]
    clause: ColumnElement[bool] = or_(
        Interaction.function.in_(full_functions) if full_functions else false(),
        Interaction.owner_id == lens.principal.user_id,
    )
    stmt = (
        select(Interaction, User.full_name)
        .join(User, User.id == Interaction.owner_id)
        .where(Interaction.stakeholder_id == lens.stakeholder.id, clause)
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
        stmt = stmt.where(
            Interaction.id.in_(
                select(InteractionProduct.interaction_id).where(
                    InteractionProduct.product_id == product.id
                )
            )
        )
    if cursor:
        key = decode_cursor(cursor)
        try:
            at, after_id = datetime.fromisoformat(key[0]), int(key[1])
        except (TypeError, ValueError, IndexError, KeyError):
            raise InvalidInput("cursor is malformed", field="cursor") from None
        stmt = stmt.where(
            or_(
                Interaction.occurred_at < at,
                and_(Interaction.occurred_at == at, Interaction.id < after_id),
            )
        )
    stmt = stmt.order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
    items: list[dict[str, Any]] = []
    last: Interaction | None = None
    more = False
    batch = size + 1
    offset = 0
    codes = {p.id: p.code for p in session.scalars(select(Product))}
    # records tied to stricter products drop out, so read in batches until the page is full
    while len(items) <= size:
        rows = session.execute(stmt.offset(offset).limit(batch)).all()
        if not rows:
            break
        offset += len(rows)
        products = _products_of(session, [i.id for i, _ in rows])
        for interaction, owner_name in rows:
            category = ACTIVITY_CATEGORY[interaction.function]
            pids = products.get(interaction.id, [])
            if lens.record_level(category, pids, interaction.owner_id) != Level.full:
                continue
            if len(items) == size:
                more = True
                break
            items.append(_read(interaction, category, owner_name, [codes[p] for p in pids]))
            last = interaction
        if more or len(rows) < batch:
            break
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
