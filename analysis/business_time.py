"""Business time for service standards: how many working minutes lie between two instants
under an organisation calendar (working weekdays, daily hours, a time zone), less the time a
request spent paused. Pure: datetimes in, numbers out.

A calendar is written ``"Mon-Fri 09:00-17:00 Europe/Rome"`` (days as a range or a comma list,
``Mon``..``Sun``; hours ``HH:MM-HH:MM`` with start before end; an IANA zone, default UTC).
Holidays are not modelled. Daylight-saving changes follow the zone: a working day is the
local wall-clock interval, so a day with a clock change keeps its local hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Calendar:
    """Working ``weekdays`` (0 = Monday), local ``start``..``end`` each such day, ``zone``."""

    weekdays: frozenset[int]
    start: time
    end: time
    zone: str = "UTC"

    def __post_init__(self) -> None:
        if not self.weekdays or not self.weekdays <= set(range(7)):
            raise ValueError("a calendar needs at least one weekday among 0..6")
        if self.start >= self.end:
            raise ValueError("working hours must start before they end")
        try:
            ZoneInfo(self.zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {self.zone!r}") from None


def _day(word: str) -> int:
    try:
        return DAYS.index(word.strip().lower()[:3])
    except ValueError:
        raise ValueError(f"unknown weekday {word!r}") from None


def parse_calendar(text: str) -> Calendar:
    """``"Mon-Fri 09:00-17:00 Europe/Rome"`` to a Calendar; ValueError naming the fault."""
    parts = text.split()
    if len(parts) not in (2, 3):
        raise ValueError("write the calendar as e.g. 'Mon-Fri 09:00-17:00 Europe/Rome'")
    weekdays: set[int] = set()
    for chunk in parts[0].split(","):
        if "-" in chunk:
            first, last = (_day(w) for w in chunk.split("-", 1))
            span = range(first, last + 1) if first <= last else [*range(first, 7), *range(last + 1)]
            weekdays.update(span)
        else:
            weekdays.add(_day(chunk))
    try:
        start_text, end_text = parts[1].split("-", 1)
        start, end = time.fromisoformat(start_text), time.fromisoformat(end_text)
    except ValueError:
        raise ValueError("working hours look like 09:00-17:00") from None
    return Calendar(frozenset(weekdays), start, end, parts[2] if len(parts) == 3 else "UTC")


def business_minutes(start: datetime, end: datetime, calendar: Calendar | None) -> float:
    """Working minutes from ``start`` to ``end`` (aware datetimes); 0 when ``end`` is not
    after ``start``. ``calendar`` None: elapsed minutes (round the clock)."""
    if end <= start:
        return 0.0
    if calendar is None:
        return (end - start).total_seconds() / 60.0
    zone = ZoneInfo(calendar.zone)
    total = 0.0
    day: date = start.astimezone(zone).date()
    last: date = end.astimezone(zone).date()
    while day <= last:
        if day.weekday() in calendar.weekdays:
            open_at = datetime.combine(day, calendar.start, zone)
            close_at = datetime.combine(day, calendar.end, zone)
            lo, hi = max(open_at, start), min(close_at, end)
            if hi > lo:
                total += (hi - lo).total_seconds() / 60.0
        day += timedelta(days=1)
    return total


def met_standard(
    opened: datetime,
    first_response: datetime | None,
    resolved: datetime | None,
    paused_seconds: int,
    first_response_minutes: float,
    resolution_minutes: float,
    calendar: Calendar | None,
    now: datetime,
) -> bool | None:
    """Whether a request met its standard: None while it cannot be judged yet (open and still
    within its resolution time at ``now``); False when open and late; else True when both the
    first answer (the resolution when none was recorded) and the resolution came within the
    promised working minutes. Paused time (seconds) is subtracted from the resolution time
    only (a request is paused while waiting on its requester, after a first answer)."""
    paused = max(0, paused_seconds) / 60.0
    if resolved is None:
        late = business_minutes(opened, now, calendar) - paused > resolution_minutes
        return False if late else None
    first = first_response or resolved
    return (
        business_minutes(opened, first, calendar) <= first_response_minutes
        and business_minutes(opened, resolved, calendar) - paused <= resolution_minutes
    )
