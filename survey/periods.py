"""Calendar periods used everywhere: quarters ``YYYYQn`` and ISO weeks ``YYYY-Www``."""

from __future__ import annotations

import re
from datetime import date, datetime

_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")

# The years a quarter asked for or a date typed by a person may fall in. Outside them nothing
# makes sense, and date arithmetic near the calendar's ends fails (a day after 9999-12-31,
# midnight of 0001-01-01 in a zone east of UTC). The admin forms keep the same range
# (``forms/base.py``, which imports nothing of survey; a test checks they agree).
MIN_YEAR, MAX_YEAR = 1970, 9998


def quarter_of(day: date | datetime) -> str:
    """``2026Q3`` for any day of July to September 2026 (calendar quarters)."""
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def iso_week_of(day: date | datetime) -> str:
    """``2026-W01``: the ISO year and week (the ISO year may differ from the calendar year)."""
    iso = day.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def parse_quarter(quarter: str) -> tuple[int, int]:
    """``(year, n)``; raises ValueError on anything but ``YYYYQn``."""
    match = _QUARTER.match(quarter or "")
    if not match:
        raise ValueError(f"not a quarter like 2026Q3: {quarter!r}")
    return int(match.group(1)), int(match.group(2))


def quarter_bounds(quarter: str) -> tuple[date, date]:
    """First day of the quarter and first day of the next one (end exclusive)."""
    year, n = parse_quarter(quarter)
    start = date(year, 3 * (n - 1) + 1, 1)
    end = date(year + 1, 1, 1) if n == 4 else date(year, 3 * n + 1, 1)
    return start, end


def shift_quarter(quarter: str, steps: int) -> str:
    year, n = parse_quarter(quarter)
    index = year * 4 + (n - 1) + steps
    return f"{index // 4}Q{index % 4 + 1}"


def previous_quarters(quarter: str, n: int) -> list[str]:
    """The ``n`` quarters ending with ``quarter``, oldest first."""
    return [shift_quarter(quarter, -i) for i in range(n - 1, -1, -1)]


def last_complete_quarter(today: date) -> str:
    """The quarter before the one ``today`` falls in."""
    return shift_quarter(quarter_of(today), -1)
