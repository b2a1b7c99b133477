"""The tick as a job: it owns the transactions of the scheduled work.

``run_tick`` runs each step of ``services.tick.tick_steps`` in its own session and transaction:
it takes the step's lock (``step_lock``; on PostgreSQL a transaction-level advisory lock, a
step another host holds is skipped and listed in ``TickReport.skipped_steps``), lets the step
work (the step only flushes) and commits; a step that raises is rolled back and ends the run,
the earlier steps staying committed. The ``tick`` command, the dev worker and the tests call it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from survey.delivery.services.tick import TickReport, TickSettings, step_lock, tick_steps
from survey.models.base import utcnow


def run_tick(
    sessions: sessionmaker[Session], settings: TickSettings, now: datetime | None = None
) -> TickReport:
    """Every step of the tick at ``now`` (default: the present, UTC), one transaction each,
    in the order of ``tick_steps``; the report says what each did."""
    now = now or utcnow()
    report = TickReport()
    for step in tick_steps(settings, report, now):
        with sessions() as session:
            if not step_lock(session, step.name):
                report.skipped_steps.append(step.name)
                session.rollback()
                continue
            step.work(session)
            session.commit()
    return report
