"""The administrator's baseline form: freeze the IQ baseline, or re-base it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import Length, Optional, Regexp

from forms.base import SafeForm

QUARTER_LIST = r"^\s*\d{4}Q[1-4](\s*,\s*\d{4}Q[1-4])*\s*$"


class BaselineForm(SafeForm):
    """``quarters``: optional comma-separated quarters like ``2025Q1, 2025Q2``; empty means
    the first four released quarters (first freeze) or the latest four (re-base)."""

    quarters = StringField(
        _l("Quarters (optional, e.g. 2025Q1, 2025Q2, 2025Q3, 2025Q4)"),
        validators=[
            Optional(),
            Length(max=200),
            Regexp(QUARTER_LIST, message=_l("Quarters look like 2025Q1, separated by commas.")),
        ],
    )

    def chosen(self) -> list[str]:
        """The quarters typed, in order, without repeats."""
        raw = (self.quarters.data or "").replace(" ", "")
        return sorted({q for q in raw.split(",") if q})
