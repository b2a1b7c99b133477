"""responses no longer name the service a request was about

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 10:40:00

A post-interaction response kept the service of the request it rated. No page, export, API
answer or statistic read it (compliance is counted from the requests themselves), and the
design's response carries none. For a reader of the database it narrowed an answer down to the
few requests of that service in that week, which the requests' rows name with their
requester. The column is dropped; what stays on a response is its provider and customer
departments, its quarter and week, its questionnaire and, for a quarterly answer, its campaign.

SQLite cannot drop a column that carries a foreign key in place: the table is rebuilt in batch
mode (with foreign keys off, ``migrations/env.py``), keeping ``WITHOUT ROWID`` (0020). A
downgrade brings the column back empty.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

FOREIGN_KEY = "fk_responses_service_id_services"


def _table_kwargs() -> dict[str, bool]:
    return {"sqlite_with_rowid": False} if op.get_bind().dialect.name == "sqlite" else {}


def upgrade() -> None:
    with op.batch_alter_table("responses", table_kwargs=_table_kwargs()) as batch:
        batch.drop_constraint(FOREIGN_KEY, type_="foreignkey")
        batch.drop_column("service_id")


def downgrade() -> None:
    with op.batch_alter_table("responses", table_kwargs=_table_kwargs()) as batch:
        batch.add_column(sa.Column("service_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            FOREIGN_KEY, "services", ["service_id"], ["id"], ondelete="SET NULL"
        )
