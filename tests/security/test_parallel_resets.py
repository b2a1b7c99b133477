"""Reset requests sent in parallel: one reset mail per account per ``RESET_MAIL_INTERVAL``,
however many requests arrive at once. Attack: eight simultaneous requests for one address,
against the app under gunicorn. Each request read "no reset mailed lately" before any of them
had committed its own, so on PostgreSQL several mails (each a working link) went out."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey.models import OutboxMessage, PasswordReset
from tests.conftest import LiveServer
from tests.security.test_parallel_guesses import _sign_in_page

REQUESTS = 8


def _post_forgot(port: int, form: dict[str, str], cookie: str) -> int:
    import http.client
    import urllib.parse

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request(
        "POST",
        "/auth/forgot",
        urllib.parse.urlencode(form),
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    status = conn.getresponse().status
    conn.close()
    return status


@pytest.mark.postgres
@pytest.mark.slow
def test_parallel_reset_requests_mail_one_link(db_url: str, session: Session, make_user) -> None:
    user = make_user("viewer", "forgetful@example.com")
    session.commit()
    server = LiveServer(db_url, workers=2, threads=6, SURVEY_RATELIMIT_ENABLED="0")
    try:
        token, cookie = _sign_in_page(server.port)
        barrier = threading.Barrier(REQUESTS)
        statuses: list[int] = []
        lock = threading.Lock()

        def ask() -> None:
            form = {"csrf_token": token, "email": user.email}
            barrier.wait()
            status = _post_forgot(server.port, form, cookie)
            with lock:
                statuses.append(status)

        threads = [threading.Thread(target=ask) for _ in range(REQUESTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        log = server.log()
    finally:
        server.stop()
    assert statuses == [200] * REQUESTS, (statuses, log[-3000:])
    session.rollback()
    resets = session.scalar(select(func.count()).select_from(PasswordReset))
    mails = session.scalar(select(func.count()).select_from(OutboxMessage))
    assert (resets, mails) == (1, 1)
