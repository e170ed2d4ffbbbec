"""GET /api/v1/products."""

from __future__ import annotations

from fastapi import APIRouter

from accord.access.deps import CurrentPrincipal, SessionDep
from accord.pagination import ListResponse
from accord.product import service as product_service
from accord.product.schemas import ProductRead

router = APIRouter(prefix="/api/v1", tags=["products"])


@router.get("/products", response_model=ListResponse[ProductRead], summary="Products and stages")
def list_products(session: SessionDep, principal: CurrentPrincipal) -> ListResponse[ProductRead]:
    rows = product_service.list_products(session)
    return ListResponse(
        items=[
            ProductRead(
                code=p.code,
                name=p.name,
                therapeutic_area=ta.code,
                therapeutic_area_name=ta.name,
                lifecycle_stage=p.lifecycle_stage,
            )
            for p, ta in rows
        ]
    )
