"""What the scorecards read: score aggregates, interaction timestamps, comments, quiz self-views.

Every function here is a bounded read. The survey figures come from ``score_totals`` (sums per
provider, quarter and metric) and, for the heatmap and the customer table, ``score_cells`` (sums
per provider, customer department, quarter and metric; see ``survey.services.responses``), never
from scanning responses or answers, so a page costs the same at ten thousand and at a million
answers. The exceptions are narrow and indexed: the comments of one provider and quarter
(``ix_responses_provider_quarter``) and the interactions of one provider and quarter
(``ix_interactions_provider_opened``). Organisation-wide compliance counts are one grouped query,
memoised per database until a new interaction or standard arrives.

Nothing here applies the anonymity gate: the caller (``survey.services.scorecards``) does, on
every figure it returns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, NamedTuple

from sqlalchemy import Date, Integer, and_, case, cast, exists, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from survey.models import (
    Answer,
    Baseline,
    Campaign,
    Department,
    Interaction,
    Person,
    Question,
    QuizAttempt,
    RespondentMark,
    Response,
    ScoreCell,
    ScoreTotal,
    ScoreVersion,
    Service,
    ServiceStandard,
)
from survey.models.base import UTCDateTime
from survey.periods import quarter_bounds, quarter_of
from survey.services.compliance_hours import business_calendar, business_compliance
from survey.services.lru import Lru

# The metrics the scorecards read; ``q.<dimension>`` for the dimension profile.
HEADLINE_METRICS = ("T", "R", "people", "pi.n", "q.n")
COUNT_METRICS = ("pi.n", "q.n")


@dataclass(frozen=True)
class Sums:
    """Respondent count, sum and sum of squares of one metric (any unit)."""

    n: int = 0
    total: float = 0.0
    total_sq: float = 0.0

    @property
    def mean(self) -> float | None:
        return self.total / self.n if self.n else None

    @property
    def variance(self) -> float | None:
        """Sample variance (n - 1 in the denominator); None below two respondents."""
        if self.n < 2:
            return None
        value = (self.total_sq - self.total * self.total / self.n) / (self.n - 1)
        return max(value, 0.0)  # rounding can push a zero variance slightly negative

    def __add__(self, other: Sums) -> Sums:
        return Sums(self.n + other.n, self.total + other.total, self.total_sq + other.total_sq)


MetricSums = dict[str, Sums]


def _utc_start(day: Any) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


@dataclass(frozen=True)
class ScoreVersions:
    """The released quarters and the version of every quarter.

    ``quarters`` holds the quarters whose figures are **released**: the quarter has ended,
    no campaign of it is still open, and it has answers. Figures of a quarter in progress
    are never shown, so loading a page before and after a known person answers reveals
    nothing; a quarter is published once, when nothing more can arrive for it (a late
    post-interaction answer counts in the quarter it arrives in). ``docs/anonymity.md``.

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


def score_versions(session: Session, now: datetime | None = None) -> ScoreVersions:
    """Released quarters and every quarter's version (see ``ScoreVersions``); ``now``
    decides which quarters have ended (default: the present)."""
    rows = session.execute(
        select(ScoreVersion.quarter, ScoreVersion.version, ScoreVersion.responses)
    ).all()
    still_open = set(session.scalars(select(Campaign.quarter).where(Campaign.status == "open")))
    current = quarter_of(now or datetime.now(UTC))
    return ScoreVersions(
        quarters=tuple(
            sorted(
                q
                for q, _version, responses in rows
                if responses > 0 and q < current and q not in still_open
            )
        ),
        by_quarter={q: version for q, version, _responses in rows},
    )


def quarters_with_data(session: Session, now: datetime | None = None) -> list[str]:
    """Released quarters with at least one response, oldest first."""
    return list(score_versions(session, now).quarters)


class DepartmentRow(NamedTuple):
    """What a scorecard needs of a department (plain values: cheap to read and to compare)."""

    id: int
    code: str
    name: str


def departments(session: Session) -> list[DepartmentRow]:
    """Active departments by code."""
    rows = session.execute(
        select(Department.id, Department.code, Department.name)
        .where(Department.active.is_(True))
        .order_by(Department.code)
    )
    return [DepartmentRow(*row) for row in rows]


def database_name(session: Session) -> str:
    """The database the session reads (per-process caches key on it: one process may serve
    several databases, as the tests do)."""
    return str(session.get_bind().engine.url)


