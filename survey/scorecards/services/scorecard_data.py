"""What the scorecards read: score aggregates, comments, quiz self-views.

Every function here is a bounded read. The survey figures come from ``score_totals`` (sums per
provider, quarter and metric) and, for the heatmap and the customer table, ``score_cells`` (sums
per provider, customer department, quarter and metric; see ``survey.respond.services``), never
from scanning responses or answers, so a page costs the same at ten thousand and at a million
answers. The exceptions are narrow and indexed: the comments of one provider and quarter
(``ix_responses_provider_quarter``). Compliance and request times are read by
``survey.scorecards.services.compliance_data``.

Nothing here applies the anonymity gate: the caller
(``survey.scorecards.services.scorecards``) does, on every figure it returns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Integer, Select, cast, func, select
from sqlalchemy.orm import Session

from analysis.scorecard import Sums
from analysis.scorecard_inputs import CommentRow, DepartmentRow, SelfView
from survey.models import (
    Answer,
    Baseline,
    Campaign,
    Department,
    Person,
    QuarterRelease,
    Question,
    QuizAttempt,
    RespondentMark,
    Response,
    ScoreCell,
    ScoreTotal,
    ScoreVersion,
)
from survey.names import pick_name
from survey.periods import quarter_of
from survey.question_types import FREE_TEXT, Likert5
from survey.services.release import release_floor, released_sql

# The metrics the scorecards read; ``q.<dimension>`` for the dimension profile.
HEADLINE_METRICS = ("T", "R", "people", "pi.n", "q.n")
COUNT_METRICS = ("pi.n", "q.n")


MetricSums = dict[str, Sums]


@dataclass(frozen=True)
class ScoreVersions:
    """The released quarters and the version of every quarter.

    ``quarters`` holds the quarters whose figures are **released**: the quarter has ended,
    no campaign of it is still open, and at least k people answered about one provider
    (``survey.services.release``; a quarter with fewer reads as one without answers).
    Figures of a quarter in progress are never shown, so loading a page before and after a
    known person answers reveals nothing; a quarter is published once, when nothing more can
    arrive for it (a late post-interaction answer counts in the quarter it arrives in).
    ``docs/anonymity.md``.

    A quarter's version (``score_versions``, kept by database triggers) rises with every
    change to one of its score cells, and so with every answer: results built from a
    quarter's figures can be cached under it. Reading every quarter's version is one query
    over one row per quarter, whatever the number of answers or departments.
    """

    quarters: tuple[str, ...]
    by_quarter: Mapping[str, int]

    def of(self, quarter: str) -> int:
        """The version of ``quarter`` (0: no answer ever)."""
        return self.by_quarter.get(quarter, 0)

    def released(self, quarter: str) -> bool:
        """Whether the figures of ``quarter`` may be shown (see the class docstring)."""
        return quarter in self.quarters


def score_versions(
    session: Session, now: datetime | None = None, k: int | None = None
) -> ScoreVersions:
    """Released quarters and every quarter's version (see ``ScoreVersions``); ``now``
    decides which quarters have ended (default: the present), ``k`` the people a quarter
    needs (default: the app's setting; a quarter's campaigns may ask more)."""
    current = quarter_of(now or datetime.now(UTC))
    released = released_sql(ScoreVersion.quarter, current, release_floor(k))
    rows = session.execute(select(ScoreVersion.quarter, ScoreVersion.version, released)).all()
    return ScoreVersions(
        quarters=tuple(sorted(q for q, _version, shown in rows if shown)),
        by_quarter={q: version for q, version, _shown in rows},
    )


def quarters_with_data(session: Session, now: datetime | None = None) -> list[str]:
    """Released quarters with at least one response, oldest first."""
    return list(score_versions(session, now).quarters)


def departments(session: Session) -> list[DepartmentRow]:
    """Active departments by code."""
    rows = session.execute(
        select(Department.id, Department.code, Department.name)
        .where(Department.active.is_(True))
        .order_by(Department.code)
    )
    return [DepartmentRow(*row) for row in rows]


def department_names(session: Session, locale: str | None) -> dict[str, str]:
    """Every department's name in ``locale`` by code (its default name where it has no
    translation; all default names when ``locale`` is None). One small read per page: names
    are not part of the cached figures, so a translation shows at once."""
    rows = session.execute(select(Department.code, Department.name, Department.names))
    return {code: pick_name(name, names, locale) for code, name, names in rows}


def database_name(session: Session) -> str:
    """The database the session reads (per-process caches key on it: one process may serve
    several databases, as the tests do)."""
    return str(session.get_bind().engine.url)


def department_by_code(session: Session, code: str) -> Department | None:
    """The department with ``code`` in any case (codes are stored upper case: ``it`` is
    ``IT``, as the requests' API reads them), or None. (A code with a NUL never gets here:
    ``errors.refuse_nul``.)"""
    return session.scalar(select(Department).where(Department.code == code.strip().upper()))


def provider_sums(
    session: Session,
    quarters: Sequence[str],
    metrics: Iterable[str] = HEADLINE_METRICS,
    provider_id: int | None = None,
) -> dict[tuple[int, str], MetricSums]:
    """Sums per (provider, quarter) and metric, over all customer departments (one row per
    department, metric and quarter from ``score_totals``)."""
    if not quarters:
        return {}
    t = ScoreTotal
    stmt = select(t.provider_department_id, t.quarter, t.metric, t.n, t.total, t.total_sq).where(
        t.metric.in_(list(metrics)), t.quarter.in_(list(quarters)), t.n > 0
    )
    if provider_id is not None:
        stmt = stmt.where(t.provider_department_id == provider_id)
    out: dict[tuple[int, str], MetricSums] = {}
    for provider, quarter, metric, n, total, total_sq in session.execute(stmt):
        out.setdefault((provider, quarter), {})[metric] = Sums(
            int(n), float(total or 0.0), float(total_sq or 0.0)
        )
    return out


def r_histograms(
    session: Session, quarters: Sequence[str], width: float, bins: int
) -> dict[tuple[int, str], tuple[int, ...]]:
    """Per (provider, quarter): how many people's relationship scores (each person's mean,
    0..100, from ``respondent_marks``) fall in each bin of ``width`` points (the nearest bin
    of 0, width, 2·width ...; ``bins`` bins). Counted inside the database: no single value
    leaves it. For the change tests only; nothing here is shown."""
    if not quarters:
        return {}
    m = RespondentMark
    bin_ = cast(func.round(m.r_sum / m.r_count / width), Integer)
    stmt = (
        select(m.provider_department_id, m.quarter, bin_, func.count())
        .where(m.quarter.in_(list(quarters)), m.r_count > 0)
        .group_by(m.provider_department_id, m.quarter, bin_)
    )
    out: dict[tuple[int, str], list[int]] = {}
    for provider, quarter, index, count in session.execute(stmt):
        row = out.setdefault((provider, quarter), [0] * bins)
        row[min(bins - 1, max(0, int(index)))] += int(count)
    return {key: tuple(row) for key, row in out.items()}


def pair_sums(
    session: Session,
    quarter: str,
    metrics: Iterable[str],
    provider_id: int | None = None,
) -> dict[tuple[int, int], MetricSums]:
    """Sums per (provider, customer) for one quarter: the heatmap and the customer table."""
    stmt = select(
        ScoreCell.provider_department_id,
        ScoreCell.customer_department_id,
        ScoreCell.metric,
        ScoreCell.n,
        ScoreCell.total,
        ScoreCell.total_sq,
    ).where(ScoreCell.quarter == quarter, ScoreCell.metric.in_(list(metrics)))
    if provider_id is not None:
        stmt = stmt.where(ScoreCell.provider_department_id == provider_id)
    out: dict[tuple[int, int], MetricSums] = {}
    for provider, customer, metric, n, total, total_sq in session.execute(stmt):
        out.setdefault((provider, customer), {})[metric] = Sums(
            int(n or 0), float(total or 0.0), float(total_sq or 0.0)
        )
    return out


def quarterly_dimension_codes(session: Session) -> list[str]:
    """Codes of the quarterly dimensions, in questionnaire order (``reliability`` ...)."""
    from survey.models import Questionnaire

    rows = session.execute(
        select(Question.code, Question.position)
        .join(Questionnaire, Questionnaire.id == Question.questionnaire_id)
        .where(
            Questionnaire.kind == "quarterly",
            Question.qtype == Likert5.code,
            Question.dimension.is_not(None),
            Question.dimension == Question.code,
        )
        .order_by(Question.position)
    )
    seen: list[str] = []
    for code, _position in rows:
        if code not in seen:
            seen.append(code)
    return seen


def stored_baseline(session: Session) -> Baseline | None:
    """The active frozen baseline, if any (the newest active one, should there be two)."""
    return session.scalar(
        select(Baseline)
        .where(Baseline.active.is_(True))
        .order_by(Baseline.created_at.desc())
        .limit(1)
    )


def superseded_baselines(session: Session) -> list[str]:
    """Versions of the baselines a re-base replaced, newest first."""
    return list(
        session.scalars(
            select(Baseline.version)
            .where(Baseline.active.is_(False))
            .order_by(Baseline.created_at.desc())
        )
    )


def quarter_group_sizes(session: Session) -> dict[str, int]:
    """The k each quarter must be gated with at least: the larger of the largest k a
    campaign of it was opened with (k is never lowered) and the k it was first released
    under (``release.record_releases``), for every quarter with either. Two small grouped
    reads (a few campaigns per quarter, a row per released quarter)."""
    ks: dict[str, int] = {
        quarter: int(k)
        for quarter, k in session.execute(
            select(Campaign.quarter, func.max(Campaign.min_group_size)).group_by(Campaign.quarter)
        )
        if k is not None
    }
    for quarter, k in session.execute(
        select(QuarterRelease.quarter, QuarterRelease.min_group_size)
    ):
        ks[quarter] = max(ks.get(quarter, 0), int(k))
    return ks


def quarters_with_campaigns(session: Session, quarters: Sequence[str]) -> set[str]:
    """The ``quarters`` with a quarterly campaign that opened (open or closed): the
    organisation collected relationship answers (R) then, whether or not anybody answered.
    One small read (a few campaigns per quarter)."""
    if not quarters:
        return set()
    rows = session.scalars(
        select(Campaign.quarter)
        .where(Campaign.quarter.in_(list(quarters)), Campaign.status.in_(("open", "closed")))
        .distinct()
    )
    return set(rows)


# --- comments and self-view ---


def comment_answers(provider_id: int, quarter: str, *columns: Any) -> Select[Any]:
    """The written answers about one provider in one quarter, with ``columns`` of the answer,
    its response or its question: the (provider, quarter) index bounds the read; ordered by
    response id (random, so the order reveals nothing), then question position."""
    return (
        select(*columns)
        .join(Response, Response.id == Answer.response_id)
        .join(Question, Question.id == Answer.question_id)
        .where(
            Response.provider_department_id == provider_id,
            Response.quarter == quarter,
            Question.qtype.in_(sorted(FREE_TEXT)),
            Answer.text.is_not(None),
        )
        .order_by(Response.id, Question.position)
    )


def comments(
    session: Session, provider_id: int, quarter: str, limit: int = 500
) -> list[CommentRow]:
    """Written comments about one provider in one quarter, in random-id order (ids are random,
    so the order reveals nothing). The only read of responses, bounded by the
    (provider, quarter) index. A contact person is set only with the respondent's consent
    (``person_names`` gives the names)."""
    rows = session.execute(
        comment_answers(provider_id, quarter, Answer.text, Response.contact_person_id).limit(limit)
    )
    return [CommentRow(text, person) for text, person in rows if text and text.strip()]


def person_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """Names of the given people (one indexed read; none without ids)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return dict(session.execute(select(Person.id, Person.name).where(Person.id.in_(wanted))).all())


