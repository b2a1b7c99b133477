"""The question-type registry agrees with the places that read it: the database accepts
exactly its types, the respondent forms build a field for exactly the types it puts on
them, whose choices stay within the stored range, and the admin page offers its types."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from forms.survey import QuestionSpec, make_survey_form
from survey.models import Question, Questionnaire
from survey.question_types import ADMIN_TYPES, ANSWER_RANGES, FORM_TYPES, QUESTION_TYPES


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
