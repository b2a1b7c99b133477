"""Forms of the self-assessment quiz and of its administration.

No database here: the views pass the items (already in the taker's language) and the
department choices in. Values: a statement's answer is 1..5 (never .. always), a scenario's the
0-based index of the chosen option; the department is a department code or "" (not given).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from forms.base import OptionalChoice, SafeForm
from forms.delivery import MultiCheckboxField
from forms.question_fields import Frequency5, Scenario, quiz_field

MAX_TEXT = 600
LANGUAGES = (("en", _l("English")), ("it", _l("Italian")), ("fr", _l("French")))


@dataclass(frozen=True)
class QuizItemSpec:
    """One quiz item as the form shows it: ``kind`` is ``frequency5`` (``options`` are the five
    scale labels, never first) or ``scenario`` (``options`` are the choices, in order)."""

    code: str
    kind: str
    prompt: str
    options: Sequence[str] = field(default_factory=tuple)
    help: str = ""


class QuizForm(SafeForm):
    """Base of the generated quiz forms. CSRF is checked by the view, which keeps the answers
    when the token has expired."""

    class Meta:
        csrf = False

    item_codes: tuple[str, ...] = ()
    item_kinds: Mapping[str, str] = {}

    department = SelectField(_l("Your department (optional)"), validators=[OptionalChoice()])

    def answers(self) -> dict[str, int]:
        """The validated answers by item code (ints)."""
        return {code: int(self[code].data) for code in self.item_codes}

    def codes_of(self, kind: str) -> list[str]:
        """The item codes of one kind (``frequency5`` or ``scenario``), in form order."""
        return [code for code in self.item_codes if self.item_kinds.get(code) == kind]

    def statements(self) -> list[str]:
        """The codes of the self-rating statements, in form order."""
        return self.codes_of(Frequency5.code)

    def scenarios(self) -> list[str]:
        """The codes of the situations, in form order."""
        return self.codes_of(Scenario.code)

    def layout(self, code: str) -> str:
        """How the item's choices are laid out (``scale`` or ``choices``)."""
        return quiz_field(self.item_kinds[code]).layout

    def number(self, code: str) -> int:
        """The item's number as shown (1-based, in form order)."""
        return self.item_codes.index(code) + 1

    def missing(self) -> list[str]:
        """Codes of the items with an error, in form order."""
        return [code for code in self.item_codes if self[code].errors]


def make_quiz_form(
    items: Iterable[QuizItemSpec],
    department_choices: Sequence[SelectChoice],
    formdata: Any = None,
    data: Mapping[str, Any] | None = None,
) -> QuizForm:
    """A form with one radio group per item and the optional department select.

    ``department_choices`` are (code, label) pairs; an empty first choice ("prefer not to
    say") is added here. ``data`` pre-fills values (e.g. the department of a retake).
    """
    items = list(items)

    class Form(QuizForm):
        pass

    for spec in items:
        setattr(Form, spec.code, quiz_field(spec.kind).field(spec))
    Form.item_codes = tuple(s.code for s in items)
    Form.item_kinds = {s.code: s.kind for s in items}
    form = Form(formdata=formdata, data=dict(data) if data is not None else None)
    form.department.choices = [
        SelectChoice("", _l("I prefer not to say")),
        *department_choices,
    ]
    return form


class QuizItemTextsForm(SafeForm):
    """Wording of one quiz item in the three languages; fields ``prompt_<locale>``,
    ``help_<locale>`` and, for a scenario, ``option_<n>_<locale>``."""

    option_count: int = 0


def make_item_texts_form(option_count: int) -> QuizItemTextsForm:
    """The admin form for an item with ``option_count`` scenario options (0 for a statement),
    bound to the request's form data as Flask-WTF does."""

    class Form(QuizItemTextsForm):
        pass

    for code, language in LANGUAGES:
        setattr(
            Form,
            f"prompt_{code}",
            TextAreaField(
                _l("Item (%(language)s)", language=language),
                validators=[DataRequired(), Length(max=MAX_TEXT)],
            ),
        )
        setattr(
            Form,
            f"help_{code}",
            TextAreaField(
                _l("Help (%(language)s)", language=language),
                validators=[Optional(), Length(max=MAX_TEXT)],
            ),
        )
        for n in range(option_count):
            setattr(
                Form,
                f"option_{n}_{code}",
                TextAreaField(
                    _l("Choice %(n)s (%(language)s)", n=n + 1, language=language),
                    validators=[DataRequired(), Length(max=MAX_TEXT)],
                ),
            )
    Form.option_count = option_count
    return Form()


class QuizInvitationForm(SafeForm):
    departments = MultiCheckboxField(
        _l("Send the invitation to the people of these departments"),
        coerce=str,
        validators=[DataRequired(message=_l("Choose at least one department."))],
    )