def department_by_code(session: Session, code: str) -> Department | None:
    return session.scalar(select(Department).where(Department.code == code))


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
            Question.qtype == "likert5",
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


def campaign_group_size(session: Session, quarter: str) -> int | None:
    """The largest k a campaign of ``quarter`` was opened with (k is never lowered)."""
    return session.scalar(
        select(func.max(Campaign.min_group_size)).where(Campaign.quarter == quarter)
    )


# --- service-standard compliance ---


def _minutes(session: Session, start: Any, end: Any) -> Any:
    """SQL expression: minutes elapsed from ``start`` to ``end`` (both timestamps)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", end - start) / 60.0
    return (func.julianday(end) - func.julianday(start)) * 1440.0


def _day(session: Session, stamp: Any) -> Any:
    """SQL expression: the UTC calendar day of a timestamp."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone("UTC", stamp), Date)
    return func.date(stamp)


@dataclass(frozen=True)
class ComplianceCount:
    """Interactions judged against the standard in force, and how many met it."""

    judged: int = 0
    compliant: int = 0

    def __add__(self, other: ComplianceCount) -> ComplianceCount:
        return ComplianceCount(self.judged + other.judged, self.compliant + other.compliant)


def _compliance_query(
    session: Session,
    quarters: Sequence[str],
    now: datetime,
    provider_id: int | None,
    by_service: bool,
) -> Any:
    """One grouped query. An interaction is judged when its service has a standard in force
    on the day it was opened (the latest ``effective_from`` not after that day) and either it
    is resolved or its promised resolution time has passed at ``now`` (an open request still
    within its time is neither a success nor a failure yet). It complies when the first
    answer (or the resolution, when no separate first answer was recorded) and the resolution
    both came within the promised minutes."""
    i = Interaction
    std = aliased(ServiceStandard)
    later = aliased(ServiceStandard)
    opened_day = _day(session, i.opened_at)
    first = func.coalesce(i.first_response_at, i.resolved_at)
    now_value = literal(now, UTCDateTime())
    # Request lifecycle (services/interactions.py): paused time does not count toward the
    # resolution time, and a cancelled request is not judged.
    paused = i.paused_seconds / 60.0
    complies = and_(
        i.resolved_at.is_not(None),
        _minutes(session, i.opened_at, first) <= std.first_response_minutes,
        _minutes(session, i.opened_at, i.resolved_at) - paused <= std.resolution_minutes,
    )
    judged = and_(
        i.cancelled_at.is_(None),
        or_(
            i.resolved_at.is_not(None),
            _minutes(session, i.opened_at, now_value) - paused > std.resolution_minutes,
        ),
    )
    bounds = [(q, *quarter_bounds(q)) for q in quarters]
    quarter_of_row = case(
        *[
            (and_(i.opened_at >= _utc_start(s), i.opened_at < _utc_start(e)), q)
            for q, s, e in bounds
        ],
        else_=None,
    )
    first_start = min(_utc_start(s) for _q, s, _e in bounds)
    last_end = max(_utc_start(e) for _q, _s, e in bounds)
    columns = [i.provider_department_id, quarter_of_row.label("quarter")]
    if by_service:
        columns.append(i.service_id)
    stmt = (
        select(
            *columns,
            func.count(),
            func.sum(case((complies, 1), else_=0)),
        )
        .join(std, and_(std.service_id == i.service_id, std.effective_from <= opened_day))
        .where(
            ~exists().where(
                later.service_id == i.service_id,
                later.effective_from <= opened_day,
                later.effective_from > std.effective_from,
            ),
            i.opened_at >= first_start,
            i.opened_at < last_end,
            judged,
        )
        .group_by(*columns)
    )
    if provider_id is not None:
        stmt = stmt.where(i.provider_department_id == provider_id)
    return stmt


_compliance_cache: Lru[dict[Any, ComplianceCount]] = Lru(64)


def compliance_version(session: Session) -> tuple[Any, ...]:
    """Cheap (indexed) reads that change whenever an interaction or standard is added, or an
    interaction's lifecycle changes (its ``updated_at``), in one statement."""
    row = session.execute(
        select(
            select(func.max(Interaction.id)).scalar_subquery(),
            select(func.max(Interaction.updated_at)).scalar_subquery(),
            select(func.max(ServiceStandard.id)).scalar_subquery(),
            select(func.count()).select_from(ServiceStandard).scalar_subquery(),
        )
    ).one()
    return (database_name(session), *row)


