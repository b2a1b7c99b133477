"""The question-type registry: one class per type of question, holding how its answer is
stored, how it is scored and what an administrator reads for it.

Everything that asks "what kind of question is this?" reads this registry (the database's
check constraint, the respondent forms' list of types, the store's range checks and score
metrics, the scorecards' comment and dimension reads, the quiz, the admin page's choice of
types); no module outside it compares a question's type with a written-out code
(``tests/test_question_types.py`` walks the source and the templates to keep it so).

Where the form field lives: each type's respondent form field (which WTForms field, its
choices, how the entered value becomes the stored one) is the class of the same name in
``forms/question_fields.py``, keyed by the same ``code``. The layers decide the split:
``forms/`` imports nothing of ``survey`` and no service imports ``forms/``, while this module
is read by the models and the services (the store, the scorecards), so it cannot hold
WTForms fields, and the form classes cannot read it. The respondent's forms glue
(``survey/respond/form_specs.py``) joins the two halves by code, and
``tests/test_question_types.py`` proves they cover the same set: every type with
``on_survey_form`` has exactly one field class of its name, whose choices are its stored range.

Adding a type: one subclass of ``QuestionType`` here (it registers itself) and, when it is a
field of the respondent forms, its field class in ``forms/question_fields.py``; then a
migration, as the database constraint lists the codes. No imports from the rest of ``survey``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l

QUESTION_TYPES: dict[str, type[QuestionType]] = {}
"""Every question type by its stored code, in the order the classes are written."""


class QuestionType:
    """One type of question; subclasses set the class attributes and register themselves.

    ``code``: what ``Question.qtype`` stores (at most 12 characters).
    ``answer_range``: the stored integer answers, inclusive (None: free text, or answers
    scored elsewhere, such as the quiz's). ``free_text``: stored as text in ``Answer.text``,
    counted (never averaged) in the score cells. ``scored``: its answers become score metrics
    (consent does not). ``on_survey_form``: a field of the respondent forms (its field class in
    ``forms/question_fields.py``). ``quiz_item``: an item of the self-assessment quiz, scored
    by ``survey/quiz/scoring.py``. ``admin_label``: the type in words (lazy, translated when
    shown), on every page that lists questions. ``offered``: an administrator may add a
    question of this type to a survey (consent and the quiz's types are added by the app).
    ``worded_scale``: its points carry words in each language (``texts[locale]["labels"]``,
    lowest first), which the respondent reads beside the numbers and an administrator edits.
    """

    code: ClassVar[str]
    answer_range: ClassVar[tuple[int, int] | None] = None
    free_text: ClassVar[bool] = False
    scored: ClassVar[bool] = True
    on_survey_form: ClassVar[bool] = False
    quiz_item: ClassVar[bool] = False
    admin_label: ClassVar[Any]  # a lazy string
    offered: ClassVar[bool] = False
    worded_scale: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.code in QUESTION_TYPES:
            raise ValueError(f"question type {cls.code!r} is registered twice")
        QUESTION_TYPES[cls.code] = cls

    @classmethod
    def metric(cls, value: Any) -> float | None:
        """What one stored answer adds to the question's score metric: 1 for a written
        comment, the integer answer for a scored type, None when the type is not scored or
        there is no answer (None or empty)."""
        if value is None or value == "":
            return None
        if cls.free_text:
            return 1.0
        if not cls.scored:
            return None
        return float(int(value))

    @classmethod
    def points(cls) -> int:
        """How many points its scale has (0 without a range of stored answers)."""
        if cls.answer_range is None:
            return 0
        low, high = cls.answer_range
        return high - low + 1


class Likert5(QuestionType):
    """Agreement or satisfaction on 1 to 5."""

    code = "likert5"
    answer_range = (1, 5)
    on_survey_form = True
    admin_label = _l("Scale 1 to 5")
    offered = True
    worded_scale = True


class Nps(QuestionType):
    """Likelihood to recommend on 0 to 10."""

    code = "nps"
    answer_range = (0, 10)
    on_survey_form = True
    admin_label = _l("Scale 0 to 10")
    offered = True
    worded_scale = True


class YesNo(QuestionType):
    """1 yes, 0 no, no answer for "don't know"."""

    code = "yes_no"
    answer_range = (0, 1)
    on_survey_form = True
    admin_label = _l("Yes / no / don't know")
    offered = True


class Choice(QuestionType):
    """An index into the question's options."""

    code = "choice"
    admin_label = _l("One of its options")


class Text(QuestionType):
    """A written comment: stored as text, counted in the score cells (the comment gate)."""

    code = "text"
    free_text = True
    on_survey_form = True
    admin_label = _l("Free text")
    offered = True


class Consent(QuestionType):
    """1 = may be contacted about the comment: stored, never a score."""

    code = "consent"
    answer_range = (0, 1)
    scored = False
    on_survey_form = True
    admin_label = _l("Consent to be contacted")


class Frequency5(QuestionType):
    """Quiz self-rating 1 never .. 5 always (``survey/quiz/scoring.py``)."""

    code = "frequency5"
    quiz_item = True
    admin_label = _l("Quiz statement, never to always")


class Scenario(QuestionType):
    """Quiz situation: its options carry best / acceptable / poor."""

    code = "scenario"
    quiz_item = True
    admin_label = _l("Quiz situation")


CODES = tuple(QUESTION_TYPES)
FORM_TYPES = tuple(c for c, t in QUESTION_TYPES.items() if t.on_survey_form)
ADMIN_TYPES = tuple(c for c, t in QUESTION_TYPES.items() if t.offered)
FREE_TEXT = frozenset(c for c, t in QUESTION_TYPES.items() if t.free_text)
