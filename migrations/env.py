"""Alembic environment: runs on the connection Accord hands it, or on ACCORD_DATABASE_URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from accord.db.migrate import include_object_for
from accord.db.registry import Base

config = context.config
target_metadata = Base.metadata


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        compare_server_default=False,
        include_object=include_object_for(connection.dialect.name),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    from accord.config import get_settings
    from accord.db.session import make_engine

    engine = make_engine(get_settings().database_url)
    with engine.connect() as conn:
        run_on(conn)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Accord runs migrations online only: use `accord db upgrade`.")
run_migrations_online()
