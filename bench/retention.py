"""How long the purge, an erasure and a scheduler pass take on eight quarters of history.

    .venv/bin/python -m bench.retention

Builds the demo organisation (about 120 people, 5,000 requests, 3,000 invitations) on a fresh
SQLite database, then times: ``tick`` with an active schedule and nothing due (the cost the
schedule step adds to every run), ``purge --dry-run`` and ``purge`` of everything (retention
of one day), and ``erase-person`` of the person with the most requests.
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from typing import Any

from bench.fixtures import scratch_app


def run() -> dict[str, Any]:
    from sqlalchemy import func, select

    from survey.db import database
    from survey.delivery.services.schedules import ScheduleValues, save_schedule
    from survey.delivery.services.tick import TickSettings
    from survey.delivery.tick_job import run_tick
    from survey.demo import build_demo
    from survey.models import Interaction, Person
    from survey.models.base import utcnow
    from survey.services.erasure import erase_person
    from survey.services.retention import RetentionPolicy, purge

    app, _folder = scratch_app()
    sessions = database(app).sessionmaker
    figures: dict[str, Any] = {}
    with app.app_context(), sessions() as session:
        build_demo(session, seed=1, today=date(2026, 5, 15))
        # Quarters 1 and 3 only, at a moment when neither is due.
        save_schedule(
            session,
            None,
            ScheduleValues("Bench", (1, 3), open_offset_days=14, close_offset_days=35),
            actor=None,  # the command line: no signed-in user
        )
        session.commit()
        figures["interactions"] = session.scalar(select(func.count()).select_from(Interaction))
        session.rollback()  # the scheduler's transactions need the write lock
        settings = TickSettings(base_url="https://s.example", mail_domain="example.com", salt="b")
        quiet = datetime(2026, 5, 20, 12, tzinfo=utcnow().tzinfo)
        started = time.perf_counter()
        report = run_tick(sessions, settings, quiet)
        figures["tick_seconds"] = round(time.perf_counter() - started, 3)
        if report.scheduled:
            raise RuntimeError(f"nothing should be due: {report.scheduled}")
        later = utcnow() + timedelta(days=3)
        everything = RetentionPolicy(1, 1, 1, 1)
        started = time.perf_counter()
        counted = purge(session, everything, later, dry_run=True)
        figures["purge_dry_run_seconds"] = round(time.perf_counter() - started, 3)
        session.rollback()
        person = session.scalars(
            select(Person)
            .join(Interaction, Interaction.requester_person_id == Person.id)
            .group_by(Person.id)
            .order_by(func.count(Interaction.id).desc())
        ).first()
        assert person is not None
        email = person.email
        started = time.perf_counter()
        erase_person(session, email, actor=None)
        session.commit()
        figures["erase_seconds"] = round(time.perf_counter() - started, 3)
        started = time.perf_counter()
        done = purge(session, everything, later)
        session.commit()
        figures["purge_seconds"] = round(time.perf_counter() - started, 3)
        figures["purged_rows"] = done.total
        figures["counted_rows"] = counted.total
    return figures


def rows(figures: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    def row(label: str, key: str, target: float) -> tuple[str, str, str, str]:
        value = float(figures[key])
        return (label, f"{value:.2f} s", f"< {target:.0f} s", "ok" if value < target else "MISS")

    return [
        row("tick with a schedule, nothing due (demo, SQLite)", "tick_seconds", 2),
        row(f"purge dry run ({figures['counted_rows']:,} rows)", "purge_dry_run_seconds", 5),
        row(f"purge ({figures['purged_rows']:,} rows)", "purge_seconds", 10),
        row("erase the person with most requests", "erase_seconds", 2),
    ]


if __name__ == "__main__":
    print(run())
