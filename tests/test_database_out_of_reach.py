"""A PostgreSQL host that takes the connection and then never answers: a hung server, a proxy
whose database is gone, a firewall that lets the handshake through. libpq waits for ever by
default, so every request would hang until gunicorn killed its worker (30 s) and the reader got
a broken connection instead of the "try again" page, and cron's ``tick`` would hang with it.
Every connection of the app gives up after ``SURVEY_DATABASE_CONNECT_SECONDS`` (10 by default;
a ``connect_timeout`` in the URL is kept): pages answer 503 with ``Retry-After``, the API its
JSON 503, and the commands stop with the reason."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from survey import ROOT, create_app
from survey.config import ConfigError, load_settings
from survey.db import DATABASE_CONNECT_SECONDS, database, make_engine, out_of_reach
from survey.services.accounts import API_KEY_PREFIX
from tests.conftest import fresh_database

SECRET = "a-secret-key-of-at-least-thirty-two-characters"
# Long enough for two connection attempts of 2 s each on a slow machine; a request without a
# connect timeout never returns at all.
GIVE_UP_AFTER_S = 45
T = TypeVar("T")


@contextmanager
def _silent_host() -> Iterator[str]:
    """A PostgreSQL URL whose port takes connections (the kernel completes the handshake) and
    never says anything."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(64)
    try:
        yield f"postgresql://nobody:pw@127.0.0.1:{silent.getsockname()[1]}/nothing"
    finally:
        silent.close()


def _returns(call: Callable[[], T]) -> T:
    """``call()``'s result; the test fails if it is still waiting after ``GIVE_UP_AFTER_S``."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except BaseException as error:  # handed to the test below
            outcome["error"] = error

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(GIVE_UP_AFTER_S)
    assert not worker.is_alive(), f"still waiting for the database after {GIVE_UP_AFTER_S} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]  # type: ignore[no-any-return]


def test_pages_and_the_api_say_try_again_when_the_host_never_answers() -> None:
    with _silent_host() as url:
        app = create_app(
            {
                "TESTING": True,
                "DATABASE_URL": url,
                "SECRET_KEY": SECRET,
                "DATABASE_CONNECT_SECONDS": 2,
            }
        )
        client = app.test_client()
        try:
            health = _returns(lambda: client.get("/healthz"))
            link = _returns(lambda: client.get("/r/an-unknown-link-token?lang=fr"))
            api = _returns(
                lambda: client.get(
                    "/api/v1/departments",
                    headers={"Authorization": f"Bearer {API_KEY_PREFIX}_abcdef_0123456789"},
                )
            )
        finally:
            database(app).engine.dispose()
    for reply in (health, link, api):
        assert reply.status_code == 503, (reply.status_code, reply.get_data(as_text=True)[:300])
        assert reply.headers["Retry-After"].isdigit()
    assert "Traceback" not in link.get_data(as_text=True)
    assert link.headers["Content-Type"].startswith("text/html")
    assert api.is_json and api.get_json()["status"] == 503


def test_a_command_stops_with_the_reason_when_the_host_never_answers() -> None:
    with _silent_host() as url:
        port = url.rsplit(":", 1)[1].split("/")[0]
        env = {
            **os.environ,
            "SURVEY_DATABASE_URL": url,
            "SURVEY_SECRET_KEY": SECRET,
            "SURVEY_DATABASE_CONNECT_SECONDS": "2",
        }
        flask = [sys.executable, "-m", "flask", "--app", "wsgi", "survey", "tick"]
        try:
            done = subprocess.run(
                flask, cwd=ROOT, env=env, capture_output=True, text=True, timeout=GIVE_UP_AFTER_S
            )
        except subprocess.TimeoutExpired:
            pytest.fail(f"`survey tick` still waiting for the database after {GIVE_UP_AFTER_S} s")
    assert done.returncode == 1, (done.returncode, done.stdout, done.stderr[-2000:])
    # One line for cron's mail: where, why, and that nothing happened; no traceback, no password.
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    assert f"the database at 127.0.0.1:{port} could not be reached" in done.stderr, done.stderr
    assert "timeout" in done.stderr.lower() and "nothing was done" in done.stderr, done.stderr
    assert ":pw@" not in done.stderr


def _connect_timeout(url: str, **engine_options: Any) -> str | None:
    engine = make_engine(url, **engine_options)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            parameters = connection.connection.dbapi_connection.info.get_parameters()
            return parameters.get("connect_timeout")
    finally:
        engine.dispose()


@pytest.fixture
def pg_url(tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A database of the test cluster (``connect_timeout`` is libpq's: PostgreSQL only)."""
    return fresh_database("postgres", tmp_path, request)


@pytest.mark.postgres
def test_every_connection_carries_the_timeout_and_the_urls_own_wins(pg_url: str) -> None:
    assert _connect_timeout(pg_url) == str(DATABASE_CONNECT_SECONDS)
    assert _connect_timeout(pg_url, connect_seconds=4) == "4"
    joiner = "&" if "?" in pg_url else "?"
    assert _connect_timeout(f"{pg_url}{joiner}connect_timeout=3") == "3"
    assert _connect_timeout(f"{pg_url}{joiner}connect_timeout=30", connect_seconds=4) == "30"


def test_the_setting_is_read_and_checked(tmp_path: Path) -> None:
    assert load_settings(str(tmp_path), {})["DATABASE_CONNECT_SECONDS"] == DATABASE_CONNECT_SECONDS
    given = {"SURVEY_DATABASE_CONNECT_SECONDS": "4"}
    assert load_settings(str(tmp_path), given)["DATABASE_CONNECT_SECONDS"] == 4
    # libpq counts anything under 2 as 2, and 0 as "wait for ever": both refused at start.
    for raw in ("0", "1", "ten"):
        with pytest.raises(ConfigError, match="SURVEY_DATABASE_CONNECT_SECONDS"):
            load_settings(str(tmp_path), {"SURVEY_DATABASE_CONNECT_SECONDS": raw})


def test_only_a_lost_or_refused_connection_counts_as_out_of_reach() -> None:
    """A statement the server refused is the command's own error, shown as it is."""

    def wrapped(orig: BaseException, invalidated: bool = False) -> OperationalError:
        return OperationalError("SELECT 1", {}, orig, connection_invalidated=invalidated)

    assert out_of_reach(wrapped(psycopg.OperationalError("connection refused")))
    assert out_of_reach(wrapped(psycopg.errors.ConnectionTimeout("timeout expired")))
    assert out_of_reach(wrapped(psycopg.errors.AdminShutdown("terminating"), invalidated=True))
    assert not out_of_reach(wrapped(psycopg.errors.SerializationFailure("could not serialize")))
    assert not out_of_reach(wrapped(psycopg.errors.DeadlockDetected("deadlock detected")))
    assert not out_of_reach(wrapped(psycopg.errors.QueryCanceled("statement timeout")))
    assert not out_of_reach(wrapped(sqlite3.OperationalError("database is locked")))
