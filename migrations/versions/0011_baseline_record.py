"""baseline record: a frozen baseline keeps its method, weights, k and priors; re-bases keep
the old ones

Revision ID: 0011
Revises: 0006
Create Date: 2026-12-04 05:00:00

A baseline stored before this migration was frozen with the default weights (T 0.35, R 0.45,
C 0.20), k = 5 and the method "isq-1": those are written into it, and it stays the active
one. Its priors were not recorded (they were estimated per quarter then): left empty.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0006"
branch_labels = None
depends_on = None

_DEFAULT_WEIGHTS = '{"T": 0.35, "R": 0.45, "C": 0.2}'


def upgrade() -> None:
    with op.batch_alter_table("baselines") as batch:
        batch.add_column(sa.Column("method", sa.String(20), nullable=False, server_default="isq-1"))
        batch.add_column(
            sa.Column("weights", sa.JSON(), nullable=False, server_default=_DEFAULT_WEIGHTS)
        )
        batch.add_column(sa.Column("k", sa.Integer(), nullable=False, server_default="5"))
        batch.add_column(sa.Column("priors", sa.JSON(), nullable=False, server_default="{}"))
        batch.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch.add_column(sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("frozen_by", sa.String(200), nullable=False, server_default=""))
    # Only the newest of several old baselines stays active (pages used the newest).
    op.execute(
        "UPDATE baselines SET active = false WHERE created_at < "
        "(SELECT max(created_at) FROM baselines)"
    )


def downgrade() -> None:
    with op.batch_alter_table("baselines") as batch:
        for name in ("frozen_by", "superseded_at", "active", "priors", "k", "weights", "method"):
            batch.drop_column(name)
