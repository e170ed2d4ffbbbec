"""Products and therapeutic areas."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit import trail
from accord.errors import Conflict, InvalidInput
from accord.product.models import LifecycleStage, Product, TherapeuticArea


def list_products(session: Session) -> Sequence[tuple[Product, TherapeuticArea]]:
    """Every product with its therapeutic area; product names and stages are not sensitive."""
    stmt = (
        select(Product, TherapeuticArea)
        .join(TherapeuticArea, TherapeuticArea.id == Product.therapeutic_area_id)
        .order_by(Product.code)
    )
    return [(p, ta) for p, ta in session.execute(stmt)]


def find_area(session: Session, code: str) -> TherapeuticArea | None:
    return session.scalars(select(TherapeuticArea).where(TherapeuticArea.code == code)).first()


def find_product(session: Session, code: str) -> Product | None:
    return session.scalars(select(Product).where(Product.code == code)).first()


def get_product(session: Session, code: str) -> Product:
    product = find_product(session, code)
    if product is None:
        raise InvalidInput(f"no product with code {code!r}", field="product")
    return product


def products_by_code(session: Session, codes: Iterable[str], *, field: str) -> list[Product]:
    """The products named by `codes`, in order; an unknown code is bad input naming `field`."""
    wanted = list(dict.fromkeys(codes))
    if not wanted:
        return []
    found = {p.code: p for p in session.scalars(select(Product).where(Product.code.in_(wanted)))}
    for index, code in enumerate(wanted):
        if code not in found:
            raise InvalidInput(f"no product with code {code!r}", field=f"{field}[{index}]")
    return [found[c] for c in wanted]


def create_area(session: Session, *, code: str, name: str) -> TherapeuticArea:
    if find_area(session, code) is not None:
        raise Conflict(f"a therapeutic area {code!r} already exists", field="code")
    area = TherapeuticArea(code=code, name=name)
    with trail.reason(session, "therapeutic area created"):
        session.add(area)
    return area


def create_product(
    session: Session, *, code: str, name: str, area: TherapeuticArea, stage: LifecycleStage
) -> Product:
    if find_product(session, code) is not None:
        raise Conflict(f"a product {code!r} already exists", field="code")
    product = Product(code=code, name=name, therapeutic_area_id=area.id, lifecycle_stage=stage)
    with trail.reason(session, "product created"):
        session.add(product)
    return product


def set_stage(session: Session, product: Product, stage: LifecycleStage, *, reason: str) -> Product:
    """Move a product to another lifecycle stage; the firewall reads the new stage at once."""
    with trail.reason(session, reason):
        product.lifecycle_stage = stage
    return product
