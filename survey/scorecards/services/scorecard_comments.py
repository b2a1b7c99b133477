"""The comments of a department page made readable: grouped by survey question and by score
band, filtered, duplicates folded, those whose writers asked to be contacted listed apart;
``analysis.comment_groups`` decides what may be shown (every group behind the comment gate
of 10 people). Nothing finer than the quarter is read: no comment carries its week.

Called by the department page only after the scorecard has passed the quarter's comment
gate (released quarter, at least ``comment_k`` respondents); it reads the same rows as
``scorecard_data.comments`` (bounded by the ``(provider, quarter)`` index) plus response
counts per questionnaire and overall score (responses whose writers asked to be contacted
left out: their named comments are in no group), the most responses one person gave
(``respondent_marks``) and how many people at least gave the other responses, cached under
the quarter's version.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from analysis.anonymity import K_COMMENTS
from analysis.comment_groups import CommentReading, CommentRecord, read_comments
from survey.models import Answer, Question, RespondentMark, Response
from survey.models.questionnaire import localized_text
from survey.question_types import Likert5
from survey.scorecards.services import scorecard_data as data
from survey.services.lru import Lru

#: The largest number of comments read for one department and quarter (as the page list).
LIMIT = 500


@dataclass(frozen=True)
class RawComment:
    text: str
    contact_person_id: int | None
    kind: str
    questionnaire_id: int
    question_id: int
    score: int | None


@dataclass(frozen=True)
class QuestionLabel:
    kind: str
    position: int
    code: str
    texts: Mapping[str, object]


@dataclass(frozen=True)
class CommentSource:
    """What one department's comments of one quarter rest on (no person in it: contact
    names are read per view)."""

    rows: tuple[RawComment, ...]
    populations: Mapping[str, Mapping[int | None, int]]
    max_per_person: int
    questions: Mapping[int, QuestionLabel]
    unnamed_people: int = 0


def _overall_score_sql():  # type: ignore[no-untyped-def]
    """The same response's answer to its 1..5 ``overall`` question (a correlated subquery)."""
    answer, question = aliased(Answer), aliased(Question)
    return (
        select(answer.value)
        .join(question, question.id == answer.question_id)
        .where(
            answer.response_id == Response.id,
            question.code == "overall",
            question.qtype == Likert5.code,
        )
        .limit(1)
        .scalar_subquery()
    )


# Built once: the subquery has no parameter of its own, and building it (two ORM aliases)
# took about a millisecond of every comment read.
_OVERALL_SCORE = _overall_score_sql()


def read_source(session: Session, provider_id: int, quarter: str) -> CommentSource:
    """The comments, the response counts by questionnaire and overall score of the responses
    whose writers did not ask to be contacted, the most responses one person gave, and the
    labels of the questions commented on."""
    score = _OVERALL_SCORE
    rows = session.execute(
        data.comment_answers(
            provider_id,
            quarter,
            Answer.text,
            Response.contact_person_id,
            Response.kind,
            Response.questionnaire_id,
            Answer.question_id,
            score,
        ).limit(LIMIT)
    ).all()
    comments = tuple(
        RawComment(text.strip(), person, kind, qn, q, value)
        for text, person, kind, qn, q, value in rows
        if text and text.strip()
    )
    overall = _OVERALL_SCORE.label("score")
    counted = (
        select(Response.questionnaire_id, overall)
        .where(
            Response.provider_department_id == provider_id,
            Response.quarter == quarter,
            Response.contact_person_id.is_(None),
        )
        .subquery()
    )
    populations: dict[str, dict[int | None, int]] = {}
    for questionnaire_id, value, n in session.execute(
        select(counted.c.questionnaire_id, counted.c.score, func.count()).group_by(
            counted.c.questionnaire_id, counted.c.score
        )
    ):
        populations.setdefault(str(questionnaire_id), {})[value] = int(n)
    per_person = (
        select(func.sum(RespondentMark.responses).label("n"))
        .where(
            RespondentMark.provider_department_id == provider_id,
            RespondentMark.quarter == quarter,
        )
        .group_by(RespondentMark.pseudonym)
        .subquery()
    )
    most = session.scalar(select(func.max(per_person.c.n))) or 1
    question_ids = sorted({c.question_id for c in comments})
    questions = (
        {
            q.id: QuestionLabel(q.questionnaire.kind, q.position, q.code, dict(q.texts))
            for q in session.scalars(select(Question).where(Question.id.in_(question_ids)))
        }
        if question_ids
        else {}
    )
    return CommentSource(
        comments,
        populations,
        max(1, int(most)),
        questions,
        unnamed_people(session, provider_id, quarter),
    )


