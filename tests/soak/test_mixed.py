"""A mixed soak run on the demo organisation: respondents, quiz takers, reviewers reading
scorecards, a ticketing tool on the API, and ``tick`` + ``send-mail`` every few seconds, for a
bounded time (``SURVEY_SOAK_SECONDS``, default 90 seconds per database).

No request may end in a 5xx (or in any status its page does not expect); every answer and
interaction confirmed is stored once; every message queued reaches the SMTP server; and the
workers' memory, sampled throughout, stops growing once warm.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import select

from bench.fixtures import bench_session
from survey.models import Department, Person
from survey.models.base import utcnow
from survey.quiz.services import ensure_quiz
from survey.services.accounts import create_api_key
from tests.soak.conftest import WORKERS, seed_links
from tests.soak.traffic import (
    ROOT,
    Laps,
    Reply,
    answer,
    count_rows,
    csrf_of,
    fetch,
    phase,
    record,
    rss_mb,
    soak_seconds,
    status_counts,
    stored_markers,
    worker_pids,
)

pytestmark = pytest.mark.soak

VISITORS = 6
TICK_EVERY = 15.0  # seconds between two runs of tick + send-mail
# Memory a worker may still gain from the middle third of the run to the last (median resident
# size): the caches are bounded, so a warm worker should hardly grow.
RSS_GROWTH_LIMIT_MB = 25.0
DEMO_PASSWORD = "demo-admin-pass"  # the demo's sign-in (README)


class FormFields(HTMLParser):
    """The fields of the first form with a CSRF token: hidden values, radio choices, selects."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden: dict[str, str] = {}
        self.radios: dict[str, list[str]] = {}
        self.selects: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        name = found.get("name", "")
        if tag == "input" and found.get("type") == "hidden" and name:
            self.hidden.setdefault(name, found.get("value", ""))
        elif tag == "input" and found.get("type") == "radio" and name:
            self.radios.setdefault(name, []).append(found.get("value", ""))
        elif tag == "select" and name:
            self.selects.append(name)

    def filled(self, chooser: random.Random) -> dict[str, str]:
        values = dict(self.hidden)
        values.update({name: chooser.choice(options) for name, options in self.radios.items()})
        values.update({name: "" for name in self.selects})  # "no department"
        return values


class Visitor:
    """One simulated person per thread, doing one of the journeys at a time; every reply is
    tallied with whether its status was the one expected."""

    def __init__(self, run: MixedRun, seed: int) -> None:
        self.run = run
        self.port = run.port
        self.chooser = random.Random(seed)
        self.cookie = ""

    def expect(self, action: str, reply: Reply, *expected: int) -> Reply:
        self.run.tally(action, reply, reply.status in expected)
        return reply

    def sign_in(self) -> None:
        page = fetch(self.port, "GET", "/auth/sign-in")
        form = {"email": "viewer@demo.example", "password": DEMO_PASSWORD}
        reply = fetch(
            self.port,
            "POST",
            "/auth/sign-in",
            form={**form, "csrf_token": csrf_of(page) or ""},
            cookie=page.cookie,
        )
        self.expect("sign_in", reply, 302)
        self.cookie = reply.cookie

    def respond(self) -> None:
        token, marker = self.run.next_link()
        attempt = answer(self.port, token, marker)
        self.expect("respond", attempt.get, 200)
        if attempt.post is not None:
            self.expect("respond", attempt.post, 302)
            if attempt.stored:
                self.run.confirmed_markers.append(marker)
        if attempt.stored and self.chooser.random() < 0.3:  # again: "already answered"
            self.expect("respond", fetch(self.port, "GET", f"/r/{token}"), 410)

    def quiz(self) -> None:
        page = self.expect("quiz", fetch(self.port, "GET", "/quiz"), 200)
        fields = FormFields()
        fields.feed(page.text)
        reply = fetch(
            self.port, "POST", "/quiz", form=fields.filled(self.chooser), cookie=page.cookie
        )
        self.expect("quiz", reply, 302)
        location = reply.headers.get("location", "")
        if reply.status == 302 and "/quiz/r/" in location:
            path = location[location.index("/quiz/r/") :]
            self.expect("quiz", fetch(self.port, "GET", path), 200)

    def scorecards(self) -> None:
        code = self.chooser.choice(self.run.codes)
        pages = ["/scorecards/", f"/scorecards/{code}"]
        if self.chooser.random() < 0.2:
            pages.append(f"/scorecards/{code}.csv")
        if self.chooser.random() < 0.05:
            pages.append(f"/scorecards/{code}.pdf")
        for path in pages:
            self.expect("scorecards", fetch(self.port, "GET", path, cookie=self.cookie), 200)

    def api(self) -> None:
        auth = {"Authorization": f"Bearer {self.run.api_key}"}
        code = self.chooser.choice(self.run.codes)
        self.expect("api", fetch(self.port, "GET", "/api/v1/departments", headers=auth), 200)
        scorecard = f"/api/v1/departments/{code}/scorecard"
        self.expect("api", fetch(self.port, "GET", scorecard, headers=auth), 200)
        reference = self.run.next_reference()
        body = {
            "provider": code,
            "requester_email": self.chooser.choice(self.run.emails),
            "source": "soak",
            "external_ref": reference,
            # Handled this morning: a request resolved longer ago than
            # SURVEY_LATE_REPORT_DAYS would not be surveyed, and the run would mail less.
            "opened_at": (utcnow() - timedelta(hours=6)).isoformat(),
            "resolved_at": (utcnow() - timedelta(hours=1)).isoformat(),
        }
        headers = {**auth, "Content-Type": "application/json"}
        reply = fetch(
            self.port, "POST", "/api/v1/interactions", headers=headers, body=json.dumps(body)
        )
        self.expect("api", reply, 201)
        if reply.status == 201:
            self.run.created_references.append(reference)

    def links(self) -> None:
        token, _marker = self.run.next_link()
        self.expect("links", fetch(self.port, "GET", f"/r/{token}/stop"), 200)
        self.expect("links", fetch(self.port, "GET", f"/r/unknown-{token[:6]}"), 404)

    def loop(self, deadline: float) -> None:
        self.sign_in()
        journeys: list[tuple[Callable[[], None], int]] = [
            (self.respond, 30),
            (self.quiz, 15),
            (self.scorecards, 25),
            (self.api, 20),
            (self.links, 10),
        ]
        actions, weights = zip(*journeys, strict=True)
        while time.monotonic() < deadline:
            self.chooser.choices(actions, weights)[0]()


