"""Sign-in and password forms (change, reset request, reset), and the account's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from forms.admin import account_language_field
from forms.base import SafeForm


class SignInForm(SafeForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1000)])
    next = HiddenField()


def _new_password() -> PasswordField:
    from forms.admin import password_validators

    return PasswordField(_l("New password"), validators=password_validators())


def _confirmation() -> PasswordField:
    return PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(),
            EqualTo("new_password", message=_l("The two new passwords differ.")),
        ],
    )


class ChangePasswordForm(SafeForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=1000)]
    )
    new_password = _new_password()
    confirm = _confirmation()


class ResetRequestForm(SafeForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])


class ResetPasswordForm(SafeForm):
    new_password = _new_password()
    confirm = _confirmation()


class AccountLanguageForm(SafeForm):
    """A signed-in user's own language (blank: their pages follow the browser)."""

    locale = account_language_field()
