"""What the scorecards read about handled requests: service-standard compliance counts (the
C component), one provider's request times and its service names.

Organisation-wide compliance counts are one grouped query, memoised per database until a new
interaction or standard arrives; the interactions of one provider and quarter are an indexed
read (``ix_interactions_provider_opened``). A quarter whose release froze its counts
(``released_compliance``) is read from them, never from the requests: what was published
does not move. Nothing here applies the anonymity gate: the scorecards do, on every figure
they return.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import Date, and_, case, cast, exists, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from analysis.scorecard_inputs import ComplianceCount, InteractionTimes
from analysis.scorecard_results import StandardInForce
from survey.models import (
    Interaction,
    QuarterRelease,
    ReleasedCompliance,
    Service,
    ServiceStandard,
)
from survey.models.base import UTCDateTime
from survey.names import pick_name
from survey.periods import quarter_bounds
from survey.scorecards.services.compliance_hours import business_calendar, business_compliance
from survey.scorecards.services.scorecard_data import database_name
from survey.services.lru import Lru


def _utc_start(day: Any) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


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


# The standard in force on a request's opening day, and a later one that would replace it:
# two aliases of the standards, made once (an ORM alias adapts each column it is asked for,
# which cost about a millisecond whenever the compliance counts were read).
_STANDARD = aliased(ServiceStandard, name="std")
_LATER_STANDARD = aliased(ServiceStandard, name="later_std")


@dataclass(frozen=True)
class InForce:
    """The read every compliance count shares, written once: requests opened within some
    quarters, each joined to the standard in force on the UTC day it was opened (the latest
    ``effective_from`` not after that day; a request whose service had none is not read).
    ``std`` is that standard (an alias of ``ServiceStandard``, the same for every read),
    ``quarter`` the SQL quarter label of each request (of the quarters asked, else NULL)."""

    quarter: Any
    opened_day: Any
    first_start: datetime
    last_end: datetime

    @property
    def std(self) -> Any:
        return _STANDARD

    def select(self, *columns: Any) -> Any:
        """``SELECT columns`` over those requests and their standards."""
        i, std, later = Interaction, _STANDARD, _LATER_STANDARD
        return (
            select(*columns)
            .select_from(i)
            .join(std, and_(std.service_id == i.service_id, std.effective_from <= self.opened_day))
            .where(
                ~exists().where(
                    later.service_id == i.service_id,
                    later.effective_from <= self.opened_day,
                    later.effective_from > std.effective_from,
                ),
                i.opened_at >= self.first_start,
                i.opened_at < self.last_end,
            )
        )


def in_force(session: Session, quarters: Sequence[str]) -> InForce:
    """The requests opened in ``quarters`` (not empty) with the standard in force on their
    opening day (``InForce``)."""
    i = Interaction
    bounds = [(q, _utc_start(s), _utc_start(e)) for q in quarters for s, e in [quarter_bounds(q)]]
    quarter_of_row = case(
        *[(and_(i.opened_at >= s, i.opened_at < e), q) for q, s, e in bounds], else_=None
    )
    return InForce(
        quarter=quarter_of_row,
        opened_day=_day(session, i.opened_at),
        first_start=min(s for _q, s, _e in bounds),
        last_end=max(e for _q, _s, e in bounds),
    )


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
    requests = in_force(session, quarters)
    std = requests.std
    first = func.coalesce(i.first_response_at, i.resolved_at)
    now_value = literal(now, UTCDateTime())
    # Request lifecycle (delivery/services/interactions.py): paused time does not count toward the
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
    columns = [i.provider_department_id, requests.quarter.label("quarter")]
    if by_service:
        columns.append(i.service_id)
    stmt = (
        requests.select(
            *columns,
            func.count(),
            func.sum(case((complies, 1), else_=0)),
        )
        .where(judged)
        .group_by(*columns)
    )
    if provider_id is not None:
        stmt = stmt.where(i.provider_department_id == provider_id)
    return stmt


_compliance_cache: Lru[dict[Any, ComplianceCount]] = Lru(64)


def compliance_version(session: Session) -> tuple[Any, ...]:
    """Cheap (indexed) reads that change whenever an interaction or standard is added, an
    interaction's lifecycle changes (its ``updated_at``) or a released quarter's counts are
    frozen, in one statement."""
    row = session.execute(
        select(
            select(func.max(Interaction.id)).scalar_subquery(),
            select(func.max(Interaction.updated_at)).scalar_subquery(),
            select(func.max(ServiceStandard.id)).scalar_subquery(),
            select(func.count()).select_from(ServiceStandard).scalar_subquery(),
            select(func.count())
            .select_from(QuarterRelease)
            .where(QuarterRelease.compliance_frozen_at.is_not(None))
            .scalar_subquery(),
        )
    ).one()
    return (database_name(session), *row)


def _frozen(
    session: Session, quarters: Sequence[str], provider_id: int | None, by_service: bool
) -> tuple[set[str], dict[Any, ComplianceCount]]:
    """The quarters of ``quarters`` whose counts were frozen at their release, and those
    counts keyed like ``compliance_counts`` (a provider's are the sum of its services')."""
    frozen = set(
        session.scalars(
            select(QuarterRelease.quarter).where(
                QuarterRelease.quarter.in_(quarters),
                QuarterRelease.compliance_frozen_at.is_not(None),
            )
        )
    )
    if not frozen:
        return frozen, {}
    rc = ReleasedCompliance
    stmt = select(rc.provider_department_id, rc.quarter, rc.service_id, rc.judged, rc.compliant)
    stmt = stmt.where(rc.quarter.in_(sorted(frozen)))
    if provider_id is not None:
        stmt = stmt.where(rc.provider_department_id == provider_id)
    out: dict[Any, ComplianceCount] = {}
    for provider, quarter, service, judged, compliant in session.execute(stmt):
        group = (provider, quarter, service) if by_service else (provider, quarter)
        was = out.get(group, ComplianceCount())
        out[group] = ComplianceCount(was.judged + judged, was.compliant + compliant)
    return frozen, out


def live_compliance_counts(
    session: Session,
    quarters: Sequence[str],
    now: datetime,
    provider_id: int | None = None,
    by_service: bool = False,
) -> dict[Any, ComplianceCount]:
    """Compliance counts from the requests as they are at ``now``, keyed like
    ``compliance_counts``, whether or not a quarter's counts are frozen; not memoised. What
    a release freezes (``released_compliance.freeze_released_compliance``)."""
    if not quarters:
        return {}
    calendar = business_calendar()
    if calendar is not None:  # business hours: judged in Python (services/compliance_hours)
        counted = business_compliance(
            session, in_force(session, quarters), now, provider_id, by_service, calendar
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


def _reported_by_freeze(quarter: str) -> Any:
    """A condition on ``Interaction``: reported by the time ``quarter``'s compliance counts
    were frozen at its release (always true while they are not): what a released quarter
    publishes counts no request reported after it."""
    frozen_at = (
        select(QuarterRelease.compliance_frozen_at)
        .where(QuarterRelease.quarter == quarter)
        .scalar_subquery()
    )
    return or_(frozen_at.is_(None), Interaction.created_at <= frozen_at)


def quarters_with_requests(session: Session, quarters: Sequence[str]) -> set[str]:
    """The ``quarters`` in which the organisation recorded any request (an interaction opened
    then, whatever became of it): it collects post-interaction answers (T) that quarter,
    whether or not anybody answered. Of a quarter whose counts were frozen at its release,
    only the requests reported by then count, as for its compliance: a request back-filled
    later must not bring T back into an ISQ already published without it. One statement: an
    indexed existence test per quarter."""
    order = sorted(set(quarters))
    if not order:
        return set()
    opened = Interaction.opened_at
    tests = []
    for q in order:
        start, end = quarter_bounds(q)
        tests.append(
            exists().where(
                opened >= _utc_start(start), opened < _utc_start(end), _reported_by_freeze(q)
            )
        )
    row = session.execute(select(*tests)).one()
    return {q for q, hit in zip(order, row, strict=True) if hit}


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

    A quarter whose counts were frozen at its release reads those counts (requests reported
    or changed since, and time passing, move nothing published); the others are counted from
    the requests. ``now`` (aware UTC) decides whether an unresolved request is already late;
    it is rounded to the hour in the cache key, so a cached answer is at most an hour behind
    on open requests.
    """
    if not quarters:
        return {}
    key = (
        *(version or compliance_version(session)),
        tuple(quarters),
        provider_id,
        by_service,
        now.replace(minute=0, second=0, microsecond=0),
        business_calendar(),
    )

    def count() -> dict[Any, ComplianceCount]:
        frozen, out = _frozen(session, quarters, provider_id, by_service)
        live = [q for q in quarters if q not in frozen]
        out.update(live_compliance_counts(session, live, now, provider_id, by_service))
        return out

    return dict(_compliance_cache.get_or_make(key, count))


