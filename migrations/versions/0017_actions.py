"""action plans: what a department will change, and its "you said, we did" summary

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 10:20:00

A new table; nothing existing changes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

DIMENSIONS = "'reliability', 'responsiveness', 'competence', 'courtesy', 'tools'"


def upgrade() -> None:
    op.create_table(
        "actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=160), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("target_kind", sa.String(length=20), nullable=False),
        sa.Column("target_code", sa.String(length=20), nullable=True),
        sa.Column("customer_department_id", sa.Integer(), nullable=True),
        sa.Column("owner_name", sa.String(length=160), nullable=False),
        sa.Column("owner_user_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("public_summary", sa.String(length=280), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('planned', 'in_progress', 'done', 'dropped')",
            name=op.f("ck_actions_status_known"),
        ),
        sa.CheckConstraint(
            f"(target_kind = 'dimension' AND target_code IN ({DIMENSIONS})"
            " AND customer_department_id IS NULL)"
            " OR (target_kind = 'component' AND target_code IN ('T', 'R', 'C')"
            " AND customer_department_id IS NULL)"
            " OR (target_kind = 'customer' AND target_code IS NULL"
            " AND customer_department_id IS NOT NULL)",
            name=op.f("ck_actions_one_target"),
        ),
        sa.CheckConstraint(
            "customer_department_id IS NULL OR customer_department_id <> department_id",
            name=op.f("ck_actions_not_own_customer"),
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_actions_department_id_departments"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["customer_department_id"],
            ["departments.id"],
            name=op.f("fk_actions_customer_department_id_departments"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["owner_user_id"],
            ["users.id"],
            name=op.f("fk_actions_owner_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actions")),
    )
    op.create_index(op.f("ix_actions_department_id"), "actions", ["department_id"])


def downgrade() -> None:
    op.drop_table("actions")
