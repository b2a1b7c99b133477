"""Password guesses sent in parallel: the sign-in throttle allows ``SIGNIN_MAX_FAILURES``
wrong passwords per account and lock window, however many arrive at once. Attack: twelve
simultaneous sign-ins with wrong passwords for one account, against the app under gunicorn.
A throttle that checks the count, verifies the password and only then records the failure
lets every request that arrives before the first failure is recorded try its password (and
on PostgreSQL two first failures inserting the same row collide: a server error)."""

from __future__ import annotations

import http.client
import threading
import urllib.parse

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.models import SignInThrottle
from tests.conftest import CSRF_RE, LiveServer

GUESSES = 12
WRONG = "The email or password is not right."
LOCKED = "Too many failed attempts."


def _sign_in_page(port: int) -> tuple[str, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/auth/sign-in")
    reply = conn.getresponse()
    cookie = (reply.getheader("Set-Cookie") or "").split(";", 1)[0]
    match = CSRF_RE.search(reply.read().decode())
    conn.close()
    assert match is not None
    return match.group(1), cookie


def _post(port: int, form: dict[str, str], cookie: str) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request(
        "POST",
        "/auth/sign-in",
        urllib.parse.urlencode(form),
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    reply = conn.getresponse()
    body = reply.read().decode()
    conn.close()
    return reply.status, body


@pytest.mark.postgres
@pytest.mark.slow
def test_parallel_guesses_get_no_more_tries_than_the_throttle_allows(
    db_url: str, session: Session, make_user
) -> None:
    user = make_user("viewer", "target@example.com")
    session.commit()
    server = LiveServer(db_url, workers=2, threads=6, SURVEY_RATELIMIT_ENABLED="0")
    try:
        token, cookie = _sign_in_page(server.port)
        barrier = threading.Barrier(GUESSES)
        answers: list[tuple[int, str]] = []
        lock = threading.Lock()

        def guess(index: int) -> None:
            form = {"csrf_token": token, "email": user.email, "password": f"wrong-{index}"}
            barrier.wait()
            answer = _post(server.port, form, cookie)
            with lock:
                answers.append(answer)

        threads = [threading.Thread(target=guess, args=(i,)) for i in range(GUESSES)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        log = server.log()
    finally:
        server.stop()
    statuses = sorted(status for status, _body in answers)
    assert len(answers) == GUESSES and set(statuses) <= {200, 429}, (statuses, log[-3000:])
    tried = sum(WRONG in body for _status, body in answers)
    refused = sum(LOCKED in body for _status, body in answers)
    assert tried + refused == GUESSES, statuses
    assert tried <= 5, f"{tried} guesses were tried against a limit of 5"
    session.rollback()
    row = session.scalar(
        select(SignInThrottle).where(SignInThrottle.key == f"account:{user.email}")
    )
    assert row is not None and row.failures == 5 and row.locked_until is not None
