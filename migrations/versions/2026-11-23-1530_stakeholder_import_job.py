"""stakeholder.import_job_id: the bulk import job that created a stakeholder

Revision ID: 5a1c3e9b7d20
Revises: 7c3e91a4d2b6
Create Date: 2026-11-23 15:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5a1c3e9b7d20"
down_revision: str | None = "7c3e91a4d2b6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("stakeholder", schema=None) as batch_op:
        batch_op.add_column(sa.Column("import_job_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_stakeholder_import_job_id_import_job"),
            "import_job",
            ["import_job_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("stakeholder", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_stakeholder_import_job_id_import_job"), type_="foreignkey"
        )
        batch_op.drop_column("import_job_id")
