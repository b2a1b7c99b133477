"""Numbers, dates, times and durations as the reader writes them: in the reader's language
(Flask-Babel: "85.1" in English, "85,1" in Italian and French) and, for times and dates, in
the organisation's time zone (``SURVEY_TIMEZONE``, default UTC; stored times stay UTC).

``init_app`` makes them Jinja filters (``decimal``, ``signed``, ``percent``, ``moment``,
``day``, ``duration``; ``colon`` a global) and tells Flask-Babel the time zone, so pages
and emails share them.
Every function shows "–" for a missing value instead of failing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_app_context
from flask_babel import (
    format_date,
    format_decimal,
    format_percent,
    format_time,
    get_locale,
    get_timezone,
)
from flask_babel import gettext as _

MISSING = "–"


def _pattern(digits: int) -> str:
    """A grouped decimal pattern with exactly ``digits`` (0..6) decimals."""
    digits = max(0, min(int(digits), 6))
    return "#,##0" + ("." + "0" * digits if digits else "")


def decimal(value: float | int | None, digits: int = 1) -> str:
    """``value`` with exactly ``digits`` decimals and the reader's separators."""
    if value is None:
        return MISSING
    return format_decimal(value, format=_pattern(digits))


def signed(value: float | int | None, digits: int = 1) -> str:
    """Like ``decimal`` with an explicit sign: "+3.2", "-1,5" (a change, a slope, a gap)."""
    if value is None:
        return MISSING
    pattern = _pattern(digits)
    return format_decimal(value, format=f"+{pattern};-{pattern}")


def percent(share: float | None, digits: int = 0) -> str:
    """A share in 0..1 as a percentage in the reader's language ("85 %" in French)."""
    if share is None:
        return MISSING
    # The language's own percent pattern ("#,##0 %" in French), with ``digits`` decimals.
    locale = get_locale()
    own = locale.percent_formats[None].pattern if locale else "#,##0%"
    return format_percent(share, format=own.replace("#,##0", _pattern(digits), 1))


def _aware(moment: datetime) -> datetime:
    # Stored times are UTC; SQLite hands them back without a zone.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def moment(value: datetime | None) -> str:
    """A date and time in the organisation's time zone: "Dec 4, 2026 11:03 AM",
    "4 dic 2026 11:03"."""
    if value is None:
        return MISSING
    local = _aware(value).astimezone(get_timezone())
    on_day = format_date(local, "medium", rebase=False)
    return f"{on_day} {format_time(local, 'short', rebase=False)}"


def day(value: datetime | date | None) -> str:
    """A calendar day: a datetime is first moved to the organisation's time zone (23:30 UTC
    may be the next day in Rome)."""
    if value is None:
        return MISSING
    if isinstance(value, datetime):
        value = _aware(value).astimezone(get_timezone())
        return format_date(value, "medium", rebase=False)
    return format_date(value, "medium")


def duration(minutes: float | None) -> str:
    """A length of time given in minutes, in the largest unit that reads well: "45 min",
    "1 h", "4 h", "1,5 h" (Italian), "10 d" (days of 24 hours: service standards count round the
    clock or, with business hours, in working minutes, shown the same way)."""
    if minutes is None:
        return MISSING
    if minutes < 60:
        return _("%(n)s min", n=decimal(minutes, 0))
    if minutes < 2 * 1440:
        hours = minutes / 60
        return _("%(n)s h", n=decimal(hours, 0 if hours == round(hours) or hours >= 10 else 1))
    days = minutes / 1440
    return _("%(n)s d", n=decimal(days, 0 if days == round(days) else 1))


def quarter(code: str | None) -> str:
    """A quarter code ``YYYYQn`` as the reader writes it: "Q1 2026" in English, "T1 2026" in
    Italian and French; text that is not a quarter code is returned as it is."""
    if code is None:
        return MISSING
    year, sep, number = code.partition("Q")
    if not (sep and year.isdigit() and number in ("1", "2", "3", "4")):
        return code
    return format_date(date(int(year), 3 * int(number) - 2, 1), "QQQ y")


def zone_name() -> str:
    """The organisation's time zone, as configured (e.g. "Europe/Rome")."""
    return str(current_app.config.get("TIMEZONE") or "UTC")


def organisation_zone() -> ZoneInfo:
    """The organisation's time zone for code that bins times (hours of the day, days):
    ``SURVEY_TIMEZONE`` inside the app, UTC outside it (a notebook, a bare script)."""
    if not has_app_context():
        return ZoneInfo("UTC")
    return ZoneInfo(zone_name())


def colon() -> str:
    """The colon after a label, as the reader's language writes it: with a no-break space
    before it in French ("Lien : ..."), without in English and Italian ("Link: ...")."""
    locale = get_locale()
    return "\u00a0:" if locale is not None and locale.language == "fr" else ":"


def init_app(app: Flask) -> None:
    """Register the filters and give Flask-Babel the organisation's time zone."""
    app.config["BABEL_DEFAULT_TIMEZONE"] = str(app.config.get("TIMEZONE") or "UTC")
    for name, function in (
        ("decimal", decimal),
        ("signed", signed),
        ("percent", percent),
        ("moment", moment),
        ("day", day),
        ("duration", duration),
    ):
        app.jinja_env.filters[name] = function
    app.jinja_env.globals["time_zone_name"] = zone_name
    app.jinja_env.globals["colon"] = colon
