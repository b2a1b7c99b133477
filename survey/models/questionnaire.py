"""Questionnaires and their questions, with texts in every locale.

A question that has answers is retired (``retired_at`` set), never deleted, so that history
stays comparable across quarters.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, FetchedValue, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.models.base import Base, utcnow
from survey.question_types import CODES

SURVEY_KINDS = ("post_interaction", "quarterly", "quiz")
QUESTION_TYPES = CODES  # every type, described in survey/question_types.py


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


class Questionnaire(Base):
    __tablename__ = "questionnaires"
    __table_args__ = (CheckConstraint(f"kind IN ({_in(SURVEY_KINDS)})", name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Goes up whenever the questionnaire (kind, name, active) or one of its questions changes,
    # raised by database triggers (migration 0015) so that a Core UPDATE or a data migration
    # counts too; a process may keep a copy keyed by (id, revision).
    revision: Mapped[int] = mapped_column(
        Integer, default=0, server_default="0", server_onupdate=FetchedValue()
    )

    questions: Mapped[list[Question]] = relationship(
        back_populates="questionnaire", order_by="Question.position"
    )


class Question(Base):
    """One item. ``texts`` maps locale to ``{"prompt": ..., "help": ..., "options": [...]}``;
    ``options`` holds locale-free option data (values, scenario ratings, reverse scoring)."""

    __tablename__ = "questions"
    __table_args__ = (CheckConstraint(f"qtype IN ({_in(QUESTION_TYPES)})", name="qtype_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaires.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer, default=0)
    qtype: Mapped[str] = mapped_column(String(12))
    dimension: Mapped[str | None] = mapped_column(String(40))
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    texts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[datetime | None]

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="questions")

    def text(self, locale: str, field: str = "prompt") -> str:
        """The text in ``locale``, falling back to English, then to the code."""
        return localized_text(self.texts, self.code, locale, field)


def localized_text(texts: dict[str, Any], code: str, locale: str, field: str = "prompt") -> str:
    """``texts[locale][field]``, falling back to English, then to ``code`` for a prompt and to
    the empty string for any other field."""
    for loc in (locale, "en"):
        value = (texts.get(loc) or {}).get(field)
        if value:
            return str(value)
    return code if field == "prompt" else ""
