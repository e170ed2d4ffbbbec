"""Test databases on SQLite and PostgreSQL, each migrated from Alembic and seeded with the demo.

PostgreSQL is reached at ACCORD_TEST_POSTGRES_URL (default: 127.0.0.1:5432, user postgres,
database test); each run works in its own schema and drops it at the end. Outside CI an
unreachable server skips the PostgreSQL half with the reason; under CI=true it fails.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from accord.db.migrate import upgrade
from accord.db.session import Database, make_engine, unit_of_work
from accord.demo.personas import ensure_demo_users

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
POSTGRES_URL = os.environ.get(
    "ACCORD_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("ACCORD_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
BACKENDS = [
    b.strip()
    for b in os.environ.get("ACCORD_TEST_BACKENDS", "sqlite,postgresql").split(",")
    if b.strip()
]


def unavailable(reason: str) -> None:
    """Skip outside CI; fail under CI, where every service must be there."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: services are required, not optional)", pytrace=False)
    pytest.skip(reason)


def postgres_reachable() -> str | None:
    try:
        engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as error:
        return f"PostgreSQL at {POSTGRES_URL} is unreachable: {error.__class__.__name__}"
    return None


def _seed(database: Database) -> None:
    upgrade(database.engine)
    with unit_of_work(database.session_factory) as session:
        ensure_demo_users(session)


@contextmanager
def sqlite_database(directory: Path, *, seed: bool = True) -> Iterator[Database]:
    path = directory / f"accord-{uuid.uuid4().hex[:8]}.db"
    database = Database(f"sqlite:///{path}")
    if seed:
        _seed(database)
    try:
        yield database
    finally:
        database.engine.dispose()


@contextmanager
def postgres_database(*, seed: bool = True) -> Iterator[Database]:
    problem = postgres_reachable()
    if problem:
        unavailable(problem)
    schema = f"accord_test_{uuid.uuid4().hex[:10]}"
    admin: Engine = make_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = POSTGRES_URL + ("&" if "?" in POSTGRES_URL else "?") + f"options=-csearch_path%3D{schema}"
    database = Database(url)
    database.schema = schema  # type: ignore[attr-defined]
    try:
        if seed:
            _seed(database)
        yield database
    finally:
        database.engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def fresh_database(backend: str, directory: Path, *, seed: bool = True) -> Iterator[Database]:
    if backend == "sqlite":
        with sqlite_database(directory, seed=seed) as database:
            yield database
    elif backend == "postgresql":
        with postgres_database(seed=seed) as database:
            yield database
    else:
        raise ValueError(f"unknown test backend {backend!r}")