def unnamed_people(session: Session, provider_id: int, quarter: str) -> int:
    """The fewest distinct people who gave a response about ``provider_id`` in ``quarter``
    without asking to be contacted: every respondent (one per pseudonymous mark, and one per
    response stored without a mark) less one per response that asked (its writer may have
    given no other)."""
    marks, marked = session.execute(
        select(
            func.count(func.distinct(RespondentMark.pseudonym)),
            func.coalesce(func.sum(RespondentMark.responses), 0),
        ).where(
            RespondentMark.provider_department_id == provider_id,
            RespondentMark.quarter == quarter,
        )
    ).one()
    responses, named = session.execute(
        select(func.count(), func.count(Response.contact_person_id)).where(
            Response.provider_department_id == provider_id, Response.quarter == quarter
        )
    ).one()
    people = int(marks) + max(0, int(responses) - int(marked))
    return max(0, people - int(named))


_cache: Lru[CommentSource] = Lru(
    64, max_weight=8 * 1024 * 1024, weigh=lambda s: sum(len(r.text) for r in s.rows)
)


def cached_source(session: Session, provider_id: int, quarter: str) -> CommentSource:
    """``read_source`` under the quarter's version (a new comment comes with a new response,
    which raises it)."""
    version = data.score_versions(session).of(quarter)
    key = (data.database_name(session), provider_id, quarter, version)
    return _cache.get_or_make(key, lambda: read_source(session, provider_id, quarter))


@dataclass(frozen=True)
class ReadableComments:
    """A page's comments: the gated reading and each group's label in the reader's
    language (the survey, and the question when a survey has several comment questions)."""

    reading: CommentReading
    labels: Mapping[str, str]


KIND_ORDER = ("post_interaction", "quarterly")


def shown_count(reading: CommentReading) -> int:
    """How many comments an unfiltered ``reading`` shows: every response behind a folded
    text, and each named comment (none of the unnamed ones while they are withheld)."""
    folded = sum(c.count for section in reading.sections for c in section.comments)
    return folded + len(reading.attributed)


def readable_comments(
    session: Session,
    provider_id: int,
    quarter: str,
    locale: str,
    kind_labels: Mapping[str, str],
    group: str | None = None,
    band: str | None = None,
    k: int = K_COMMENTS,
) -> ReadableComments:
    """The comments of ``provider_id`` in ``quarter`` grouped and filtered (``group`` a
    question id as text, ``band`` a band key such as ``1-2``; unknown or unavailable values
    are refused and everything is shown; ``k`` the comment gate, at least 10). Only call
    once the quarter's comments may be shown at all."""
    source = cached_source(session, provider_id, quarter)
    names = data.person_names(
        session, (r.contact_person_id for r in source.rows if r.contact_person_id is not None)
    )
    records = [
        CommentRecord(
            r.text,
            str(r.question_id),
            str(r.questionnaire_id),
            r.score,
            None if r.contact_person_id is None else names.get(r.contact_person_id),
        )
        for r in source.rows
    ]

    def order(question_id: int) -> tuple[int, int, int]:
        q = source.questions.get(question_id)
        if q is None:
            return (len(KIND_ORDER), 0, question_id)
        kind = KIND_ORDER.index(q.kind) if q.kind in KIND_ORDER else len(KIND_ORDER)
        return (kind, q.position, question_id)

    ordered = sorted(source.questions, key=order)
    per_kind: dict[str, int] = {}
    for q in source.questions.values():
        per_kind[q.kind] = per_kind.get(q.kind, 0) + 1
    labels = {}
    for question_id, q in source.questions.items():
        survey = kind_labels.get(q.kind, q.kind)
        labels[str(question_id)] = (
            f"{survey}: {localized_text(dict(q.texts), q.code, locale)}"
            if per_kind[q.kind] > 1
            else survey
        )
    reading = read_comments(
        records,
        source.populations,
        source.max_per_person,
        group_order=[str(q) for q in ordered],
        group=group or None,
        band=band or None,
        k=k,
        unnamed_people=source.unnamed_people,
    )
    return ReadableComments(reading, labels)
