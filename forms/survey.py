"""Survey forms built from question specs (no database here: the views pass plain specs), and
``plain_answers``, which reads a submit whose every value the form would take as it is without
building the form (a browser's ordinary submit); anything else is left to the form.

Each question's field, and how its entered value becomes the stored one, is the field class of
its type in ``forms/question_fields.py`` (likert5 1..5 and nps 0..10 as integers; yes_no 1 / 0 /
None for "don't know"; text as a stripped string, None when empty; consent 1 / 0).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField

from forms.base import SafeForm
from forms.question_fields import UNSURE, QuestionField, question_field


@dataclass(frozen=True)
class QuestionSpec:
    """What the form needs to know of one question, already in the respondent's language."""

    code: str
    qtype: str
    prompt: str
    help: str = ""
    labels: Sequence[str] = field(default_factory=tuple)
    required: bool = False


class SurveyForm(SafeForm):
    """Base of the generated forms. CSRF is checked by the view, which keeps the answers
    when the token has expired."""

    class Meta:
        csrf = False

    question_codes: tuple[str, ...] = ()
    question_fields: Mapping[str, type[QuestionField]] = {}  # by question code

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
            result[code] = self.question_fields[code].stored(self[code].data)
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
    form_class = _form_class_of(tuple(specs), with_not_applicable)
    return form_class(formdata=formdata, data=dict(data) if data is not None else None)


def plain_answers(specs: Iterable[QuestionSpec], formdata: Any) -> dict[str, Any] | None:
    """The answers of a submit in storage form, read without building the form, when every
    question's submitted values (``formdata``, a multi-value mapping: a POST) are ones its field
    takes as they are (``QuestionField.plain``): what ``make_survey_form(specs,
    formdata).answers()`` gives after a successful ``validate()``. None as soon as one is not:
    the caller then builds the form, which decides and words its messages.

    Only the fields of ``specs`` are read (no "did not deal with them" box)."""
    specs = tuple(specs)
    fields = _form_class_of(specs, False).question_fields
    answers: dict[str, Any] = {}
    for spec in specs:
        value = fields[spec.code].plain(formdata.getlist(spec.code), spec)
        if value is UNSURE:
            return None
        answers[spec.code] = value
    return answers


def _form_class_of(specs: tuple[QuestionSpec, ...], with_not_applicable: bool) -> type[SurveyForm]:
    try:
        return _cached_form_class(specs, with_not_applicable)
    except TypeError:  # specs holding lists cannot be cache keys
        return _form_class(specs, with_not_applicable)


def _form_class(specs: tuple[QuestionSpec, ...], with_not_applicable: bool) -> type[SurveyForm]:
    class Form(SurveyForm):
        pass

    for spec in specs:
        setattr(Form, spec.code, question_field(spec.qtype).field(spec))
    if with_not_applicable:
        Form.not_applicable = BooleanField(_l("I did not deal with them this quarter"))
    Form.question_codes = tuple(s.code for s in specs)
    Form.question_fields = {s.code: question_field(s.qtype) for s in specs}
    return Form


# Building a form class costs more than filling it in; the specs of one questionnaire in one
# language are the same on every request. Labels that depend on the language at render time
# are lazy strings, so a class serves every request for the same specs.
_cached_form_class = functools.lru_cache(maxsize=128)(_form_class)
