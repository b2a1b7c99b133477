"""score totals per statement: on PostgreSQL, keep score totals and versions once per statement
that changes score cells rather than once per cell

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 12:00:00

A submit writes its eight or so cells in one statement. The row trigger of 0004 ran a function
and two upserts for every one of them, and raised the quarter's single version row eight times:
twice the database time of everything else in the submit. Statement triggers with transition
tables see every changed cell at once: the rows added (``added``) count plus, the rows removed
(``removed``) count minus, so an update, a move to another key and a delete all come out right
without pairing old and new rows. Totals and versions are then written once per key, in key
order. SQLite has no statement triggers: its row triggers of 0004 stay.
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_ADDED = "SELECT metric, quarter, provider_department_id, n, total, total_sq FROM added"
_REMOVED = (
    "SELECT metric, quarter, provider_department_id, -n, -total, -total_sq FROM removed"
)
# One statement: the totals of every (metric, quarter, provider) touched, then each quarter's
# version raised once and its response count (its pi.n and q.n cells) moved.
_APPLY = """
    WITH changes (metric, quarter, provider_department_id, n, total, total_sq) AS ({changes}),
    totals AS (
        INSERT INTO score_totals AS t (metric, quarter, provider_department_id, n, total, total_sq)
        SELECT metric, quarter, provider_department_id, sum(n), sum(total), sum(total_sq)
        FROM changes GROUP BY metric, quarter, provider_department_id
        ORDER BY metric, quarter, provider_department_id
        ON CONFLICT (metric, quarter, provider_department_id) DO UPDATE SET
            n = t.n + excluded.n, total = t.total + excluded.total,
            total_sq = t.total_sq + excluded.total_sq
    )
    INSERT INTO score_versions AS v (quarter, version, responses)
    SELECT quarter, 1, sum(CASE WHEN metric IN ('pi.n', 'q.n') THEN n ELSE 0 END)
    FROM changes GROUP BY quarter ORDER BY quarter
    ON CONFLICT (quarter) DO UPDATE SET
        version = v.version + 1, responses = v.responses + excluded.responses;
"""
STATEMENT_FUNCTION = f"""
CREATE FUNCTION score_totals_apply_statement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_APPLY.format(changes=_ADDED)}
    ELSIF TG_OP = 'UPDATE' THEN
        {_APPLY.format(changes=f"{_ADDED} UNION ALL {_REMOVED}")}
    ELSE
        {_APPLY.format(changes=_REMOVED)}
    END IF;
    RETURN NULL;
END
$$
"""
# A trigger with transition tables serves one event, hence three.
STATEMENT_TRIGGERS = {
    "score_totals_cells_insert": "AFTER INSERT ON score_cells REFERENCING NEW TABLE AS added",
    "score_totals_cells_update": (
        "AFTER UPDATE ON score_cells REFERENCING OLD TABLE AS removed NEW TABLE AS added"
    ),
    "score_totals_cells_delete": "AFTER DELETE ON score_cells REFERENCING OLD TABLE AS removed",
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER score_totals_cells ON score_cells")
    op.execute(STATEMENT_FUNCTION)
    for name, when in STATEMENT_TRIGGERS.items():
        op.execute(
            f"CREATE TRIGGER {name} {when} FOR EACH STATEMENT "
            "EXECUTE FUNCTION score_totals_apply_statement()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in STATEMENT_TRIGGERS:
        op.execute(f"DROP TRIGGER {name} ON score_cells")
    op.execute("DROP FUNCTION score_totals_apply_statement()")
    op.execute(
        "CREATE TRIGGER score_totals_cells AFTER INSERT OR UPDATE OR DELETE ON score_cells "
        "FOR EACH ROW EXECUTE FUNCTION score_totals_apply()"
    )
