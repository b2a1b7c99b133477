"""who opening a campaign left out, kept with the campaign

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06 11:00:00

Opening a campaign leaves out people whose survey budget is spent and people erased this
quarter and imported again. An administrator who opened it from its page was told the counts
once (a flash); a campaign the scheduler opened told no one. Both counts are now kept with the
campaign and shown on its page. Campaigns opened before keep NULL: their counts are not known.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(sa.Column("left_out_over_budget", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("left_out_erased", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_column("left_out_erased")
        batch.drop_column("left_out_over_budget")
