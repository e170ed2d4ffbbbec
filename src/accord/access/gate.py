"""The one gate for stakeholder data: territory scope first (404), then the firewall per
section. Every read of stakeholder data starts here."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from accord.access.firewall import CATEGORIES, SectionDecision
from accord.access.principal import Principal
from accord.access.scope import in_territories
from accord.errors import NotFound
from accord.policy import service as policy_service
from accord.product.models import LifecycleStage, Product
from accord.stakeholder.models import Stakeholder, StakeholderProduct

T = TypeVar("T")


def visible_stakeholders(stmt: Select[T], principal: Principal) -> Select[T]:
    """Restrict a query that selects from `stakeholder` to the principal's territories.
    A stakeholder in no territory is seen only by those who see every territory."""
    return stmt.where(in_territories(principal, Stakeholder.territory_id))


def get_visible_stakeholder(
    session: Session, principal: Principal, stakeholder_id: int
) -> Stakeholder:
    """The stakeholder, or 404 exactly as if it did not exist when out of scope."""
    stmt = visible_stakeholders(
        select(Stakeholder).where(Stakeholder.id == stakeholder_id), principal
    )
    stakeholder = session.scalars(stmt).one_or_none()
    if stakeholder is None:
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
