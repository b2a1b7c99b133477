"""The respondent's forms glue: the live questions of a questionnaire copy as the specs from which
``forms/survey.py`` builds a survey form (``forms/`` imports nothing of ``survey``, so the specs
are made here, outside the service verbs)."""

from __future__ import annotations

from forms.survey import QuestionSpec
from survey.services.live_questionnaires import QuestionCopy


def question_specs(questions: list[QuestionCopy], locale: str) -> list[QuestionSpec]:
    """Form specs in ``locale`` (English where a text is missing)."""
    specs = []
    for q in questions:
        texts = q.texts.get(locale) or q.texts.get("en") or {}
        labels = texts.get("labels") or (q.texts.get("en") or {}).get("labels") or ()
        specs.append(
            QuestionSpec(
                code=q.code,
                qtype=q.qtype,
                prompt=q.text(locale),
                help=q.text(locale, "help"),
                labels=tuple(labels),
                required=q.required,
            )
        )
    return specs
