"""API shapes of products."""

from __future__ import annotations

from pydantic import BaseModel

from accord.product.models import LifecycleStage


class ProductRead(BaseModel):
    code: str
    name: str
    therapeutic_area: str
    therapeutic_area_name: str
    lifecycle_stage: LifecycleStage
