"""Alembic, driven from code: the migrations folder lives at the top of the project; and the
check that a database is at the code's schema, made by the commands (``survey/cli.py``) and by
the web app once at start (``wsgi.py``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError, OperationalError

from survey import ROOT
from survey.db import READ, bounded_connect, database

#: The command that brings a database to the code's schema, as the refusals name it.
INIT_DB = "flask --app wsgi survey init-db"


#: The PostgreSQL advisory lock ``init-db`` holds (any fixed 64-bit number: "SIQ_INIT").
INIT_LOCK = 0x5349515F494E4954


class SchemaError(RuntimeError):
    """The database is not at the code's schema; the message says what to run."""


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to ``revision`` (default the newest)."""
    command.upgrade(alembic_config(engine), revision)


def head_revision(engine: Engine) -> str | None:
    """The newest revision of ``migrations/`` (what ``upgrade`` brings a database to)."""
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def database_revision(engine: Engine) -> str | None:
    """The revision the database is at, None when it has no schema (no ``alembic_version``
    table, or an empty one). Connection errors propagate."""
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            # A read: no write lock taken (survey.db begins SQLite transactions IMMEDIATE).
            connection = connection.execution_options(sqlite_begin=READ)
        try:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except DBAPIError as error:
            if connection.dialect.name == "postgresql" and "alembic_version" not in str(error):
                raise
            if connection.dialect.name == "sqlite" and "no such table" not in str(error):
                raise
            return None


#: How long the web app's start waits for the database to answer its schema check (seconds).
SCHEMA_CHECK_CONNECT_SECONDS = 10


def schema_problem(
    engine: Engine, unreachable: Callable[[OperationalError], None] | None = None
) -> str | None:
    """Why the database cannot be used by this version of the code, or None when it is at
    the migration head. A database without a schema (init-db never ran, or the URL names
    another database) and one at another revision (a new version installed, init-db not yet
    run) each get a sentence saying what to run. An unreachable database is None too (after
    ``unreachable`` is told why): whoever uses it next meets the error in its own way (a 503
    page, ``send-mail --loop`` waiting). One query."""
    try:
        revision = database_revision(engine)
    except OperationalError as error:
        if unreachable is not None:
            unreachable(error)
        return None
    head = head_revision(engine)
    if revision is None:
        return (
            f"the database has no schema yet: run `{INIT_DB}` first (or check SURVEY_DATABASE_URL)"
        )
    if revision != head:
        return (
            f"the database is at schema revision {revision} and this version of the service "
            f"needs {head}: take a backup and run `{INIT_DB}` (or run the version that made it)"
        )
    return None


def check_schema_to_serve(app: Flask, connect_seconds: int = SCHEMA_CHECK_CONNECT_SECONDS) -> None:
    """SchemaError (the start-up stops; under gunicorn the server exits with the message in
    its log) when the app is about to serve pages on a database ``schema_problem`` refuses.
    Called once by ``wsgi.py``, so one query at start and none per request. Not when a
    ``flask`` command other than ``run`` loads the app (the ``survey`` group checks before
    each of its commands and lets ``init-db`` make the schema; ``flask shell`` and ``flask
    routes`` read no data); ``flask run`` and WSGI servers, which load it outside any
    command, are checked.

    The check's connection gives up after ``connect_seconds`` (``db.bounded_connect``), so a
    database host that does not answer cannot hold the start for the system's TCP timeout.
    A database that cannot be reached (refused, timed out, a wrong password) does not stop the
    start: gunicorn exits when a worker fails to start, so a PostgreSQL restarting while a
    worker is replaced would take the whole server down. The start logs one error naming the
    host and the reason instead, and the pages answer 503 until the database answers."""
    import click

    context = click.get_current_context(silent=True)
    if context is not None and context.command.name != "run":
        return
    engine = database(app).engine

    def unreachable(error: OperationalError) -> None:
        app.logger.error(unreachable_message(engine, error, connect_seconds))

    with bounded_connect(engine, connect_seconds):
        problem = schema_problem(engine, unreachable)
    if problem is not None:
        raise SchemaError(f"{problem}; not serving until then")


def unreachable_message(engine: Engine, error: OperationalError, seconds: int) -> str:
    """The start-up's sentence for a database it could not reach: host and port (never the
    password), the wait, the driver's reason on one line, and what happens meanwhile."""
    where, reason = _where_and_why(engine, error)
    return (
        f"the database at {where} could not be reached within {seconds} s at start, so its "
        f"schema was not checked ({reason}); pages answer 503 until it answers "
        "(check SURVEY_DATABASE_URL and that the database host is up)"
    )


def unreachable_command_message(engine: Engine, error: OperationalError) -> str:
    """A command's sentence for a database it could not reach (``survey.cli``): where, the
    driver's reason on one line, and that the command did nothing."""
    where, reason = _where_and_why(engine, error)
    return (
        f"the database at {where} could not be reached ({reason}); nothing was done "
        "(check SURVEY_DATABASE_URL and that the database host is up, then run it again)"
    )


def _where_and_why(engine: Engine, error: OperationalError) -> tuple[str, str]:
    """Host and port of ``engine``'s database (its file on SQLite), never the password, and
    the driver's reason for ``error`` on one line."""
    url = engine.url
    where = f"{url.host or 'localhost'}:{url.port or 5432}" if url.host else str(url.database)
    return where, " ".join(str(error.orig or error).split())[:300]


@contextmanager
def creation_lock(engine: Engine, say: Callable[[str], None]) -> Iterator[None]:
    """Held around ``init-db`` (migrations and default content), so that two at once (two
    hosts' deploy scripts) do not both create the tables: on PostgreSQL the second got a
    duplicate-key traceback from the catalog. There the lock is a session advisory lock
    (``INIT_LOCK``) on a connection of its own, released at the end or when the process dies;
    a second ``init-db`` calls ``say`` once and waits for it, then finds the database done.
    SQLite needs none: the migrations' transaction takes the file's write lock."""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        lock = {"key": INIT_LOCK}
        if not connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), lock):
            say("The database is being created or upgraded by another process; waiting for it.")
            connection.execute(text("SELECT pg_advisory_lock(:key)"), lock)
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), lock)