class MixedRun:
    """What the visitors share: the port, links to answer, the API key, and the tallies."""

    def __init__(
        self, port: int, tokens: list[str], api_key: str, codes: list[str], emails: list[str]
    ) -> None:
        self.port = port
        self.tokens = tokens
        self.api_key = api_key
        self.codes = codes
        self.emails = emails
        self.replies: dict[str, list[Reply]] = {}
        self.unexpected: list[str] = []
        self.confirmed_markers: list[str] = []
        self.created_references: list[str] = []
        self._lock = threading.Lock()
        self._links = 0
        self._references = 0

    def next_link(self) -> tuple[str, str]:
        with self._lock:
            index = self._links
            self._links += 1
        return self.tokens[index], f"soak-mixed-{index}"

    def next_reference(self) -> str:
        with self._lock:
            self._references += 1
            return f"SOAK-{self._references}"

    def tally(self, action: str, reply: Reply, expected: bool) -> None:
        with self._lock:
            self.replies.setdefault(action, []).append(reply)
            if not expected or not reply.friendly:
                self.unexpected.append(f"{action} {reply.status}: {reply.text[:200]}")


def _median_rss(samples: list[tuple[float, dict[int, float]]]) -> dict[int, float]:
    """Each worker's median resident memory (MB) over ``samples`` (robust to a peak while a
    chart or a PDF is drawn)."""
    pids = {pid for _t, rss in samples for pid in rss}
    return {pid: statistics.median(rss[pid] for _t, rss in samples if pid in rss) for pid in pids}


def _flask(url: str, smtp_url: str, *command: str) -> int:
    env = {
        **os.environ,
        "SURVEY_DATABASE_URL": url,
        "SURVEY_SECRET_KEY": "live-test-secret-of-thirty-two-characters-at-least",
        "SURVEY_SMTP_URL": smtp_url,
        "SURVEY_BASE_URL": "http://127.0.0.1:5000",
        "PYTHONPATH": str(ROOT),
    }
    flask = str(Path(sys.executable).with_name("flask"))
    return subprocess.run(
        [flask, "--app", "wsgi", "survey", *command],
        cwd=str(ROOT),
        env=env,
        capture_output=True,
        timeout=300,
        check=False,
    ).returncode


def _prepare(url: str) -> tuple[list[str], str, list[str], list[str]]:
    """The demo organisation with the quiz installed (its first visitor would install it: see
    docs/reliability.md), 5,000 open links, an API key; the departments' codes and some
    people's emails."""
    assert _flask(url, "", "demo") == 0
    tokens = seed_links(url, 5000, organisation=False)
    with bench_session(url) as session:
        ensure_quiz(session)
        _key, secret = create_api_key(session, "soak")
        codes = list(session.scalars(select(Department.code).order_by(Department.code)))
        emails = list(session.scalars(select(Person.email).order_by(Person.id).limit(60)))
    return tokens, secret, codes, emails


