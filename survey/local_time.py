"""Dates and times that administrators type, read in the organisation's time zone
(``SURVEY_TIMEZONE``; UTC outside an app).

Stored times are UTC instants; forms hold wall-clock times without a zone (an HTML
``datetime-local`` or ``date`` input). Every admin form converts here, in one place:

- ``to_utc``: a wall-clock time typed in the organisation's zone to the UTC instant to store.
  A time that does not exist (the hour skipped when clocks go forward) is read with the offset
  in force before the change; a time that happens twice (the hour repeated when they go back)
  is its first occurrence (``fold=0``).
- ``day_start``: the UTC instant at which a calendar day begins in the organisation's zone
  (campaigns open and close at the start of a day; an audit filter's days); ``day_end``: the
  instant it ends (the next day's start).
- ``local_today``: today's date in the organisation's zone.

At the calendar's ends (0001-01-01 east of UTC, 9999-12-31 west of it) the UTC instant lies
outside the calendar: it is clamped to its first or last instant rather than failing. The
forms refuse years outside ``periods.MIN_YEAR``..``MAX_YEAR`` first, so this is a last guard.
"""

from __future__ import annotations

from datetime import MINYEAR, UTC, date, datetime, time, timedelta

from survey.local_format import organisation_zone

FIRST_INSTANT = datetime.min.replace(tzinfo=UTC)
LAST_INSTANT = datetime.max.replace(tzinfo=UTC)


def to_utc(local: datetime | None) -> datetime | None:
    """The UTC instant of ``local``, a wall-clock time in the organisation's zone (a time
    that already carries a zone is only converted); None stays None."""
    if local is None:
        return None
    return _utc(local)


def _utc(local: datetime) -> datetime:
    if local.tzinfo is None:
        local = local.replace(tzinfo=organisation_zone())
    try:
        return local.astimezone(UTC)
    except OverflowError:  # within hours of the calendar's ends
        return FIRST_INSTANT if local.year == MINYEAR else LAST_INSTANT


def day_start(day: date) -> datetime:
    """The UTC instant at which ``day`` begins (00:00) in the organisation's zone."""
    return _utc(datetime.combine(day, time.min))


def day_end(day: date) -> datetime:
    """The UTC instant at which ``day`` ends in the organisation's zone: the next day's start
    (end exclusive), the calendar's last instant for its last day."""
    if day == date.max:
        return LAST_INSTANT
    return day_start(day + timedelta(days=1))


def local_today(now: datetime | None = None) -> date:
    """The calendar day of ``now`` (default: this moment) in the organisation's zone."""
    return (now or datetime.now(UTC)).astimezone(organisation_zone()).date()
