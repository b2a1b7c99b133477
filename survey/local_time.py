"""Dates and times that administrators type, read in the organisation's time zone
(``SURVEY_TIMEZONE``; UTC outside an app).

Stored times are UTC instants; forms hold wall-clock times without a zone (an HTML
``datetime-local`` or ``date`` input). Every admin form converts here, in one place:

- ``to_utc``: a wall-clock time typed in the organisation's zone to the UTC instant to store.
  A time that does not exist (the hour skipped when clocks go forward) is read with the offset
  in force before the change; a time that happens twice (the hour repeated when they go back)
  is its first occurrence (``fold=0``).
- ``day_start``: the UTC instant at which a calendar day begins in the organisation's zone
  (campaigns open and close at the start of a day; an audit filter's days).
- ``local_today``: today's date in the organisation's zone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from survey.local_format import organisation_zone


def to_utc(local: datetime | None) -> datetime | None:
    """The UTC instant of ``local``, a wall-clock time in the organisation's zone (a time
    that already carries a zone is only converted); None stays None."""
    if local is None:
        return None
    if local.tzinfo is None:
        local = local.replace(tzinfo=organisation_zone())
    return local.astimezone(UTC)


def day_start(day: date) -> datetime:
    """The UTC instant at which ``day`` begins (00:00) in the organisation's zone."""
    return datetime.combine(day, time.min, tzinfo=organisation_zone()).astimezone(UTC)


def local_today(now: datetime | None = None) -> date:
    """The calendar day of ``now`` (default: this moment) in the organisation's zone."""
    return (now or datetime.now(UTC)).astimezone(organisation_zone()).date()
