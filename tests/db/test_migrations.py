"""Migrations and models agree; SQLite runs with WAL and foreign keys on."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from accord.db.migrate import current_revision, head_revision, include_object_for
from accord.db.registry import Base
from accord.db.session import Database


def test_autogenerate_finds_nothing_to_change(database: Database) -> None:
    """A model changed without a migration fails here: run the autogenerate and commit it."""
    with database.engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "render_as_batch": True,
                "include_object": include_object_for(conn.dialect.name),
            },
        )
        diff = compare_metadata(context, Base.metadata)
    assert diff == [], f"models and migrations disagree: {diff}"


def test_the_database_is_at_head(database: Database) -> None:
    assert current_revision(database.engine) == head_revision()


def test_migration_files_follow_the_naming_convention() -> None:
    import re

    from accord.db.migrate import migrations_dir

    names = [p.name for p in (migrations_dir() / "versions").glob("*.py")]
    assert names
    for name in names:
        assert re.match(r"^\d{4}-\d{2}-\d{2}-\d{4}_[a-z0-9_]+\.py$", name), name


def test_connections_are_configured_for_the_backend(database: Database, backend: str) -> None:
    """SQLite: WAL and foreign keys on every connection; PostgreSQL: timestamptz columns."""
    with database.engine.connect() as conn:
        if backend == "sqlite":
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        else:
            kind = conn.execute(
                text(
                    "SELECT data_type FROM information_schema.columns "
                    "WHERE table_name = 'audit_entry' AND column_name = 'occurred_at' "
                    "AND table_schema = current_schema()"
                )
            ).scalar()
            assert kind == "timestamp with time zone"


def test_foreign_keys_are_enforced(connection) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(IntegrityError):
        connection.execute(
            text("INSERT INTO user_territory (user_id, territory_id) VALUES (999999, 999999)")
        )
