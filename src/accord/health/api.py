"""GET /api/v1/health: 200 when the database answers and the schema is current, else 503."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from accord import __version__
from accord.access.deps import SessionDep
from accord.health import service as health_service

router = APIRouter(prefix="/api/v1", tags=["health"])


@router.get("/health", summary="Is the service and its database healthy")
def health(session: SessionDep) -> JSONResponse:
    result = health_service.check(session)
    body = {
        "status": "ok" if result.ok else "unavailable",
        "version": __version__,
        "database": {
            "dialect": result.database,
            "reachable": result.schema_revision is not None,
            "latency_ms": result.latency_ms,
            "schema_revision": result.schema_revision,
            "schema_current": result.schema_current,
        },
    }
    return JSONResponse(body, status_code=200 if result.ok else 503)
