"""submits queued as one row, filed by the next reader

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07 08:00:00

A submit wrote its response, answers, the respondent's mark and a dozen score cells while it
held SQLite's write lock, so submits queued behind each other. It now uses its link and writes
one row of ``queued_submissions``; whatever reads or changes the figures next (a page or API
call outside the respondent's link, a ``survey`` command, the tick) files every queued row in
random order and deletes it. No row is queued before this upgrade; a downgrade with rows
still queued is refused (it would lose their answers).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "queued_submissions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("questionnaire_id", sa.Integer(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["questionnaire_id"],
            ["questionnaires.id"],
            name=op.f("fk_queued_submissions_questionnaire_id_questionnaires"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_queued_submissions")),
        sqlite_with_rowid=False,
    )
    op.create_index(
        op.f("ix_queued_submissions_questionnaire_id"),
        "queued_submissions",
        ["questionnaire_id"],
    )


def downgrade() -> None:
    # Dropping the table would lose answers not yet filed: any ``survey`` command files them.
    waiting = op.get_bind().execute(sa.text("SELECT count(*) FROM queued_submissions")).scalar()
    if waiting:
        raise RuntimeError(
            f"{waiting} submits are queued: run any `survey` command (it files them) first"
        )
    op.drop_index(op.f("ix_queued_submissions_questionnaire_id"), "queued_submissions")
    op.drop_table("queued_submissions")
