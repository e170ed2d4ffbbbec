"""Engines, sessions and the transaction scopes of a request, a CLI command and a job.

Services never commit: the scope that opened the unit of work commits or rolls it back, and
jobs enqueued inside it are sent only after the commit succeeds (see accord.jobs).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool, StaticPool

from accord.errors import AppError


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin (see _sqlite_begin)
    dbapi_connection.isolation_level = None
    # WAL lets readers run beside the single writer; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


#: execution option of a unit that will write: on SQLite it begins IMMEDIATE
BEGIN_FOR_WRITE = "accord_begin_for_write"


def _sqlite_begin(connection: Any) -> None:
    # pysqlite delays BEGIN until the first write, which breaks SAVEPOINTs and transactional
    # DDL; emitting it ourselves gives SQLite the same transaction boundaries as PostgreSQL.
    # A unit that will write takes the write lock up front: a deferred transaction that read
    # before another connection committed cannot write at all (SQLITE_BUSY_SNAPSHOT, "database
    # is locked" without waiting), while an immediate one waits its turn (busy_timeout).
    immediate = connection.get_execution_options().get(BEGIN_FOR_WRITE)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str, *, echo: bool = False, **kwargs: Any) -> Engine:
    """An engine for `url`; SQLite gets WAL and foreign keys on every connection."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        memory = parsed.database in (None, "", ":memory:")
        kwargs.setdefault("connect_args", {"check_same_thread": False})
        kwargs.setdefault("poolclass", StaticPool if memory else NullPool)
        engine = create_engine(url, echo=echo, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if parsed.drivername == "postgresql":
        # psycopg 3 is the driver Accord installs; plain postgresql:// would ask for psycopg2.
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, echo=echo, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


@contextmanager
def unit_of_work(
    factory: sessionmaker[Session], *, writes: bool = False, **info: Any
) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any exception.

    `info` is placed in `session.info` (actor, reason, request_id) for the audit trail.
    `writes`: the unit will write, so on SQLite it waits for the write lock before its first
    read (see _sqlite_begin); PostgreSQL ignores it.
    """
    session = factory()
    session.info.update(info)
    if writes and session.get_bind().dialect.name == "sqlite":
        session.connection(execution_options={BEGIN_FOR_WRITE: True})
    try:
        yield session
        session.commit()
    except AppError as error:
        if error.persist:
            session.commit()
        else:
            session.rollback()
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


class Database:
    """An engine and its session factory: one per process, shared by requests and jobs."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self.session_factory = make_session_factory(self.engine)

    @classmethod
    def wrap(cls, engine: Engine, factory: sessionmaker[Session]) -> Database:
        db = cls.__new__(cls)
        db.url = engine.url.render_as_string(hide_password=True)
        db.engine = engine
        db.session_factory = factory
        return db

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"


_current: Database | None = None


def get_database() -> Database:
    """The process's database, built from ACCORD_DATABASE_URL on first use."""
    global _current
    if _current is None:
        from accord.config import get_settings

        _current = Database(get_settings().database_url)
    return _current


def set_database(database: Database | None) -> None:
    """Install the process's database (the app, the CLI and the tests do this)."""
    global _current
    _current = database