def member_self_view(
    session: Session, department_id: int, quarter: str, today: date | None = None
) -> SelfView:
    """The published quiz self-view of a department for one quarter: only its members'
    attempts (made through a personal invitation or signed in; one per member and quarter,
    the latest, carried by the unique ``member_key``), and nothing at all until ``quarter``
    has ended (``today``, UTC, defaults to now). Quarters are fixed and do not overlap, so
    two published self-views never differ by a single taker's attempt. The k gate is the
    caller's."""
    current = quarter_of(today or datetime.now(UTC).date())
    if quarter >= current:
        return SelfView(0, (), {})
    rows = session.execute(
        select(QuizAttempt.overall, QuizAttempt.scores).where(
            QuizAttempt.department_id == department_id,
            QuizAttempt.quarter == quarter,
            QuizAttempt.member_key.is_not(None),
        )
    )
    overall: list[float] = []
    practices: dict[str, list[float]] = {}
    for value, scores in rows:
        overall.append(float(value))
        for name, score in ((scores or {}).get("practices") or {}).items():
            if isinstance(score, int | float) and not isinstance(score, bool):
                practices.setdefault(str(name), []).append(float(score))
    return SelfView(
        takers=len(overall),
        overall=tuple(overall),
        practices={k: tuple(v) for k, v in practices.items()},
    )
