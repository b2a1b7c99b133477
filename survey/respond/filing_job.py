"""Filing the queued submissions as a job that owns its transaction (``services.filing``).

The ``survey`` commands (before each, the tick included) and the development worker (before
each tick) call ``file_submissions``; requests file in their own session instead
(``views.file_queued_first``).
"""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from survey.db import reading, writing
from survey.respond.services.filing import anything_queued, file_queued


def file_submissions(sessions: sessionmaker[Session]) -> int:
    """File every queued submission in one transaction of a session of its own, committed;
    the number of responses filed. With nothing queued: one look, no write lock, 0."""
    with sessions() as session:
        with reading(session):
            waiting = anything_queued(session)
        if not waiting:
            return 0
        with writing(session):
            return file_queued(session)
