"""Filing the queued submissions where nothing else has begun a transaction
(``services.filing``): before each request outside the respondent's pages
(``views.file_queued_first``), before each ``survey`` command (the tick included) and before
each tick of the development worker.
"""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from survey.db import reading, writing
from survey.respond.services.filing import anything_queued, file_queued


def file_waiting(session: Session) -> int:
    """File every queued submission in a transaction of its own, committed; the number of
    responses filed. With nothing queued: one look, no write lock, 0. Either way the session
    is left with no transaction open, so that what the caller does next begins its own (a
    request that writes without a ``writing`` block, an API call, must begin it with the
    write lock)."""
    with reading(session):
        waiting = anything_queued(session)
    if not waiting:
        session.commit()
        return 0
    with writing(session):
        return file_queued(session)


def file_submissions(sessions: sessionmaker[Session]) -> int:
    """``file_waiting`` in a session of its own."""
    with sessions() as session:
        return file_waiting(session)
