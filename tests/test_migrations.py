"""Migrations applied to an empty database produce exactly the models' schema."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from survey.db import make_engine
from survey.models import Base


@pytest.mark.postgres
def test_migrations_match_models(db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
        tables = set(inspect(conn).get_table_names())
    engine.dispose()
    assert diff == []
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables


@pytest.mark.postgres
def test_score_triggers_go_back_to_rows_and_forth_to_statements(db_url: str) -> None:
    """Migration 0005 swaps PostgreSQL's row trigger on score cells for statement triggers,
    and its downgrade swaps them back (SQLite keeps its row triggers either way)."""
    from alembic import command
    from sqlalchemy import text

    from survey.migrate import alembic_config, upgrade

    engine = make_engine(db_url)
    postgres = engine.dialect.name == "postgresql"
    query = (
        "SELECT tgname FROM pg_trigger WHERE tgrelid = 'score_cells'::regclass"
        " AND NOT tgisinternal ORDER BY 1"
        if postgres
        else "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'score_cells'"
        " ORDER BY 1"
    )

    def triggers() -> list[str]:
        with engine.connect() as conn:
            return [row[0] for row in conn.execute(text(query))]

    at_head = triggers()
    command.downgrade(alembic_config(engine), "0004")
    at_0004 = triggers()
    upgrade(engine)
    assert triggers() == at_head
    engine.dispose()
    if postgres:
        assert at_head == [f"score_totals_cells_{e}" for e in ("delete", "insert", "update")]
        assert at_0004 == ["score_totals_cells"]
    else:
        assert at_head == at_0004 and len(at_head) == 4
