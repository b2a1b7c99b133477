"""Another writer holds SQLite's lock (``BEGIN EXCLUSIVE`` on the app's own file).

Held for less than the busy timeout, a submit waits its turn and is stored once. Held for
longer, a write gets the friendly 503 "try again" page (JSON under ``/api``) in the visitor's
language, with no traceback, nothing half-stored and the answers offered again; once the lock is
gone the same link stores exactly one response. Reads never queue behind the writer (WAL).

The busy timeout is shortened to one second here (``SQLITE_BUSY_TIMEOUT_MS``; 15 s in production).
"""

from __future__ import annotations

import html
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from survey.models import Answer, Person, QueuedSubmission
from tests.conftest import PASSWORD, csrf_token, post_form
from tests.factories import file_submissions
from tests.security.conftest import changed_tables, db_digest

BUSY_TIMEOUT_MS = 1000
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
TITLES = {"en": "The service is busy", "it": "Il servizio è sovraccarico", "fr": "Le service est"}


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "SQLITE_BUSY_TIMEOUT_MS": BUSY_TIMEOUT_MS}


@contextmanager
def write_lock(db_url: str, commit: bool = False) -> Iterator[Callable[[], None]]:
    """Another connection takes the write lock and writes; yields a function that releases
    it early (from any thread), committing the write if ``commit``; released on exit in any
    case."""
    conn = sqlite3.connect(
        db_url.removeprefix("sqlite:///"), isolation_level=None, check_same_thread=False
    )
    conn.execute("BEGIN EXCLUSIVE")
    conn.execute("UPDATE departments SET name = name || ' (locked)'")
    lock = threading.Lock()

    def release() -> None:
        with lock:
            if conn.in_transaction:
                conn.execute("COMMIT" if commit else "ROLLBACK")

    try:
        yield release
    finally:
        release()
        conn.close()


def _answers(client: FlaskClient, url: str, comment: str) -> dict[str, str]:
    return {"csrf_token": csrf_token(client, url), "overall": "4", "comment": comment}


def _comments(app: Any, session: Any) -> list[str]:
    file_submissions(app)  # as the next page would
    session.rollback()
    return sorted(t for t in session.scalars(select(Answer.text)) if t)


def test_a_short_hold_is_waited_out_and_the_answer_stored_once(
    app, client, session, world, db_url
) -> None:
    url = f"/r/{world['token']}"
    form = _answers(client, url, "waited")
    with write_lock(db_url) as release:
        threading.Timer(0.3, release).start()
        started = time.monotonic()
        reply = client.post(url, data=form)
        waited = time.monotonic() - started
    assert reply.status_code == 302, reply.get_data(as_text=True)[:300]
    assert 0.25 <= waited < BUSY_TIMEOUT_MS / 1000
    assert _comments(app, session) == ["waited"]


def test_the_writer_polls_for_the_lock_and_keeps_its_busy_timeout(app, db_url) -> None:
    """A writer waits for the lock in short steps of its own (SQLite's handler sleeps up to
    tens of milliseconds between tries), and its connection keeps the configured busy timeout
    for every other statement, whether the lock was waited for or free."""
    from survey.db import database

    with write_lock(db_url) as release:
        threading.Timer(0.2, release).start()
        with database(app).engine.connect() as conn, conn.begin():
            driver = conn.connection.dbapi_connection
            assert driver.in_transaction  # BEGIN IMMEDIATE got the lock once it was free
            assert driver.execute("PRAGMA busy_timeout").fetchone()[0] == BUSY_TIMEOUT_MS
    with database(app).engine.connect() as conn, conn.begin():
        driver = conn.connection.dbapi_connection
        assert driver.execute("PRAGMA busy_timeout").fetchone()[0] == BUSY_TIMEOUT_MS


def test_a_waiting_writer_backs_off_instead_of_spinning(app, db_url) -> None:
    """Held for most of the busy timeout (a long import), the lock is tried a bounded number of
    times: short pauses first, growing to ``SQLITE_LOCK_POLL_MAX_S``, not thousands of tries at
    a fixed 0.2 ms. The tries are counted from the driver's own statement trace."""
    from survey.db import SQLITE_LOCK_POLL_MAX_S, database, lock_pauses

    pauses = lock_pauses()
    first = [next(pauses) for _ in range(40)]
    assert first == sorted(first) and first[-1] == SQLITE_LOCK_POLL_MAX_S
    hold = 0.8 * BUSY_TIMEOUT_MS / 1000
    tries: list[str] = []
    with write_lock(db_url) as release, database(app).engine.connect() as conn:
        driver = conn.connection.dbapi_connection
        driver.set_trace_callback(lambda sql: tries.append(sql) if "BEGIN" in sql else None)
        threading.Timer(hold, release).start()
        with conn.begin():
            assert driver.in_transaction
        driver.set_trace_callback(None)
    # A fixed 0.2 ms pause would try about hold / 0.0002 = 4,000 times; backing off to 5 ms,
    # about hold / 0.005 + 15 = 175.
    assert 2 <= len(tries) <= 2 * hold / 0.005 + 40


