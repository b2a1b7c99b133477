"""Requests sent at once to a live server (``conftest.LiveServer``): plain HTTP on loopback,
released together by a barrier, for the tests that attack what parallel requests may do."""

from __future__ import annotations

import http.client
import threading
import urllib.parse
from collections.abc import Callable
from typing import TypeVar

from tests.conftest import CSRF_RE

T = TypeVar("T")


def get_page(port: int, path: str) -> tuple[int, str, str]:
    """GET ``path``: the status, the body and the session cookie set (``name=value``, or "")."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path)
    reply = conn.getresponse()
    cookie = (reply.getheader("Set-Cookie") or "").split(";", 1)[0]
    body = reply.read().decode()
    conn.close()
    return reply.status, body, cookie


def form_token(port: int, path: str) -> tuple[str, str]:
    """The CSRF token of the form at ``path`` and the cookie it belongs to."""
    status, body, cookie = get_page(port, path)
    match = CSRF_RE.search(body)
    assert status == 200 and match is not None, status
    return match.group(1), cookie


def post_form(port: int, path: str, form: dict[str, str], cookie: str) -> tuple[int, str]:
    """POST ``form`` (URL-encoded) with ``cookie``: the status and the body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request(
        "POST",
        path,
        urllib.parse.urlencode(form),
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    reply = conn.getresponse()
    body = reply.read().decode()
    conn.close()
    return reply.status, body


def at_once(count: int, send: Callable[[int], T], timeout: float = 120) -> list[T]:
    """``send(0)`` .. ``send(count - 1)`` in ``count`` threads released together; their
    results in the order they finished."""
    barrier = threading.Barrier(count)
    results: list[T] = []
    lock = threading.Lock()

    def run(index: int) -> None:
        barrier.wait()
        result = send(index)
        with lock:
            results.append(result)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results
