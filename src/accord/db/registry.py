"""Imports every domain's models so that metadata, Alembic and mappers see all tables."""

from accord.audit import models as audit_models
from accord.change_request import models as change_request_models
from accord.consent import models as consent_models
from accord.db.base import Base
from accord.engagement import models as engagement_models
from accord.event import models as event_models
from accord.importer import models as importer_models
from accord.insight import models as insight_models
from accord.interaction import models as interaction_models
from accord.jobs import models as jobs_models
from accord.matching import models as matching_models
from accord.network import models as network_models
from accord.payment import models as payment_models
from accord.policy import models as policy_models
from accord.product import models as product_models
from accord.request import models as request_models
from accord.science import models as science_models
from accord.stakeholder import models as stakeholder_models
from accord.territory import models as territory_models
from accord.user import models as user_models

__all__ = [
    "Base",
    "audit_models",
    "change_request_models",
    "consent_models",
    "engagement_models",
    "event_models",
    "importer_models",
    "insight_models",
    "interaction_models",
    "jobs_models",
    "matching_models",
    "network_models",
    "payment_models",
    "policy_models",
    "product_models",
    "request_models",
    "science_models",
    "stakeholder_models",
    "territory_models",
    "user_models",
]
