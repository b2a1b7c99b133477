"""Faults under load: PostgreSQL restarted, and gunicorn workers and the mail dispatcher killed
with SIGKILL, while respondents keep answering and the dispatcher keeps sending.

After each: no reply is a traceback (a request during the fault gets the 503 "try again" page
or no reply at all); no answer confirmed to a respondent is lost, none is stored twice, none
refused is half-stored; every link that failed can be answered afterwards; every message in the
outbox is sent, received at least once, and copies stay within the documented bound.
"""

from __future__ import annotations

import os
import random
import signal
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import text

from survey.db import make_engine
from tests.pg import Cluster
from tests.soak.conftest import WORKERS, seed_links
from tests.soak.outbox import Dispatcher, check_mail, drain, fill_outbox
from tests.soak.traffic import (
    Attempt,
    Laps,
    Respondents,
    answer,
    check_attempts,
    record,
    status_counts,
    stored_markers,
    worker_pids,
)

pytestmark = pytest.mark.soak

CROWD = 8  # respondents answering at any moment
MESSAGES = 1500


def _retry(port: int, attempts: list[Attempt]) -> dict[str, int]:
    """Answer again, ``CROWD`` at a time, every link whose answer was not confirmed: it must
    work now, or say "already answered" (410) where the lost reply had in fact been stored
    (``_final_check`` then finds exactly one response either way)."""
    again = [a for a in attempts if not a.stored]
    with ThreadPoolExecutor(CROWD) as pool:
        retried = list(pool.map(lambda a: answer(port, a.token, a.marker), again))
    outcomes: dict[str, int] = {}
    for attempt in retried:
        final = attempt.post or attempt.get
        assert final.status in (302, 410), (final.status, final.text[:300])
        outcomes[str(final.status)] = outcomes.get(str(final.status), 0) + 1
    return outcomes


def _sending(url: str, smtp_server: Any) -> Dispatcher:
    """A dispatcher started on the filled outbox, once it has begun to send (so that the
    faults find it at work); the SMTP server takes a few milliseconds per message."""
    smtp_server.handler.delay = 0.01
    dispatcher = Dispatcher(url, smtp_server.url)
    dispatcher.start()
    deadline = time.monotonic() + 120
    while len(smtp_server.messages) < 20:
        assert time.monotonic() < deadline, "the dispatcher sent nothing"
        dispatcher.keep_running()
        time.sleep(0.05)
    return dispatcher


def _final_check(url: str, attempts: list[Attempt]) -> None:
    """After the retries every link tried has exactly one response."""
    stored = stored_markers(url)
    wrong = [a.marker for a in attempts if stored.get(a.marker, 0) != 1]
    assert wrong == [], f"{len(wrong)} links without exactly one response: {wrong[:5]}"


def _unfriendly(attempts: list[Attempt]) -> list[str]:
    return [
        f"{r.status}: {r.text[:200]}"
        for a in attempts
        for r in a.replies
        if r.status and not r.friendly
    ]


@pytest.fixture
def own_cluster() -> Iterator[Cluster]:
    """A PostgreSQL cluster of this test's own, so that restarting it disturbs nobody, with
    durable commits as in production (it is crashed on purpose)."""
    cluster = Cluster(durable=True)
    cluster.start()
    yield cluster
    cluster.stop()


