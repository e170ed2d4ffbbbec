"""Alembic, driven from code: `accord db upgrade` and the test suite's schema."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, Index


def migrations_dir() -> Path:
    packaged = Path(__file__).resolve().parent.parent / "_migrations"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "migrations"


def alembic_config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.set_main_option(
        "file_template", "%%(year)d-%%(month).2d-%%(day).2d-%%(hour).2d%%(minute).2d_%%(slug)s"
    )
    config.set_main_option("timezone", "UTC")
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


#: tables partitioned on PostgreSQL: their partitions are not in the models
PARTITIONED = ("network_metric_",)


def include_object_for(dialect: str) -> Callable[..., bool]:
    """Autogenerate's filter: an index declared for one dialect only (`ddl_if`) is not a
    difference on the others, and a partition is not a table of its own."""

    def include_object(obj: Any, name: Any, type_: str, reflected: bool, compare_to: Any) -> bool:
        if type_ == "table" and compare_to is None and str(name).startswith(PARTITIONED):
            return False  # a partition, created at run time (network_metric on PostgreSQL)
        if type_ == "index" and isinstance(obj, Index) and obj._ddl_if is not None:
            wanted = obj._ddl_if.dialect
            if wanted is not None and dialect not in (
                (wanted,) if isinstance(wanted, str) else wanted
            ):
                return False
        return True

    return include_object
