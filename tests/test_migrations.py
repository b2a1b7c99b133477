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


# Migration 0013 is the one before which the chain's SQLite rebuilds of ``campaigns`` and
# ``interactions`` (batch mode: copy, DROP, rename) run; its revision comes after 0015.
BEFORE_REBUILDS = "0015"
# The last revision whose responses name their campaign (0021 drops the column).
LAST_WITH_CAMPAIGN = "0020"
_ROWS = (
    "INSERT INTO departments (id, code, name, active, created_at)"
    " VALUES (1, 'OPS', 'Operations', 1, '2026-01-01 00:00:00')",
    "INSERT INTO people (id, email, name, department_id, locale, active, opted_out, created_at)"
    " VALUES (1, 'a@example.org', 'A', 1, 'en', 1, 0, '2026-01-01 00:00:00')",
    "INSERT INTO questionnaires (id, kind, name, active, revision, created_at)"
    " VALUES (900, 'quarterly', 'q', 1, 0, '2026-01-01 00:00:00')",
    "INSERT INTO campaigns (id, name, quarter, audience, opens_at, closes_at, status,"
    " reminder_max, reminder_min_days, min_group_size, questionnaire_id, created_at)"
    " VALUES (1, 'Q1', '2026Q1', 'all', '2026-01-01 00:00:00', '2026-02-01 00:00:00', 'open',"
    " 2, 3, 5, 900, '2026-01-01 00:00:00')",
    "INSERT INTO campaign_departments (campaign_id, department_id) VALUES (1, 1)",
    "INSERT INTO interactions (id, provider_department_id, requester_person_id, opened_at,"
    " created_at, survey_decision, reopen_count, paused_seconds)"
    " VALUES (1, 1, 1, '2026-01-02 00:00:00', '2026-01-02 00:00:00', 'invited', 0, 0)",
    "INSERT INTO invitations (id, person_id, kind, campaign_id, status, created_at, expires_at,"
    " reminders_sent) VALUES (1, 1, 'quarterly', 1, 'sent', '2026-01-01 00:00:00',"
    " '2026-02-01 00:00:00', 0)",
    "INSERT INTO invitations (id, person_id, kind, interaction_id, status, created_at,"
    " expires_at, reminders_sent) VALUES (2, 1, 'post_interaction', 1, 'sent',"
    " '2026-01-02 00:00:00', '2026-02-02 00:00:00', 0)",
    "INSERT INTO responses (id, kind, questionnaire_id, provider_department_id,"
    " customer_department_id, campaign_id, quarter, iso_week)"
    " VALUES ('r1', 'quarterly', 900, 1, 1, 1, '2026Q1', '2026-W03')",
)
_COUNTS = (
    "SELECT count(*) FROM invitations",
    "SELECT count(*) FROM campaign_departments",
    "SELECT count(*) FROM responses",
    "SELECT count(*) FROM interactions",
)


def test_sqlite_table_rebuilds_keep_the_rows_that_refer_to_the_table(tmp_path) -> None:
    """The attack on an upgrade: a database with a campaign, its invitations, a handled
    request with its survey link and a response, taken through the migrations that rebuild
    ``campaigns`` and ``interactions``. With foreign keys enforced, SQLite's DROP TABLE of the
    old copy deletes its rows first, and ON DELETE CASCADE and SET NULL reach every
    invitation and response: an upgrade emptied them. Every row must come through."""
    from alembic import command
    from sqlalchemy import text

    from survey.migrate import alembic_config, upgrade

    engine = make_engine(f"sqlite:///{tmp_path}/upgrade.sqlite3")
    upgrade(engine, BEFORE_REBUILDS)
    with engine.begin() as conn:
        for statement in _ROWS:
            conn.execute(text(statement))
        before = [conn.execute(text(q)).scalar() for q in _COUNTS]
    assert before == [2, 1, 1, 1]
    upgrade(engine, LAST_WITH_CAMPAIGN)
    with engine.connect() as conn:
        # Through the rebuilds the response keeps its campaign, until 0021 drops the column.
        assert conn.execute(text("SELECT campaign_id FROM responses")).scalar() == 1
    upgrade(engine)
    with engine.connect() as conn:
        assert [conn.execute(text(q)).scalar() for q in _COUNTS] == before
        # Foreign keys are enforced again on the pooled connection the migration used.
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
    # And back down through the same rebuilds.
    command.downgrade(alembic_config(engine), BEFORE_REBUILDS)
    with engine.connect() as conn:
        assert [conn.execute(text(q)).scalar() for q in _COUNTS] == before
    engine.dispose()


def test_a_migration_that_breaks_a_reference_on_sqlite_is_refused(tmp_path) -> None:
    """With foreign keys off during the migrations, a row left pointing nowhere must fail
    the upgrade (``PRAGMA foreign_key_check``) and leave the database as it was."""
    import sqlite3

    from survey.migrate import upgrade

    path = tmp_path / "broken.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine, BEFORE_REBUILDS)
    with sqlite3.connect(path) as driver:  # foreign keys off: the driver's default
        driver.execute(_ROWS[0])
        driver.execute(
            "INSERT INTO people (id, email, name, department_id, locale, active, opted_out,"
            " created_at) VALUES (2, 'b@example.org', 'B', 77, 'en', 1, 0, '2026-01-01 00:00:00')"
        )
        version = driver.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    driver.close()
    with pytest.raises(RuntimeError, match="people"):
        upgrade(engine)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == version
    engine.dispose()


@pytest.mark.postgres
def test_a_downgrade_keeps_the_queue_while_submits_wait(db_url: str) -> None:
    """Below migration 0027 there is no queue: dropping it with a submit waiting would lose
    that answer, so the downgrade refuses and changes nothing until the queue is filed."""
    from alembic import command
    from sqlalchemy import delete, func, select
    from sqlalchemy.orm import Session

    from survey.migrate import alembic_config, upgrade
    from survey.models import QueuedSubmission
    from survey.services.questionnaires import install_default_questionnaires

    engine = make_engine(db_url)
    with Session(engine) as session:
        questionnaire = install_default_questionnaires(session)["post_interaction"]
        session.add(QueuedSubmission(questionnaire_id=questionnaire.id, payload="{}"))
        session.commit()
    with pytest.raises(RuntimeError, match="1 submits are queued"):
        command.downgrade(alembic_config(engine), "0026")
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(QueuedSubmission)) == 1
        session.execute(delete(QueuedSubmission))
        session.commit()
    command.downgrade(alembic_config(engine), "0026")
    with engine.connect() as conn:
        assert "queued_submissions" not in inspect(conn).get_table_names()
    upgrade(engine)
    engine.dispose()
