"""Mail throughput: ``send-mail``'s dispatcher draining the outbox into a local SMTP sink,
against a baseline that sends the same composed messages over one plain SMTP connection with
no database. Target: at least 300 messages per second from one dispatcher.
"""

from __future__ import annotations

import smtplib
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from email import policy
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from bench import fixtures
from bench.server import free_port

CRLF = policy.compat32.clone(linesep="\r\n")


class Sink:
    """``bench.smtp_sink`` in a subprocess; ``stop()`` returns the messages it accepted."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.smtp_sink", str(self.port)],
            cwd=str(Path(__file__).resolve().parent.parent),
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        if self.process.stdout.readline().strip() != "ready":
            raise RuntimeError("the SMTP sink did not start")

    def stop(self) -> int:
        self.process.terminate()
        out, _err = self.process.communicate(timeout=30)
        return int(out.strip().splitlines()[-1])


def _queue(url: str, count: int) -> None:
    """``count`` quarterly invitation emails in the outbox, rendered as production does."""
    from survey.delivery.services.mailing import Recipient, quarterly_messages
    from survey.models import Campaign, OutboxMessage
    from survey.models.base import utcnow
    from survey.periods import quarter_of

    fixtures.create_database(url)
    with fixtures.bench_session(url) as session:
        fixtures.seed_organisation(session)
        now = utcnow()
        campaign = Campaign(
            name="Bench",
            quarter=quarter_of(now),
            opens_at=now,
            closes_at=now + timedelta(days=20),
            status="open",
        )
        session.add(campaign)
        session.flush()
        recipients = [
            Recipient(None, f"Person {i}", f"p{i}@bench.example", ("en", "it", "fr")[i % 3], "t")  # type: ignore[arg-type]
            for i in range(count)
        ]
        rows = quarterly_messages(
            recipients, campaign, campaign.closes_at, "https://s.example", "bench.example", now=now
        )
        for start in range(0, len(rows), 1000):
            session.execute(insert(OutboxMessage), rows[start : start + 1000])
        assert session.scalar(select(OutboxMessage.id).limit(1)) is not None


def _dispatcher(url: str, port: int) -> float:
    from sqlalchemy.orm import sessionmaker

    from survey.db import make_engine
    from survey.mail.runner import run_dispatcher

    engine = make_engine(url)
    started = time.perf_counter()
    report = run_dispatcher(
        sessionmaker(engine, expire_on_commit=False),
        f"smtp://127.0.0.1:{port}",
        "surveys@bench.example",
        batch=200,
        base_url="https://surveys.bench.example",  # as send-mail: unsubscribe headers
    )
    elapsed = time.perf_counter() - started
    engine.dispose()
    if report.failed or report.retried:
        raise RuntimeError(f"dispatcher reported trouble: {report}")
    return report.sent / elapsed


def _baseline(url: str, port: int) -> float:
    """The same messages, composed and flattened beforehand, over one connection, with no
    bookkeeping: the ceiling of what one sender can push through this SMTP server."""
    from sqlalchemy.orm import Session

    from survey.db import make_engine
    from survey.mail.dispatch import compose
    from survey.models import OutboxMessage

    engine = make_engine(url)
    with Session(engine) as session:
        messages = [
            compose(m, "surveys@bench.example").as_bytes(policy=CRLF)
            for m in session.scalars(select(OutboxMessage))
        ]
    engine.dispose()
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for message in messages:
            smtp.sendmail("surveys@bench.example", ["p@bench.example"], message)
    return len(messages) / (time.perf_counter() - started)


def run(messages: int = 2000, repeats: int = 5) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="siq-bench-mail-"))
    rates: dict[str, list[float]] = {"dispatcher": [], "baseline": []}
    for repeat in range(repeats):
        url = fixtures.sqlite_url(folder, f"mail{repeat}")
        _queue(url, messages)
        sink = Sink()
        try:
            rates["baseline"].append(_baseline(url, sink.port))
            rates["dispatcher"].append(_dispatcher(url, sink.port))
        finally:
            received = sink.stop()
        if received != 2 * messages:
            raise RuntimeError(f"the sink got {received} of {2 * messages} messages")
    dispatcher = statistics.median(rates["dispatcher"])
    baseline = statistics.median(rates["baseline"])
    return {
        "messages": messages,
        "dispatcher_per_s": round(dispatcher, 1),
        "baseline_per_s": round(baseline, 1),
        "ratio": round(dispatcher / baseline, 3),
    }


def rows(figures: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    rate = figures["dispatcher_per_s"]
    return [
        (
            "send-mail to a local SMTP sink",
            f"{rate:.0f} msg/s (plain SMTP loop {figures['baseline_per_s']:.0f}, "
            f"ratio {figures['ratio']:.2f})",
            ">= 300 msg/s",
            "ok" if rate >= 300 else "MISS",
        )
    ]
