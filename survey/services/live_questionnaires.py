"""Read-only copies of questionnaires for the respondent path, kept per process.

Every respondent request needs the questionnaire with its questions and their texts in three
languages; loading and decoding them costs more than the rest of the lookup. A copy is kept
per process under the database, the questionnaire's id, creation time and revision: the
revision goes up in the same transaction as any
change to the questionnaire or its questions (``survey.models.questionnaire``), so a process
sees an edit on its next request, without any signal between processes.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, selectinload

from survey.models import Questionnaire
from survey.models.questionnaire import localized_text
from survey.services.lru import Lru


@dataclass(frozen=True)
class QuestionCopy:
    """The fields of a ``Question`` that forms and storage read."""

    id: int
    code: str
    qtype: str
    dimension: str | None
    required: bool
    texts: Mapping[str, Any]
    retired_at: datetime | None

    def text(self, locale: str, field: str = "prompt") -> str:
        """As ``Question.text``: ``locale``, then English, then the code (prompt only)."""
        return localized_text(dict(self.texts), self.code, locale, field)


@dataclass(frozen=True)
class QuestionnaireCopy:
    """A questionnaire as of one revision; ``questions`` in position order, retired included."""

    id: int
    kind: str
    revision: int
    questions: tuple[QuestionCopy, ...]
    # Markup rendered from this copy (e.g. the blank form in one language), kept as long as
    # the copy is: whatever is filed here must depend on the copy and its key only.
    rendered: dict[Hashable, object] = field(default_factory=dict, compare=False, repr=False)


_COPIES: Lru[QuestionnaireCopy | None] = Lru(64)


def _copy(session: Session, questionnaire_id: int) -> QuestionnaireCopy | None:
    found = session.get(
        Questionnaire, questionnaire_id, options=[selectinload(Questionnaire.questions)]
    )
    if found is None:
        return None
    return QuestionnaireCopy(
        id=found.id,
        kind=found.kind,
        revision=found.revision,
        questions=tuple(
            QuestionCopy(
                id=q.id,
                code=q.code,
                qtype=q.qtype,
                dimension=q.dimension,
                required=q.required,
                texts=q.texts,
                retired_at=q.retired_at,
            )
            for q in found.questions
        ),
    )


@dataclass(frozen=True)
class QuestionnaireRef:
    """Which questionnaire, as of which revision: enough to find a current copy."""

    id: int
    revision: int
    created_at: datetime


def copy_for(session: Session, ref: QuestionnaireRef) -> QuestionnaireCopy | None:
    """The copy of ``ref`` (read from the database only when this process has none)."""
    key = (str(session.get_bind().url), ref.id, ref.created_at, ref.revision)
    # A copy made while a newer revision was being committed is filed under the older key;
    # it is never older than its key, so it is only ever used while it is current.
    return _COPIES.get_or_make(key, lambda: _copy(session, ref.id))
