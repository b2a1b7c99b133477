"""Administrative changes made by this package's services, written to the audit log
(``services.audit``): schedule edits (``services.schedules.save_schedule``) and erasures
(``services.erasure.erase_person``). An erasure's entry never contains the erased address or
name (``detail`` never does).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.models import User
from survey.services import audit

COMMAND = "command"


def record_change(session: Session, actor: str, action: str, detail: dict[str, Any]) -> None:
    """Record that ``actor`` (an administrator's email, or ``"command"`` for the CLI) did
    ``action`` (``schedule.save``, ``schedule.pause``, ``person.erase``) with ``detail``
    (plain JSON values, no personal data) as one audit entry; an actor whose account is gone
    is recorded as the command line would be. Flushes."""
    user = None
    if actor != COMMAND:
        user = session.scalar(select(User).where(User.email == actor.strip().lower()))
    kind = action.split(".", 1)[0]
    key = detail.get(f"{kind}_id")
    label = "quarterly campaign schedule" if kind == "schedule" else "(erased)"
    target = audit.Target(kind, str(key) if key is not None else None, label)
    audit.record(session, user, action, target, {k: [None, v] for k, v in detail.items()})
