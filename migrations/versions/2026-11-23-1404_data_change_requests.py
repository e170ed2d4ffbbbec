"""data change requests

Revision ID: 818dd8e18c22
Revises: b4df3135878c
Create Date: 2026-11-23 14:04:56.247520+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import accord.db.base

revision: str = "818dd8e18c22"
down_revision: str | None = "b4df3135878c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "change_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "new_stakeholder",
                "address",
                "specialty",
                "affiliation",
                "correction",
                name="changekind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "pending", "approved", "rejected", name="changestatus", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("stakeholder_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("proposed_by_id", sa.Integer(), nullable=False),
        sa.Column("proposed_at", accord.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", accord.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user.id"],
            name=op.f("fk_change_request_decided_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_id"],
            ["user.id"],
            name=op.f("fk_change_request_proposed_by_id_user"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["stakeholder_id"],
            ["stakeholder.id"],
            name=op.f("fk_change_request_stakeholder_id_stakeholder"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_request")),
    )
    with op.batch_alter_table("change_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_change_request_stakeholder_id"), ["stakeholder_id"], unique=False
        )
        batch_op.create_index("ix_change_request_status_id", ["status", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("change_request", schema=None) as batch_op:
        batch_op.drop_index("ix_change_request_status_id")
        batch_op.drop_index(batch_op.f("ix_change_request_stakeholder_id"))

    op.drop_table("change_request")