@pytest.mark.parametrize("lang", ["en", "it", "fr"])
def test_a_long_hold_gets_try_again_with_the_answers_kept(
    app, client, session, world, db_url, lang
) -> None:
    url = f"/r/{world['token']}"
    form = {**_answers(client, url, f"kept <{lang}>"), "lang": lang}  # as the page posts it
    before = db_digest(app)
    with write_lock(db_url):
        started = time.monotonic()
        reply = client.post(url, data=form)
        waited = time.monotonic() - started
    page = reply.get_data(as_text=True)
    assert reply.status_code == 503
    assert BUSY_TIMEOUT_MS / 1000 <= waited < 10 * BUSY_TIMEOUT_MS / 1000
    assert TITLES[lang] in html.unescape(page)
    assert f'<html lang="{lang}">' in page
    assert "Traceback" not in page and "OperationalError" not in page
    assert reply.headers["Retry-After"].isdigit()
    assert changed_tables(before, db_digest(app)) == []  # nothing half-stored
    # The page carries the answers (escaped) in a form that sends them again, to the same link.
    assert f'action="{url}"' in page
    kept = {name: html.unescape(value) for name, value in HIDDEN.findall(page)}
    assert kept == form
    again = client.post(url, data=kept)
    assert again.status_code == 302
    assert _comments(app, session) == [f"kept <{lang}>"]
    assert client.post(url, data=kept).status_code == 410  # and only once


def test_reads_do_not_queue_behind_the_writer(app, client, world, db_url) -> None:
    """Every page that only reads answers while another connection holds the write lock for
    the whole test. A page that took the lock would wait the busy timeout and answer 503
    (the lock is never released meanwhile), so a 200 is the proof; how long a page took is
    not checked (a first page rendered on a loaded machine took over a second)."""
    pages = [
        f"/r/{world['token']}",
        f"/r/{world['token']}?lang=fr",
        "/quiz",
        f"/quiz/r/{world['key']}",
        "/auth/sign-in",
        "/",
        "/healthz",
    ]
    with write_lock(db_url):
        for page in pages:
            reply = client.get(page)
            assert reply.status_code == 200, page


def test_with_a_submit_queued_a_page_waits_for_the_lock_rather_than_read_without_it(
    app, client, session, world, db_url
) -> None:
    """A page files the queued submits before it reads (a quarter that has ended may be
    released by the read, and a released figure must not move when an answer given before
    its end is filed later), so with a submit queued it needs the write lock: held past the
    busy timeout, the page is "try again", never a page read without the answer. The
    respondent's pages and the health check do not file and answer at once."""
    url = f"/r/{world['token']}"
    assert client.post(url, data=_answers(client, url, "queued")).status_code == 302
    session.rollback()
    assert session.scalar(select(func.count()).select_from(QueuedSubmission)) == 1
    with write_lock(db_url):
        assert client.get("/auth/sign-in").status_code == 503
        assert client.get("/healthz").status_code == 200
        assert client.get(url).status_code == 410  # already answered, from the link page
    assert client.get("/auth/sign-in").status_code == 200  # files, then shows the page
    session.rollback()
    assert session.scalar(select(func.count()).select_from(QueuedSubmission)) == 0
    assert _comments(app, session) == ["queued"]


def test_api_calls_under_the_lock_get_a_json_503(client, session, world, db_url) -> None:
    headers = {"Authorization": f"Bearer {world['api_secret']}"}
    body = {
        "source": "helpdesk",
        "external_ref": "LOCK-1",
        "provider": world["code"],
        "requester_email": session.get(Person, world["person_id"]).email,
        "opened_at": "2026-05-04T09:00:00Z",
    }
    with write_lock(db_url):
        posted = client.post("/api/v1/interactions", json=body, headers=headers)
        listed = client.get("/api/v1/departments", headers=headers)
    assert posted.status_code == 503
    assert posted.get_json() == {"error": "The service is busy", "status": 503}
    assert posted.headers["Retry-After"].isdigit()
    # A read with a key stamps the key's last use: it waits for the lock like any write.
    assert listed.status_code == 503
    assert listed.get_json() == {"error": "The service is busy", "status": 503}
    assert client.post("/api/v1/interactions", json=body, headers=headers).status_code in (
        200,
        201,
    )


def test_an_api_read_waits_its_turn_like_a_write(client, world, db_url) -> None:
    """An API call stamps its key's last use. Begun as a read, that write would fail at once
    when the other writer commits meanwhile (its snapshot is stale); it takes the lock first."""
    headers = {"Authorization": f"Bearer {world['api_secret']}"}
    with write_lock(db_url, commit=True) as release:
        threading.Timer(0.3, release).start()
        listed = client.get("/api/v1/departments", headers=headers)
    assert listed.status_code == 200, listed.get_data(as_text=True)[:300]
    assert any(d["name"].endswith("(locked)") for d in listed.get_json()["departments"])


def test_a_signed_in_form_under_the_lock_gets_the_page_not_a_bare_error(
    app, client, world, make_user, db_url
) -> None:
    admin = make_user("admin")
    post_form(client, "/auth/sign-in", {"email": admin.email, "password": PASSWORD})
    form = {"csrf_token": csrf_token(client, "/admin/departments/new"), "code": "LCK"}
    form["name"] = "Locked out"
    before = db_digest(app)
    with write_lock(db_url):
        reply = client.post("/admin/departments/new", data=form)
    page = reply.get_data(as_text=True)
    assert reply.status_code == 503
    assert "The service is busy" in page and "Traceback" not in page
    assert changed_tables(before, db_digest(app)) == []
    assert client.post("/admin/departments/new", data=form).status_code == 302


def test_a_broken_statement_is_not_disguised_as_busy(app, client, world, db_url) -> None:
    """SQLite reports a missing table as an OperationalError too: that is a 500 (logged with
    its traceback for the operator), not a "try again" that would never succeed."""
    conn = sqlite3.connect(db_url.removeprefix("sqlite:///"))
    conn.execute("ALTER TABLE quiz_attempts RENAME TO quiz_attempts_gone")
    conn.commit()
    conn.close()
    reply = client.get(f"/quiz/r/{world['key']}")
    page = reply.get_data(as_text=True)
    assert reply.status_code == 500
    assert "Something went wrong on our side" in page and "Traceback" not in page
