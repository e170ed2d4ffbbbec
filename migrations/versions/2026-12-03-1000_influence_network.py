"""influence network: edges with their sources, referrals, events, snapshots of metrics and tiers

Also the therapeutic areas' keywords (which publications and trials belong to an area) and
the claims that let many schedulers start a nightly job once.

Revision ID: 474fb7fc8385
Revises: c4e7a9d2b815
Create Date: 2026-12-03 10:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import accord.db.base

revision: str = "474fb7fc8385"
down_revision: str | None = "c4e7a9d2b815"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "network_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("taken_on", sa.Date(), nullable=False),
        sa.Column("started_at", accord.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", accord.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "running",
                "succeeded",
                "failed",
                name="snapshotstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("node_count", sa.Integer(), nullable=False),
        sa.Column("edge_count", sa.Integer(), nullable=False),
        sa.Column("brokerage_method", sa.Text(), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("timings", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("requested_by", sa.String(length=150), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_snapshot")),
    )
    with op.batch_alter_table("network_snapshot", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_network_snapshot_taken_on"), ["taken_on"], unique=False
        )

    op.create_table(
        "scheduled_run",
        sa.Column("job_name", sa.String(length=200), nullable=False),
        sa.Column("run_on", sa.Date(), nullable=False),
        sa.Column("claimed_at", accord.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("job_name", "run_on", name=op.f("pk_scheduled_run")),
    )
    op.create_table(
        "event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "congress",
                "symposium",
                "advisory_board",
                "speaker_program",
                "webinar",
                name="eventkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "scope",
            sa.Enum(
                "global",
                "national",
                "regional",
                "local",
                name="eventscope",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("therapeutic_area_id", sa.Integer(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.Column("state", sa.String(length=2), nullable=True),
        sa.Column("country", sa.String(length=100), nullable=False),
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
            ["therapeutic_area_id"],
            ["therapeutic_area.id"],
            name=op.f("fk_event_therapeutic_area_id_therapeutic_area"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event")),
    )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_therapeutic_area_id"), ["therapeutic_area_id"], unique=False
        )

    op.create_table(
        "event_participant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("stakeholder_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "speaker", "chair", "attendee", name="participantrole", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_event_participant_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["stakeholder_id"],
            ["stakeholder.id"],
            name=op.f("fk_event_participant_stakeholder_id_stakeholder"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_participant")),
        sa.UniqueConstraint(
            "event_id",
            "stakeholder_id",
            "role",
            name=op.f("uq_event_participant_event_id_stakeholder_id_role"),
        ),
    )
    with op.batch_alter_table("event_participant", schema=None) as batch_op:
        batch_op.create_index(
            "ix_event_participant_stakeholder_id", ["stakeholder_id"], unique=False
        )

    op.create_table(
        "network_edge",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column(
            "type",
            sa.Enum(
                "colleague",
                "member",
                "part_of",
                "coauthor",
                "coinvestigator",
                "investigator_at",
                "cospeaker",
                "spoke_to",
                "referral",
                name="edgetype",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("therapeutic_area_id", sa.Integer(), nullable=True),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("evidence_count", sa.Integer(), nullable=False),
        sa.Column("first_date", sa.Date(), nullable=True),
        sa.Column("last_date", sa.Date(), nullable=True),
        sa.Column("sources", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["stakeholder.id"],
            name=op.f("fk_network_edge_source_id_stakeholder"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["stakeholder.id"],
            name=op.f("fk_network_edge_target_id_stakeholder"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["therapeutic_area_id"],
            ["therapeutic_area.id"],
            name=op.f("fk_network_edge_therapeutic_area_id_therapeutic_area"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_edge")),
    )
    with op.batch_alter_table("network_edge", schema=None) as batch_op:
        batch_op.create_index("ix_network_edge_source_id", ["source_id"], unique=False)
        batch_op.create_index("ix_network_edge_target_id", ["target_id"], unique=False)

    op.create_table(
        "network_metric",
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("stakeholder_id", sa.Integer(), nullable=False),
        sa.Column("influence", sa.Float(), nullable=False),
        sa.Column("influence_percentile", sa.Float(), nullable=False),
        sa.Column("brokerage", sa.Float(), nullable=False),
        sa.Column("community", sa.Integer(), nullable=False),
        sa.Column("degree", sa.Integer(), nullable=False),
        sa.Column("reach_cities", sa.Integer(), nullable=False),
        sa.Column("reach_states", sa.Integer(), nullable=False),
        sa.Column("reach_countries", sa.Integer(), nullable=False),
        sa.Column("coauthors", sa.Integer(), nullable=False),
        sa.Column("trial_sites", sa.Integer(), nullable=False),
        sa.Column("trials", sa.Integer(), nullable=False),
        sa.Column("talks_global", sa.Integer(), nullable=False),
        sa.Column("talks_national", sa.Integer(), nullable=False),
        sa.Column("talks_regional", sa.Integer(), nullable=False),
        sa.Column("talks_local", sa.Integer(), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column(
            "tier",
            sa.Enum(
                "global", "national", "regional", "local", name="tier", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("evidence", sa.Text(), nullable=False),
        # no foreign keys: a snapshot's millions of rows are written by one COPY from ids read
        # in the same transaction, and checking each row against two tables doubled its cost
        sa.PrimaryKeyConstraint(
            "snapshot_id", "scope", "stakeholder_id", name=op.f("pk_network_metric")
        ),
    )
    with op.batch_alter_table("network_metric", schema=None) as batch_op:
        batch_op.create_index(
            "ix_network_metric_snapshot_scope_influence",
            ["snapshot_id", "scope", "influence"],
            unique=False,
        )

    op.create_table(
        "referral",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("from_npi", sa.String(length=10), nullable=False),
        sa.Column("to_npi", sa.String(length=10), nullable=False),
        sa.Column("from_stakeholder_id", sa.Integer(), nullable=True),
        sa.Column("to_stakeholder_id", sa.Integer(), nullable=True),
        sa.Column("pair_count", sa.Integer(), nullable=False),
        sa.Column("beneficiary_count", sa.Integer(), nullable=False),
        sa.Column("same_day_count", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("import_job_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["from_stakeholder_id"],
            ["stakeholder.id"],
            name=op.f("fk_referral_from_stakeholder_id_stakeholder"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["import_job_id"],
            ["import_job.id"],
            name=op.f("fk_referral_import_job_id_import_job"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["to_stakeholder_id"],
            ["stakeholder.id"],
            name=op.f("fk_referral_to_stakeholder_id_stakeholder"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral")),
    )
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.create_index("ix_referral_from_npi_to_npi", ["from_npi", "to_npi"], unique=False)
        batch_op.create_index(
            "ix_referral_from_stakeholder_id", ["from_stakeholder_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_referral_to_stakeholder_id"), ["to_stakeholder_id"], unique=False
        )

    with op.batch_alter_table("therapeutic_area", schema=None) as batch_op:
        batch_op.add_column(sa.Column("keywords", sa.JSON(), server_default="[]", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("therapeutic_area", schema=None) as batch_op:
        batch_op.drop_column("keywords")

    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referral_to_stakeholder_id"))
        batch_op.drop_index("ix_referral_from_stakeholder_id")
        batch_op.drop_index("ix_referral_from_npi_to_npi")

    op.drop_table("referral")
    with op.batch_alter_table("network_metric", schema=None) as batch_op:
        batch_op.drop_index("ix_network_metric_snapshot_scope_influence")

    op.drop_table("network_metric")
    with op.batch_alter_table("network_edge", schema=None) as batch_op:
        batch_op.drop_index("ix_network_edge_target_id")
        batch_op.drop_index("ix_network_edge_source_id")

    op.drop_table("network_edge")
    with op.batch_alter_table("event_participant", schema=None) as batch_op:
        batch_op.drop_index("ix_event_participant_stakeholder_id")

    op.drop_table("event_participant")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_therapeutic_area_id"))

    op.drop_table("event")
    op.drop_table("scheduled_run")
    with op.batch_alter_table("network_snapshot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_network_snapshot_taken_on"))

    op.drop_table("network_snapshot")
