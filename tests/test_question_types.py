"""The question-type registry agrees with the places that read it: the database accepts
exactly its types, the respondent forms build a field for exactly the types it puts on
them (the field classes of ``forms/question_fields.py`` are its form half, one per type, of the
same name), whose choices stay within the stored range, the score metric of each type is what
the store adds, and the admin page offers its types."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from flask_babel import force_locale
from markupsafe import escape
from sqlalchemy.exc import IntegrityError

from forms.question_fields import QUESTION_FIELDS, QUIZ_FIELDS
from forms.survey import QuestionSpec, make_survey_form
from survey.models import Question, Questionnaire
from survey.question_types import (
    ADMIN_TYPES,
    FORM_TYPES,
    QUESTION_TYPES,
    QuestionType,
)


def test_every_form_type_has_one_field_class_of_its_name_and_no_other_type_has_one() -> None:
    assert set(QUESTION_FIELDS) == set(FORM_TYPES)
    for code in FORM_TYPES:
        assert QUESTION_FIELDS[code].__name__ == QUESTION_TYPES[code].__name__, code


def test_every_quiz_type_has_one_quiz_field_class_of_its_name() -> None:
    quiz_types = {code for code, qtype in QUESTION_TYPES.items() if qtype.quiz_item}
    assert set(QUIZ_FIELDS) == quiz_types == {"frequency5", "scenario"}
    for code in quiz_types:
        assert QUIZ_FIELDS[code].__name__ == QUESTION_TYPES[code].__name__, code


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
                low, high = QUESTION_TYPES[code].answer_range
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


def test_the_questionnaire_page_names_every_type_in_words_never_by_its_code(
    app, admin_client, session
) -> None:
    """A question of each registered type (consent and the quiz's included, which an
    administrator cannot add) is listed with its type in words, in each language."""
    from survey.services.questionnaires import install_default_questionnaires

    questionnaire = install_default_questionnaires(session)["quarterly"]
    start = len(questionnaire.questions)
    for i, code in enumerate(QUESTION_TYPES):
        questionnaire.questions.append(
            Question(
                code=f"typed_{code}",
                position=start + i,
                qtype=code,
                texts={"en": {"prompt": f"Question {i}"}},
            )
        )
    session.commit()
    url = f"/admin/questionnaires/{questionnaire.id}"
    for lang in ("en", "it", "fr"):
        page = admin_client.get(f"{url}?lang={lang}").get_data(as_text=True)
        for code, kind in QUESTION_TYPES.items():
            with app.test_request_context(), force_locale(lang):
                words = str(kind.admin_label)
            assert f"<td>{escape(words)}</td>" in page, (lang, code)
            assert f"<td>{code}</td>" not in page, (lang, code)
        if lang != "en":
            assert "<td>Consent to be contacted</td>" not in page  # translated


# --- no module outside the registry compares a question type with a written-out code ---

ROOT = Path(__file__).resolve().parent.parent
REGISTRY = {Path("survey/question_types.py"), Path("forms/question_fields.py")}
SOURCES = ("survey", "forms", "analysis", "bench")
# A type compared with a quoted code in a template: ``q.qtype == 'text'``, ``'text' != qtype``,
# ``qtype in ('a', 'b')``, or anything compared with a registered code (``item.kind ==
# 'scenario'``, ``kind in ('nps', ...)``).
_CODES = "|".join(re.escape(code) for code in QUESTION_TYPES)
TEMPLATE_COMPARISON = re.compile(
    r"""qtype\s*(==|!=)\s*['"]|['"]\s*(==|!=)\s*[\w.]*qtype\b|qtype\s+(not\s+)?in\s*[(\[]\s*['"]"""
    rf"""|(==|!=|\bin)\s*[(\[]?\s*['"]({_CODES})['"]|['"]({_CODES})['"]\s*(==|!=)"""
)


def _names_qtype(node: ast.AST) -> bool:
    """Whether an expression is a question's type: ``q.qtype``, ``qtype``, ``item["qtype"]``,
    ``form.qtype.data``."""
    while True:
        if isinstance(node, ast.Name):
            return node.id == "qtype"
        if isinstance(node, ast.Attribute):
            if node.attr == "qtype":
                return True
            node = node.value
        elif isinstance(node, ast.Subscript):
            key = node.slice
            if isinstance(key, ast.Constant) and key.value == "qtype":
                return True
            node = node.value
        else:
            return False


def _written_code(node: ast.AST, codes: object = None) -> bool:
    """A quoted string (one of ``codes`` when given), or a tuple, list or set holding one."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and (codes is None or node.value in codes)
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return any(_written_code(e, codes) for e in node.elts)
    return False


def _registered_code(node: ast.AST) -> bool:
    return _written_code(node, QUESTION_TYPES)


def written_type_comparisons(source: str, name: str) -> list[str]:
    """``name:line`` of every comparison of a question type with a quoted string, or of
    anything with a quoted registered code (a quiz item's ``kind``): ``==``, ``!=``, ``in``,
    ``not in`` either way round, and SQL's ``qtype.in_("a", ...)`` / ``notin_``."""
    found = []
    for node in ast.walk(ast.parse(source, filename=name)):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            if any(map(_registered_code, operands)) or (
                any(map(_names_qtype, operands)) and any(map(_written_code, operands))
            ):
                found.append(f"{name}:{node.lineno}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"in_", "not_in", "notin_"}
            and _names_qtype(node.func.value)
            and any(map(_written_code, node.args))
        ):
            found.append(f"{name}:{node.lineno}")
    return found


def test_no_module_outside_the_registry_compares_a_type_with_a_written_code() -> None:
    """Adding a type means adding its class (and its field class), nothing else: the rest asks
    the registry (``FREE_TEXT``, ``Likert5.code`` ...). Data that names a type to store it
    (the default questionnaires, the quiz items) is not a comparison and stays."""
    offenders = []
    for top in SOURCES:
        for path in sorted((ROOT / top).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if relative not in REGISTRY:
                offenders += written_type_comparisons(path.read_text("utf-8"), str(relative))
    for path in sorted((ROOT / "templates").rglob("*")):
        if path.is_file():
            for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
                if TEMPLATE_COMPARISON.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert offenders == []


@pytest.mark.parametrize(
    "line",
    [
        'if question.qtype == "text": pass',
        'ok = "scenario" != q.qtype',
        'ok = spec.qtype in ("likert5", "nps")',
        'ok = item["qtype"] not in ["text"]',
        'ok = form.qtype.data == "likert5"',
        'where(Question.qtype == "likert5")',
        'where(Question.qtype.in_(("text", "choice")))',
        'where(question.qtype.not_in(["consent"]))',
        'if spec.kind == "frequency5": pass',
        'ok = kind in ("nps", "other")',
    ],
)
def test_the_detector_catches_a_written_code(line: str) -> None:
    assert written_type_comparisons(line, "m.py") == ["m.py:1"]


@pytest.mark.parametrize(
    "line",
    [
        "ok = question.qtype in FREE_TEXT",
        "where(Question.qtype == Likert5.code)",
        'ok = question.kind == "quiz"',
        'item = {"qtype": "likert5"}',
        'where(Question.qtype.in_(sorted(FREE_TEXT)), Question.code == "overall")',
    ],
)
def test_the_detector_lets_the_registry_be_asked(line: str) -> None:
    assert written_type_comparisons(line, "m.py") == []


def test_the_template_detector() -> None:
    assert TEMPLATE_COMPARISON.search("{% if q.qtype == 'scenario' %}")
    assert TEMPLATE_COMPARISON.search('{% if "text" != question.qtype %}')
    assert TEMPLATE_COMPARISON.search("{% if q.qtype in ('text', 'nps') %}")
    assert TEMPLATE_COMPARISON.search("{% if item.kind == 'scenario' %}")
    assert TEMPLATE_COMPARISON.search("{{ 'scale' if kind == 'frequency5' else 'choices' }}")
    assert not TEMPLATE_COMPARISON.search("{% if o.rating == 'best' %}")
    assert not TEMPLATE_COMPARISON.search("{% if q.qtype == scenario %}")
    assert not TEMPLATE_COMPARISON.search("{{ question_type(q.qtype) }}")


def test_the_store_adds_what_each_type_says() -> None:
    """The store's score metrics (``survey/respond/services/responses.py``, which reads the
    derived names) equal each type's ``metric``, for every answer in its stored range."""
    from types import SimpleNamespace

    from survey.respond.services.responses import ResponseInput, _metrics

    for code, qtype in QUESTION_TYPES.items():
        if qtype.free_text:
            values: list[object] = ["A comment", ""]
        elif qtype.answer_range:
            low, high = qtype.answer_range
            values = [*range(low, high + 1), None]
        else:
            continue
        for value in values:
            item = ResponseInput("quarterly", 1, 2, "2026Q1", "2026-W01", {"q": value})
            added = _metrics(item, {"q": SimpleNamespace(qtype=code)}).get("q.q")
            assert added == qtype.metric(value), (code, value)


def test_blank_or_dont_know_is_no_answer_and_the_rest_is_stored() -> None:
    fields = QUESTION_FIELDS
    for code in ("likert5", "nps", "yes_no"):
        for raw in (None, "", "  ", "\t", "None", "dk"):
            assert fields[code].stored(raw) is None, (code, raw)
    assert fields["likert5"].stored("4") == 4 and fields["yes_no"].stored("0") == 0
    assert fields["text"].stored("  Slow replies \n") == "Slow replies"
    assert fields["text"].stored("   ") is None
    assert fields["consent"].stored(True) == 1 and fields["consent"].stored(False) == 0
