"""Typed factories for tests: stakeholders tied to products, and engagement records."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.db.base import utcnow
from accord.product.models import Product
from accord.stakeholder import service as stakeholder_service
from accord.stakeholder.models import Stakeholder, StakeholderProduct
from accord.stakeholder.schemas import AddressIn, StakeholderCreate


def make_hcp(
    session: Session,
    last: str = "Aldana",
    *,
    city: str = "Boston",
    state: str = "MA",
    products: tuple[str, ...] = (),
    email: str | None = None,
) -> Stakeholder:
    """A cardiologist practising in `city`, related to the products named by code."""
    stakeholder = stakeholder_service.create_stakeholder(
        session,
        None,
        StakeholderCreate(
            type="hcp",  # type: ignore[arg-type]
            first_name="Test",
            last_name=last,
            credentials="MD",
            specialty="207RC0000X",
            address=AddressIn(
                line1="1 Main St", city=city, state=state, postal_code="02115", email=email
            ),
        ),
    )
    for code in products:
        relate(session, stakeholder, code)
    return stakeholder


def product(session: Session, code: str) -> Product:
    return session.scalars(select(Product).where(Product.code == code)).one()


def relate(session: Session, stakeholder: Stakeholder, code: str) -> None:
    session.add(
        StakeholderProduct(
            stakeholder_id=stakeholder.id,
            product_id=product(session, code).id,
            relation="prescriber",
        )
    )
    session.flush()


def days_ago(days: float) -> datetime:
    return utcnow() - timedelta(days=days)
