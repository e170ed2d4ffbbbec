"""Codes and sort keys compared byte by byte; identifiers unique on (value, system)

Identifiers (NPIs, license and Medicaid numbers, ORCIDs), state codes and the lower-case sort
name are compared byte by byte (COLLATE "C" on PostgreSQL; SQLite's default already is): their
indexes then sort on 8-byte prefixes instead of calling the locale for every comparison, about
three times faster to build. The identifiers' unique constraint puts the value first, because
the system repeats across millions of rows. A byte-ordered sort_name index also serves the
prefix search, so its separate pattern-ops index goes.

Revision ID: b8d2f4a61c07
Revises: df937d933425
Create Date: 2026-12-03 07:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b8d2f4a61c07"
down_revision: str | None = "df937d933425"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


#: (table, column, length, nullable) of the byte-ordered columns
CODES = (
    ("stakeholder", "state", 2, True),
    ("stakeholder", "sort_name", 300, False),
    ("stakeholder_identifier", "system", 40, False),
    ("stakeholder_identifier", "value", 80, False),
)


def _columns(collation: str | None) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column, length, nullable in CODES:
        op.alter_column(
            table,
            column,
            type_=sa.String(length=length, collation=collation),
            existing_type=sa.String(length=length),
            existing_nullable=nullable,
        )


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_stakeholder_sort_name_pattern", table_name="stakeholder")
    with op.batch_alter_table("stakeholder_identifier", schema=None) as batch_op:
        batch_op.drop_constraint("uq_stakeholder_identifier_system_value", type_="unique")
    _columns("C")
    with op.batch_alter_table("stakeholder_identifier", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            "uq_stakeholder_identifier_value_system", ["value", "system"]
        )


def downgrade() -> None:
    with op.batch_alter_table("stakeholder_identifier", schema=None) as batch_op:
        batch_op.drop_constraint("uq_stakeholder_identifier_value_system", type_="unique")
    _columns("default")
    with op.batch_alter_table("stakeholder_identifier", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            "uq_stakeholder_identifier_system_value", ["system", "value"]
        )
    if op.get_bind().dialect.name == "postgresql":
        op.create_index(
            "ix_stakeholder_sort_name_pattern",
            "stakeholder",
            ["sort_name"],
            postgresql_ops={"sort_name": "varchar_pattern_ops"},
        )
