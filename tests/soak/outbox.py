"""Mail under faults: the outbox filled beforehand, ``send-mail --loop`` in a subprocess that a
test may kill and start again, the final drain once the dead dispatchers' leases have expired,
and the check that nothing was lost."""

from __future__ import annotations

import signal
import subprocess
import sys
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bench.fixtures import bench_session
from survey.db import make_engine
from survey.mail.dispatch import LEASE
from survey.mail.dispatch_job import SENT_BATCH, dispatch_once
from survey.mail.smtp import SmtpConnection, SmtpSettings
from survey.models import OutboxMessage
from survey.models.base import utcnow
from survey.services.outbox import enqueue_message
from tests.soak.traffic import ROOT


def fill_outbox(url: str, count: int) -> None:
    """``count`` queued messages, as the app writes them."""
    with bench_session(url) as session:
        for i in range(count):
            enqueue_message(
                session,
                to_addr=f"soak{i}@example.com",
                subject=f"Survey {i}",
                body_text="Please answer.",
                body_html="<p>Please answer.</p>",
                purpose="test",
                domain="soak.example",
            )


class Dispatcher:
    """The dispatcher loop (``tests/soak/dispatcher.py``: what ``send-mail --loop`` runs) in a
    subprocess. ``kill()`` sends SIGKILL; ``keep_running()`` starts a new one when the last has
    died (as a service manager would), counting every death that was not a ``kill()``."""

    def __init__(self, url: str, smtp_url: str) -> None:
        self.url = url
        self.smtp_url = smtp_url
        self.process: subprocess.Popen[bytes] | None = None
        self.kills = 0
        self.deaths = 0  # exits that nobody asked for (e.g. the database went away)
        self.starts = 0

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.soak.dispatcher", self.url, self.smtp_url],
            cwd=str(ROOT),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.starts += 1

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)
            self.kills += 1
            self.process = None

    def keep_running(self) -> None:
        if self.process is not None and self.process.poll() is not None:
            self.deaths += 1
            self.process = None
        if self.process is None:
            self.start()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def drain(url: str, smtp_url: str) -> None:
    """Send everything left, as a dispatcher would once the dead ones' leases have expired."""
    engine = make_engine(url)
    sessions = sessionmaker(engine, expire_on_commit=False)
    connection = SmtpConnection(SmtpSettings.from_url(smtp_url))
    later = utcnow() + LEASE + timedelta(minutes=1)
    try:
        while dispatch_once(sessions, connection, "soak@example.com", "drain", now=later).claimed:
            pass
    finally:
        connection.close()
        engine.dispose()


def check_mail(url: str, received: list[Any], interruptions: int) -> dict[str, int]:
    """Every outbox row sent and received at least once; copies at most ``SENT_BATCH`` per
    dispatcher that died (acceptances are recorded in groups of that size)."""
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(select(OutboxMessage.message_id, OutboxMessage.status)).all()
    engine.dispose()
    expected = {message_id for message_id, _status in rows}
    unsent = [message_id for message_id, status in rows if status != "sent"]
    ids = [str(message["Message-ID"]) for message in received]
    lost = expected - set(ids)
    copies = len(ids) - len(set(ids))
    assert unsent == [], f"{len(unsent)} messages not sent"
    assert lost == set(), f"{len(lost)} messages never received"
    assert set(ids) <= expected
    assert copies <= SENT_BATCH * interruptions, (copies, interruptions)
    return {
        "messages": len(expected),
        "messages_received": len(ids),
        "messages_lost": len(lost),
        "messages_received_twice": copies,
        "duplicate_bound": SENT_BATCH * interruptions,
    }
