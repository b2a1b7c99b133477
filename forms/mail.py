"""Mail administration forms (the suppression list)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, StringField
from wtforms.validators import DataRequired, Email, Length

from forms.base import SafeForm


class SuppressForm(SafeForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    detail = StringField(_l("Note"), validators=[Length(max=500)])


class UnsuppressForm(SafeForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
