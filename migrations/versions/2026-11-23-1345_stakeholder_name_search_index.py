"""stakeholder name search index (PostgreSQL pattern ops)

Revision ID: 5b1d2c7e9a40
Revises: 0fd44a10079c
Create Date: 2026-11-23 13:45:00.000000+00:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "5b1d2c7e9a40"
down_revision: str | None = "0fd44a10079c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # a prefix LIKE uses a btree on PostgreSQL only with pattern ops; SQLite has no such index
    if op.get_context().dialect.name == "postgresql":
        op.create_index(
            "ix_stakeholder_sort_name_pattern",
            "stakeholder",
            ["sort_name"],
            postgresql_ops={"sort_name": "varchar_pattern_ops"},
        )


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.drop_index("ix_stakeholder_sort_name_pattern", table_name="stakeholder")
