"""translated titles and public summaries of actions

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 14:00:00

Actions get ``translations``: a JSON object of field -> locale -> text
(``{"public_summary": {"it": ..., "fr": ...}, "title": {...}}``) beside their default
``title`` and ``public_summary``, the same one-column shape as the departments' ``names``.
An empty object means "no translation": every reader sees the default text. Both databases add
the column in place with the default ``{}``, so existing rows need no update.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "actions",
        sa.Column("translations", sa.JSON(), nullable=False, server_default=sa.text("'{}'")),
    )


def downgrade() -> None:
    op.drop_column("actions", "translations")
