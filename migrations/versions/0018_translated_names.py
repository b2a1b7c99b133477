"""translated names of departments and services

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 10:30:00

Departments and services get ``names``: a JSON object of locale -> text (``it``, ``fr``)
beside their default ``name``, the same shape as a question's ``texts`` (one column, no join,
read with the row). An empty object means "no translation": every reader falls back to the
default name (``survey.names.localized_name``). Both databases add the column in place with
the default ``{}``, so existing rows need no update and no table is rebuilt.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

TABLES = ("departments", "services")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(
            table,
            sa.Column("names", sa.JSON(), nullable=False, server_default=sa.text("'{}'")),
        )


def downgrade() -> None:
    for table in TABLES:
        op.drop_column(table, "names")
