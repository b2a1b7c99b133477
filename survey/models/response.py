"""Anonymous responses and their answers.

A response row carries no person, no token, no invitation, no service nor campaign (migration
0021) and no time finer than the ISO week. Its id is random, so ids reveal neither order nor
count, and on SQLite both tables are ``WITHOUT ROWID`` (stored by their keys, not in the order
written; migration 0020). The only link to a person is ``contact_person_id``, set solely when
the respondent asked to be contacted about a comment. What a reader of the database itself
can still link: ``docs/anonymity.md``.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.models.base import NO_ROW_ORDER, Base, random_id


class Response(Base):
    """One respondent's answers about one provider department.

    A quarterly submission that rates three providers makes three responses. ``quarter`` is
    ``YYYYQn`` and ``iso_week`` ``YYYY-Www`` of the submission.
    """

    __tablename__ = "responses"
    __table_args__ = (
        CheckConstraint("kind IN ('post_interaction', 'quarterly')", name="kind_known"),
        Index(
            "ix_responses_provider_quarter",
            "provider_department_id",
            "quarter",
            "customer_department_id",
        ),
        NO_ROW_ORDER,
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    kind: Mapped[str] = mapped_column(String(20))
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaires.id", ondelete="RESTRICT")
    )
    provider_department_id: Mapped[int] = mapped_column(
        ForeignKey("departments.id", ondelete="RESTRICT")
    )
    customer_department_id: Mapped[int] = mapped_column(
        ForeignKey("departments.id", ondelete="RESTRICT")
    )
    quarter: Mapped[str] = mapped_column(String(6))
    iso_week: Mapped[str] = mapped_column(String(8))
    contact_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL")
    )

    answers: Mapped[list[Answer]] = relationship(back_populates="response")


class Answer(Base):
    """The answer to one question. ``value`` for scales (0..10), ``text`` for comments;
    both NULL for "does not apply". Keyed by (response, question): no sequence to leak order."""

    __tablename__ = "answers"
    __table_args__ = (
        CheckConstraint("value IS NULL OR (value >= 0 AND value <= 10)", name="value_range"),
        NO_ROW_ORDER,
    )

    response_id: Mapped[str] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    value: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str | None] = mapped_column(Text)

    response: Mapped[Response] = relationship(back_populates="answers")


class QueuedSubmission(Base):
    """One submit's responses, waiting to be filed (``survey.respond.services.filing``).

    A submit uses its link and writes this one row; the next step that reads or changes the
    figures (any page or API call outside the respondent's link, any ``survey`` command, the
    tick) files every queued row, in random order, into ``responses``, ``answers``, the
    respondent marks and the score cells, and deletes it. ``payload`` is JSON: the responses
    as the submit checked them (``filing.payload_of``). The row holds no link, invitation,
    person (beyond a consented contact, as a response does) or time; its id is random and on
    SQLite the table is ``WITHOUT ROWID``.
    """

    __tablename__ = "queued_submissions"
    __table_args__ = (NO_ROW_ORDER,)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    #: The questionnaire its responses answer (one per submit): it counts as answered from
    #: the submit on (``questionnaires.questionnaire_answered``), so none of its questions is
    #: deleted while their answers wait to be filed.
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaires.id", ondelete="RESTRICT"), index=True
    )
    payload: Mapped[str] = mapped_column(Text)
