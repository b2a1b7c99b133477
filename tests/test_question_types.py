"""The question-type registry agrees with the places that read it: the database accepts
exactly its types, the respondent forms build a field for exactly the types it puts on
them (the field classes of ``forms/question_fields.py`` are its form half, one per type, of the
same name), whose choices stay within the stored range, the score metric of each type is what
the store adds, and the admin page offers its types."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from forms.question_fields import QUESTION_FIELDS
from forms.survey import QuestionSpec, make_survey_form
from survey.models import Question, Questionnaire
from survey.question_types import (
    ADMIN_TYPES,
    ANSWER_RANGES,
    FORM_TYPES,
    QUESTION_TYPES,
    QuestionType,
)


def test_every_form_type_has_one_field_class_of_its_name_and_no_other_type_has_one() -> None:
    assert set(QUESTION_FIELDS) == set(FORM_TYPES)
    for code in FORM_TYPES:
        assert QUESTION_FIELDS[code].__name__ == QUESTION_TYPES[code].__name__, code


def test_adding_a_type_is_one_class_that_registers_itself() -> None:
    class Slider(QuestionType):
        code = "slider_test"
        answer_range = (0, 100)

    try:
        assert QUESTION_TYPES["slider_test"] is Slider
        with pytest.raises(ValueError, match="registered twice"):
            type("Again", (QuestionType,), {"code": "slider_test"})
    finally:
        del QUESTION_TYPES["slider_test"]
    assert "slider_test" not in QUESTION_TYPES


def test_the_score_metric_of_each_type() -> None:
    """Scales add their integer answer, a comment adds 1, consent and no answer add nothing."""
    metric = {code: t.metric for code, t in QUESTION_TYPES.items()}
    assert metric["likert5"]("4") == 4.0 and metric["nps"](0) == 0.0
    assert metric["yes_no"](1) == 1.0 and metric["yes_no"](None) is None
    assert metric["text"]("Slow replies") == 1.0 and metric["text"]("") is None
    assert metric["consent"](1) is None


def test_the_forms_build_exactly_the_form_types(app) -> None:
    with app.test_request_context():
        for code in QUESTION_TYPES:
            spec = QuestionSpec(code="q", qtype=code, prompt="Prompt")
            if code not in FORM_TYPES:
                with pytest.raises(ValueError):
                    make_survey_form([spec])
                continue
            field = make_survey_form([spec])["q"]
            values = {str(c.value) for c in getattr(field, "choices", None) or ()} - {"dk"}
            if values:  # a choice of answers: exactly the stored range
                low, high = ANSWER_RANGES[code]
                assert values == {str(v) for v in range(low, high + 1)}, code


def test_the_database_accepts_exactly_the_registered_types(session) -> None:
    questionnaire = Questionnaire(kind="quarterly", name="Registry check")
    session.add(questionnaire)
    session.flush()
    for n, code in enumerate(QUESTION_TYPES):
        session.add(Question(questionnaire_id=questionnaire.id, code=f"q{n}", qtype=code))
    session.flush()
    session.add(Question(questionnaire_id=questionnaire.id, code="bad", qtype="slider"))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_the_admin_page_offers_the_admin_types_in_words(admin_client, session) -> None:
    from survey.services.questionnaires import install_default_questionnaires

    questionnaire = install_default_questionnaires(session)["quarterly"]
    session.commit()
    page = admin_client.get(f"/admin/questionnaires/{questionnaire.id}").get_data(as_text=True)
    for code in ADMIN_TYPES:
        assert f'value="{code}"' in page
    assert 'value="consent"' not in page and "Scale 1 to 5" in page
