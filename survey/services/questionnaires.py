"""Questionnaires: installing the defaults and the admin's edits.

A question that already has answers is retired (``retired_at`` set) rather than deleted, and
its texts are not rewritten in place: history stays comparable across quarters. Once a
questionnaire has any answer, each of its questions is retired rather than deleted, answered or
not: whether a question was answered is never told question by question, since reading it
before and after a known person answers would tell what they answered (a comment written, an
optional question skipped).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from survey.i18n import LOCALES
from survey.models import Question, Questionnaire, QueuedSubmission, Response
from survey.models.base import utcnow
from survey.services.questionnaire_texts import NEW_SCALE_LABELS, POST_INTERACTION, QUARTERLY

DEFAULT_NAMES = {
    "post_interaction": "Post-interaction (default)",
    "quarterly": "Quarterly relationship (default)",
}


def install_questionnaire(
    session: Session, kind: str, name: str, items: list[dict[str, Any]], *, required: bool = False
) -> Questionnaire:
    """Create the questionnaire ``name`` of ``kind`` from ``items`` unless one of that name exists.

    Each item: ``code``, ``qtype``, ``texts`` (per locale), optionally ``dimension``,
    ``options`` and ``required`` (``required`` when absent); positions follow the list order.
    Texts and options are copied, so the rows never share the module's item dicts. Idempotent:
    a second call returns the existing questionnaire unchanged, with any wording the admins
    edited since. Only flushes.
    """
    existing = session.scalar(select(Questionnaire).where(Questionnaire.name == name))
    if existing is not None:
        return existing
    questionnaire = Questionnaire(kind=kind, name=name, active=True)
    session.add(questionnaire)
    session.flush()
    for position, item in enumerate(items):
        session.add(
            Question(
                questionnaire_id=questionnaire.id,
                code=item["code"],
                position=position,
                qtype=item["qtype"],
                dimension=item.get("dimension"),
                required=bool(item.get("required", required)),
                texts=copy.deepcopy(item["texts"]),
                options=copy.deepcopy(item.get("options", {})),
            )
        )
    session.flush()
    session.refresh(questionnaire)
    return questionnaire


def install_default_questionnaires(session: Session) -> dict[str, Questionnaire]:
    """Create the default post-interaction and quarterly questionnaires unless they exist.

    Idempotent: a second call returns the existing ones unchanged.
    """
    return {
        kind: install_questionnaire(session, kind, DEFAULT_NAMES[kind], items)
        for kind, items in (("post_interaction", POST_INTERACTION), ("quarterly", QUARTERLY))
    }


def questionnaire_answered(session: Session, questionnaire_id: int) -> bool:
    """Whether anyone has answered the questionnaire: changes once, at its first submit (a
    submit waiting in ``queued_submissions`` to be filed counts: its answers name the
    questions as they are)."""
    return bool(
        session.scalar(
            select(
                exists().where(Response.questionnaire_id == questionnaire_id)
                | exists().where(QueuedSubmission.questionnaire_id == questionnaire_id)
            )
        )
    )


def add_question(
    session: Session,
    questionnaire: Questionnaire,
    *,
    code: str,
    qtype: str,
    texts: Mapping[str, Mapping[str, Any]],
    dimension: str | None = None,
    required: bool = False,
) -> Question:
    """Append a question. ``code`` must be unique among the questionnaire's live questions
    (ValueError otherwise); a retired question's code may be reused by a new question. A scale
    given without words for its points gets those of ``NEW_SCALE_LABELS`` in every language:
    without them the respondent sees bare numbers and cannot tell which end is good."""
    live = [q for q in questionnaire.questions if q.retired_at is None]
    if any(q.code == code for q in live):
        raise ValueError(f"a live question already has the code {code!r}")
    position = max((q.position for q in questionnaire.questions), default=-1) + 1
    texts = {loc: dict(v) for loc, v in texts.items()}
    words = NEW_SCALE_LABELS.get(qtype)
    if words is not None and not any(entry.get("labels") for entry in texts.values()):
        for loc, entry in texts.items():
            entry["labels"] = list(words.get(loc) or words["en"])
    question = Question(
        questionnaire_id=questionnaire.id,
        code=code,
        position=position,
        qtype=qtype,
        dimension=dimension,
        required=required,
        texts=texts,
        options={},
    )
    session.add(question)
    session.flush()
    session.refresh(questionnaire)
    return question


def update_question_texts(
    session: Session, question: Question, texts: Mapping[str, Mapping[str, Any]]
) -> None:
    """Replace the wording (any locale). Allowed on answered questions only for locales
    whose prompt stays the same meaning: the caller decides; typos are the common case."""
    merged = {loc: dict(question.texts.get(loc) or {}) for loc in LOCALES}
    for loc, fields in texts.items():
        merged.setdefault(loc, {}).update({k: v for k, v in fields.items() if v is not None})
    question.texts = merged
    session.flush()


def _in_order(questionnaire: Questionnaire) -> list[Question]:
    """Its questions in the order shown: by position, then id (positions may repeat)."""
    return sorted(questionnaire.questions, key=lambda q: (q.position, q.id))


def place_of(question: Question) -> int:
    """Where a live ``question`` stands among its questionnaire's live questions, from 1
    (ValueError for a retired one)."""
    live = [q for q in _in_order(question.questionnaire) if q.retired_at is None]
    return live.index(question) + 1


def move_question(session: Session, question: Question, offset: int) -> bool:
    """Move a live question one place among its questionnaire's live questions: ``offset``
    −1 up, +1 down (ValueError otherwise); retired questions keep their places in the
    numbering. Positions are first renumbered 0, 1, ... in the order shown (by position, then
    id: questions may share a position), so the move is a swap of two neighbours. Returns
    False, changing nothing, when the question is retired or already at that end.

    The order is only what respondents see: answers and scores are keyed by question, so
    moving never touches history. The questionnaire's revision goes up (a database trigger),
    so every process serves the new order."""
    ordered = _in_order(question.questionnaire)
    live = [q for q in ordered if q.retired_at is None]
    if offset not in (-1, 1):
        raise ValueError(f"a question moves one place up (-1) or down (+1), not {offset!r}")
    if question not in live:
        return False
    index = live.index(question)
    target = index + offset
    if not 0 <= target < len(live):
        return False
    for position, item in enumerate(ordered):
        item.position = position
    other = live[target]
    question.position, other.position = other.position, question.position
    session.flush()
    session.expire(question.questionnaire, ["questions"])
    return True


def retire_question(session: Session, question: Question, now: datetime | None = None) -> None:
    """Take a question out of future forms; its answers stay and keep counting in history."""
    if question.retired_at is None:
        question.retired_at = now or utcnow()
        session.flush()


def remove_question(session: Session, question: Question, now: datetime | None = None) -> str:
    """Delete a question of a questionnaire nobody answered yet; otherwise retire it, whether
    or not that question has answers of its own (the outcome must not tell which).

    Returns ``"deleted"`` or ``"retired"``.
    """
    # Every answer belongs to a response of the question's questionnaire: a question with
    # answers is in an answered questionnaire.
    if questionnaire_answered(session, question.questionnaire_id):
        retire_question(session, question, now)
        return "retired"
    session.delete(question)
    session.flush()
    return "deleted"