@pytest.mark.postgres
def test_mixed_traffic_without_errors_or_leaks(backend, db_url, serve, smtp_server) -> None:
    laps = Laps()
    tokens, api_key, codes, emails = _prepare(db_url)
    outbox_before = count_rows(db_url, "outbox")
    interactions_before = count_rows(db_url, "interactions")
    laps.lap("prepare")
    server = serve(db_url)
    laps.lap("server_start")
    run = MixedRun(server.port, tokens, api_key, codes, emails)
    seconds = soak_seconds(90)
    started = time.monotonic()
    deadline = started + seconds
    samples: list[tuple[float, dict[int, float]]] = []
    commands: list[tuple[str, int, float]] = []

    def sample_memory() -> None:
        while time.monotonic() < deadline:
            workers = {pid: rss_mb(pid) for pid in worker_pids(server.process.pid)}
            samples.append((time.monotonic() - started, {p: r for p, r in workers.items() if r}))
            time.sleep(2)

    def scheduled_work() -> None:
        # As cron would: tick, then send-mail, every TICK_EVERY seconds.
        next_run = time.monotonic() + TICK_EVERY / 2
        while time.monotonic() < deadline:
            if time.monotonic() >= next_run:
                for command in ("tick", "send-mail"):
                    began = time.monotonic()
                    code = _flask(db_url, smtp_server.url, command)
                    commands.append((command, code, round(time.monotonic() - began, 1)))
                next_run = time.monotonic() + TICK_EVERY
            time.sleep(0.5)

    visitors = [Visitor(run, seed) for seed in range(VISITORS)]
    threads = [threading.Thread(target=v.loop, args=(deadline,), daemon=True) for v in visitors]
    threads += [
        threading.Thread(target=sample_memory, daemon=True),
        threading.Thread(target=scheduled_work, daemon=True),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 300)
    elapsed = time.monotonic() - started
    laps.lap("traffic")

    # Whatever tick queued last is sent now; then every message written during the run has
    # reached the SMTP server.
    assert _flask(db_url, smtp_server.url, "send-mail") == 0
    laps.lap("last_send_mail")
    replies = [r for group in run.replies.values() for r in group]
    statuses = status_counts(replies)
    five_xx = sum(n for s, n in statuses.items() if s.startswith("5"))
    assert five_xx == 0 and "0" not in statuses, statuses  # no 5xx, every request answered
    assert run.unexpected == [], run.unexpected[:5]
    assert "Traceback" not in server.log()
    assert all(code == 0 for _command, code, _seconds in commands), commands

    stored = stored_markers(db_url)
    assert all(stored.get(m) == 1 for m in run.confirmed_markers)
    assert len(stored) == len(run.confirmed_markers)
    soak_interactions = count_rows(db_url, "interactions", "source = 'soak'")
    assert soak_interactions == len(run.created_references)
    assert count_rows(db_url, "interactions") == interactions_before + soak_interactions
    queued = count_rows(db_url, "outbox", "status IN ('queued', 'sending')")
    written = count_rows(db_url, "outbox") - outbox_before
    received = {str(m["Message-ID"]) for m in smtp_server.messages}
    assert queued == 0
    assert len(received) >= written  # each message of the run reached the server

    middle = [s for s in samples if seconds / 3 <= s[0] < 2 * seconds / 3]
    last = [s for s in samples if s[0] >= 2 * seconds / 3]
    assert len(middle) >= 2 and len(last) >= 2, samples
    before, after = _median_rss(middle), _median_rss(last)
    growth = {pid: round(after[pid] - before[pid], 1) for pid in after if pid in before}
    assert growth and max(growth.values()) < RSS_GROWTH_LIMIT_MB, growth
    record(
        f"mixed-{backend}",
        {
            "backend": backend,
            "gunicorn_sync_workers": WORKERS,
            "visitors": VISITORS,
            "seconds": round(elapsed, 1),
            "requests": len(replies),
            "requests_per_second": round(len(replies) / elapsed, 1),
            "statuses": statuses,
            "status_5xx": five_xx,
            "by_journey": {
                action: phase(group, lambda r: r.status < 500).summary(elapsed)
                for action, group in sorted(run.replies.items())
            },
            "answers_confirmed": len(run.confirmed_markers),
            "answers_stored": len(stored),
            "interactions_created": len(run.created_references),
            "interactions_stored": soak_interactions,
            "rows_lost": 0,
            "rows_duplicated": 0,
            "tick_and_send_mail_runs": len(commands),
            "tick_and_send_mail_seconds": [seconds for _c, _code, seconds in commands],
            "messages_written": written,
            "messages_received": len(smtp_server.messages),
            "rss_samples": len(samples),
            "rss_mb_at_start": {str(p): round(r, 1) for p, r in samples[0][1].items()},
            "rss_mb_median_middle_third": {str(p): round(r, 1) for p, r in before.items()},
            "rss_mb_median_last_third": {str(p): round(r, 1) for p, r in after.items()},
            "rss_growth_mb": {str(p): g for p, g in growth.items()},
            "rss_growth_limit_mb": RSS_GROWTH_LIMIT_MB,
            "phase_seconds": laps.seconds,
        },
    )
