"""Real HTTP traffic for the soak tests, and what it leaves behind in the database.

Each request opens a new loopback connection (gunicorn's sync workers close every connection).
A request that gets no reply at all (refused, reset by a killed worker, timed out) has status 0.
Respondents put a marker of their own in the comment, so a test can count the responses stored
for each link without any link between a response and a person (there is none by design).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import queue
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bench.loadgen import Phase
from survey.db import make_engine
from tests.conftest import CSRF_RE

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "soak"
MARKER = "soak-"
HOUSE_PAGE = "· Service IQ</title>"  # every page drawn by the app, error pages included


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    text: str
    seconds: float

    @property
    def cookie(self) -> str:
        return self.headers.get("set-cookie", "").split(";", 1)[0]

    @property
    def friendly(self) -> bool:
        """A reply a person may see: no traceback, and an error is a page of the app (or JSON
        naming the error), not a bare page of the server."""
        if "Traceback" in self.text or "sqlalchemy" in self.text.lower():
            return False
        if self.status < 400:
            return True
        if self.headers.get("content-type", "").startswith("application/json"):
            return "error" in json.loads(self.text)
        return HOUSE_PAGE in self.text


def fetch(
    port: int,
    method: str,
    path: str,
    form: dict[str, str] | None = None,
    cookie: str = "",
    headers: dict[str, str] | None = None,
    body: str | None = None,
    timeout: float = 60.0,
) -> Reply:
    """One request on a new connection; ``form`` is sent url-encoded, ``body`` as is."""
    sent = dict(headers or {})
    if cookie:
        sent["Cookie"] = cookie
    if form is not None:
        body = urllib.parse.urlencode(form)
        sent["Content-Type"] = "application/x-www-form-urlencoded"
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=sent)
        reply = conn.getresponse()
        data = reply.read().decode("utf-8", "replace")
        found = {k.lower(): v for k, v in reply.getheaders()}
        return Reply(reply.status, found, data, time.perf_counter() - started)
    except (OSError, http.client.HTTPException):
        return Reply(0, {}, "", time.perf_counter() - started)
    finally:
        conn.close()


def csrf_of(page: Reply) -> str | None:
    match = CSRF_RE.search(page.text)
    return match.group(1) if match else None


@dataclass
class Attempt:
    """One respondent opening a link and sending the answers; ``post`` is None when the page
    did not open (then nothing was sent)."""

    token: str
    marker: str
    get: Reply
    post: Reply | None = None

    @property
    def stored(self) -> bool:
        """The server said the answer was stored (the redirect to the thank-you page)."""
        return self.post is not None and self.post.status in (302, 303)

    @property
    def replies(self) -> list[Reply]:
        return [self.get] + ([self.post] if self.post is not None else [])


def answer(
    port: int, token: str, marker: str, before_post: Callable[[], Any] | None = None
) -> Attempt:
    """Open ``/r/<token>`` and send a complete post-interaction answer with ``marker`` as the
    comment. ``before_post`` is called between the two (a barrier, for simultaneous sends)."""
    page = fetch(port, "GET", f"/r/{token}")
    attempt = Attempt(token, marker, page)
    csrf = csrf_of(page) if page.status == 200 else None
    if before_post is not None:
        before_post()
    if csrf is None:
        return attempt
    form = {"csrf_token": csrf, "overall": "4", "effort": "5", "on_time": "1", "comment": marker}
    attempt.post = fetch(port, "POST", f"/r/{token}", form=form, cookie=page.cookie)
    return attempt


class Respondents:
    """Threads answering links from a queue until it is empty or ``stop()`` is called.

    ``attempts`` holds every attempt in order, with ``started``/``ended`` times relative to
    the start, so a test can tell what happened during a fault.
    """

    PAUSE_AFTER_FAILURE = 0.25  # seconds: nobody clicks again at once

    def __init__(self, port: int, tokens: Iterable[str], threads: int, prefix: str) -> None:
        self.port = port
        self.pending: queue.Queue[tuple[int, str]] = queue.Queue()
        for index, token in enumerate(tokens):
            self.pending.put((index, token))
        self.prefix = prefix
        self.attempts: list[tuple[float, float, Attempt]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._loop, daemon=True) for _ in range(threads)]
        self.started = time.monotonic()

    def start(self) -> Respondents:
        self.started = time.monotonic()
        for thread in self._threads:
            thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                index, token = self.pending.get_nowait()
            except queue.Empty:
                return
            began = time.monotonic() - self.started
            attempt = answer(self.port, token, f"{MARKER}{self.prefix}-{index}")
            with self._lock:
                self.attempts.append((began, time.monotonic() - self.started, attempt))
            if not attempt.stored:
                time.sleep(self.PAUSE_AFTER_FAILURE)

    def stop(self) -> list[Attempt]:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=120)
        return [a for _b, _e, a in self.attempts]

    @property
    def done(self) -> int:
        with self._lock:
            return len(self.attempts)


def stored_markers(url: str) -> dict[str, int]:
    """How many stored responses carry each respondent marker (the comment)."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT text, count(*) FROM answers WHERE text LIKE :m GROUP BY text"),
                {"m": f"{MARKER}%"},
            ).all()
    finally:
        engine.dispose()
    return {str(marker): int(n) for marker, n in rows}


