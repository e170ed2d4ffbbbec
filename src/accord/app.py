"""create_app(settings) -> FastAPI: routers, middleware, error handlers and static files."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from accord import __version__
from accord.audit import api as audit_api
from accord.audit import pages as audit_pages
from accord.change_request import api as change_request_api
from accord.change_request import pages as change_request_pages
from accord.config import Settings, get_settings
from accord.consent import api as consent_api
from accord.db.session import Database, get_database, set_database
from accord.engagement import api as engagement_api
from accord.health import api as health_api
from accord.home import pages as home_pages
from accord.http import problems
from accord.http.middleware import RequestContextMiddleware
from accord.importer import api as importer_api
from accord.importer import pages as importer_pages
from accord.insight import api as insight_api
from accord.interaction import api as interaction_api
from accord.jobs.catalog import import_all_jobs
from accord.jobs.dispatch import configure_broker
from accord.logs import configure_logging
from accord.matching import api as matching_api
from accord.matching import pages as matching_pages
from accord.network import api as network_api
from accord.network import pages as network_pages
from accord.payment import api as payment_api
from accord.policy import api as policy_api
from accord.policy import pages as policy_pages
from accord.product import api as product_api
from accord.request import api as request_api
from accord.science import api as science_api
from accord.stakeholder import api as stakeholder_api
from accord.stakeholder import pages as stakeholder_pages
from accord.user import api as user_api
from accord.user import pages as user_pages
from accord.web.render import STATIC_DIR

API_ROUTERS = (
    health_api.router,
    user_api.router,
    audit_api.router,
    policy_api.router,
    product_api.router,
    stakeholder_api.router,
    interaction_api.router,
    consent_api.router,
    engagement_api.router,
    request_api.router,
    insight_api.router,
    importer_api.router,
    payment_api.router,
    science_api.router,
    change_request_api.router,
    matching_api.router,
    network_api.router,
    network_api.stakeholder_router,
)
PAGE_ROUTERS = (
    user_pages.router,
    home_pages.router,
    stakeholder_pages.router,
    policy_pages.router,
    audit_pages.router,
    change_request_pages.router,
    importer_pages.router,
    matching_pages.router,
    network_pages.router,
)

DESCRIPTION = """
The Accord API. Authenticate with `POST /api/v1/auth/token` (OAuth2 password form) or a
long-lived API token from `POST /api/v1/tokens`, then send `Authorization: Bearer <token>`.

Every list answers `{"items": [...], "next_cursor": "..." | null}`; pass `?cursor=` to get the
next page and `?limit=` (1-500) to size it. Every error is `application/problem+json`
(RFC 9457) naming the field at fault. Every response carries `X-Request-ID`.
"""


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    """The ASGI application. `accord serve` and `accord demo` run it with uvicorn."""
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    if database is None:
        database = get_database() if settings is get_settings() else Database(settings.database_url)
    set_database(database)
    configure_broker(settings.redis_url)
    import_all_jobs()
    if settings.secret_key is None:
        raise ValueError("ACCORD_SECRET_KEY is not set")

    app = FastAPI(
        title="Accord",
        version=__version__,
        description=DESCRIPTION,
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url="/api/redoc",
    )
    app.state.settings = settings
    app.state.database = database
    problems.install(app)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key.get_secret_value(),
        session_cookie="accord_session",
        max_age=settings.session_max_age_hours * 3600,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    app.add_middleware(RequestContextMiddleware)
    for router in API_ROUTERS + PAGE_ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
