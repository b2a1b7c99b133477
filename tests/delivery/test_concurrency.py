"""Twenty simultaneous submissions of one link against a running server store one response."""

from __future__ import annotations

import http.client
import threading
import urllib.parse

import pytest
from sqlalchemy import func, select

from survey.models import Response
from tests.conftest import CSRF_RE


def _get(port: int, path: str) -> tuple[int, str, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path)
    reply = conn.getresponse()
    cookie = (reply.getheader("Set-Cookie") or "").split(";", 1)[0]
    body = reply.read().decode()
    conn.close()
    return reply.status, body, cookie


def _post(port: int, path: str, form: dict[str, str], cookie: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request(
        "POST",
        path,
        urllib.parse.urlencode(form),
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    status = conn.getresponse().status
    conn.close()
    return status


@pytest.mark.postgres
@pytest.mark.slow
def test_twenty_concurrent_posts_store_one_response(live_server, session, invite, org) -> None:
    token = invite("post_interaction", org.person(0))
    status, html, cookie = _get(live_server.port, f"/r/{token}")
    assert status == 200
    form = {"csrf_token": CSRF_RE.search(html).group(1), "overall": "5", "comment": "race"}
    barrier = threading.Barrier(20)
    statuses: list[int] = []
    lock = threading.Lock()

    def fire() -> None:
        barrier.wait()
        result = _post(live_server.port, f"/r/{token}", form, cookie)
        with lock:
            statuses.append(result)

    threads = [threading.Thread(target=fire) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Response)) == 1
    assert statuses.count(302) == 1, statuses
    assert all(s in (302, 410) for s in statuses), statuses
