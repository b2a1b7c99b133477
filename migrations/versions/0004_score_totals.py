"""score totals and versions: the score cells added up per provider and quarter, and a
version per quarter, kept by triggers

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 09:00:00

Pages read one row per department from ``score_totals`` instead of grouping every
(provider, customer) cell, and cache what they build under ``score_versions`` (per quarter: a
counter raised by every change to one of its cells, and its number of responses). Triggers on
``score_cells`` keep both in the statement that changes a cell, whichever code writes it.
Existing cells are added up once here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# SQLite: one trigger per event. A cell whose (metric, quarter, provider) stays the same (every
# update the application makes) adds its difference; a moved cell leaves its old total and
# joins the new one; a deleted cell leaves its total.
_ADD = """
INSERT INTO score_totals (metric, quarter, provider_department_id, n, total, total_sq)
VALUES (NEW.metric, NEW.quarter, NEW.provider_department_id, {n}, {total}, {total_sq})
ON CONFLICT (metric, quarter, provider_department_id) DO UPDATE SET
    n = n + excluded.n, total = total + excluded.total, total_sq = total_sq + excluded.total_sq;
"""
_LEAVE = """
UPDATE score_totals SET n = n - OLD.n, total = total - OLD.total, total_sq = total_sq - OLD.total_sq
WHERE metric = OLD.metric AND quarter = OLD.quarter
    AND provider_department_id = OLD.provider_department_id;
"""
# Every change to a cell raises its quarter's version; count cells (pi.n, q.n) also move the
# quarter's number of responses.
_BUMP = """
INSERT INTO score_versions (quarter, version, responses)
VALUES ({quarter}, 1, CASE WHEN {metric} IN ('pi.n', 'q.n') THEN {n} ELSE 0 END)
ON CONFLICT (quarter) DO UPDATE SET
    version = version + 1, responses = responses + excluded.responses;
"""
_BUMP_NEW = _BUMP.format(quarter="NEW.quarter", metric="NEW.metric", n="NEW.n")
_BUMP_OLD = _BUMP.format(quarter="OLD.quarter", metric="OLD.metric", n="-OLD.n")
_SAME_KEY = (
    "NEW.metric = OLD.metric AND NEW.quarter = OLD.quarter"
    " AND NEW.provider_department_id = OLD.provider_department_id"
)
_WATCHED = "provider_department_id, quarter, metric, n, total, total_sq"

SQLITE_TRIGGERS = {
    "score_totals_cell_insert": (
        "AFTER INSERT ON score_cells",
        _ADD.format(n="NEW.n", total="NEW.total", total_sq="NEW.total_sq") + _BUMP_NEW,
    ),
    "score_totals_cell_update": (
        f"AFTER UPDATE OF {_WATCHED} ON score_cells WHEN {_SAME_KEY}",
        _ADD.format(
            n="NEW.n - OLD.n",
            total="NEW.total - OLD.total",
            total_sq="NEW.total_sq - OLD.total_sq",
        )
        + _BUMP.format(quarter="NEW.quarter", metric="NEW.metric", n="NEW.n - OLD.n"),
    ),
    "score_totals_cell_move": (
        f"AFTER UPDATE OF {_WATCHED} ON score_cells WHEN NOT ({_SAME_KEY})",
        _LEAVE
        + _BUMP_OLD
        + _ADD.format(n="NEW.n", total="NEW.total", total_sq="NEW.total_sq")
        + _BUMP_NEW,
    ),
    "score_totals_cell_delete": ("AFTER DELETE ON score_cells", _LEAVE + _BUMP_OLD),
}

POSTGRES_FUNCTION = """
CREATE FUNCTION score_totals_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    moved boolean := TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND NOT (
        NEW.metric = OLD.metric AND NEW.quarter = OLD.quarter
        AND NEW.provider_department_id = OLD.provider_department_id
    ));
    dn integer;
    dtotal double precision;
    dsq double precision;
BEGIN
    IF moved THEN
        UPDATE score_totals SET n = n - OLD.n, total = total - OLD.total,
            total_sq = total_sq - OLD.total_sq
        WHERE metric = OLD.metric AND quarter = OLD.quarter
            AND provider_department_id = OLD.provider_department_id;
        INSERT INTO score_versions AS v (quarter, version, responses)
        VALUES (OLD.quarter, 1, CASE WHEN OLD.metric IN ('pi.n', 'q.n') THEN -OLD.n ELSE 0 END)
        ON CONFLICT (quarter) DO UPDATE SET
            version = v.version + 1, responses = v.responses + excluded.responses;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND NOT moved THEN
        dn := NEW.n - OLD.n;
        dtotal := NEW.total - OLD.total;
        dsq := NEW.total_sq - OLD.total_sq;
    ELSE
        dn := NEW.n;
        dtotal := NEW.total;
        dsq := NEW.total_sq;
    END IF;
    INSERT INTO score_totals AS t (metric, quarter, provider_department_id, n, total, total_sq)
    VALUES (NEW.metric, NEW.quarter, NEW.provider_department_id, dn, dtotal, dsq)
    ON CONFLICT (metric, quarter, provider_department_id) DO UPDATE SET
        n = t.n + excluded.n, total = t.total + excluded.total,
        total_sq = t.total_sq + excluded.total_sq;
    INSERT INTO score_versions AS v (quarter, version, responses)
    VALUES (NEW.quarter, 1, CASE WHEN NEW.metric IN ('pi.n', 'q.n') THEN dn ELSE 0 END)
    ON CONFLICT (quarter) DO UPDATE SET
        version = v.version + 1, responses = v.responses + excluded.responses;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "score_totals",
        sa.Column("metric", sa.String(length=40), nullable=False),
        sa.Column("quarter", sa.String(length=6), nullable=False),
        sa.Column("provider_department_id", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("total_sq", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_department_id"],
            ["departments.id"],
            name=op.f("fk_score_totals_provider_department_id_departments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "metric", "quarter", "provider_department_id", name=op.f("pk_score_totals")
        ),
    )
    op.create_table(
        "score_versions",
        sa.Column("quarter", sa.String(length=6), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("responses", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("quarter", name=op.f("pk_score_versions")),
    )
    op.execute(
        "INSERT INTO score_versions (quarter, version, responses) "
        "SELECT quarter, 1, sum(CASE WHEN metric IN ('pi.n', 'q.n') THEN n ELSE 0 END) "
        "FROM score_cells GROUP BY quarter"
    )
    op.execute(
        "INSERT INTO score_totals (metric, quarter, provider_department_id, n, total, total_sq) "
        "SELECT metric, quarter, provider_department_id, sum(n), sum(total), sum(total_sq) "
        "FROM score_cells GROUP BY metric, quarter, provider_department_id"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_FUNCTION)
        op.execute(
            "CREATE TRIGGER score_totals_cells AFTER INSERT OR UPDATE OR DELETE ON score_cells "
            "FOR EACH ROW EXECUTE FUNCTION score_totals_apply()"
        )
    else:
        for name, (when, body) in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {when} BEGIN {body} END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER score_totals_cells ON score_cells")
        op.execute("DROP FUNCTION score_totals_apply()")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table("score_totals")
    op.drop_table("score_versions")
