"""A bounded load generator for the respondent path: each virtual respondent opens its link
(GET), reads the CSRF token and cookie from the reply, and submits the answers (POST).

Threads share nothing but a queue of tokens; each request gets a new connection (gunicorn's
sync workers close every connection). The run stops when the tokens run out or after
``max_seconds``. Latencies are wall-clock seconds per request, client side.
"""

from __future__ import annotations

import http.client
import queue
import re
import statistics
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
ANSWERS = {
    "overall": "4",
    "effort": "4",
    "on_time": "1",
    "opening": "4",
    "closing": "5",
    "comment": "Quick and friendly",
}


@dataclass
class Phase:
    """Latencies (seconds) and status counts of one kind of request."""

    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    ok: int = 0
    errors: int = 0

    def merge(self, other: Phase) -> None:
        """Add ``other``'s requests to these."""
        self.latencies.extend(other.latencies)
        for status, count in other.statuses.items():
            self.statuses[status] = self.statuses.get(status, 0) + count
        self.ok += other.ok
        self.errors += other.errors

    def add(self, seconds: float, status: int, good: bool) -> None:
        self.latencies.append(seconds)
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if good:
            self.ok += 1
        else:
            self.errors += 1

    def summary(self, elapsed: float) -> dict[str, float | int]:
        lat = sorted(self.latencies)
        if not lat:
            return {"requests": 0, "rps": 0.0, "p50_ms": 0.0, "p99_ms": 0.0, "errors": 0}
        p99 = lat[min(len(lat) - 1, round(0.99 * (len(lat) - 1)))]
        return {
            "requests": len(lat),
            "rps": round(len(lat) / elapsed, 1),
            "p50_ms": round(1000 * statistics.median(lat), 2),
            "p99_ms": round(1000 * p99, 2),
            "errors": self.errors,
            "ok": self.ok,
        }


@dataclass
class Result:
    get: Phase
    post: Phase
    get_elapsed: float
    post_elapsed: float
    warmup_ok: int = 0

    def merge(self, other: Result) -> None:
        """Add the timed phases of ``other`` (a later slice of the same run) to these."""
        self.get.merge(other.get)
        self.post.merge(other.post)
        self.get_elapsed += other.get_elapsed
        self.post_elapsed += other.post_elapsed

    def summary(self) -> dict[str, dict[str, float | int]]:
        return {
            "get": self.get.summary(self.get_elapsed),
            "post": self.post.summary(self.post_elapsed),
        }


def _request(
    port: int, method: str, path: str, body: str | None, headers: dict[str, str]
) -> tuple[int, dict[str, str], str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers)
        reply = conn.getresponse()
        data = reply.read().decode("utf-8", "replace")
        return reply.status, {k.lower(): v for k, v in reply.getheaders()}, data
    finally:
        conn.close()


def _drive(jobs: list[object], work: object, concurrency: int, max_seconds: float) -> float:
    """Run ``work(job)`` over ``jobs`` with ``concurrency`` threads; the elapsed seconds."""
    pending: queue.Queue[object] = queue.Queue()
    for job in jobs:
        pending.put(job)
    deadline = time.monotonic() + max_seconds

    def loop() -> None:
        while time.monotonic() < deadline:
            try:
                job = pending.get_nowait()
            except queue.Empty:
                return
            work(job)  # type: ignore[operator]

    threads = [threading.Thread(target=loop) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def run_interleaved(
    ports: dict[str, int],
    tokens: dict[str, list[str]],
    rounds: int,
    concurrency: int = 4,
    max_seconds: float = 60,
    warmup: int = 0,
) -> dict[str, Result]:
    """Load several servers in turn (``ports`` and ``tokens`` by server name); the timed
    figures of each. Per token, two phases: the link opened (GET, which also yields the form's
    CSRF token and cookie), then the form submitted (POST).

    Each server is first warmed up with its first ``warmup`` tokens, untimed: what a server
    does once (compiling statements, preparing them on its connections, loading templates and
    questionnaires) is not its throughput, and a timed phase of a few hundred requests would
    count it; ``Result.warmup_ok`` counts their successful POSTs (rows they stored). The
    other tokens are cut into ``rounds`` slices taken in turn: server A's slice (GET then
    POST), server B's, then B's and A's, and so on, so that a change of the machine's own
    speed (other tenants, frequency) falls on every server alike unless it is shorter than a
    slice. Each server's phases are added up over its slices."""
    names = list(ports)
    results: dict[str, Result] = {}
    for name in names:
        first = _phases(ports[name], tokens[name][:warmup], concurrency, max_seconds)
        results[name] = Result(Phase(), Phase(), 0.0, 0.0, warmup_ok=first.post.ok)
    for turn in range(rounds):
        for name in names if turn % 2 == 0 else names[::-1]:
            timed = tokens[name][warmup:]
            share = timed[turn * len(timed) // rounds : (turn + 1) * len(timed) // rounds]
            results[name].merge(_phases(ports[name], share, concurrency, max_seconds))
    return results


def _phases(port: int, tokens: list[str], concurrency: int, max_seconds: float) -> Result:
    lock = threading.Lock()
    get, post = Phase(), Phase()
    forms: list[tuple[str, str, str]] = []

    def open_link(token: object) -> None:
        path = f"/r/{token}"
        started = time.perf_counter()
        try:
            status, headers, page = _request(port, "GET", path, None, {})
        except OSError:
            status, headers, page = 0, {}, ""
        seconds = time.perf_counter() - started
        match = CSRF.search(page)
        with lock:
            get.add(seconds, status, status == 200 and match is not None)
            if status == 200 and match is not None:
                cookie = headers.get("set-cookie", "").split(";", 1)[0]
                forms.append((path, cookie, match.group(1)))

    def submit(form: object) -> None:
        path, cookie, csrf = form  # type: ignore[misc]
        body = urllib.parse.urlencode({**ANSWERS, "csrf_token": csrf})
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
        started = time.perf_counter()
        try:
            status, _headers, _page = _request(port, "POST", path, body, headers)
        except OSError:
            status = 0
        seconds = time.perf_counter() - started
        with lock:
            post.add(seconds, status, status in (302, 303))

    get_elapsed = _drive(list(tokens), open_link, concurrency, max_seconds)
    post_elapsed = _drive(list(forms), submit, concurrency, max_seconds)
    return Result(get, post, get_elapsed, post_elapsed)
