"""what an API key may do

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05 22:00:00

API keys get ``scopes``: the routes they may call, separated by spaces, among
``interactions`` (report requests, their events and webhooks), ``scorecards`` (departments and
their scorecards) and ``mail_reports`` (bounce and complaint reports). A key made for a
ticketing tool then cannot suppress addresses or opt people out, nor a relay's key report
requests. Existing keys get every scope, so no integration stops working at the upgrade; an
administrator narrows them by making new keys. Both databases add the column in place with
that default.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

ALL_SCOPES = "interactions scorecards mail_reports"


def upgrade() -> None:
    with op.batch_alter_table("api_keys") as batch_op:
        batch_op.add_column(
            sa.Column(
                "scopes", sa.String(length=100), nullable=False, server_default=ALL_SCOPES
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("api_keys") as batch_op:
        batch_op.drop_column("scopes")
