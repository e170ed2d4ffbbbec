"""import uploads: queued jobs and their stored file

Revision ID: 7c3e91a4d2b6
Revises: 818dd8e18c22
Create Date: 2026-11-23 15:20:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import accord.db.base

revision: str = "7c3e91a4d2b6"
down_revision: str | None = "818dd8e18c22"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # the status column is a VARCHAR(16) without a CHECK constraint: "queued" needs no change
    with op.batch_alter_table("import_job", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("queued_at", accord.db.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("stored_file", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("import_job", schema=None) as batch_op:
        batch_op.drop_column("stored_file")
        batch_op.drop_column("queued_at")
