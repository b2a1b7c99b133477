"""How far a department's action plan is, in two counts, for the email that tells its manager
a quarter's results are out (extension point ``mail.release``,
``survey/delivery/services/release_mail.py``). They count the department's own records (what
its managers wrote), not anybody's answers, so no anonymity rule applies to them."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey.actions.services import OPEN_STATUSES
from survey.models import Action


def release_mail_counts(session: Session, department_id: int, today: date) -> dict[str, Any]:
    """``open_actions``: the department's planned or in-progress actions; ``overdue_actions``:
    those of them due before ``today`` (the organisation's calendar day). One query."""
    due_before = Action.due_on.is_not(None) & (Action.due_on < today)
    open_count, overdue = session.execute(
        select(func.count(), func.count().filter(due_before)).where(
            Action.department_id == department_id, Action.status.in_(OPEN_STATUSES)
        )
    ).one()
    return {"open_actions": int(open_count), "overdue_actions": int(overdue)}
