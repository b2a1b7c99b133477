"""Working minutes under an organisation calendar, and the standard's verdict with pauses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.business_time import business_minutes, met_standard, parse_calendar

OFFICE = parse_calendar("Mon-Fri 09:00-17:00 Europe/Rome")


def rome(day: int, hour: int, minute: int = 0, month: int = 5) -> datetime:
    # May 2026 in Rome is UTC+2; 4 May 2026 is a Monday.
    return datetime(2026, month, day, hour - 2, minute, tzinfo=UTC)


def test_parse_calendar() -> None:
    assert OFFICE.weekdays == frozenset(range(5))
    assert parse_calendar("Sat,Sun 10:00-12:00").weekdays == frozenset({5, 6})
    assert parse_calendar("Fri-Mon 08:00-09:00 UTC").weekdays == frozenset({4, 5, 6, 0})
    for bad in (
        "",
        "Mon-Fri",
        "Mon-Xyz 09:00-17:00",
        "Mon 17:00-09:00",
        "Mon 9-5",
        "Mon 09:00-17:00 Nowhere/City",
    ):
        with pytest.raises(ValueError):
            parse_calendar(bad)


def test_nights_and_weekends_do_not_count() -> None:
    # Friday 16:00 to Monday 10:00: one hour on Friday, one on Monday.
    assert business_minutes(rome(8, 16), rome(11, 10), OFFICE) == 120
    # Within one working day.
    assert business_minutes(rome(4, 9, 30), rome(4, 11), OFFICE) == 90
    # Entirely at night or on a weekend.
    assert business_minutes(rome(4, 18), rome(5, 8), OFFICE) == 0
    assert business_minutes(rome(9, 9), rome(10, 20), OFFICE) == 0
    # Round the clock without a calendar.
    assert business_minutes(rome(8, 16), rome(11, 10), None) == 66 * 60
    assert business_minutes(rome(4, 10), rome(4, 9), OFFICE) == 0


def test_daylight_saving_keeps_local_hours() -> None:
    # 29 March 2026 (Sunday) Rome moves to UTC+2; Friday 27 (UTC+1) to Monday 30 (UTC+2).
    friday_four = datetime(2026, 3, 27, 15, tzinfo=UTC)  # 16:00 local
    monday_ten = datetime(2026, 3, 30, 8, tzinfo=UTC)  # 10:00 local
    assert business_minutes(friday_four, monday_ten, OFFICE) == 120


def test_verdict_with_pauses_and_open_requests() -> None:
    opened = rome(8, 16)  # Friday 16:00
    resolved = rome(11, 12)  # Monday 12:00: 4 working hours later
    assert met_standard(opened, rome(8, 16, 30), resolved, 0, 60, 240, OFFICE, resolved)
    assert not met_standard(opened, rome(8, 16, 30), resolved, 0, 60, 180, OFFICE, resolved)
    # An hour paused waiting on the requester does not count.
    assert met_standard(opened, rome(8, 16, 30), resolved, 3600, 60, 180, OFFICE, resolved)
    # Elapsed time would fail it: 68 hours.
    assert not met_standard(opened, rome(8, 16, 30), resolved, 0, 60, 240, None, resolved)
    # Open: not judged until late, then a failure.
    assert met_standard(opened, None, None, 0, 60, 240, OFFICE, rome(11, 10)) is None
    assert met_standard(opened, None, None, 0, 60, 240, OFFICE, rome(11, 14)) is False


instants = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)
)


@given(a=instants, b=instants, c=instants)
def test_working_minutes_add_up_and_never_exceed_elapsed(a, b, c) -> None:  # type: ignore[no-untyped-def]
    a, b, c = sorted((a, b, c))
    whole = business_minutes(a, c, OFFICE)
    assert whole == pytest.approx(business_minutes(a, b, OFFICE) + business_minutes(b, c, OFFICE))
    assert 0 <= whole <= (c - a).total_seconds() / 60 + 1e-9
    # At most 8 working hours in any 24.
    days = (c - a) / timedelta(days=1)
    assert whole <= 8 * 60 * (days + 2)