def test_postgres_restarted_under_load(own_cluster, serve, smtp_server) -> None:
    laps = Laps()
    admin = make_engine(own_cluster.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("CREATE DATABASE siq_restart"))
    admin.dispose()
    url = own_cluster.url("siq_restart")
    from bench.fixtures import create_database

    create_database(url)
    tokens = seed_links(url, 3000)
    fill_outbox(url, MESSAGES)
    laps.lap("prepare")
    server = serve(url)
    laps.lap("server_start")
    dispatcher = _sending(url, smtp_server)
    laps.lap("dispatcher_start")
    crowd = Respondents(server.port, tokens, CROWD, "pg").start()
    faults: list[dict[str, object]] = []

    def traffic_for(seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            dispatcher.keep_running()
            time.sleep(0.1)

    traffic_for(3)
    for mode, outage in (("fast", 0.0), ("immediate", 2.0), ("fast", 1.0)):
        began = time.monotonic() - crowd.started
        own_cluster.stop_server(mode)
        time.sleep(outage)
        own_cluster.start_server()
        back = time.monotonic() - crowd.started
        faults.append({"stop": mode, "down_from": round(began, 2), "up_at": round(back, 2)})
        traffic_for(4)
    crowd_ended = time.monotonic() - crowd.started
    attempts = crowd.stop()
    dispatcher.stop()
    laps.lap("load_and_faults")

    assert _unfriendly(attempts) == []
    assert "Traceback" not in server.log()  # nothing escaped the error pages
    replies = [r for a in attempts for r in a.replies]
    statuses = status_counts(replies)
    assert not any(s.startswith("5") and s != "503" for s in statuses), statuses
    refused = statuses.get("503", 0)
    assert refused > 0, "no request met the outage: the fault was not exercised"
    # The pool recovers: once the server has been back a second, every answer goes through
    # (until the next fault).
    windows = [
        (float(f["up_at"]) + 1, float(nxt["down_from"]) if nxt else crowd_ended)
        for f, nxt in zip(faults, [*faults[1:], None], strict=True)
    ]
    recovered = [
        (began, ended, a)
        for began, ended, a in crowd.attempts
        if any(start <= began and ended < end for start, end in windows)
    ]
    failed = [(round(b, 2), a.get.status, a.post and a.post.status) for b, _e, a in recovered]
    assert recovered and all(a.stored for _b, _e, a in recovered), (faults, failed)
    figures = check_attempts(attempts, stored_markers(url))
    retried = _retry(server.port, attempts)
    _final_check(url, attempts)
    laps.lap("retry")
    assert dispatcher.deaths == 0  # send-mail --loop waits for the database and goes on
    smtp_server.handler.delay = 0
    drain(url, smtp_server.url)
    interruptions = dispatcher.deaths + dispatcher.kills + len(faults)
    mail = check_mail(url, smtp_server.messages, interruptions)
    laps.lap("drain")
    record(
        "fault-postgres-restart",
        {
            "backend": "postgres",
            "gunicorn_sync_workers": WORKERS,
            "faults_injected": len(faults),
            "faults": faults,
            "respondents": len(attempts),
            "requests": len(replies),
            "statuses": statuses,
            "status_5xx": refused,
            "status_5xx_not_503": 0,
            **figures,
            "retried_afterwards": retried,
            "dispatcher_deaths": dispatcher.deaths,
            **mail,
            "phase_seconds": laps.seconds,
        },
    )


@pytest.mark.postgres
def test_workers_killed_under_load(backend, db_url, serve, smtp_server) -> None:
    laps = Laps()
    tokens = seed_links(db_url, 3000)
    fill_outbox(db_url, MESSAGES)
    laps.lap("prepare")
    server = serve(db_url)
    laps.lap("server_start")
    dispatcher = _sending(db_url, smtp_server)
    laps.lap("dispatcher_start")
    crowd = Respondents(server.port, tokens, CROWD, "kill").start()
    chooser = random.Random(6)
    killed_workers = 0
    deadline = time.monotonic() + 25
    next_worker_kill = time.monotonic() + 1.5
    sent_at_start, kill_after = len(smtp_server.messages), chooser.randint(20, 60)
    while time.monotonic() < deadline:
        now = time.monotonic()
        if now >= next_worker_kill:
            workers = worker_pids(server.process.pid)
            if workers:
                os.kill(chooser.choice(workers), signal.SIGKILL)
                killed_workers += 1
            next_worker_kill = now + chooser.uniform(2.5, 4.0)
        # The dispatcher is killed in the middle of sending: once it has sent a few dozen.
        if len(smtp_server.messages) - sent_at_start >= kill_after:
            dispatcher.kill()
            dispatcher.start()
            sent_at_start, kill_after = len(smtp_server.messages), chooser.randint(20, 60)
        dispatcher.keep_running()
        time.sleep(0.05)
    attempts = crowd.stop()
    dispatcher.stop()
    laps.lap("load_and_faults")

    assert _unfriendly(attempts) == []
    assert "Traceback" not in server.log()  # nothing escaped the error pages
    replies = [r for a in attempts for r in a.replies]
    statuses = status_counts(replies)
    five_xx = sum(n for s, n in statuses.items() if s.startswith("5"))
    assert five_xx == 0, statuses
    assert killed_workers >= 5 and dispatcher.kills >= 2
    figures = check_attempts(attempts, stored_markers(db_url))
    retried = _retry(server.port, attempts)
    _final_check(db_url, attempts)
    laps.lap("retry")
    smtp_server.handler.delay = 0
    drain(db_url, smtp_server.url)
    mail = check_mail(db_url, smtp_server.messages, dispatcher.kills + dispatcher.deaths)
    laps.lap("drain")
    record(
        f"fault-worker-kill-{backend}",
        {
            "backend": backend,
            "gunicorn_sync_workers": WORKERS,
            "workers_killed": killed_workers,
            "dispatchers_killed": dispatcher.kills,
            "faults_injected": killed_workers + dispatcher.kills,
            "respondents": len(attempts),
            "requests": len(replies),
            "statuses": statuses,
            "status_5xx": five_xx,
            **figures,
            "retried_afterwards": retried,
            **mail,
            "phase_seconds": laps.seconds,
        },
    )
