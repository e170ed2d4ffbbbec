"""Accord's benchmarks: each figure is printed beside a reference measured in the same run.

`python -m benchmarks --size S|M|L` (or `make bench SIZE=...`); see benchmarks/README.md.
This module holds what every benchmark shares: the throwaway database and the timer.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from accord.db.migrate import upgrade
from accord.db.session import Database, make_engine

#: rows per size; every benchmark scales from this
SIZES = {"S": 2_000, "M": 20_000, "L": 200_000}

#: the PostgreSQL server of the test suite (see tests/backends.py)
DEFAULT_POSTGRES_URL = os.environ.get(
    "ACCORD_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@dataclass(frozen=True)
class BenchDatabase:
    """A migrated, empty Accord database and a sentence saying what it is."""

    database: Database
    description: str


def _postgres_problem(url: str) -> str | None:
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as error:
        return f"{error.__class__.__name__}: {str(error).strip().splitlines()[0][:120]}"
    return None


def _server_version(database: Database) -> str:
    with database.engine.connect() as conn:
        if database.is_sqlite:
            return "SQLite " + str(conn.execute(text("SELECT sqlite_version()")).scalar_one())
        version = str(conn.execute(text("SHOW server_version")).scalar_one())
        return "PostgreSQL " + version.split()[0]


@contextmanager
def _postgres_schema(url: str) -> Iterator[BenchDatabase]:
    """A throwaway schema in the PostgreSQL database at `url`, dropped afterwards."""
    schema = f"accord_bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    schema_url = url + ("&" if "?" in url else "?") + f"options=-csearch_path%3D{schema}"
    database = Database(schema_url)
    try:
        upgrade(database.engine)
        shown = make_url(url).render_as_string(hide_password=True)
        yield BenchDatabase(
            database, f"{_server_version(database)} at {shown}, throwaway schema {schema}"
        )
    finally:
        database.engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def _sqlite_file(path: Path, *, why: str) -> Iterator[BenchDatabase]:
    database = Database(f"sqlite:///{path}")
    try:
        upgrade(database.engine)
        yield BenchDatabase(database, f"{_server_version(database)}, file {path}{why}")
    finally:
        database.engine.dispose()


@contextmanager
def bench_database(url: str | None) -> Iterator[BenchDatabase]:
    """The database a benchmark writes to, migrated and empty.

    No URL: a throwaway schema on the test suite's PostgreSQL server, or a temporary SQLite
    file when that server is unreachable. A PostgreSQL URL: a throwaway schema in that
    database (nothing outside it is touched). A SQLite URL: a new file, kept afterwards.
    """
    if url is None:
        problem = _postgres_problem(DEFAULT_POSTGRES_URL)
        if problem is None:
            with _postgres_schema(DEFAULT_POSTGRES_URL) as bench:
                yield bench
            return
        directory = Path(tempfile.mkdtemp(prefix="accord-bench-"))
        try:
            why = f" (temporary: PostgreSQL at {DEFAULT_POSTGRES_URL} is unreachable, {problem})"
            with _sqlite_file(directory / "bench.db", why=why) as bench:
                yield bench
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        return
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise SystemExit("give a file for SQLite: sqlite:///path/to/bench.db")
        path = Path(parsed.database)
        if path.exists() and path.stat().st_size > 0:
            raise SystemExit(f"{path} exists; the benchmark writes to a new SQLite file only")
        with _sqlite_file(path, why=" (kept after the run)") as bench:
            yield bench
        return
    if parsed.get_backend_name() == "postgresql":
        with _postgres_schema(url) as bench:
            yield bench
        return
    raise SystemExit(f"unsupported database {parsed.get_backend_name()!r}: SQLite or PostgreSQL")


class Timer:
    """`with Timer() as t: ...` then `t.seconds`."""

    seconds: float = 0.0

    def __enter__(self) -> Timer:
        self._start = time.perf_counter()
        return self

    def __exit__(self, *_: object) -> None:
        self.seconds = time.perf_counter() - self._start


def rate(count: int, seconds: float) -> str:
    """`count / seconds` as a short figure with thousands separators."""
    if seconds <= 0:
        return "-"
    return f"{count / seconds:,.0f}"
