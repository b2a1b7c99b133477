"""Survey forms built from question specs (no database here: the views pass plain specs).

Values: likert5 1..5 and nps 0..10 as integers; yes_no 1 / 0 / None for "don't know"; text as a
stripped string (None when empty); consent True/False.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, Field, RadioField, SelectChoice, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from forms.base import SafeForm

MAX_COMMENT = 5000


@dataclass(frozen=True)
class QuestionSpec:
    """What the form needs to know of one question, already in the respondent's language."""

    code: str
    qtype: str
    prompt: str
    help: str = ""
    labels: Sequence[str] = field(default_factory=tuple)
    required: bool = False


# The stock field's message, translated by the form library's own catalogs (through the
# field's ``gettext``), so kept out of this project's.
_NOT_A_CHOICE = "Not a valid choice."


class ChoiceField(RadioField):
    """A radio group whose choice check is one set lookup: the stock check builds and compares
    every choice of every group on each submit. Same rule: the submitted value must be one of
    the choices' values (a missing answer is left to the field's validators)."""

    def pre_validate(self, form: Any) -> None:
        if self.process_errors or not self.validate_choice:
            return
        if self.data not in {str(choice.value) for choice in self.choices or ()}:
            raise ValidationError(self.invalid_choice_message or self.gettext(_NOT_A_CHOICE))


def _scale(spec: QuestionSpec, low: int, high: int) -> RadioField:
    labels = list(spec.labels)
    choices = []
    for value in range(low, high + 1):
        index = value - low
        label = f"{value}"
        if index < len(labels) and labels[index]:
            label = f"{value} – {labels[index]}"
        choices.append(SelectChoice(str(value), label))
    validators = (
        [InputRequired(message=_l("Please choose an answer."))] if spec.required else [Optional()]
    )
    return ChoiceField(spec.prompt, choices=choices, validators=validators, description=spec.help)


def _field(spec: QuestionSpec) -> Field:
    if spec.qtype == "likert5":
        return _scale(spec, 1, 5)
    if spec.qtype == "nps":
        return _scale(spec, 0, 10)
    if spec.qtype == "yes_no":
        choices = [
            SelectChoice("1", _l("Yes")),
            SelectChoice("0", _l("No")),
            SelectChoice("dk", _l("I don't know")),
        ]
        validators = (
            [InputRequired(message=_l("Please choose an answer."))]
            if spec.required
            else [Optional()]
        )
        return ChoiceField(
            spec.prompt, choices=choices, validators=validators, description=spec.help
        )
    if spec.qtype == "text":
        return TextAreaField(
            spec.prompt,
            validators=[Optional(), Length(max=MAX_COMMENT)],
            description=spec.help,
            render_kw={"maxlength": MAX_COMMENT, "rows": 4},
        )
    if spec.qtype == "consent":
        return BooleanField(spec.prompt, description=spec.help)
    raise ValueError(f"question type {spec.qtype!r} has no survey field")


class SurveyForm(SafeForm):
    """Base of the generated forms. CSRF is checked by the view, which keeps the answers
    when the token has expired."""

    class Meta:
        csrf = False

    question_codes: tuple[str, ...] = ()

    def raw(self) -> dict[str, Any]:
        """The entered values as the form holds them (strings, booleans): for drafts."""
        values = {code: self[code].data for code in self.question_codes}
        if "not_applicable" in self:
            values["not_applicable"] = bool(self["not_applicable"].data)
        return values

    def answers(self) -> dict[str, Any]:
        """The validated answers by question code, in storage form."""
        result: dict[str, Any] = {}
        for code in self.question_codes:
            f = self[code]
            raw = f.data
            if isinstance(f, BooleanField):
                result[code] = 1 if raw else 0
            elif isinstance(f, TextAreaField):
                text = (raw or "").strip()
                result[code] = text or None
            elif raw is None or str(raw).strip() in ("", "None", "dk"):
                # Blank (spaces too: the optional check strips them) or "don't know".
                result[code] = None
            else:
                result[code] = int(raw)
        return result


def make_survey_form(
    specs: Iterable[QuestionSpec],
    formdata: Any = None,
    data: Mapping[str, Any] | None = None,
    with_not_applicable: bool = False,
) -> SurveyForm:
    """A form class with one field per spec, instantiated with ``formdata`` (a POST) or
    ``data`` (raw values to show, as ``SurveyForm.raw`` returns them: a saved draft, or the
    score clicked in the email as ``{"overall": "4"}``).

    ``with_not_applicable`` adds the "I did not deal with them this quarter" box; when it is
    ticked the view does not validate the other fields.
    """
    specs = tuple(specs)
    try:
        form_class = _cached_form_class(specs, with_not_applicable)
    except TypeError:  # specs holding lists cannot be cache keys
        form_class = _form_class(specs, with_not_applicable)
    return form_class(formdata=formdata, data=dict(data) if data is not None else None)


def _form_class(specs: tuple[QuestionSpec, ...], with_not_applicable: bool) -> type[SurveyForm]:
    class Form(SurveyForm):
        pass

    for spec in specs:
        setattr(Form, spec.code, _field(spec))
    if with_not_applicable:
        Form.not_applicable = BooleanField(_l("I did not deal with them this quarter"))
    Form.question_codes = tuple(s.code for s in specs)
    return Form


# Building a form class costs more than filling it in; the specs of one questionnaire in one
# language are the same on every request. Labels that depend on the language at render time
# are lazy strings, so a class serves every request for the same specs.
_cached_form_class = functools.lru_cache(maxsize=128)(_form_class)
