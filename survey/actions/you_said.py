""""You said, we did": the published actions of the departments a person rates.

Published means a public summary and the status in progress or done
(``Action.published``). The summary is the manager's own text, shown as written; everything
around it (headings, statuses) is translated by the template in the person's language.
Respondents see department names, action titles are not shown (they may be internal shorthand).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from survey.actions.services import published_actions

MAX_ITEMS = 12  # an email or a thank-you page stays short


@dataclass(frozen=True)
class SaidDone:
    department: str
    summary: str
    done: bool


def said_done(session: Session, department_ids: Sequence[int]) -> tuple[SaidDone, ...]:
    """The published actions of these departments, at most ``MAX_ITEMS``, by department."""
    found = published_actions(session, department_ids)[:MAX_ITEMS]
    return tuple(SaidDone(a.department.name, a.public_summary, a.status == "done") for a in found)


def context(session: Session, department_ids: Sequence[int]) -> dict[str, Any]:
    """Template context for the email and the thank-you page: ``you_said``."""
    return {"you_said": said_done(session, department_ids)}
