"""Admin forms for the organisation: departments, people, services and standards, users and
API keys.

No database here: the views pass department choices in (as strings of ids, "" for none) and
turn the chosen value back into an id. Uniqueness and cycles are checked by the services.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FloatField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from forms.base import InCalendar, OptionalChoice, SafeForm
from forms.delivery import MultiCheckboxField

LOCALE_CHOICES = [
    SelectChoice("en", "English"),
    SelectChoice("it", "Italiano"),
    SelectChoice("fr", "Français"),
]
MIN_PASSWORD = 10


def password_validators() -> list[DataRequired | Length]:
    """A new password's rules, the same for a new user's initial password and a changed or
    reset one (``forms.auth``): present, ``MIN_PASSWORD`` to 1000 characters."""
    return [
        DataRequired(),
        Length(
            min=MIN_PASSWORD, max=1000, message=_l("At least %(n)s characters.", n=MIN_PASSWORD)
        ),
    ]


def account_language_field() -> SelectField:
    """An account's language: one of ``LOCALE_CHOICES``, or blank for none (its pages follow
    the browser, its mail is in English)."""
    return SelectField(
        _l("Language"),
        choices=[SelectChoice("", _l("(the browser's language)")), *LOCALE_CHOICES],
        default="",
    )


def role_choices() -> list[SelectChoice]:
    return [
        SelectChoice("viewer", _l("Viewer: sees the overview and scorecards")),
        SelectChoice("manager", _l("Manager: a department's scorecard in detail")),
        SelectChoice("admin", _l("Administrator: sets everything up")),
    ]


class DepartmentForm(SafeForm):
    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(),
            Length(min=2, max=20),
            Regexp(
                r"^\s*[A-Za-z0-9][A-Za-z0-9_-]*\s*$",
                message=_l("Letters, digits, - and _ only, starting with a letter or a digit."),
            ),
        ],
        filters=[lambda v: v.strip().upper() if isinstance(v, str) else v],
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    name_it = StringField(_l("Name in Italian"), validators=[Optional(), Length(max=120)])
    name_fr = StringField(_l("Name in French"), validators=[Optional(), Length(max=120)])
    parent = SelectField(_l("Part of"), validators=[OptionalChoice()])


class PersonForm(SafeForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=160)])
    department = SelectField(_l("Department"), validators=[InputRequired()])
    locale = SelectField(_l("Language"), choices=LOCALE_CHOICES, default="en")
    active = BooleanField(_l("Active (may receive surveys)"), default=True)
    opted_out = BooleanField(_l("Opted out of surveys"))


class CsvUploadForm(SafeForm):
    """The upload of a CSV import (departments, handled requests; people add an option)."""

    file = FileField(_l("CSV file"), validators=[FileRequired()])


class PeopleUploadForm(CsvUploadForm):
    whole_directory = BooleanField(
        _l("This file is the whole directory: deactivate the people who are not in it")
    )


class ImportConfirmForm(SafeForm):
    """The checked file travels back signed by the server; the view verifies the signature."""

    payload = HiddenField(validators=[DataRequired()])


class PeopleConfirmForm(ImportConfirmForm):
    """The second, explicit confirmation a sync needs when it deactivates many people."""

    confirm_many = BooleanField(_l("Yes, deactivate them all"))


class ServiceForm(SafeForm):
    provider = SelectField(_l("Provider department"), validators=[InputRequired()])
    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(),
            Length(max=40),
            Regexp(
                r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
                message=_l("Letters, digits, ., - and _ only, starting with a letter or digit."),
            ),
        ],
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=160)])
    name_it = StringField(_l("Name in Italian"), validators=[Optional(), Length(max=160)])
    name_fr = StringField(_l("Name in French"), validators=[Optional(), Length(max=160)])
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    sampling_rate = FloatField(
        _l("Sampling rate"),
        default=1.0,
        validators=[
            InputRequired(message=_l("Enter a share between 0 and 1.")),
            NumberRange(0, 1, message=_l("Enter a share between 0 and 1.")),
        ],
    )
    active = BooleanField(_l("Active"), default=True)


class StandardForm(SafeForm):
    effective_from = DateField(_l("In force from"), validators=[InputRequired(), InCalendar()])
    first_response_minutes = IntegerField(
        _l("First response within (minutes)"),
        validators=[InputRequired(), NumberRange(1, 10_000_000)],
    )
    resolution_minutes = IntegerField(
        _l("Resolution within (minutes)"),
        validators=[InputRequired(), NumberRange(1, 10_000_000)],
    )

    def validate_resolution_minutes(self, field: IntegerField) -> None:
        first = self.first_response_minutes.data
        if first is not None and field.data is not None and field.data < first:
            raise ValidationError(
                _l("The resolution time cannot be shorter than the first response time.")
            )


class DependencyMatrixForm(SafeForm):
    """Only the CSRF token: the ticked boxes are read by the view (their names depend on the
    departments)."""


class UserForm(SafeForm):
    """Editing an account: name, role, department (required for a manager) and language
    (blank: none chosen, the pages follow the browser)."""

    name = StringField(_l("Name"), validators=[Length(max=160)])
    role = SelectField(_l("Role"), validators=[InputRequired()])
    # No Optional(): it would stop the chain before validate_department when empty.
    department = SelectField(_l("Department"), default="")
    locale = account_language_field()

    def validate_department(self, field: SelectField) -> None:
        if self.role.data == "manager" and not field.data:
            raise ValidationError(_l("A manager needs a department."))


class NewUserForm(UserForm):
    """A new account: no password (its owner chooses one through an emailed link, written in
    ``locale``, the account's language, which a new account always gets)."""

    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    locale = SelectField(_l("Language"), choices=LOCALE_CHOICES, default="en")


def api_scope_choices() -> list[SelectChoice]:
    """What an API key may do; the values are ``survey.models.auth.API_SCOPES``."""
    return [
        SelectChoice("interactions", _l("Report handled requests (ticketing tools)")),
        SelectChoice("scorecards", _l("Read departments and scorecards")),
        SelectChoice("mail_reports", _l("Report bounces and complaints (mail relays)")),
    ]


class ApiKeyForm(SafeForm):
    name = StringField(
        _l("Name (the tool using it)"),
        validators=[DataRequired(), Length(max=80)],
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
    )
    scopes = MultiCheckboxField(
        _l("What it may do"),
        choices=api_scope_choices,
        validators=[DataRequired(message=_l("Choose at least one thing it may do."))],
    )
