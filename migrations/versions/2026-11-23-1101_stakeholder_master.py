"""stakeholder master and territory alignment

Revision ID: ea87a64673f3
Revises: 381e70c803a9
Create Date: 2026-11-23 11:01:35.725643+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import accord.db.base

revision: str = "ea87a64673f3"
down_revision: str | None = "381e70c803a9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "specialty",
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("grouping", sa.String(length=200), nullable=False),
        sa.Column("classification", sa.String(length=200), nullable=False),
        sa.Column("specialization", sa.String(length=200), nullable=True),
        sa.Column("display_name", sa.String(length=250), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_specialty")),
    )
    op.create_table(
        "stakeholder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("person", "organization", name="stakeholderkind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column(
            "type",
            sa.Enum(
                "hcp",
                "researcher",
                "payer_official",
                "regulator_official",
                "patient_advocate",
                "hospital",
                "clinic",
                "academic_medical_center",
                "idn",
                "payer",
                "health_plan",
                "pbm",
                "regulatory_agency",
                "patient_advocacy_group",
                "professional_society",
                name="stakeholdertype",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("sort_name", sa.String(length=300), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=True),
        sa.Column("middle_name", sa.String(length=100), nullable=True),
        sa.Column("last_name", sa.String(length=100), nullable=True),
        sa.Column("credentials", sa.String(length=60), nullable=True),
        sa.Column("sex", sa.String(length=1), nullable=True),
        sa.Column("primary_specialty_code", sa.String(length=10), nullable=True),
        sa.Column(
            "tier",
            sa.Enum(
                "global", "national", "regional", "local", name="tier", native_enum=False, length=16
            ),
            nullable=True,
        ),
        sa.Column("territory_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=2), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.Column(
            "status",
            sa.Enum("active", "inactive", name="stakeholderstatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            accord.db.base.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            accord.db.base.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["primary_specialty_code"],
            ["specialty.code"],
            name=op.f("fk_stakeholder_primary_specialty_code_specialty"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["territory_id"],
            ["territory.id"],
            name=op.f("fk_stakeholder_territory_id_territory"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stakeholder")),
    )
    with op.batch_alter_table("stakeholder", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_stakeholder_primary_specialty_code"),
            ["primary_specialty_code"],
            unique=False,
        )
        batch_op.create_index("ix_stakeholder_sort_name", ["sort_name"], unique=False)
        batch_op.create_index(batch_op.f("ix_stakeholder_state"), ["state"], unique=False)
        batch_op.create_index(
            "ix_stakeholder_territory_id_id", ["territory_id", "id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_stakeholder_tier"), ["tier"], unique=False)
        batch_op.create_index(batch_op.f("ix_stakeholder_type"), ["type"], unique=False)

    op.create_table(
        "territory_alignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=2), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["territory_id"],
            ["territory.id"],
            name=op.f("fk_territory_alignment_territory_id_territory"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_territory_alignment")),
        sa.UniqueConstraint("state", "city", name=op.f("uq_territory_alignment_state_city")),
    )
    with op.batch_alter_table("territory_alignment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_territory_alignment_territory_id"), ["territory_id"], unique=False
        )

    op.create_table(
        "address",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stakeholder_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("practice", "mailing", name="addresskind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.Column("line1", sa.String(length=200), nullable=False),
        sa.Column("line2", sa.String(length=200), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=2), nullable=False),
        sa.Column("postal_code", sa.String(length=10), nullable=True),
        sa.Column("phone", sa.String(length=30), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("source", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["stakeholder_id"],
            ["stakeholder.id"],
            name=op.f("fk_address_stakeholder_id_stakeholder"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_address")),
    )
    with op.batch_alter_table("address", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_address_stakeholder_id"), ["stakeholder_id"], unique=False
        )

    op.create_table(
        "affiliation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stakeholder_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=80), nullable=False),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["stakeholder.id"],
            name=op.f("fk_affiliation_organization_id_stakeholder"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["stakeholder_id"],
            ["stakeholder.id"],
            name=op.f("fk_affiliation_stakeholder_id_stakeholder"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_affiliation")),
    )
    with op.batch_alter_table("affiliation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_affiliation_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_affiliation_stakeholder_id"), ["stakeholder_id"], unique=False
        )

    op.create_table(
        "stakeholder_identifier",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stakeholder_id", sa.Integer(), nullable=False),
        sa.Column("system", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=80), nullable=False),
        sa.Column("source", sa.String(length=80), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["stakeholder_id"],
            ["stakeholder.id"],
            name=op.f("fk_stakeholder_identifier_stakeholder_id_stakeholder"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stakeholder_identifier")),
        sa.UniqueConstraint("system", "value", name=op.f("uq_stakeholder_identifier_system_value")),
    )
    with op.batch_alter_table("stakeholder_identifier", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_stakeholder_identifier_stakeholder_id"), ["stakeholder_id"], unique=False
        )

    op.create_table(
        "stakeholder_product",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stakeholder_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["product.id"],
            name=op.f("fk_stakeholder_product_product_id_product"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["stakeholder_id"],
            ["stakeholder.id"],
            name=op.f("fk_stakeholder_product_stakeholder_id_stakeholder"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stakeholder_product")),
        sa.UniqueConstraint(
            "stakeholder_id",
            "product_id",
            name=op.f("uq_stakeholder_product_stakeholder_id_product_id"),
        ),
    )
    with op.batch_alter_table("stakeholder_product", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_stakeholder_product_stakeholder_id"), ["stakeholder_id"], unique=False
        )

    op.create_table(
        "stakeholder_specialty",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stakeholder_id", sa.Integer(), nullable=False),
        sa.Column("specialty_code", sa.String(length=10), nullable=False),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["specialty_code"],
            ["specialty.code"],
            name=op.f("fk_stakeholder_specialty_specialty_code_specialty"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["stakeholder_id"],
            ["stakeholder.id"],
            name=op.f("fk_stakeholder_specialty_stakeholder_id_stakeholder"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stakeholder_specialty")),
        sa.UniqueConstraint(
            "stakeholder_id",
            "specialty_code",
            name=op.f("uq_stakeholder_specialty_stakeholder_id_specialty_code"),
        ),
    )
    with op.batch_alter_table("stakeholder_specialty", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_stakeholder_specialty_stakeholder_id"), ["stakeholder_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("stakeholder_specialty", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stakeholder_specialty_stakeholder_id"))

    op.drop_table("stakeholder_specialty")
    with op.batch_alter_table("stakeholder_product", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stakeholder_product_stakeholder_id"))

    op.drop_table("stakeholder_product")
    with op.batch_alter_table("stakeholder_identifier", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stakeholder_identifier_stakeholder_id"))

    op.drop_table("stakeholder_identifier")
    with op.batch_alter_table("affiliation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_affiliation_stakeholder_id"))
        batch_op.drop_index(batch_op.f("ix_affiliation_organization_id"))

    op.drop_table("affiliation")
    with op.batch_alter_table("address", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_address_stakeholder_id"))

    op.drop_table("address")
    with op.batch_alter_table("territory_alignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_territory_alignment_territory_id"))

    op.drop_table("territory_alignment")
    with op.batch_alter_table("stakeholder", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stakeholder_type"))
        batch_op.drop_index(batch_op.f("ix_stakeholder_tier"))
        batch_op.drop_index("ix_stakeholder_territory_id_id")
        batch_op.drop_index(batch_op.f("ix_stakeholder_state"))
        batch_op.drop_index("ix_stakeholder_sort_name")
        batch_op.drop_index(batch_op.f("ix_stakeholder_primary_specialty_code"))

    op.drop_table("stakeholder")
    op.drop_table("specialty")
