"""CSV export of a filtered stakeholder list through the same gate as the list and the view:
territories decide the rows, the firewall decides each cell by the row's product stages."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.access.firewall import STAGES, Level
from accord.access.principal import Principal
from accord.audit import trail
from accord.db.base import utcnow
from accord.engagement.models import EngagementLevel, EngagementStatus
from accord.errors import InvalidInput
from accord.interaction.models import Interaction
from accord.policy import service as policy_service
from accord.product.models import LifecycleStage, Product
from accord.stakeholder import service as stakeholder_service
from accord.stakeholder.models import (
    Address,
    Affiliation,
    Stakeholder,
    StakeholderIdentifier,
    StakeholderProduct,
)

#: more rows than this is a data extract, not an export: narrow the filters or use the API
MAX_ROWS = 100_000
BATCH = 500

#: columns by firewall category and the least level that shows them
COLUMNS: tuple[tuple[str, str, Level], ...] = (
    ("id", "identity", Level.full),
    ("name", "identity", Level.full),
    ("type", "identity", Level.full),
    ("credentials", "identity", Level.full),
    ("specialty", "identity", Level.full),
    ("tier", "identity", Level.full),
    ("npi", "identity", Level.full),
    ("city", "contact", Level.summary),
    ("state", "contact", Level.summary),
    ("address", "contact", Level.full),
    ("postal_code", "contact", Level.full),
    ("phone", "contact", Level.full),
    ("email", "contact", Level.full),
    ("primary_affiliation", "organizational_status", Level.summary),
    ("engagement", "engagement_status", Level.summary),
)


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), BATCH):
        yield list(ids[start : start + BATCH])


def export_csv(
    session: Session, actor: Principal, *, filters: stakeholder_service.StakeholderFilter
) -> str:
    """The stakeholders the actor may see, with the columns the firewall allows for some
    stage; a cell the row's stage forbids is left empty. The export itself is audited."""
    policy = policy_service.current_policy(session)
    fn = actor.function

    def best(category: str) -> Level:
        return max(policy.level(fn, stage, category) for stage in STAGES)

    columns = [(name, cat, least) for name, cat, least in COLUMNS if best(cat) >= least]
    rows: list[Stakeholder] = []
    cursor: str | None = None
    while True:
        page = stakeholder_service.list_stakeholders(
            session, actor, filters=filters, limit=500, cursor=cursor
        )
        rows.extend(page.items)
        if len(rows) > MAX_ROWS:
            raise InvalidInput(
                f"the export would hold more than {MAX_ROWS:,} stakeholders; narrow the filters",
                field="filters",
            )
        cursor = page.next_cursor
        if cursor is None:
            break
    ids = [s.id for s in rows]
    stages: dict[int, set[LifecycleStage]] = defaultdict(set)
    npi: dict[int, str] = {}
    address: dict[int, Address] = {}
    affiliation: dict[int, str] = {}
    recorded: dict[int, list[EngagementLevel]] = defaultdict(list)
    recent: set[int] = set()
    cutoff = utcnow() - timedelta(days=365)
    for chunk in _chunks(ids):
        for sid, stage in session.execute(
            select(StakeholderProduct.stakeholder_id, Product.lifecycle_stage)
            .join(Product, Product.id == StakeholderProduct.product_id)
            .where(StakeholderProduct.stakeholder_id.in_(chunk))
        ):
            stages[sid].add(stage)
        for sid, value in session.execute(
            select(StakeholderIdentifier.stakeholder_id, StakeholderIdentifier.value).where(
                StakeholderIdentifier.stakeholder_id.in_(chunk),
                StakeholderIdentifier.system == "npi",
            )
        ):
            npi[sid] = value
        for found in session.scalars(
            select(Address)
            .where(Address.stakeholder_id.in_(chunk), Address.is_primary)
            .order_by(Address.id)
        ):
            address.setdefault(found.stakeholder_id, found)
        for sid, org in session.execute(
            select(Affiliation.stakeholder_id, Stakeholder.name)
            .join(Stakeholder, Stakeholder.id == Affiliation.organization_id)
            .where(Affiliation.stakeholder_id.in_(chunk), Affiliation.is_primary)
        ):
            affiliation.setdefault(sid, org)
        for sid, engagement in session.execute(
            select(EngagementStatus.stakeholder_id, EngagementStatus.status).where(
                EngagementStatus.stakeholder_id.in_(chunk)
            )
        ):
            recorded[sid].append(engagement)
        recent.update(
            session.scalars(
                select(Interaction.stakeholder_id)
                .where(Interaction.stakeholder_id.in_(chunk))
                .group_by(Interaction.stakeholder_id)
                .having(func.max(Interaction.occurred_at) >= cutoff)
            )
        )
    rank = list(EngagementLevel)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([name for name, _, _ in columns])
    levels: dict[tuple[str, frozenset[LifecycleStage]], Level] = {}
    for s in rows:
        key_stages = frozenset(stages.get(s.id, ()))

        def level(category: str, key_stages: frozenset[LifecycleStage] = key_stages) -> Level:
            key = (category, key_stages)
            if key not in levels:
                levels[key] = policy.section(fn, category, key_stages).level
            return levels[key]

        a = address.get(s.id)
        statuses = recorded.get(s.id, [])
        if s.id in recent:
            statuses = [*statuses, EngagementLevel.engaged]
        values = {
            "id": s.id,
            "name": s.name,
            "type": s.type.value,
            "credentials": s.credentials,
            "specialty": s.primary_specialty_code,
            "tier": s.tier.value if s.tier else None,
            "npi": npi.get(s.id),
            "city": s.city,
            "state": s.state,
            "address": " ".join(x for x in (a.line1, a.line2) if x) if a else None,
            "postal_code": a.postal_code if a else None,
            "phone": a.phone if a else None,
            "email": a.email if a else None,
            "primary_affiliation": affiliation.get(s.id),
            "engagement": max(statuses, key=rank.index).value
            if statuses
            else EngagementLevel.not_engaged.value,
        }
        writer.writerow(
            [
                values[name] if level(category) >= least else None
                for name, category, least in columns
            ]
        )
    trail.record_read(
        session, entity="stakeholder", entity_id="*", field=f"export of {len(rows)} rows"
    )
    return out.getvalue()
