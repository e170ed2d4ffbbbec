"""engagement data

Revision ID: 0fd44a10079c
Revises: ea87a64673f3
Create Date: 2026-11-23 12:18:51.783112+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import accord.db.base

revision: str = "0fd44a10079c"
down_revision: str | None = "ea87a64673f3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "channel_preference",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stakeholder_id", sa.Integer(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "in_person",
                "remote_meeting",
                "phone",
                "email",
                "approved_email",
                "webinar",
                "congress",
                "event",
                "messaging",
                "portal",
                name="channel",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "preference",
            sa.Enum(
                "preferred", "acceptable", "avoid", name="preference", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("source", sa.String(length=80), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", accord.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["user.id"],
            name=op.f("fk_channel_preference_recorded_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["stakeholder_id"],
            ["stakeholder.id"],
            name=op.f("fk_channel_preference_stakeholder_id_stakeholder"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_preference")),
    )
    with op.batch_alter_table("channel_preference", schema=None) as batch_op:
        batch_op.create_index(
            "ix_channel_preference_stakeholder_id", ["stakeholder_id"], unique=False
        )

    op.create_table(
        "consent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stakeholder_id", sa.Integer(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "email",
                "phone",
                "messaging",
                "visit",
                "mail",
                name="consentchannel",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "purpose",
            sa.Enum(
                "promotional",
                "scientific",
                "research",
                "events",
                name="purpose",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum("granted", "withdrawn", name="consentstatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("effective_at", accord.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=80), nullable=False),
        sa.Column("proof", sa.Text(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", accord.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["user.id"],
            name=op.f("fk_consent_recorded_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["stakeholder_id"],
            ["stakeholder.id"],
            name=op.f("fk_consent_stakeholder_id_stakeholder"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent")),
    )
    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.create_index(
            "ix_consent_stakeholder_id_channel_purpose",
            ["stakeholder_id", "channel", "purpose"],
            unique=False,
        )

    op.create_table(
        "engagement_status",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stakeholder_id", sa.Integer(), nullable=False),
        sa.Column(
            "function",
            sa.Enum(
                "medical",
                "commercial",
                "market_access",
                "research",
                "compliance",
                "finance",
                "operations",
                "admin",
                name="function",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "not_engaged",
                "engaged",
                "collaborating",
                "do_not_contact",
                name="engagementlevel",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("lead_user_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("changed_at", accord.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["lead_user_id"],
            ["user.id"],
            name=op.f("fk_engagement_status_lead_user_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["stakeholder_id"],
            ["stakeholder.id"],
            name=op.f("fk_engagement_status_stakeholder_id_stakeholder"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement_status")),
        sa.UniqueConstraint(
            "stakeholder_id", "function", name=op.f("uq_engagement_status_stakeholder_id_function")
        ),
    )
    op.create_table(
        "insight",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stakeholder_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column(
            "function",
            sa.Enum(
                "medical",
                "commercial",
                "market_access",
                "research",
                "compliance",
                "finance",
                "operations",
                "admin",
                name="function",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("product_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column(
            "sentiment",
            sa.Enum(
                "positive", "neutral", "negative", name="sentiment", native_enum=False, length=16
            ),
            nullable=True,
        ),
        sa.Column("recorded_at", accord.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["user.id"], name=op.f("fk_insight_author_id_user"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["product.id"],
            name=op.f("fk_insight_product_id_product"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["stakeholder_id"],
            ["stakeholder.id"],
            name=op.f("fk_insight_stakeholder_id_stakeholder"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insight")),
    )
    with op.batch_alter_table("insight", schema=None) as batch_op:
        batch_op.create_index(
            "ix_insight_stakeholder_id_recorded_at", ["stakeholder_id", "recorded_at"], unique=False
        )

    op.create_table(
        "interaction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stakeholder_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column(
            "function",
            sa.Enum(
                "medical",
                "commercial",
                "market_access",
                "research",
                "compliance",
                "finance",
                "operations",
                "admin",
                name="function",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "channel",
            sa.Enum(
                "in_person",
                "remote_meeting",
                "phone",
                "email",
                "approved_email",
                "webinar",
                "congress",
                "event",
                "messaging",
                "portal",
                name="channel",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "purpose",
            sa.Enum(
                "promotional",
                "scientific",
                "research",
                "events",
                name="purpose",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("occurred_at", accord.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "positive",
                "neutral",
                "negative",
                "no_response",
                name="outcome",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", accord.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["user.id"],
            name=op.f("fk_interaction_owner_id_user"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["stakeholder_id"],
            ["stakeholder.id"],
            name=op.f("fk_interaction_stakeholder_id_stakeholder"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interaction")),
    )
    with op.batch_alter_table("interaction", schema=None) as batch_op:
        batch_op.create_index(
            "ix_interaction_owner_id_occurred_at", ["owner_id", "occurred_at"], unique=False
        )
        batch_op.create_index(
            "ix_interaction_stakeholder_id_occurred_at",
            ["stakeholder_id", "occurred_at"],
            unique=False,
        )

    op.create_table(
        "request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stakeholder_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "mir", "iss", "grant", "speaker", name="requestkind", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "in_review",
                "answered",
                "approved",
                "declined",
                "closed",
                name="requeststatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "handling_function",
            sa.Enum(
                "medical",
                "commercial",
                "market_access",
                "research",
                "compliance",
                "finance",
                "operations",
                "admin",
                name="function",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("product_id", sa.Integer(), nullable=True),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("off_label", sa.Boolean(), nullable=False),
        sa.Column(
            "received_via",
            sa.Enum(
                "in_person",
                "remote_meeting",
                "phone",
                "email",
                "approved_email",
                "webinar",
                "congress",
                "event",
                "messaging",
                "portal",
                name="channel",
                native_enum=False,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("received_at", accord.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("answered_at", accord.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", accord.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["answered_by_id"],
            ["user.id"],
            name=op.f("fk_request_answered_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
            name=op.f("fk_request_created_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["product.id"],
            name=op.f("fk_request_product_id_product"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["stakeholder_id"],
            ["stakeholder.id"],
            name=op.f("fk_request_stakeholder_id_stakeholder"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request")),
    )
    with op.batch_alter_table("request", schema=None) as batch_op:
        batch_op.create_index(
            "ix_request_stakeholder_id_status", ["stakeholder_id", "status"], unique=False
        )

    op.create_table(
        "interaction_product",
        sa.Column("interaction_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["interaction_id"],
            ["interaction.id"],
            name=op.f("fk_interaction_product_interaction_id_interaction"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["product.id"],
            name=op.f("fk_interaction_product_product_id_product"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint(
            "interaction_id", "product_id", name=op.f("pk_interaction_product")
        ),
    )
    with op.batch_alter_table("interaction_product", schema=None) as batch_op:
        batch_op.create_index("ix_interaction_product_product_id", ["product_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("interaction_product", schema=None) as batch_op:
        batch_op.drop_index("ix_interaction_product_product_id")

    op.drop_table("interaction_product")
    with op.batch_alter_table("request", schema=None) as batch_op:
        batch_op.drop_index("ix_request_stakeholder_id_status")

    op.drop_table("request")
    with op.batch_alter_table("interaction", schema=None) as batch_op:
        batch_op.drop_index("ix_interaction_stakeholder_id_occurred_at")
        batch_op.drop_index("ix_interaction_owner_id_occurred_at")

    op.drop_table("interaction")
    with op.batch_alter_table("insight", schema=None) as batch_op:
        batch_op.drop_index("ix_insight_stakeholder_id_recorded_at")

    op.drop_table("insight")
    op.drop_table("engagement_status")
    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.drop_index("ix_consent_stakeholder_id_channel_purpose")

    op.drop_table("consent")
    with op.batch_alter_table("channel_preference", schema=None) as batch_op:
        batch_op.drop_index("ix_channel_preference_stakeholder_id")

    op.drop_table("channel_preference")
