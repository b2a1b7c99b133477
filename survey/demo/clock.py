"""When things happen in the demo company: office hours, busy days, holidays, campaign dates.

The company works on Central European time; the demo keeps UTC+1 all year (no daylight
saving), which is close enough for the peaks to land in office hours.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta, timezone

from survey.periods import quarter_bounds

LOCAL = timezone(timedelta(hours=1))
# Monday is the busiest day, the weekend nearly silent.
WEEKDAY_WEIGHTS = (1.3, 1.15, 1.1, 1.0, 0.75, 0.04, 0.02)
# Requests peak mid-morning and after lunch.
HOUR_WEIGHTS = {
    7: 0.3, 8: 1.2, 9: 3.0, 10: 3.4, 11: 2.8, 12: 1.3, 13: 1.4,
    14: 2.7, 15: 2.4, 16: 1.9, 17: 1.0, 18: 0.4, 19: 0.15, 20: 0.1,
}  # fmt: skip
OFFICE_START, OFFICE_END = 8, 19
CAMPAIGN_DAYS = 21
REMINDER_EVERY_DAYS = 7


def day_weight(day: date) -> float:
    """Relative number of requests opened on ``day``: fewer in mid-August (Italy and France
    on holiday) and between Christmas and New Year."""
    weight = WEEKDAY_WEIGHTS[day.weekday()]
    if day.month == 8 and 5 <= day.day <= 25:
        weight *= 0.4
    if (day.month == 12 and day.day >= 23) or (day.month == 1 and day.day <= 2):
        weight *= 0.2
    return weight


def days_of(quarter: str) -> tuple[list[date], list[float]]:
    """Every day of ``quarter`` and its weight."""
    start, end = quarter_bounds(quarter)
    days = [start + timedelta(days=i) for i in range((end - start).days)]
    return days, [day_weight(d) for d in days]


def moment_on(rng: random.Random, day: date) -> datetime:
    """A local time on ``day`` drawn from the office-hours peaks."""
    hour = rng.choices(list(HOUR_WEIGHTS), weights=list(HOUR_WEIGHTS.values()))[0]
    return datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)), LOCAL)


def in_office(moment: datetime) -> bool:
    local = moment.astimezone(LOCAL)
    return local.weekday() < 5 and OFFICE_START <= local.hour < OFFICE_END


def _previous_workday(day: date) -> date:
    day -= timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def _next_workday(day: date) -> date:
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def earlier_office_time(rng: random.Random, moment: datetime, floor: datetime) -> datetime:
    """``moment`` if in office hours, else a time late in the previous office day; ``moment``
    unchanged when that would not be after ``floor`` (someone answered in the evening)."""
    if in_office(moment):
        return moment
    local = moment.astimezone(LOCAL)
    if local.weekday() < 5 and local.hour >= OFFICE_END:
        day = local.date()
    else:
        day = _previous_workday(local.date())
    candidate = datetime.combine(day, time(16, 30), LOCAL) + timedelta(minutes=rng.uniform(0, 149))
    return candidate if candidate > floor else moment


def later_office_time(rng: random.Random, moment: datetime) -> datetime:
    """``moment`` if in office hours, else a time early in the next office day."""
    if in_office(moment):
        return moment
    local = moment.astimezone(LOCAL)
    if local.weekday() < 5 and local.hour < OFFICE_START:
        day = local.date()
    else:
        day = _next_workday(local.date())
    return datetime.combine(day, time(OFFICE_START), LOCAL) + timedelta(minutes=rng.uniform(0, 150))


def campaign_window(quarter: str) -> tuple[datetime, datetime]:
    """The quarterly survey opens on the first Monday at least two weeks into the quarter, at
    09:00 local time, and closes three weeks later (UTC datetimes)."""
    start = quarter_bounds(quarter)[0] + timedelta(days=14)
    start += timedelta(days=(7 - start.weekday()) % 7)
    opens = datetime.combine(start, time(9), LOCAL)
    return opens.astimezone(UTC), (opens + timedelta(days=CAMPAIGN_DAYS)).astimezone(UTC)


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
