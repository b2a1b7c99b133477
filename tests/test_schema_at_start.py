"""The web app checks the database's schema once at start (``wsgi.py``): a database where
``init-db`` never ran, or one at another revision (a new version installed, ``init-db`` not yet
run), is refused with what to run, instead of serving pages that fail one by one. The
commands, ``init-db`` first, load the same ``wsgi`` module and are not refused by it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from sqlalchemy import event

from survey import ROOT, create_app
from survey.db import database, make_engine
from survey.migrate import SchemaError, check_schema_to_serve, database_revision, upgrade
from tests.conftest import LiveServer

SECRET = "a-secret-key-of-at-least-thirty-two-characters"


def _app(url: str):  # type: ignore[no-untyped-def]
    return create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": SECRET})


def _refused(url: str) -> str:
    """What gunicorn logged when it would not start on ``url`` (the test fails if it did)."""
    try:
        server = LiveServer(url, workers=1, threads=1)
    except RuntimeError as error:
        return str(error)
    server.stop()
    raise AssertionError(f"gunicorn served {url}")


def test_gunicorn_refuses_a_database_without_the_schema(tmp_path: Path) -> None:
    log = _refused(f"sqlite:///{tmp_path}/never-initialised.sqlite3")
    assert "no schema yet" in log and "flask --app wsgi survey init-db" in log, log[-2000:]


def test_gunicorn_refuses_a_database_at_an_older_revision(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/old.sqlite3"
    engine = make_engine(url)
    upgrade(engine, "0023")
    engine.dispose()
    log = _refused(url)
    assert "schema revision 0023" in log and "init-db" in log, log[-2000:]


@pytest.mark.postgres
def test_the_check_is_one_query_and_follows_the_process(db_url: str, tmp_path: Path) -> None:
    """At the migration head the app serves, after one statement; under a ``flask`` command
    other than ``run`` (``init-db`` is one) nothing is checked; under ``flask run``, or no
    command at all (gunicorn), a database behind is refused."""
    app = _app(db_url)
    engine = database(app).engine
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    check_schema_to_serve(app)
    assert len([s for s in statements if "alembic_version" in s]) == 1, statements
    app.extensions["survey.db"].engine.dispose()

    old = f"sqlite:///{tmp_path}/old.sqlite3"
    old_engine = make_engine(old)
    upgrade(old_engine, "0023")
    old_engine.dispose()
    behind = _app(old)
    with pytest.raises(SchemaError, match="init-db"):
        check_schema_to_serve(behind)
    with click.Context(click.Command("run")), pytest.raises(SchemaError):
        check_schema_to_serve(behind)
    with click.Context(click.Group("survey")):
        check_schema_to_serve(behind)  # a command: the survey group checks for itself
    assert database_revision(database(behind).engine) == "0023"
    behind.extensions["survey.db"].engine.dispose()


def test_an_unreachable_database_does_not_stop_the_start(tmp_path: Path) -> None:
    """A PostgreSQL restarting while gunicorn replaces a worker must not stop the whole
    server (a worker failing to start makes gunicorn exit): the pages answer 503 until the
    database is back, as before."""
    from tests.smtp import free_port

    app = _app(f"postgresql://nobody@127.0.0.1:{free_port()}/nothing?connect_timeout=2")
    check_schema_to_serve(app)
    app.extensions["survey.db"].engine.dispose()


def test_init_db_through_the_wsgi_module_creates_a_new_database(tmp_path: Path) -> None:
    """``flask --app wsgi survey init-db`` loads ``wsgi.py``, whose check must not refuse the
    command that makes the schema; the next start serves."""
    url = f"sqlite:///{tmp_path}/new.sqlite3"
    env = {**os.environ, "SURVEY_DATABASE_URL": url, "SURVEY_SECRET_KEY": SECRET}
    flask = str(Path(sys.executable).with_name("flask"))
    done = subprocess.run(
        [flask, "--app", "wsgi", "survey", "init-db"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "newest schema" in done.stdout
    server = LiveServer(url, workers=1, threads=1)
    server.stop()


@pytest.mark.postgres
def test_two_init_db_at_once_on_a_new_database(backend: str, tmp_path: Path, request) -> None:  # type: ignore[no-untyped-def]
    """Two hosts' deploy scripts both running ``init-db`` on a new database: one creates it,
    the other waits for it (saying so) and finds it done; no traceback, one of each default
    questionnaire and one quiz."""
    from sqlalchemy import func, select, text

    from survey.models import Questionnaire

    if backend == "sqlite":
        url = f"sqlite:///{tmp_path}/together.sqlite3"
    else:
        cluster = request.getfixturevalue("pg_cluster")
        admin = make_engine(cluster.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("CREATE DATABASE siq_together"))
        admin.dispose()
        url = cluster.url("siq_together")
    env = {**os.environ, "SURVEY_DATABASE_URL": url, "SURVEY_SECRET_KEY": SECRET}
    flask = str(Path(sys.executable).with_name("flask"))
    runs = [
        subprocess.Popen(
            [flask, "--app", "wsgi", "survey", "init-db"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=180) for run in runs]
    for run, (out, err) in zip(runs, outputs, strict=True):
        assert run.returncode == 0 and "Traceback" not in err, err[-3000:]
        assert "newest schema" in out
    engine = make_engine(url)
    with engine.connect() as connection:
        assert database_revision(engine) is not None
        kinds = connection.execute(
            select(Questionnaire.kind, func.count()).group_by(Questionnaire.kind)
        ).all()
    engine.dispose()
    assert sorted(kinds) == [("post_interaction", 1), ("quarterly", 1), ("quiz", 1)]


def _log_of_start(app, caplog, seconds: int) -> str:  # type: ignore[no-untyped-def]
    """Run the start's check on ``app`` in a thread (so a check that hangs fails the test
    instead of hanging the run) and return what it logged."""
    import threading

    caplog.set_level("ERROR", logger=app.logger.name)
    failures: list[BaseException] = []

    def check() -> None:
        try:
            check_schema_to_serve(app, connect_seconds=seconds)
        except BaseException as error:  # handed to the test below
            failures.append(error)

    thread = threading.Thread(target=check, daemon=True)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive(), "the schema check at start still waits after 60 s"
    assert not failures, failures
    return "\n".join(r.getMessage() for r in caplog.records if r.name == app.logger.name)


def test_a_refused_connection_is_named_in_the_start_log(caplog) -> None:
    """A closed port: the start goes on (pages answer 503) and says why, host and port named,
    no password."""
    from tests.smtp import free_port

    port = free_port()
    app = _app(f"postgresql://nobody:s3cret-pw@127.0.0.1:{port}/nothing")
    log = _log_of_start(app, caplog, 10)
    app.extensions["survey.db"].engine.dispose()
    assert f"the database at 127.0.0.1:{port} could not be reached within 10 s" in log, log
    assert "refused" in log and "s3cret-pw" not in log, log


def test_a_host_that_never_answers_gives_up_after_the_timeout(caplog) -> None:
    """A port that accepts the connection and then says nothing (a hung server, a proxy whose
    database is gone): without a connect timeout libpq would wait for ever."""
    import socket

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # the kernel accepts; nobody ever reads or answers
    try:
        port = silent.getsockname()[1]
        app = _app(f"postgresql://nobody@127.0.0.1:{port}/nothing")
        log = _log_of_start(app, caplog, 2)
        app.extensions["survey.db"].engine.dispose()
    finally:
        silent.close()
    assert f"127.0.0.1:{port} could not be reached within 2 s" in log, log
    assert "timeout" in log.lower(), log


@pytest.mark.postgres
def test_the_checks_timeout_reaches_the_checks_connection_only(backend: str, db_url: str) -> None:
    """On PostgreSQL the check's connection carries the check's ``connect_timeout``; a
    connection made after the check carries the engine's own (``DATABASE_CONNECT_SECONDS``,
    ``tests/test_database_out_of_reach.py``); SQLite connects as before."""
    from survey.db import DATABASE_CONNECT_SECONDS, bounded_connect

    engine = make_engine(db_url)
    try:
        with bounded_connect(engine, 7), engine.connect() as connection:
            raw = connection.connection.dbapi_connection
            if backend == "postgres":
                assert raw.info.get_parameters().get("connect_timeout") == "7"
            assert database_revision(engine) is not None
        engine.dispose()
        with engine.connect() as connection:
            raw = connection.connection.dbapi_connection
            if backend == "postgres":
                given = raw.info.get_parameters().get("connect_timeout")
                assert given == str(DATABASE_CONNECT_SECONDS) != "7"
    finally:
        engine.dispose()
