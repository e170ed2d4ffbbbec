"""The one gate for stakeholder data: territory scope first (404), then the firewall per
section. Every read of stakeholder data starts here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVarTuple

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from accord.access.firewall import CATEGORIES, Level, SectionDecision
from accord.access.principal import Principal
from accord.access.scope import in_territories
from accord.audit import trail
from accord.errors import MergedAway, NotFound
from accord.policy import service as policy_service
from accord.product.models import LifecycleStage, Product
from accord.stakeholder.models import Stakeholder, StakeholderProduct, StakeholderStatus
from accord.user.models import Function, Role

Ts = TypeVarTuple("Ts")


def visible_stakeholders(
    stmt: Select[*Ts], principal: Principal, *, include_merged: bool = False
) -> Select[*Ts]:
    """Restrict a query that selects from `stakeholder` to the principal's territories.
    A stakeholder in no territory is seen only by those who see every territory. A record
    merged into another is hidden from every list, search and view (its survivor stands for
    it); only the stewards' merge history asks for it."""
    stmt = stmt.where(in_territories(principal, Stakeholder.territory_id))
    if not include_merged:
        stmt = stmt.where(Stakeholder.status != StakeholderStatus.merged)
    return stmt


def get_visible_stakeholder(
    session: Session, principal: Principal, stakeholder_id: int, *, include_merged: bool = False
) -> Stakeholder:
    """The stakeholder, or 404 exactly as if it did not exist when out of scope. A merged
    record answers 404 naming its survivor when the principal may see the survivor, else a
    plain 404."""
    stmt = visible_stakeholders(
        select(Stakeholder).where(Stakeholder.id == stakeholder_id),
        principal,
        include_merged=True,
    )
    stakeholder = session.scalars(stmt).one_or_none()
    if stakeholder is None:
        raise NotFound(f"no stakeholder {stakeholder_id}")
    if stakeholder.status == StakeholderStatus.merged and not include_merged:
        survivor_id = stakeholder.merged_into_id
        survivor_visible = (
            survivor_id is not None
            and session.scalars(
                visible_stakeholders(
                    select(Stakeholder.id).where(Stakeholder.id == survivor_id), principal
                )
            ).first()
        )
        if survivor_id is not None and survivor_visible:
            raise MergedAway(
                f"stakeholder {stakeholder_id} was merged into stakeholder {survivor_id}",
                merged_into=survivor_id,
            )
        raise NotFound(f"no stakeholder {stakeholder_id}")
    return stakeholder


def stages_of(session: Session, stakeholder_id: int) -> set[LifecycleStage]:
    stmt = (
        select(Product.lifecycle_stage)
        .join(StakeholderProduct, StakeholderProduct.product_id == Product.id)
        .where(StakeholderProduct.stakeholder_id == stakeholder_id)
    )
    return set(session.scalars(stmt))


def sections_for(
    session: Session, principal: Principal, stakeholder: Stakeholder
) -> dict[str, SectionDecision]:
    """What the principal may see of each category of this stakeholder, with the reason.
    Where the stakeholder relates to products at several stages, the strictest wins."""
    policy = policy_service.current_policy(session)
    stages = stages_of(session, stakeholder.id)
    return {c: policy.section(principal.function, c, stages) for c in CATEGORIES}


#: categories only medical affairs (and compliance) see in full by default; when compliance or
#: an administrator reads them in full, the read itself is audited (FIREWALL.md)
MEDICAL_ONLY_CATEGORIES: tuple[str, ...] = (
    "activities_medical",
    "requests_content",
    "insights",
    "research_involvement",
)


class Lens:
    """What one viewer may see of one stakeholder, category by category and record by record.

    The section level is the strictest cell among the stakeholder's products' stages. A record
    tied to products (an interaction about ONP, a MIR about CVX-201) can only be stricter: its
    products' stages join the stakeholder's, and the strictest applicable rule wins. A user
    always sees in full the records they created themselves.
    """

    def __init__(self, session: Session, principal: Principal, stakeholder: Stakeholder) -> None:
        self.session = session
        self.principal = principal
        self.stakeholder = stakeholder
        self.policy = policy_service.current_policy(session)
        self.stakeholder_stages = frozenset(stages_of(session, stakeholder.id))
        self.sections = {
            c: self.policy.section(principal.function, c, self.stakeholder_stages)
            for c in CATEGORIES
        }
        self._product_stage: dict[int, LifecycleStage] | None = None
        self._record_levels: dict[tuple[str, frozenset[LifecycleStage]], Level] = {}

    def section(self, category: str) -> SectionDecision:
        return self.sections[category]

    def level(self, category: str) -> Level:
        return self.sections[category].level

    def _stages(self) -> dict[int, LifecycleStage]:
        if self._product_stage is None:
            rows = self.session.execute(select(Product.id, Product.lifecycle_stage)).all()
            self._product_stage = {pid: stage for pid, stage in rows}
        return self._product_stage

    def product_stage(self, product_id: int) -> LifecycleStage:
        return self._stages()[product_id]

    def products_below(self, category: str, level: Level) -> list[int]:
        """Products whose stage would make a record of `category` tied to them visible at
        less than `level` to this viewer."""
        return sorted(
            pid
            for pid, stage in self._stages().items()
            if self.policy.level(self.principal.function, stage, category) < level
        )

    def record_level(
        self, category: str, product_ids: Iterable[int] = (), owner_id: int | None = None
    ) -> Level:
        """The level of one record of `category`, tied to `product_ids`, created by `owner_id`."""
        if owner_id is not None and owner_id == self.principal.user_id:
            return Level.full
        stages = frozenset(self.product_stage(p) for p in product_ids)
        key = (category, stages)
        level = self._record_levels.get(key)
        if level is None:
            section = self.sections[category].level
            if stages - self.stakeholder_stages:
                record = self.policy.section(
                    self.principal.function, category, self.stakeholder_stages | stages
                ).level
                level = min(section, record)
            else:
                level = section
            self._record_levels[key] = level
        return level

    def audit_medical_read(self, category: str) -> None:
        """Compliance and administrators reading medical-only data in full leave a trace."""
        reader_is_overseer = (
            self.principal.function in (Function.compliance, Function.admin)
            or self.principal.role == Role.admin
        )
        if reader_is_overseer and category in MEDICAL_ONLY_CATEGORIES:
            trail.record_read(
                self.session,
                entity="stakeholder",
                entity_id=str(self.stakeholder.id),
                field=category,
            )
