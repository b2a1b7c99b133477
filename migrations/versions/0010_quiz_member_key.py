"""quiz self-views from members only: a keyed pseudonym on the member's latest attempt

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-04 05:30:00

A department's quiz self-view used to count every attempt that named the department,
anonymous ones included, over a rolling window of four quarters. From here on it counts only
attempts made through a personal quiz invitation or by a signed-in user of the department,
one per member and calendar quarter (the latest), and a quarter's self-view is published
only after the quarter has ended. Such an attempt carries ``member_key``, a keyed pseudonym
HMAC(secret key, member, quarter), unique, so a newer attempt of the same member in the same
quarter takes it over from the older one. No answer is linked to a person.

What happens to the attempts already stored: every one of them was made through the public,
anonymous form (the invitation email linked to it), so none can be verified as a member's.
They all keep their series, answers, scores and result pages, and retakes through their
private links still show progress; they stop counting toward any department's self-view, so
the self-views of past quarters read "no data" until members take the quiz. Downgrade drops
the column; the attempts stay.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("quiz_attempts") as batch:
        batch.add_column(sa.Column("member_key", sa.String(length=64), nullable=True))
        batch.create_unique_constraint("uq_quiz_attempts_member_key", ["member_key"])


def downgrade() -> None:
    with op.batch_alter_table("quiz_attempts") as batch:
        batch.drop_constraint("uq_quiz_attempts_member_key", type_="unique")
        batch.drop_column("member_key")