def compliance_counts(
    session: Session,
    quarters: Sequence[str],
    now: datetime,
    provider_id: int | None = None,
    by_service: bool = False,
    version: tuple[Any, ...] | None = None,
) -> dict[Any, ComplianceCount]:
    """Compliance counts keyed by ``(provider_id, quarter)``, or by
    ``(provider_id, quarter, service_id)`` with ``by_service``. ``version``: what
    ``compliance_version`` returned in this transaction, when the caller already has it.

    ``now`` (aware UTC) decides whether an unresolved request is already late; it is rounded
    to the hour in the cache key, so a cached answer is at most an hour behind on open
    requests.
    """
    if not quarters:
        return {}
    calendar = business_calendar()
    key = (
        *(version or compliance_version(session)),
        tuple(quarters),
        provider_id,
        by_service,
        now.replace(minute=0, second=0, microsecond=0),
        calendar,
    )

    def count() -> dict[Any, ComplianceCount]:
        if calendar is not None:  # business hours: judged in Python (services/compliance_hours)
            counted = business_compliance(
                session, quarters, now, provider_id, by_service, calendar,
                _day, _utc_start, quarter_bounds,
            )
            return {group: ComplianceCount(*pair) for group, pair in counted.items()}
        stmt = _compliance_query(session, quarters, now, provider_id, by_service)
        out: dict[Any, ComplianceCount] = {}
        for row in session.execute(stmt):
            values = tuple(row)
            if values[1] is None:
                continue
            group, judged, compliant = values[:-2], values[-2], values[-1]
            out[group] = ComplianceCount(int(judged or 0), int(compliant or 0))
        return out

    return dict(_compliance_cache.get_or_make(key, count))


@dataclass(frozen=True)
class InteractionTimes:
    """One interaction's timing, minutes from opening (None: not yet)."""

    opened_at: datetime
    first_response_minutes: float | None
    resolution_minutes: float | None
    surveyed: bool


def interaction_times(session: Session, provider_id: int, quarter: str) -> list[InteractionTimes]:
    """The interactions of one provider opened in ``quarter`` (indexed by provider, opened)."""
    start, end = quarter_bounds(quarter)
    rows = session.execute(
        select(
            Interaction.opened_at,
            Interaction.first_response_at,
            Interaction.resolved_at,
            Interaction.survey_decision,
        ).where(
            Interaction.provider_department_id == provider_id,
            Interaction.opened_at >= _utc_start(start),
            Interaction.opened_at < _utc_start(end),
        )
    )

    def minutes(a: datetime, b: datetime | None) -> float | None:
        return None if b is None else (b - a).total_seconds() / 60.0

    return [
        InteractionTimes(
            opened_at=opened,
            first_response_minutes=minutes(opened, first or resolved),
            resolution_minutes=minutes(opened, resolved),
            surveyed=decision == "invited",
        )
        for opened, first, resolved, decision in rows
    ]


def service_names(session: Session, provider_id: int) -> dict[int, str]:
    return dict(
        session.execute(
            select(Service.id, Service.name).where(Service.provider_department_id == provider_id)
        ).all()
    )


# --- comments and self-view ---


@dataclass(frozen=True)
class CommentRow:
    text: str
    contact_person_id: int | None


def comments(
    session: Session, provider_id: int, quarter: str, limit: int = 500
) -> list[CommentRow]:
    """Written comments about one provider in one quarter, in random-id order (ids are random,
    so the order reveals nothing). The only read of responses, bounded by the
    (provider, quarter) index. A contact person is set only with the respondent's consent
    (``person_names`` gives the names)."""
    rows = session.execute(
        select(Answer.text, Response.contact_person_id)
        .join(Response, Response.id == Answer.response_id)
        .join(Question, Question.id == Answer.question_id)
        .where(
            Response.provider_department_id == provider_id,
            Response.quarter == quarter,
            Question.qtype == "text",
            Answer.text.is_not(None),
        )
        .order_by(Response.id, Question.position)
        .limit(limit)
    )
    return [CommentRow(text, person) for text, person in rows if text and text.strip()]


def person_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """Names of the given people (one indexed read; none without ids)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return dict(session.execute(select(Person.id, Person.name).where(Person.id.in_(wanted))).all())


@dataclass(frozen=True)
class SelfView:
    """The latest quiz attempt of each distinct quiz taker who named the department."""

    takers: int
    overall: tuple[float, ...]
    practices: Mapping[str, tuple[float, ...]]


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
