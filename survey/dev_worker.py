"""The development worker: the scheduler and the mail dispatcher beside ``flask run``.

In production cron runs ``survey tick`` and a service runs ``survey send-mail --loop``; under
``make run`` this loop does both, so that a campaign created in the admin opens within a
minute and recorded requests get their surveys. Without SMTP nothing is sent: the messages
stay queued and the local mailbox (``/admin/mailbox``) shows them.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Mapping
from types import FrameType
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from survey.delivery.services.tick import TickSettings
from survey.delivery.tick_job import run_tick
from survey.mail.runner import run_dispatcher
from survey.respond.filing_job import file_submissions


def run_dev_worker(
    sessions: sessionmaker[Session],
    cfg: Mapping[str, Any],
    *,
    every: float = 20.0,
    passes: int = 0,
    say: Callable[[str], None] = print,
    stop: threading.Event | None = None,
) -> int:
    """Tick (and dispatch when ``SMTP_URL`` is set) every ``every`` seconds until ``stop`` is
    set, SIGINT/SIGTERM arrives or ``passes`` passes are done (0: no limit). A failing pass
    is reported through ``say`` and the loop goes on. Returns the number of passes."""
    stop = stop or threading.Event()
    previous: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():

        def _stop(_signum: int, _frame: FrameType | None) -> None:
            stop.set()

        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, _stop)
    settings = TickSettings.from_config(cfg)
    smtp_url = cfg.get("SMTP_URL")
    done = 0
    try:
        while not stop.is_set():
            try:
                file_submissions(sessions)
                report = run_tick(sessions, settings)
                if report.opened or report.invited_quarterly or report.post_interaction_invited:
                    say(f"tick: {report.describe()}")
                if smtp_url:
                    totals = run_dispatcher(sessions, str(smtp_url), str(cfg["MAIL_FROM"]))
                    if totals.sent or totals.failed:
                        say(f"send-mail: sent {totals.sent}, failed {totals.failed}")
            except SQLAlchemyError as error:  # the database is busy or away: try next pass
                say(f"worker pass failed: {error}"[:300])
            done += 1
            if passes and done >= passes:
                break
            stop.wait(every)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return done
