"""Checks that the database answers and the schema is current."""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from accord.db.migrate import head_revision


@dataclass(frozen=True)
class Health:
    ok: bool
    database: str
    latency_ms: float
    schema_revision: str | None
    schema_current: bool


def check(session: Session) -> Health:
    started = time.perf_counter()
    try:
        revision = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
        ok = True
    except Exception:  # the health check reports the failure instead of raising it
        revision, ok = None, False
    latency = (time.perf_counter() - started) * 1000
    head = head_revision()
    return Health(
        ok=ok and revision == head,
        database=session.get_bind().dialect.name,
        latency_ms=round(latency, 2),
        schema_revision=revision,
        schema_current=revision == head,
    )
