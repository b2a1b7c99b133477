"""responses no longer name the service or the campaign they came through

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 10:40:00

A post-interaction response kept the service of the request it rated, and a quarterly one the
campaign that invited its author. No page, export, API answer or statistic read either
(compliance is counted from the requests themselves, response rates from the invitations),
and the design's response carries neither. For a reader of the database each narrowed an
answer down: to the few requests of one service in one week, which name their requester, or
to the invitees of a small campaign (a follow-up for a few people in the quarter). Both
columns are dropped, with the campaign's index; what stays on a response is its provider and
customer departments, its quarter and week, its questionnaire and the contact a respondent
asked for.

SQLite cannot drop a column that carries a foreign key in place: the table is rebuilt in batch
mode (with foreign keys off, ``migrations/env.py``), keeping ``WITHOUT ROWID`` (0020). A
downgrade brings the columns back empty.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

SERVICE_KEY = "fk_responses_service_id_services"
CAMPAIGN_KEY = "fk_responses_campaign_id_campaigns"
CAMPAIGN_INDEX = "ix_responses_campaign_id"


def _table_kwargs() -> dict[str, bool]:
    return {"sqlite_with_rowid": False} if op.get_bind().dialect.name == "sqlite" else {}


def upgrade() -> None:
    with op.batch_alter_table("responses", table_kwargs=_table_kwargs()) as batch:
        batch.drop_index(CAMPAIGN_INDEX)
        batch.drop_constraint(SERVICE_KEY, type_="foreignkey")
        batch.drop_constraint(CAMPAIGN_KEY, type_="foreignkey")
        batch.drop_column("service_id")
        batch.drop_column("campaign_id")


def downgrade() -> None:
    with op.batch_alter_table("responses", table_kwargs=_table_kwargs()) as batch:
        batch.add_column(sa.Column("service_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("campaign_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(SERVICE_KEY, "services", ["service_id"], ["id"], ondelete="SET NULL")
        batch.create_foreign_key(
            CAMPAIGN_KEY, "campaigns", ["campaign_id"], ["id"], ondelete="SET NULL"
        )
        batch.create_index(CAMPAIGN_INDEX, ["campaign_id"])
