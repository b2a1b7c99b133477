"""The one place where administrative changes made by this package's services are to be
recorded: schedule edits (``services.schedules.save_schedule``) and erasures
(``services.erasure.erase_person``).

Nothing is stored yet: the audit log of administrative changes is built separately and is
meant to be wired in here, in ``record_change``, so that every caller is covered at once.
An erasure's record must not contain the erased address or name (``detail`` never does).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session


def record_change(session: Session, actor: str, action: str, detail: dict[str, Any]) -> None:
    """Record that ``actor`` (an administrator's email, or ``"command"`` for the CLI) did
    ``action`` (``schedule.save``, ``schedule.pause``, ``person.erase``) with ``detail``
    (plain JSON values, no personal data). A no-op until the audit log is wired here."""
    del session, actor, action, detail
