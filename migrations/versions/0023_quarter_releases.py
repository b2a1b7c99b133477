"""the k each quarter was released under

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 03:00:00

A quarter's figures were gated, on every later page, with the k in force at the time of the
reading (at least its campaigns' and the frozen baseline's). Lowering ``SURVEY_MIN_GROUP_SIZE``
before a baseline was frozen therefore published a released quarter again under the lower k,
with another suppression pattern, and a reader could subtract the cells one publication showed
from the other's. ``quarter_releases`` records, once, the k each quarter was first released
under; every later publication gates the quarter with at least that k.

The quarters already released are recorded by the next tick with the k then in force, as if
released at that moment: the upgrade cannot know the k of earlier readings.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from survey.models.base import UTCDateTime

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quarter_releases",
        sa.Column("quarter", sa.String(length=6), primary_key=True),
        sa.Column("min_group_size", sa.Integer(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("quarter_releases")