def interaction_times(session: Session, provider_id: int, quarter: str) -> list[InteractionTimes]:
    """The interactions of one provider opened in ``quarter`` (indexed by provider, opened);
    of a quarter whose counts were frozen at its release, only those reported by then (a
    request reported later is listed on the requests page and published nowhere)."""
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
            _reported_by_freeze(quarter),
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


def service_names(session: Session, provider_id: int, locale: str | None = None) -> dict[int, str]:
    """The names of a provider's services by id, in ``locale`` (the default name when the
    service has no translation into it, or when ``locale`` is None)."""
    rows = session.execute(
        select(Service.id, Service.name, Service.names).where(
            Service.provider_department_id == provider_id
        )
    )
    return {id_: pick_name(name, names, locale) for id_, name, names in rows}


def standards_in_force(session: Session, provider_id: int, quarter: str) -> list[StandardInForce]:
    """The standard of each service of ``provider_id`` in force on the last day of
    ``quarter`` (the latest ``effective_from`` not after it), by service name; services
    without one are left out. Configuration, not answers: nothing here needs a gate."""
    _start, end = quarter_bounds(quarter)
    rows = session.execute(
        select(
            Service.id,
            Service.name,
            ServiceStandard.first_response_minutes,
            ServiceStandard.resolution_minutes,
            ServiceStandard.effective_from,
        )
        .join(ServiceStandard, ServiceStandard.service_id == Service.id)
        .where(Service.provider_department_id == provider_id, ServiceStandard.effective_from < end)
        .order_by(Service.name, Service.id, ServiceStandard.effective_from)
    ).all()
    latest: dict[int, StandardInForce] = {}
    for service_id, name, first, resolution, _from in rows:  # later rows replace earlier
        latest[service_id] = StandardInForce(name, first, resolution)
    return list(latest.values())
