"""Running the dispatcher once or in a loop, stopping cleanly on SIGTERM/SIGINT."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import threading
from collections.abc import Callable
from types import FrameType

from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from survey.mail.dispatch import DispatchReport
from survey.mail.dispatch_job import dispatch_once
from survey.mail.smtp import SmtpConnection, SmtpSettings

MAX_PAUSE_SECONDS = 300.0


def worker_name() -> str:
    """Identifies this dispatcher in leases: host, process and a random suffix."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


def run_dispatcher(
    sessions: sessionmaker[Session],
    smtp_url: str,
    mail_from: str,
    *,
    loop: bool = False,
    batch: int = 200,
    idle_seconds: float = 5.0,
    base_url: str | None = None,
    say: Callable[[str], None] | None = None,
) -> DispatchReport:
    """Send until nothing is due (or, with ``loop``, until stopped). Returns the totals.

    Without ``loop`` it stops at the first pass that sends nothing or finds SMTP down, so a
    cron job never hangs. With ``loop`` it waits ``idle_seconds`` when idle and backs off
    (doubling, up to five minutes) while the SMTP server or the database is unavailable;
    ``say`` (when given) gets one line as such an outage begins, naming the error, and one
    when a pass goes through again, so a service's log shows why mail stopped leaving.
    """
    stop = threading.Event()
    previous: dict[int, object] = {}
    if threading.current_thread() is threading.main_thread():

        def _stop(_signum: int, _frame: FrameType | None) -> None:
            stop.set()

        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, _stop)

    totals = DispatchReport()
    connection = SmtpConnection(SmtpSettings.from_url(smtp_url))
    worker = worker_name()
    pause = idle_seconds
    outage: str | None = None  # what is unavailable since the last pass that went through

    def _down(what: str, error: str) -> None:
        nonlocal outage
        if say is not None and outage != what:
            say(f"{what} unavailable, retrying with back-off: {error}"[:500])
        outage = what

    try:
        while not stop.is_set():
            try:
                report = dispatch_once(
                    sessions, connection, mail_from, worker, limit=batch, base_url=base_url
                )
            except (OperationalError, InterfaceError) as error:
                # The database restarted or is out of reach. What this pass had claimed stays
                # leased and is sent again once the lease expires (messages the server had
                # accepted but that were not yet recorded come again, same Message-ID).
                if not loop:
                    raise
                totals.errors.append(f"database: {error}"[:500])
                _down("database", str(error).splitlines()[0] if str(error) else repr(error))
                pause = min(max(pause * 2, idle_seconds), MAX_PAUSE_SECONDS)
                stop.wait(pause)
                continue
            for name in ("claimed", "sent", "retried", "failed", "withdrawn"):
                setattr(totals, name, getattr(totals, name) + getattr(report, name))
            totals.errors.extend(report.errors[-5:])
            if report.smtp_down:
                totals.smtp_down = True
                if not loop:
                    break
                _down("SMTP server", report.errors[-1] if report.errors else "")
                pause = min(max(pause * 2, idle_seconds), MAX_PAUSE_SECONDS)
                stop.wait(pause)
                continue
            # A pass that claimed nothing reached the database, not the SMTP server.
            if outage == "database" or (outage is not None and report.claimed):
                if say is not None:
                    say(f"{outage} available again")
                outage = None
            pause = idle_seconds
            if report.claimed == 0:
                if not loop:
                    break
                connection.close()
                stop.wait(idle_seconds)
    finally:
        connection.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)  # type: ignore[arg-type]
    return totals
