"""What every PostgreSQL connection of the app is set to (``survey.db.make_engine``): no JIT
compilation, which cost 25 ms a statement on tables the planner has never analysed, and the
transaction handling of the pool left as it was."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from flask import Flask
from sqlalchemy import func, select, text

from survey.db import database, make_engine
from survey.models import Department, ScoreVersion
from survey.services.release import released_sql
from tests.conftest import fresh_database

pytestmark = pytest.mark.postgres


@pytest.fixture
def db_url(tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """Every app of this module on PostgreSQL (the settings are PostgreSQL's)."""
    return fresh_database("postgres", tmp_path, request)


def _server_default(url: str) -> str:
    """``jit`` as the server gives it to a plain connection (not the app's)."""
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain) as conn:
        return str(conn.execute("SHOW jit").fetchone()[0])  # type: ignore[index]


def test_every_postgres_connection_runs_without_jit(app: Flask, db_url: str) -> None:
    # The test cluster keeps the server's default, so the app's setting is what turns it off.
    assert _server_default(db_url) == "on"
    engine = database(app).engine
    # Several connections at once (each new one of the pool), then new ones after a dispose,
    # and an engine in autocommit mode as the command-line tools make.
    with engine.connect() as one, engine.connect() as two:
        assert [c.scalar(text("SHOW jit")) for c in (one, two)] == ["off", "off"]
    engine.dispose()
    with engine.connect() as again:
        assert again.scalar(text("SHOW jit")) == "off"
    autocommit = make_engine(db_url, isolation_level="AUTOCOMMIT")
    with autocommit.connect() as conn:
        assert conn.scalar(text("SHOW jit")) == "off"
    autocommit.dispose()


def test_transactions_behave_as_before_on_a_connection_set_up_so(app: Flask, db_url: str) -> None:
    """The setting is made in autocommit and the driver put back as it was: a rolled-back
    insert leaves nothing, a committed one stays."""
    factory = database(app).sessionmaker
    with factory() as session:
        session.add(Department(code="GONE", name="Rolled back"))
        session.flush()
        session.rollback()
        session.add(Department(code="KEPT", name="Committed"))
        session.commit()
    with factory() as session:
        codes = set(session.scalars(select(Department.code)))
    assert "KEPT" in codes and "GONE" not in codes


def test_the_release_statement_is_planned_without_jit(app: Flask) -> None:
    """The statement every scorecard runs first, over eight quarters whose versions were
    raised many times since the last vacuum (every answer raises one), in tables the planner
    has never analysed: the plan compiles nothing. (With the server's default the planner
    counts the dead rows' pages as thousands of rows, and compiles the statement first.)"""
    quarters = [f"2025Q{n}" for n in range(1, 5)] + [f"2026Q{n}" for n in range(1, 5)]
    with database(app).sessionmaker() as session:
        session.add_all(ScoreVersion(quarter=q, version=1, responses=1) for q in quarters)
        session.execute(
            text(
                "INSERT INTO score_versions (quarter, version, responses)"
                " SELECT 'Z' || lpad(n::text, 5, '0'), 1, 1 FROM generate_series(1, 6000) AS n"
            )
        )
        session.execute(text("DELETE FROM score_versions WHERE quarter LIKE 'Z%'"))
        session.commit()
    current = f"{datetime.now(UTC).year + 1}Q1"
    statement = select(ScoreVersion.quarter, released_sql(ScoreVersion.quarter, current, 5))
    with database(app).engine.connect() as conn:
        compiled = statement.compile(conn, compile_kwargs={"literal_binds": True})
        plan = "\n".join(row[0] for row in conn.execute(text(f"EXPLAIN ANALYZE {compiled}")))
        assert conn.scalar(select(func.count()).select_from(ScoreVersion)) == len(quarters)
    assert "Seq Scan on score_versions" in plan
    assert "JIT" not in plan, plan
