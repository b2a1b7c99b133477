"""respondent marks keyed by provider, quarter and pseudonym first

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 06:00:00

A person's mark was keyed by (provider, customer department, quarter, pseudonym), so someone
who moved to another department within a quarter and answered about the same provider again
got a second mark under the new department, and the scorecards counted them as two people
(a group the gate took for k people could hold k − 1). A submit now looks for the person's
mark of the provider and quarter whatever its customer department and joins it. The primary
key is reordered so that this look-up is its first three columns: the same columns, the same
rows (SQLite rebuilds the table, still without ``rowid``). Marks already written stay as they
are: a quarter already released does not move.
"""

from __future__ import annotations

from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

NAME = "pk_respondent_marks"
BY_PERSON = ["provider_department_id", "quarter", "pseudonym", "customer_department_id"]
BY_PAIR = ["provider_department_id", "customer_department_id", "quarter", "pseudonym"]


def _key(columns: list[str]) -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table(
            "respondent_marks", recreate="always", table_kwargs={"sqlite_with_rowid": False}
        ) as batch:
            batch.drop_constraint(NAME, type_="primary")
            batch.create_primary_key(NAME, columns)
        return
    op.drop_constraint(NAME, "respondent_marks", type_="primary")
    op.create_primary_key(NAME, "respondent_marks", columns)


def upgrade() -> None:
    _key(BY_PERSON)


def downgrade() -> None:
    _key(BY_PAIR)