def count_rows(url: str, table: str, where: str = "") -> int:
    """Rows of ``table`` (a fixed name from these tests), optionally filtered by ``where``."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            sql = f"SELECT count(*) FROM {table}" + (f" WHERE {where}" if where else "")
            return int(conn.execute(text(sql)).scalar_one())
    finally:
        engine.dispose()


def check_attempts(attempts: list[Attempt], stored: dict[str, int]) -> dict[str, int]:
    """The rules after a fault: a link whose answer the server confirmed has exactly one
    response; a link refused with a reply (503, ...) has none; a link whose request got no
    reply at all may have one (the worker died after committing); none has two.

    Returns the figures; raises AssertionError naming the first broken rule.
    """
    confirmed = [a for a in attempts if a.stored]
    refused = [a for a in attempts if a.post is not None and a.post.status >= 400]
    unanswered = [a for a in attempts if a.post is not None and a.post.status == 0]
    duplicated = [m for m, n in stored.items() if n > 1]
    lost = [a.marker for a in confirmed if stored.get(a.marker, 0) != 1]
    half = [a.marker for a in refused if stored.get(a.marker, 0) != 0]
    assert duplicated == [], f"responses stored twice: {duplicated[:5]}"
    assert lost == [], f"confirmed answers not stored exactly once: {lost[:5]}"
    assert half == [], f"refused answers stored anyway: {half[:5]}"
    return {
        "confirmed": len(confirmed),
        "refused": len(refused),
        "no_reply": len(unanswered),
        "no_reply_but_stored": sum(1 for a in unanswered if stored.get(a.marker, 0) == 1),
        "rows_lost": len(lost),
        "rows_duplicated": len(duplicated),
    }


def status_counts(replies: Iterable[Reply]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for reply in replies:
        counts[str(reply.status)] = counts.get(str(reply.status), 0) + 1
    return dict(sorted(counts.items()))


def phase(replies: Iterable[Reply], good: Callable[[Reply], bool]) -> Phase:
    """Latencies and statuses of ``replies``, as the benchmarks report them."""
    result = Phase()
    for reply in replies:
        result.add(reply.seconds, reply.status, good(reply))
    return result


def worker_pids(master: int) -> list[int]:
    """The gunicorn workers of ``master`` (its child processes)."""
    path = Path(f"/proc/{master}/task/{master}/children")
    with contextlib.suppress(OSError):
        return [int(p) for p in path.read_text().split()]
    return []


def rss_mb(pid: int) -> float | None:
    """Resident memory of ``pid`` in MB, or None if it is gone."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return None


def record(name: str, figures: dict[str, Any]) -> Path:
    """Write a test's figures to ``test-artifacts/soak/<name>.json`` (docs/reliability.md is
    filled from the last run)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.json"
    payload = {"test": name, "finished": time.strftime("%Y-%m-%dT%H:%M:%S"), **figures}
    path.write_text(json.dumps(payload, indent=2, sort_keys=False) + "\n")
    return path


def soak_seconds(default: float) -> float:
    """``SURVEY_SOAK_SECONDS`` (the mixed run's length) or ``default``."""
    raw = os.environ.get("SURVEY_SOAK_SECONDS", "")
    return float(raw) if raw.strip() else default


class Laps:
    """Wall time of a test's phases (``lap("seed")`` closes the phase named so), recorded
    with its figures to see where a soak run spends its minutes."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.monotonic()

    def lap(self, name: str) -> None:
        now = time.monotonic()
        self.seconds[name] = round(now - self._last, 2)
        self._last = now
