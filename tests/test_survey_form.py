"""The survey form's choice check (a submitted value must be one of the question's choices),
and the submit read without building the form."""

from __future__ import annotations

from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from forms.question_fields import MAX_COMMENT, QUESTION_FIELDS, question_field
from forms.survey import QuestionSpec, make_survey_form, plain_answers

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


# ``plain_answers`` reads a submit without building the form. The attack on it: a submitted value
# it takes that the form would refuse, or would store differently. Every kind of value a client
# can send goes through both, and whatever ``plain_answers`` takes must be what the validated
# form gives. The second test holds the other side: a browser's ordinary submit is read plainly
# (otherwise the shortcut would quietly never be taken).

_ODD_VALUES = (
    "",
    " ",
    " 3",
    "3 ",
    "dk",
    "None",
    "false",
    "y",
    "on",
    "0",
    "6",
    "11",
    "-1",
    "1.0",
    "\x00",
    "4\x00",
    "a" * MAX_COMMENT,
    "a" * (MAX_COMMENT + 1),
    " " * (MAX_COMMENT + 1),
)


def _choices(qtype: str) -> tuple[str, ...]:
    field = question_field(qtype)
    return field.values() if hasattr(field, "values") else ()


@st.composite
def _submits(draw: st.DrawFn, ordinary: bool) -> tuple[tuple[QuestionSpec, ...], MultiDict]:
    types = draw(st.lists(st.sampled_from(sorted(QUESTION_FIELDS)), min_size=1, max_size=4))
    specs, sent = [], MultiDict()
    for index, qtype in enumerate(types):
        spec = QuestionSpec(
            code=f"q{index}", qtype=qtype, prompt=f"Q{index}?", required=draw(st.booleans())
        )
        specs.append(spec)
        if ordinary or draw(st.booleans()):  # odd submits mix in ordinary answers
            values = _ordinary_values(draw, spec)
        else:
            pool = st.sampled_from(_choices(qtype) + _ODD_VALUES) | st.text(max_size=8)
            values = draw(st.lists(pool, max_size=2))
        for value in values:
            sent.add(spec.code, value)
    sent.add("unrelated", draw(st.text(max_size=4)))
    return tuple(specs), sent


def _ordinary_values(draw: st.DrawFn, spec: QuestionSpec) -> list[str]:
    """What a browser sends for a question answered or left out through the page."""
    choices = _choices(spec.qtype)
    if choices:
        picked = draw(
            st.sampled_from(choices) if spec.required else st.sampled_from(choices) | st.none()
        )
        return [] if picked is None else [picked]
    if spec.qtype == "consent":
        return draw(st.sampled_from([[], ["y"]]))
    text = draw(st.text(st.characters(blacklist_characters="\x00"), max_size=40))
    return [text]


def _compare(specs: tuple[QuestionSpec, ...], sent: MultiDict) -> dict[str, object] | None:
    """``plain_answers`` of a submit, after checking it against the form's own verdict."""
    plain = plain_answers(specs, sent)
    form = make_survey_form(specs, formdata=sent)
    valid = form.validate()
    if plain is not None:
        assert valid, (sent, {code: form[code].errors for code in form.question_codes})
        assert plain == form.answers(), sent
    return plain


def test_every_kind_of_value_of_every_type_alone(app: Flask) -> None:
    taken = 0
    for qtype in sorted(QUESTION_FIELDS):
        for required in (False, True):
            spec = QuestionSpec(code="q", qtype=qtype, prompt="Q?", required=required)
            for values in ([], *([v] for v in _choices(qtype) + _ODD_VALUES), ["1", "2"]):
                with app.test_request_context(method="POST"):
                    taken += _compare((spec,), MultiDict([("q", v) for v in values])) is not None
    assert taken > 0


_SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.function_scoped_fixture]}


@settings(max_examples=300, **_SETTINGS)
@given(submit=_submits(ordinary=False))
def test_what_is_read_without_the_form_is_what_the_form_accepts(app: Flask, submit) -> None:  # type: ignore[no-untyped-def]
    specs, sent = submit
    with app.test_request_context(method="POST"):
        _compare(specs, sent)


@settings(max_examples=200, **_SETTINGS)
@given(submit=_submits(ordinary=True))
def test_a_browsers_submit_is_read_without_the_form(app: Flask, submit) -> None:  # type: ignore[no-untyped-def]
    specs, sent = submit
    with app.test_request_context(method="POST"):
        plain = plain_answers(specs, sent)
        form = make_survey_form(specs, formdata=sent)
        assert form.validate()
        assert plain == form.answers()
