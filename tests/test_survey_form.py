"""The survey form's choice check: a submitted value must be one of the question's choices."""

from __future__ import annotations

from flask import Flask
from werkzeug.datastructures import MultiDict

from forms.survey import QuestionSpec, make_survey_form

SPECS = (
    QuestionSpec(code="overall", qtype="likert5", prompt="Overall?", required=True),
    QuestionSpec(code="recommend", qtype="nps", prompt="Recommend?"),
    QuestionSpec(code="on_time", qtype="yes_no", prompt="On time?"),
)


def _form(app: Flask, **values: str):  # type: ignore[no-untyped-def]
    with app.test_request_context(method="POST"):
        form = make_survey_form(SPECS, formdata=MultiDict(values))
        valid = form.validate()
        return valid, {code: list(form[code].errors) for code in form.question_codes}, form


def test_choices_on_every_scale_are_accepted(app: Flask) -> None:
    for overall, recommend, on_time in (("1", "0", "1"), ("5", "10", "0"), ("3", "7", "dk")):
        valid, errors, form = _form(app, overall=overall, recommend=recommend, on_time=on_time)
        assert valid, errors
        assert form.answers()["overall"] == int(overall)


def test_values_outside_the_choices_are_refused_with_the_field_named(app: Flask) -> None:
    for field, value in (("overall", "6"), ("overall", "0"), ("recommend", "11"), ("on_time", "2")):
        values = {"overall": "4", field: value}
        valid, errors, _ = _form(app, **values)
        assert not valid
        assert errors[field] == ["Not a valid choice."], (field, value, errors)
        assert all(not e for code, e in errors.items() if code != field)


def test_a_missing_answer_is_left_to_required_and_optional(app: Flask) -> None:
    valid, errors, form = _form(app, overall="2")
    assert valid, errors
    assert form.answers()["recommend"] is None
    valid, errors, _ = _form(app, recommend="9")
    assert not valid
    assert errors["overall"] == ["Please choose an answer."]
    assert errors["recommend"] == []
