"""The request's unit of work: one session per request, committed when the route returns."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Request
from sqlalchemy.orm import Session

from accord.audit.trail import set_request_id
from accord.db.session import Database, unit_of_work

#: requests that change nothing (their rare writes, such as an audited read, are short)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_db(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def request_session(request: Request) -> Iterator[Session]:
    """Commit after the route returns (before the response is sent), roll back on error."""
    writes = request.method not in SAFE_METHODS
    with unit_of_work(get_db(request).session_factory, writes=writes) as session:
        set_request_id(session, getattr(request.state, "request_id", None))
        yield session
