"""The question types, one entry each: how an answer is stored, whether it is a field of the
respondent forms, how it feeds the scores, and what an administrator reads for it.

Everything that asks "what kind of question is this?" reads ``QUESTION_TYPES`` (the database's
check constraint, the respondent forms' list of types, the store's range checks and score
metrics, the admin page's choice of types). The widget of each respondent form field is
built in ``forms/survey.py`` from the same codes (``forms/`` cannot import ``survey``).
No imports from the rest of ``survey``: models, services and views all read this module.
"""

from __future__ import annotations

from dataclasses import dataclass


def _l(text: str) -> str:
    """Marks an admin label for the message catalogs; it is translated when shown."""
    return text


@dataclass(frozen=True)
class QuestionType:
    """One type of question.

    ``answer_range``: the stored integer answers, inclusive (None: free text, or answers
    scored elsewhere, such as the quiz's). ``on_survey_form``: a field of the respondent
    forms. ``free_text``: stored as text, counted (never averaged) in the score cells.
    ``scored``: its answers become score metrics (consent does not). ``admin_label``: the type
    in words when an administrator adds a question (None: not offered there).
    """

    code: str
    answer_range: tuple[int, int] | None = None
    on_survey_form: bool = False
    free_text: bool = False
    scored: bool = True
    admin_label: str | None = None


QUESTION_TYPES: dict[str, QuestionType] = {
    t.code: t
    for t in (
        QuestionType("likert5", (1, 5), True, admin_label=_l("Scale 1 to 5")),
        QuestionType("nps", (0, 10), True, admin_label=_l("Scale 0 to 10")),
        # 1 yes, 0 no, no answer for "don't know"
        QuestionType("yes_no", (0, 1), True, admin_label=_l("Yes / no / don't know")),
        QuestionType("choice"),  # an index into the question's options
        QuestionType("text", None, True, free_text=True, admin_label=_l("Free text")),
        # 1 = may be contacted about the comment: stored, never a score
        QuestionType("consent", (0, 1), True, scored=False),
        QuestionType("frequency5"),  # quiz self-rating 1 never .. 5 always (quiz_scoring)
        QuestionType("scenario"),  # quiz situation: options carry best/acceptable/poor
    )
}

CODES = tuple(QUESTION_TYPES)
FORM_TYPES = tuple(c for c, t in QUESTION_TYPES.items() if t.on_survey_form)
ADMIN_TYPES = tuple(c for c, t in QUESTION_TYPES.items() if t.admin_label is not None)
ANSWER_RANGES = {c: t.answer_range for c, t in QUESTION_TYPES.items() if t.answer_range}
FREE_TEXT = frozenset(c for c, t in QUESTION_TYPES.items() if t.free_text)
NOT_SCORED = frozenset(c for c, t in QUESTION_TYPES.items() if not t.scored)
