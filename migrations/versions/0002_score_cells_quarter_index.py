"""score cells: index by quarter and metric

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 20:35:00
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_score_cells_quarter_metric",
        "score_cells",
        ["quarter", "metric", "provider_department_id", "customer_department_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_score_cells_quarter_metric", table_name="score_cells")
