"""The item bank: every text in English, Italian and French; installed once, idempotently."""

from __future__ import annotations

from sqlalchemy import func, select

from survey.i18n import LOCALES
from survey.models import Question, Questionnaire
from survey.quiz.items import (
    BAND_TEXTS,
    ITEMS,
    PRACTICE_TEXTS,
    QUIZ_NAME,
    install_quiz,
)
from survey.quiz.scoring import BAND_CODES, PRACTICES
from survey.quiz.services import active_quiz, ensure_quiz, item_keys, live_items
from tests.factories import bank_keys, best_answer


def test_every_item_is_written_in_three_languages() -> None:
    for item in ITEMS:
        prompts = [item["texts"][loc]["prompt"] for loc in LOCALES]
        assert all(p.strip() for p in prompts), item["code"]
        assert len(set(prompts)) == 3, item["code"]  # really translated, not copied
        if item["qtype"] == "scenario":
            counts = {len(item["texts"][loc]["options"]) for loc in LOCALES}
            assert counts == {len(item["options"]["ratings"])}, item["code"]
        else:
            assert all(len(item["texts"][loc]["labels"]) == 5 for loc in LOCALES)


def test_every_practice_and_band_has_its_texts_in_three_languages() -> None:
    assert set(PRACTICE_TEXTS) == set(PRACTICES)
    for practice, texts in PRACTICE_TEXTS.items():
        for loc in LOCALES:
            entry = texts[loc]
            assert entry["name"] and entry["summary"] and entry["try"], (practice, loc)
            assert len(entry["tips"]) == 2 and all(entry["tips"]), (practice, loc)
    assert set(BAND_TEXTS) == set(BAND_CODES)
    for band, texts in BAND_TEXTS.items():
        for loc in LOCALES:
            assert texts[loc]["name"] and texts[loc]["description"], (band, loc)


def test_the_best_choice_is_not_always_in_the_same_place() -> None:
    positions = {best_answer(k) for k in bank_keys() if k.kind == "scenario"}
    assert positions == {0, 1, 2}


def test_install_is_idempotent_and_keeps_edits(session) -> None:
    quiz = install_quiz(session)
    quiz.questions[0].texts = {**quiz.questions[0].texts, "en": {"prompt": "Edited"}}
    session.commit()
    again = install_quiz(session)
    session.commit()
    assert again.id == quiz.id
    assert again.questions[0].texts["en"]["prompt"] == "Edited"
    assert session.scalar(select(func.count()).select_from(Questionnaire)) == 1
    assert session.scalar(select(func.count()).select_from(Question)) == len(ITEMS) == 22
    assert quiz.kind == "quiz" and quiz.name == QUIZ_NAME
    assert item_keys(live_items(quiz)) == bank_keys()


def test_ensure_quiz_ignores_an_empty_quiz_questionnaire(session) -> None:
    session.add(Questionnaire(kind="quiz", name="Empty quiz"))
    session.flush()
    quiz = ensure_quiz(session)
    session.commit()
    assert quiz.name == QUIZ_NAME
    assert active_quiz(session).id == quiz.id
    assert ensure_quiz(session).id == quiz.id
