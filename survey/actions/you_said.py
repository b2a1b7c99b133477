""" "You said, we did": the published actions of the departments a person rates.

Published means a public summary and the status in progress or done
(``Action.published``). The summary is the manager's own text, shown as written in the
person's language when the manager gave it in that language (``item.said|localized`` in the
templates), else in the default language; everything around it (headings, statuses) is
translated by the template. Respondents see department names in their language too (the
``localized`` filter on the item); action titles are not shown (they may be internal
shorthand).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from survey.actions.services import published_actions
from survey.models.action import TranslatedText

MAX_ITEMS = 12  # an email or a thank-you page stays short


@dataclass(frozen=True)
class SaidDone:
    """One published action: its department's default name and its translations as
    ``(locale, name)`` pairs (``name`` and ``names`` make it readable by ``localized``), its
    summary in the default language and the summary's translations, ``(locale, text)``."""

    department: str
    summary: str
    done: bool
    translations: tuple[tuple[str, str], ...] = ()
    summaries: tuple[tuple[str, str], ...] = ()

    @property
    def said(self) -> TranslatedText:
        """The summary, readable by the ``localized`` filter (the reader's language, else the
        default text)."""
        return TranslatedText(self.summary, dict(self.summaries))

    @property
    def name(self) -> str:
        return self.department

    @property
    def names(self) -> dict[str, str]:
        return dict(self.translations)


def said_done(session: Session, department_ids: Sequence[int]) -> tuple[SaidDone, ...]:
    """The published actions of these departments, at most ``MAX_ITEMS``, by department."""
    found = published_actions(session, department_ids)[:MAX_ITEMS]
    return tuple(
        SaidDone(
            a.department.name,
            a.public_summary,
            a.status == "done",
            tuple(sorted((str(k), str(v)) for k, v in (a.department.names or {}).items())),
            tuple(sorted(a.translated("public_summary").items())),
        )
        for a in found
    )


def context(session: Session, department_ids: Sequence[int]) -> dict[str, Any]:
    """Template context for the email and the thank-you page: ``you_said``."""
    return {"you_said": said_done(session, department_ids)}
