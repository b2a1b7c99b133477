"""responses, answers and respondent marks without SQLite's hidden row order

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 10:00:00

A SQLite table keeps its rows in the order of a hidden ``rowid`` that grows with every insert,
whatever its primary key: ``SELECT rowid`` on ``responses`` gave the order in which people
answered, and a quarterly submit's responses (one per rated department) sat side by side. The
three tables that hold answers are rebuilt ``WITHOUT ROWID``: their rows are then stored by
their primary keys (a random id; a response id and a question; a department pair, a quarter and
a keyed pseudonym), which tell nothing of when a row was written. The rows are copied over;
their indexes come back as they were. PostgreSQL has no such table option (its own
transaction ids are ``docs/anonymity.md``'s concern); nothing changes there.
"""

from __future__ import annotations

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

TABLES = ("responses", "answers", "respondent_marks")


def _rebuild(with_rowid: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_with_rowid": with_rowid}
        ):
            pass


def upgrade() -> None:
    _rebuild(with_rowid=False)


def downgrade() -> None:
    _rebuild(with_rowid=True)
