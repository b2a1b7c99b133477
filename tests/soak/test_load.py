"""200 respondents at the same moment, each on a link of their own, against gunicorn on
loopback: all open their link together, then all send their answers together. Several rounds,
on SQLite and on PostgreSQL. No 5xx, one response per link, rows stored = answers confirmed."""

from __future__ import annotations

import threading
import time

import pytest

from tests.soak.conftest import WORKERS, seed_links
from tests.soak.traffic import (
    Attempt,
    answer,
    check_attempts,
    count_rows,
    phase,
    record,
    status_counts,
    stored_markers,
)

pytestmark = pytest.mark.soak

RESPONDENTS = 200
ROUNDS = 3


def _round(port: int, tokens: list[str], name: str) -> tuple[list[Attempt], float, float]:
    """One round: every respondent opens their link at once, then sends at once. Returns the
    attempts and the wall time of each wave (first start to last reply)."""
    start_gate = threading.Barrier(len(tokens) + 1, timeout=120)
    send_gate = threading.Barrier(len(tokens) + 1, timeout=120)
    attempts: list[Attempt] = []
    lock = threading.Lock()

    def respondent(index: int, token: str) -> None:
        start_gate.wait()
        attempt = answer(port, token, f"soak-{name}-{index}", before_post=send_gate.wait)
        with lock:
            attempts.append(attempt)

    threads = [
        threading.Thread(target=respondent, args=(i, t), daemon=True) for i, t in enumerate(tokens)
    ]
    for thread in threads:
        thread.start()
    start_gate.wait()
    opened = time.perf_counter()
    send_gate.wait()
    sent = time.perf_counter()
    for thread in threads:
        thread.join(timeout=120)
    return attempts, sent - opened, time.perf_counter() - sent


@pytest.mark.postgres
def test_two_hundred_simultaneous_respondents(backend, db_url, serve) -> None:
    tokens = seed_links(db_url, RESPONDENTS * ROUNDS)
    server = serve(db_url)
    attempts: list[Attempt] = []
    waves: list[dict[str, float]] = []
    for n in range(ROUNDS):
        batch = tokens[n * RESPONDENTS : (n + 1) * RESPONDENTS]
        done, get_seconds, post_seconds = _round(server.port, batch, f"{backend}{n}")
        assert len(done) == RESPONDENTS
        attempts += done
        waves.append({"get_seconds": round(get_seconds, 2), "post_seconds": round(post_seconds, 2)})

    gets = [a.get for a in attempts]
    posts = [a.post for a in attempts if a.post is not None]
    assert status_counts(gets) == {"200": len(attempts)}
    assert status_counts(posts) == {"302": len(attempts)}
    stored = stored_markers(db_url)
    figures = check_attempts(attempts, stored)
    rows = count_rows(db_url, "responses")
    assert len(stored) == rows == len(attempts)
    assert "Traceback" not in server.log()

    get_time = sum(w["get_seconds"] for w in waves)
    post_time = sum(w["post_seconds"] for w in waves)
    record(
        f"load-{backend}",
        {
            "backend": backend,
            "gunicorn_sync_workers": WORKERS,
            "respondents_per_round": RESPONDENTS,
            "rounds": ROUNDS,
            "requests": len(gets) + len(posts),
            "status_5xx": 0,
            "rows_stored": rows,
            **figures,
            "get": phase(gets, lambda r: r.status == 200).summary(get_time),
            "post": phase(posts, lambda r: r.status == 302).summary(post_time),
            "waves": waves,
        },
    )
