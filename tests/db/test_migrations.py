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


def test_network_metrics_move_into_a_partition_per_snapshot_and_back() -> None:
    """PostgreSQL: a database holding metrics when it takes the partitioning migration keeps
    every row, each snapshot in its own partition, and gets them back on a downgrade."""
    from alembic import command

    from accord.db.migrate import alembic_config, upgrade
    from tests.backends import postgres_database

    with postgres_database(seed=False) as database:
        engine = database.engine
        upgrade(engine, "474fb7fc8385")
        columns = (
            "snapshot_id, scope, stakeholder_id, influence, influence_percentile, brokerage, "
            "community, degree, reach_cities, reach_states, reach_countries, coauthors, "
            "trial_sites, trials, talks_global, talks_national, talks_regional, talks_local, "
            "members, tier, evidence"
        )
        with engine.begin() as conn:
            for snapshot_id, stakeholder_id in ((3, 1), (3, 2), (4, 1)):
                conn.execute(
                    text(
                        f"INSERT INTO network_metric ({columns}) VALUES ({snapshot_id}, 'all', "
                        f"{stakeholder_id}, 1, 50, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, "
                        "'local', 'e')"
                    )
                )
        upgrade(engine)
        partitions = (
            "SELECT c.relname, count(m.*) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent "
            "LEFT JOIN network_metric m ON m.tableoid = c.oid "
            "WHERE p.relname = 'network_metric' "
            "AND p.relnamespace = to_regnamespace(current_schema()) GROUP BY c.relname"
        )
        with engine.connect() as conn:
            held = {name: count for name, count in conn.execute(text(partitions))}
        assert held == {"network_metric_s3": 2, "network_metric_s4": 1, "network_metric_default": 0}
        config = alembic_config()
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "474fb7fc8385")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM network_metric")).scalar() == 3
            assert conn.execute(text(partitions)).all() == []
