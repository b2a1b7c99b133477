"""a released quarter's compliance counts, frozen at its release

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06 11:00:00

A released quarter's C (service-standard compliance) was counted from the requests at every
reading, so a ticketing tool reporting requests of that quarter afterwards (a first
connection back-filling months, a replay after an outage), a request resolved after the
release, or time passing over a request still open, moved C, and with it the ISQ and IQ
already published. ``released_compliance`` keeps each released quarter's counts per provider
and service as they were when its release was recorded (``quarter_releases``, whose new
``compliance_frozen_at`` says when); pages, exports and the API read them from then on.

Quarters released before this upgrade are frozen by the next tick, with the counts of that
moment: the upgrade cannot know what earlier readings showed.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from survey.models.base import UTCDateTime

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "released_compliance",
        sa.Column("quarter", sa.String(length=6), nullable=False),
        sa.Column("provider_department_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("judged", sa.Integer(), nullable=False),
        sa.Column("compliant", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("quarter", "provider_department_id", "service_id"),
    )
    with op.batch_alter_table("quarter_releases") as batch:
        batch.add_column(sa.Column("compliance_frozen_at", UTCDateTime(timezone=True)))


def downgrade() -> None:
    with op.batch_alter_table("quarter_releases") as batch:
        batch.drop_column("compliance_frozen_at")
    op.drop_table("released_compliance")
