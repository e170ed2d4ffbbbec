"""open payments

Revision ID: b4df3135878c
Revises: 35181cdb3daa
Create Date: 2026-11-23 13:55:52.393686+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b4df3135878c"
down_revision: str | None = "35181cdb3daa"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "payment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("general", "research", name="paymentkind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("record_id", sa.String(length=40), nullable=False),
        sa.Column("program_year", sa.Integer(), nullable=False),
        sa.Column("stakeholder_id", sa.Integer(), nullable=True),
        sa.Column("matched_by", sa.String(length=20), nullable=True),
        sa.Column("recipient_type", sa.String(length=80), nullable=True),
        sa.Column("recipient_profile_id", sa.String(length=20), nullable=True),
        sa.Column("recipient_npi", sa.String(length=10), nullable=True),
        sa.Column("recipient_name", sa.String(length=300), nullable=True),
        sa.Column("recipient_city", sa.String(length=100), nullable=True),
        sa.Column("recipient_state", sa.String(length=2), nullable=True),
        sa.Column("manufacturer_id", sa.String(length=20), nullable=True),
        sa.Column("manufacturer_name", sa.String(length=300), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("form", sa.String(length=120), nullable=True),
        sa.Column("nature", sa.String(length=300), nullable=True),
        sa.Column("products", sa.String(length=500), nullable=True),
        sa.Column("study_name", sa.String(length=500), nullable=True),
        sa.Column("clinicaltrials_id", sa.String(length=20), nullable=True),
        sa.Column("import_job_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["import_job_id"],
            ["import_job.id"],
            name=op.f("fk_payment_import_job_id_import_job"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["stakeholder_id"],
            ["stakeholder.id"],
            name=op.f("fk_payment_stakeholder_id_stakeholder"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment")),
        sa.UniqueConstraint("kind", "record_id", name=op.f("uq_payment_kind_record_id")),
    )
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.create_index("ix_payment_program_year", ["program_year"], unique=False)
        batch_op.create_index(
            "ix_payment_stakeholder_id_paid_on", ["stakeholder_id", "paid_on"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.drop_index("ix_payment_stakeholder_id_paid_on")
        batch_op.drop_index("ix_payment_program_year")

    op.drop_table("payment")
