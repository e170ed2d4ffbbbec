"""nppes_record: the digest of each NPI's NPPES record as last applied

A re-import compares a row's digest with the stored one first: an unchanged record goes no
further than that comparison.

Revision ID: c4e7a9d2b815
Revises: b8d2f4a61c07
Create Date: 2026-12-03 08:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c4e7a9d2b815"
down_revision: str | None = "b8d2f4a61c07"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "nppes_record",
        sa.Column(
            "npi",
            sa.String(length=10).with_variant(sa.String(length=10, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("digest", sa.BigInteger(), nullable=False),
        sa.Column("import_job_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["import_job_id"],
            ["import_job.id"],
            name=op.f("fk_nppes_record_import_job_id_import_job"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("npi", name=op.f("pk_nppes_record")),
    )


def downgrade() -> None:
    op.drop_table("nppes_record")
