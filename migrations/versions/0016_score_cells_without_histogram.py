"""score cells without their histogram: a JSON column written on every submit and read by nothing

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-04 08:30:00

Each score cell kept a JSON histogram of raw answers, merged in the database on every submit
with each dialect's JSON functions (and once more in Python for bulk loads). Since the scoring
model's change tests take the distribution of per-person values from ``respondent_marks``
(one person, one value), no page, export or test statistic read it. Dropping it makes a
submit's cell upsert plain integer and float additions, the same on both databases.

Both databases drop the column in place (SQLite 3.35 or later): no table rebuild, so the
score-total triggers on ``score_cells`` stay. A downgrade brings the column back empty.
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE score_cells DROP COLUMN histogram")


def downgrade() -> None:
    default = "'{}'::json" if op.get_bind().dialect.name == "postgresql" else "'{}'"
    op.execute(f"ALTER TABLE score_cells ADD COLUMN histogram JSON NOT NULL DEFAULT {default}")
