"""respondent marks: the scorecards count people, not responses

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 05:00:00

Until now a score cell's ``n`` counted responses, so one person answering five
post-interaction surveys about a department made a figure "n = 5". From here on the cells
``T`` and ``R`` hold one value per person (their share of satisfied answers, their mean
relationship score) and a new cell ``people`` counts the distinct people who answered
anything about a provider, per customer department and quarter. A keyed pseudonym of
(person, provider, quarter) in ``respondent_marks`` recognises a second answer; the response
itself still carries no person.

What this migration does to the figures already stored (responses carry no person, so the
past can only be approximated, always on the side of counting fewer people):

- quarterly answers (``R``) are one per person and campaign already: unchanged;
- post-interaction satisfaction (``T``): the people behind each (provider, customer,
  quarter) are counted from the answered post-interaction invitations (the person who was
  asked, the provider of the request, the quarter the invitation was created in). Where
  that is fewer than the responses, the cell keeps its share but its ``n`` drops to the
  people, so a cell that rested on fewer than k people is hidden from now on. Responses with
  no answered invitation behind them (loaded by other means) count no one;
- ``people`` = the larger of the two counts (a lower bound of the distinct people).

Past marks cannot be rebuilt: a person answering again in a quarter that was already running
counts once more only through the invitations' count above. Downgrade drops the marks and the
``people`` cells; the ``T`` cells keep their person counts.
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _quarter(moment) -> str:  # type: ignore[no-untyped-def]
    if isinstance(moment, str):
        year, month = int(moment[:4]), int(moment[5:7])
    else:
        year, month = moment.year, moment.month
    return f"{year}Q{(month - 1) // 3 + 1}"


def upgrade() -> None:
    op.create_table(
        "respondent_marks",
        sa.Column(
            "provider_department_id",
            sa.Integer(),
            sa.ForeignKey("departments.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "customer_department_id",
            sa.Integer(),
            sa.ForeignKey("departments.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("quarter", sa.String(6), primary_key=True),
        sa.Column("pseudonym", sa.String(32), primary_key=True),
        sa.Column("responses", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("t_count", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("t_sum", sa.Float(), nullable=False, server_default="0"),
        sa.Column("r_count", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("r_sum", sa.Float(), nullable=False, server_default="0"),
    )
    bind = op.get_bind()
    answered = bind.execute(
        sa.text(
            "SELECT i.person_id, p.department_id, x.provider_department_id, i.created_at "
            "FROM invitations i JOIN interactions x ON x.id = i.interaction_id "
            "JOIN people p ON p.id = i.person_id "
            "WHERE i.kind = 'post_interaction' AND i.status = 'answered'"
        )
    ).all()
    people: dict[tuple[int, int, str], set[int]] = defaultdict(set)
    for person, customer, provider, created in answered:
        people[(provider, customer, _quarter(created))].add(person)
    cells = bind.execute(
        sa.text(
            "SELECT provider_department_id, customer_department_id, quarter, metric, n "
            "FROM score_cells WHERE metric IN ('T', 'q.n')"
        )
    ).all()
    counts: dict[tuple[int, int, str], int] = defaultdict(int)
    for provider, customer, quarter, metric, n in cells:
        key = (provider, customer, quarter)
        if metric == "q.n":
            counts[key] = max(counts[key], n)
            continue
        persons = len(people.get(key, ()))
        counts[key] = max(counts[key], min(n, persons))
        if persons < n:
            factor = persons / n if n else 0.0
            bind.execute(
                sa.text(
                    "UPDATE score_cells SET n = :people, total = total * :f, "
                    "total_sq = total_sq * :f WHERE provider_department_id = :p "
                    "AND customer_department_id = :c AND quarter = :q AND metric = 'T'"
                ),
                {"people": persons, "f": factor, "p": provider, "c": customer, "q": quarter},
            )
    rows = [{"p": p, "c": c, "q": q, "n": n} for (p, c, q), n in sorted(counts.items()) if n > 0]
    if rows:
        bind.execute(
            sa.text(
                "INSERT INTO score_cells (provider_department_id, customer_department_id, "
                "quarter, metric, n, total, total_sq, histogram) "
                "VALUES (:p, :c, :q, 'people', :n, :n, :n, '{}')"
            ),
            rows,
        )


def downgrade() -> None:
    op.execute("DELETE FROM score_cells WHERE metric = 'people'")
    op.drop_table("respondent_marks")
