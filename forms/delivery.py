"""Admin forms for survey delivery: campaigns, interactions, questionnaire wording.

No database here: the views pass department and service choices in.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
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
from wtforms.widgets import CheckboxInput, ListWidget

from forms.base import InCalendar, OptionalChoice, SafeForm

QUARTER_PATTERN = r"^\d{4}Q[1-4]$"


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (works without JavaScript, unlike a multi-select)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AudienceFields(SafeForm):
    """Who a quarterly campaign reaches and how it runs, shared by a campaign and the schedule
    that creates campaigns: audience departments, k, reminders (at most, days apart)."""

    departments = MultiCheckboxField(
        _l("Audience: people of these departments (none ticked: everyone)"), coerce=int
    )
    min_group_size = IntegerField(
        _l("Smallest group shown (k)"), default=5, validators=[InputRequired(), NumberRange(5, 50)]
    )
    reminder_max = IntegerField(
        _l("Reminders at most"), default=2, validators=[InputRequired(), NumberRange(0, 5)]
    )
    reminder_min_days = IntegerField(
        _l("Days between reminders"), default=5, validators=[InputRequired(), NumberRange(1, 30)]
    )


class CampaignForm(AudienceFields):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    quarter = StringField(
        _l("Quarter rated"),
        validators=[
            DataRequired(),
            Regexp(QUARTER_PATTERN, message=_l("Write it like 2026Q3.")),
            InCalendar(),
        ],
    )
    opens_on = DateField(_l("Opens on"), validators=[InputRequired(), InCalendar()])
    closes_on = DateField(_l("Closes on"), validators=[InputRequired(), InCalendar()])

    def validate_closes_on(self, field: DateField) -> None:
        if self.opens_on.data and field.data and field.data <= self.opens_on.data:
            raise ValidationError(_l("The closing day must come after the opening day."))


class GroupSizeForm(SafeForm):
    min_group_size = IntegerField(
        _l("Smallest group shown (k)"), validators=[InputRequired(), NumberRange(5, 50)]
    )


class InteractionForm(SafeForm):
    provider = SelectField(_l("Department that handled it"), validators=[InputRequired()])
    service = SelectField(_l("Service"), validators=[OptionalChoice()])
    requester_email = EmailField(
        _l("Requester's email"), validators=[DataRequired(), Email(), Length(max=254)]
    )
    opened_at = DateTimeLocalField(
        _l("Opened (UTC)"), format="%Y-%m-%dT%H:%M", validators=[InputRequired(), InCalendar()]
    )
    first_response_at = DateTimeLocalField(
        _l("First response (UTC)"), format="%Y-%m-%dT%H:%M", validators=[Optional(), InCalendar()]
    )
    resolved_at = DateTimeLocalField(
        _l("Resolved (UTC)"), format="%Y-%m-%dT%H:%M", validators=[Optional(), InCalendar()]
    )
    external_ref = StringField(_l("Reference in the ticketing tool"), validators=[Length(max=120)])


class QuestionTextsForm(SafeForm):
    """Wording of one question in the three languages."""

    prompt_en = TextAreaField(
        _l("Question (English)"), validators=[DataRequired(), Length(max=500)]
    )
    help_en = TextAreaField(_l("Help (English)"), validators=[Length(max=500)])
    prompt_it = TextAreaField(
        _l("Question (Italian)"), validators=[DataRequired(), Length(max=500)]
    )
    help_it = TextAreaField(_l("Help (Italian)"), validators=[Length(max=500)])
    prompt_fr = TextAreaField(_l("Question (French)"), validators=[DataRequired(), Length(max=500)])
    help_fr = TextAreaField(_l("Help (French)"), validators=[Length(max=500)])


def scale_words(text: str | None, points: int) -> list[str]:
    """The words of a scale's ``points`` from what an administrator typed: one line per point,
    lowest first, or two lines naming the two ends only (the points between get none).
    Surrounding spaces and blank lines after the last word are dropped; a blank line between
    words leaves that point without words. ValueError (its message for the administrator)
    when the count is neither, a word is over 60 characters, or both ends are blank."""
    lines = [line.strip() for line in (text or "").splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    if len(lines) == 2 and points > 2:
        lines = [lines[0], *[""] * (points - 2), lines[1]]
    if len(lines) != points:
        raise ValueError(
            _l(
                "Give %(points)s lines, one per point from the lowest, or 2 lines for the two "
                "ends (there are %(given)s).",
                points=points,
                given=len(lines),
            )
        )
    if any(len(line) > 60 for line in lines):
        raise ValueError(_l("Each point's words can be at most 60 characters long."))
    if not (lines[0] and lines[-1]):
        raise ValueError(
            _l("Name at least the two ends, so respondents can tell which end is good.")
        )
    return lines


class ScaleWords:
    """Validator of a scale-words field: ``scale_words`` over the form's ``points``. A field
    absent from the post (data None: a form opened before the field existed) keeps the words
    as they are; an empty one is refused."""

    def __call__(self, form: SafeForm, field: TextAreaField) -> None:
        if field.data is None:
            return
        try:
            scale_words(field.data, int(getattr(form, "points", 0)))
        except ValueError as error:
            raise ValidationError(str(error.args[0])) from None


class ScaleQuestionTextsForm(QuestionTextsForm):
    """Wording of a question on a worded scale: its prompt and help, and the words of its
    points, in the three languages. The view sets ``points`` before validating."""

    points = 5
    _help = _l("One line per point, lowest first; or two lines, for the two ends only.")
    labels_en = TextAreaField(
        _l("Words of the points (English)"), validators=[ScaleWords()], description=_help
    )
    labels_it = TextAreaField(
        _l("Words of the points (Italian)"), validators=[ScaleWords()], description=_help
    )
    labels_fr = TextAreaField(
        _l("Words of the points (French)"), validators=[ScaleWords()], description=_help
    )


class NewQuestionForm(QuestionTextsForm):
    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(),
            Length(max=40),
            Regexp(r"^[a-z][a-z0-9_]*$", message=_l("Lower-case letters, digits and _ only.")),
        ],
    )
    qtype = SelectField(_l("Type"), validators=[InputRequired()])
    required = BooleanField(_l("An answer is required"))


QUARTER_CHOICES = [
    SelectChoice(1, _l("January to March")),
    SelectChoice(2, _l("April to June")),
    SelectChoice(3, _l("July to September")),
    SelectChoice(4, _l("October to December")),
]


class ScheduleForm(AudienceFields):
    """The standing order for quarterly campaigns. Offsets are days after the quarter's first
    day; the view passes the questionnaire and department choices in."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    quarters = MultiCheckboxField(
        _l("Quarters it runs in"),
        coerce=int,
        choices=QUARTER_CHOICES,
        validators=[DataRequired(message=_l("Choose at least one quarter."))],
    )
    open_offset_days = IntegerField(
        _l("Opens this many days after the quarter starts"),
        default=14,
        validators=[InputRequired(), NumberRange(0, 80)],
    )
    close_offset_days = IntegerField(
        _l("Closes this many days after the quarter starts"),
        default=35,
        validators=[InputRequired(), NumberRange(1, 120)],
    )
    questionnaire = SelectField(_l("Questionnaire"), validators=[OptionalChoice()])
    active = BooleanField(_l("Running (untick to pause: nothing new is created)"), default=True)

    def validate_close_offset_days(self, field: IntegerField) -> None:
        opens = self.open_offset_days.data
        if opens is not None and field.data is not None and field.data <= opens:
            raise ValidationError(_l("The campaign must close after it opens."))


class ErasureForm(SafeForm):
    """Erase one person's identifying data (``services.erasure``)."""

    email = EmailField(
        _l("Email address of the person"), validators=[DataRequired(), Email(), Length(max=254)]
    )
    confirm = BooleanField(
        _l("I understand that this cannot be undone"),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )
