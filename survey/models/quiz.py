"""Self-assessment quiz attempts. No account and no name: a private link ties retakes."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from survey.models.base import Base, random_id


class QuizAttempt(Base):
    """One completed quiz.

    ``series_hash`` is the SHA-256 of the private link key; attempts that share it are retakes
    of one person. ``department_id`` is optional and feeds the department's self-view only in
    groups of at least k. ``member_key`` is set only on an attempt made through a personal
    quiz invitation or by a signed-in member of the department: a keyed pseudonym
    HMAC(secret key, person, quarter) that no one without the application's secret can tie
    to a person. It is unique: a member's newer attempt in the same quarter takes the key
    from the older one, so each member counts once per quarter with the latest attempt. Only
    attempts carrying it count toward a department's self-view.
    ``scores`` holds the per-practice sub-scores (0..100) and the overall score, computed
    with ``scoring_version``.
    """

    __tablename__ = "quiz_attempts"
    __table_args__ = (Index("ix_quiz_attempts_department_taken", "department_id", "taken_on"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    series_hash: Mapped[str] = mapped_column(String(64), index=True)
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaires.id", ondelete="RESTRICT")
    )
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL")
    )
    locale: Mapped[str] = mapped_column(String(5), default="en")
    scoring_version: Mapped[str] = mapped_column(String(20))
    taken_on: Mapped[date] = mapped_column(Date)
    quarter: Mapped[str] = mapped_column(String(6))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    scores: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    overall: Mapped[float] = mapped_column(Float)
    member_key: Mapped[str | None] = mapped_column(String(64), unique=True)
