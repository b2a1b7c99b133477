"""campaign schedules (quarterly campaigns created by the scheduler), erased addresses, and
interactions whose requester may be cleared once the retention period has passed

Revision ID: 0013
Revises: 0010
Create Date: 2026-12-04 07:30:00

Nothing stored changes meaning: existing campaigns have no schedule, no address is erased,
every interaction keeps its requester. Downgrade drops the new tables and column; it fails
if an interaction has already lost its requester (retention ran), since the old schema
cannot hold that.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import survey.models.base

revision = "0013"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "campaign_schedules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("quarters", sa.String(length=4), nullable=False),
        sa.Column("open_offset_days", sa.Integer(), nullable=False),
        sa.Column("close_offset_days", sa.Integer(), nullable=False),
        sa.Column("reminder_max", sa.Integer(), nullable=False),
        sa.Column("reminder_min_days", sa.Integer(), nullable=False),
        sa.Column("min_group_size", sa.Integer(), nullable=False),
        sa.Column("questionnaire_id", sa.Integer(), nullable=True),
        sa.Column("audience", sa.String(length=12), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", survey.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", survey.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "open_offset_days >= 0", name=op.f("ck_campaign_schedules_open_offset_not_negative")
        ),
        sa.CheckConstraint(
            "close_offset_days > open_offset_days",
            name=op.f("ck_campaign_schedules_closes_after_opens"),
        ),
        sa.CheckConstraint(
            "reminder_max >= 0 AND reminder_min_days >= 1",
            name=op.f("ck_campaign_schedules_reminder_policy"),
        ),
        sa.CheckConstraint(
            "min_group_size >= 2", name=op.f("ck_campaign_schedules_k_at_least_two")
        ),
        sa.CheckConstraint(
            "audience IN ('all', 'departments')", name=op.f("ck_campaign_schedules_audience_known")
        ),
        sa.ForeignKeyConstraint(
            ["questionnaire_id"],
            ["questionnaires.id"],
            name=op.f("fk_campaign_schedules_questionnaire_id_questionnaires"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_schedules")),
    )
    op.create_table(
        "schedule_departments",
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_schedule_departments_department_id_departments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["campaign_schedules.id"],
            name=op.f("fk_schedule_departments_schedule_id_campaign_schedules"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "schedule_id", "department_id", name=op.f("pk_schedule_departments")
        ),
    )
    op.create_table(
        "erased_addresses",
        sa.Column("address_hash", sa.String(length=64), nullable=False),
        sa.Column("suppressed", sa.Boolean(), nullable=False),
        sa.Column("erased_at", survey.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("address_hash", name=op.f("pk_erased_addresses")),
    )
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(sa.Column("schedule_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_campaigns_schedule_id_campaign_schedules",
            "campaign_schedules",
            ["schedule_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_unique_constraint(
            "uq_campaigns_schedule_id_quarter", ["schedule_id", "quarter"]
        )
    with op.batch_alter_table("interactions") as batch:
        batch.alter_column("requester_person_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("interactions") as batch:
        batch.alter_column("requester_person_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_constraint("uq_campaigns_schedule_id_quarter", type_="unique")
        batch.drop_constraint("fk_campaigns_schedule_id_campaign_schedules", type_="foreignkey")
        batch.drop_column("schedule_id")
    op.drop_table("erased_addresses")
    op.drop_table("schedule_departments")
    op.drop_table("campaign_schedules")
