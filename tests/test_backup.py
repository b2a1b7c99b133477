"""``survey backup``: a consistent copy of the SQLite database while the service writes.

The adversary here is the operator's own habit: ``cp survey.sqlite3`` while the service runs.
The command must copy what was committed (never a writer's open transaction), keep the
service writing meanwhile, leave a private file that opens as a database at the schema's
revision, and never overwrite or half-write anything.
"""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.db import database
from survey.models import Department, Person
from tests import factories


def _database_file(app: Flask) -> Path:
    return Path(database(app).engine.url.database or "")


def _count(path: Path, table: str) -> int:
    with sqlite3.connect(path) as connection:
        return connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_a_backup_is_what_was_committed_while_a_writer_holds_its_transaction(
    app: Flask, runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    sales = factories.department(session, "SALES", "Sales")
    for _ in range(3):
        factories.person(session, department_row=sales)
    source = _database_file(app)
    writer = sqlite3.connect(source, isolation_level=None, timeout=5)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute(
        "INSERT INTO departments (code, name, active, created_at)"
        " VALUES ('LATE', 'Late', 1, '2026-01-01 00:00:00')"
    )
    target = tmp_path / "copy.sqlite3"
    result = runner.invoke(args=["survey", "backup", str(target)])
    assert result.exit_code == 0, result.output
    assert "Backed up to" in result.output
    # The writer was not held up and commits after the copy: the copy does not have its row.
    writer.execute("COMMIT")
    writer.close()
    assert _count(target, "departments") == 1
    assert _count(target, "people") == 3
    assert _count(source, "departments") == 2
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    with sqlite3.connect(target) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        revision = copy.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    with sqlite3.connect(source) as original:
        assert original.execute("SELECT version_num FROM alembic_version").fetchone()[0] == revision
    assert f"schema {revision}" in result.output
    # The copy is a database the service can open.
    assert not list(tmp_path.glob(".*partial"))
    with sqlite3.connect(target) as copy:
        names = {row[0] for row in copy.execute("SELECT email FROM people")}
    with Session(database(app).engine) as check:
        assert names == set(check.scalars(select(Person.email)))
        assert check.scalar(select(Department).where(Department.code == "LATE")) is not None


def test_a_backup_never_replaces_a_file_nor_the_database(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    kept = tmp_path / "monday.sqlite3"
    kept.write_bytes(b"last week's backup")
    refused = runner.invoke(args=["survey", "backup", str(kept)])
    assert refused.exit_code == 1 and "exists" in refused.output
    assert kept.read_bytes() == b"last week's backup"
    itself = runner.invoke(args=["survey", "backup", str(_database_file(app))])
    assert itself.exit_code == 1 and "database itself" in itself.output
    nowhere = runner.invoke(args=["survey", "backup", str(tmp_path / "no" / "such.sqlite3")])
    assert nowhere.exit_code == 1 and "no folder" in nowhere.output
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


@pytest.mark.postgres
def test_postgresql_is_pointed_to_its_own_tool(
    runner: FlaskCliRunner, tmp_path: Path, backend: str
) -> None:
    target = tmp_path / "copy.sqlite3"
    result = runner.invoke(args=["survey", "backup", str(target)])
    if backend == "postgres":
        assert result.exit_code == 1 and "pg_dump" in result.output
        assert not target.exists()
    else:
        assert result.exit_code == 0 and target.exists()


def test_a_backup_of_no_database_is_refused(tmp_path: Path) -> None:
    """A cron job whose SURVEY_DATABASE_URL points beside the service's database (a relative
    path run from another folder, a typo) made an empty database file there, copied it and
    said "Backed up ... schema None" with status 0, every night. Now: status 1, nothing
    created, nothing left at the target; a file that is a database without the service's
    schema is refused too."""
    from survey import create_app

    missing = tmp_path / "typo.sqlite3"
    stranger = tmp_path / "other.sqlite3"
    with sqlite3.connect(stranger) as connection:
        connection.execute("CREATE TABLE notes (body TEXT)")
    connection.close()
    for path, said in ((missing, "there is no database at"), (stranger, "no Service IQ schema")):
        app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{path}"})
        target = tmp_path / f"backup-of-{path.stem}.sqlite3"
        result = app.test_cli_runner().invoke(args=["survey", "backup", str(target)])
        database(app).engine.dispose()
        assert result.exit_code == 1 and said in result.output, result.output
        assert not target.exists()
    assert not missing.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.sqlite3"]
