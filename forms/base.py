"""The base of every form: fields the user types into refuse NUL characters.

Browsers never send NUL from a text box, but a hostile client can; PostgreSQL cannot store NUL
in text (the write would fail with a server error) and SQLite would keep it silently. The JSON
API refuses NUL as well (``survey/delivery/services/api_input.py``). Hidden fields are left to their
views: ``next`` is cleaned by ``safe_next`` and the import payload is signed.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import StopValidation, ValidationError

# The years a date typed into a form may fall in: ``survey/periods.py``'s MIN_YEAR..MAX_YEAR
# (forms import nothing of survey; tests/delivery/test_local_time_inputs.py checks they agree).
MIN_YEAR, MAX_YEAR = 1970, 9998


class SafeForm(FlaskForm):
    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            if isinstance(field, HiddenField):
                continue
            raw = getattr(field, "raw_data", None) or []
            if any(isinstance(value, str) and "\x00" in value for value in raw):
                field.errors = [
                    *field.errors,
                    _l("This text contains an invisible control character (NUL); remove it."),
                ]
                valid = False
        return valid


class OptionalChoice:
    """A choice that may be left empty. Unlike ``Optional``, which strips the value and stops
    the checks when nothing is left, only an absent or empty value counts as "not chosen": a
    value of spaces is no choice and is refused like any other ("Not a valid choice"), where
    ``Optional`` let it through unchecked to a view that read it as a number."""

    field_flags = {"optional": True}

    def __call__(self, form: Any, field: Any) -> None:
        if not field.raw_data or field.raw_data[0] == "":
            field.errors[:] = []
            raise StopValidation()


class InCalendar:
    """A date, a date-time or a quarter (``2026Q3``) whose year lies in MIN_YEAR..MAX_YEAR,
    else "Choose a year between 1970 and 9998." on the field. An empty or unreadable value
    passes: the field and its other validators report it. Beyond those years nothing makes
    sense, and reading a time near the calendar's ends in the organisation's zone would leave
    the calendar."""

    def __call__(self, form: Any, field: Any) -> None:
        value = field.data
        if isinstance(value, str):
            digits = value.strip()[:4]
            year = int(digits) if digits.isascii() and digits.isdigit() else None
        else:
            year = getattr(value, "year", None)
        if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
            raise ValidationError(
                _l("Choose a year between %(first)s and %(last)s.", first=MIN_YEAR, last=MAX_YEAR)
            )
