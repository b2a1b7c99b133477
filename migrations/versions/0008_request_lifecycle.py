"""interactions: request lifecycle (cancel, reopen, pauses, owning API key); idempotency keys

Revision ID: 0008
Revises: 0011
Create Date: 2026-12-04 04:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from survey.models.base import UTCDateTime

revision = "0008"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("interactions") as batch_op:
        batch_op.add_column(sa.Column("cancelled_at", UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("reopened_at", UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("reopen_count", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("paused_seconds", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("api_key_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("updated_at", UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_interactions_updated_at"), ["updated_at"])
        batch_op.create_foreign_key(
            batch_op.f("fk_interactions_api_key_id_api_keys"),
            "api_keys",
            ["api_key_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(batch_op.f("ix_interactions_api_key_id"), ["api_key_id"])
        batch_op.create_check_constraint(
            batch_op.f("ck_interactions_paused_not_negative"), "paused_seconds >= 0"
        )
    op.create_table(
        "idempotency_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("api_key_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("body_sha256", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response_json", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["api_key_id"],
            ["api_keys.id"],
            name=op.f("fk_idempotency_keys_api_key_id_api_keys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_keys")),
        sa.UniqueConstraint("api_key_id", "key", name=op.f("uq_idempotency_keys_api_key_id_key")),
    )


def downgrade() -> None:
    op.drop_table("idempotency_keys")
    with op.batch_alter_table("interactions") as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_interactions_paused_not_negative"), type_="check")
        batch_op.drop_index(batch_op.f("ix_interactions_updated_at"))
        batch_op.drop_index(batch_op.f("ix_interactions_api_key_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_interactions_api_key_id_api_keys"), type_="foreignkey"
        )
        for name in (
            "updated_at",
            "api_key_id",
            "paused_seconds",
            "reopen_count",
            "reopened_at",
            "cancelled_at",
        ):
            batch_op.drop_column(name)
