"""The demo's products: six across three therapeutic areas, one at each interesting stage, so
the firewall's stage rules show in the demo. Names are synthetic."""

from __future__ import annotations

from sqlalchemy.orm import Session

from accord.product import service as product_service
from accord.product.models import LifecycleStage

THERAPEUTIC_AREAS = (
    ("CARDIO", "Cardiometabolic"),
    ("ONC", "Oncology"),
    ("IMM", "Immunology & Rheumatology"),
)

PRODUCTS = (
    ("CVX-201", "Corvexa (investigational)", "CARDIO", LifecycleStage.development),
    ("LPT", "Lipitrel", "CARDIO", LifecycleStage.growth),
    ("TMV", "Tumivant", "ONC", LifecycleStage.pre_launch),
    ("ONP", "Oncoprex", "ONC", LifecycleStage.launch),
    ("RHZ", "Rheumazol", "IMM", LifecycleStage.mature),
    ("IMX", "Immuvex", "IMM", LifecycleStage.loss_of_exclusivity),
)


def ensure_demo_products(session: Session) -> int:
    """Create the demo therapeutic areas and products that are missing; returns how many."""
    areas = {}
    for code, name in THERAPEUTIC_AREAS:
        areas[code] = product_service.find_area(session, code) or product_service.create_area(
            session, code=code, name=name
        )
    created = 0
    for code, name, area, stage in PRODUCTS:
        if product_service.find_product(session, code) is None:
            product_service.create_product(
                session, code=code, name=name, area=areas[area], stage=stage
            )
            created += 1
    return created
