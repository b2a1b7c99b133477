"""Scoring checked against attempts computed by hand (docs/quiz.md has the rules).

Version 1: statements 0..4 points (reverse-scored: 5 − x), scenarios 2/1/0; items as a percentage
of their maximum; practice = mean of its items; overall P = mean of the 11 practices;
IQ-style = 100 + 15·(P − 62.5)/12.5 = 25 + 1.2·P, rounded half up, within [55, 145];
bands from 55 / 85 / 100 / 115 / 130.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from survey.quiz.scoring import (
    PRACTICES,
    SCORING_VERSION,
    ItemKey,
    ScoringError,
    rule_for,
    score_attempt,
)
from tests.factories import bank_keys, best_answer
from tests.quiz.conftest import best, rated, worst

KEYS = bank_keys()
BY_CODE = {k.code: k for k in KEYS}
REVERSED = {"self_courtesy", "self_whole_interaction", "self_lateral", "self_proactivity"}


def test_the_bank_has_22_items_one_statement_and_one_scenario_per_practice() -> None:
    assert len(KEYS) == 22
    for practice in PRACTICES:
        kinds = sorted(k.kind for k in KEYS if k.practice == practice)
        assert kinds == ["frequency5", "scenario"], practice
    assert {k.code for k in KEYS if k.reverse} == REVERSED
    for key in KEYS:
        if key.kind == "scenario":
            assert sorted(key.ratings) == ["acceptable", "best", "poor"], key.code


def test_all_best_answers() -> None:
    result = score_attempt(KEYS, best(KEYS))
    assert result.raw_points == result.max_points == 11 * 4 + 11 * 2 == 66
    assert all(v == 100 for v in result.practices.values())
    assert result.overall == 100
    assert result.iq == 145  # 25 + 1.2 · 100
    assert result.band == "champion"
    assert result.strengths == ("standards", "responsiveness", "anticipation")  # ties: order
    assert result.weakest == ()  # nothing below 100 to work on
    assert result.version == SCORING_VERSION == "1"


def test_all_worst_answers() -> None:
    result = score_attempt(KEYS, worst(KEYS))
    assert result.raw_points == 0
    assert all(v == 0 for v in result.practices.values())
    assert result.overall == 0
    assert result.iq == 55  # 25 + 0 = 25, kept at the floor
    assert result.band == "starter"
    assert result.strengths == ()
    assert result.weakest == ("standards", "responsiveness")  # all tied at 0: practice order


def test_mixed_attempt_computed_by_hand() -> None:
    frequency = {
        "self_standards": 4,  # 3/4 = 75
        "self_responsiveness": 2,  # 1/4 = 25
        "self_anticipation": 3,  # 50
        "self_courtesy": 2,  # reverse: 5 − 2 = 3 → 75
        "self_whole_interaction": 4,  # reverse: 1 → 25
        "self_clarity": 5,  # 100
        "self_customer_goals": 1,  # 0
        "self_lateral": 1,  # reverse: 4 → 100
        "self_recognition": 4,  # 75
        "self_accountability": 3,  # 50
        "self_proactivity": 3,  # reverse: 2 → 50
    }
    scenarios = {
        "case_standards": "best",  # 100
        "case_responsiveness": "poor",  # 0
        "case_anticipation": "acceptable",  # 50
        "case_courtesy": "best",  # 100
        "case_whole_interaction": "acceptable",  # 50
        "case_clarity": "best",  # 100
        "case_customer_goals": "poor",  # 0
        "case_lateral": "best",  # 100
        "case_recognition": "acceptable",  # 50
        "case_accountability": "best",  # 100
        "case_proactivity": "poor",  # 0
    }
    answers = dict(frequency)
    answers.update({code: rated(BY_CODE[code], r) for code, r in scenarios.items()})
    result = score_attempt(KEYS, answers)

    assert result.raw_points == (3 + 1 + 2 + 3 + 1 + 4 + 0 + 4 + 3 + 2 + 2) + (
        2 + 0 + 1 + 2 + 1 + 2 + 0 + 2 + 1 + 2 + 0
    )
    assert result.raw_points == 38
    assert result.practices == {
        "standards": 87.5,
        "responsiveness": 12.5,
        "anticipation": 50.0,
        "courtesy": 87.5,
        "whole_interaction": 37.5,
        "clarity": 100.0,
        "customer_goals": 0.0,
        "lateral": 100.0,
        "recognition": 62.5,
        "accountability": 75.0,
        "proactivity": 25.0,
    }
    assert result.overall == pytest.approx(637.5 / 11)  # 57.95
    assert result.iq == 95  # 25 + 1.2 · 57.95 = 94.55 → 95
    assert result.band == "developing"
    assert result.strengths == ("clarity", "lateral", "standards")
    assert result.weakest == ("customer_goals", "responsiveness")
    assert result.items["self_courtesy"] == 75.0
    assert result.items["case_anticipation"] == 50.0


def test_agreeing_with_everything_does_not_give_the_top_score() -> None:
    """ "Always" to every statement: the four reverse-scored statements give 0 points."""
    answers = {k.code: 5 if k.kind == "frequency5" else best_answer(k) for k in KEYS}
    result = score_attempt(KEYS, answers)
    for code in REVERSED:
        assert result.items[code] == 0
    for practice in ("courtesy", "whole_interaction", "lateral", "proactivity"):
        assert result.practices[practice] == 50  # (0 + 100) / 2
    assert result.overall == pytest.approx(900 / 11)  # (7·100 + 4·50) / 11
    assert result.iq == 123  # 25 + 1.2 · 81.82 = 123.18
    assert result.band == "trusted"
    assert result.weakest == ("courtesy", "whole_interaction")
    assert result.raw_points == 66 - 4 * 4


def test_reverse_scored_item_counts_the_other_way_round() -> None:
    plain = ItemKey("a", "standards", "frequency5")
    reverse = ItemKey("b", "standards", "frequency5", reverse=True)
    assert [plain.points(x) for x in range(1, 6)] == [0, 1, 2, 3, 4]
    assert [reverse.points(x) for x in range(1, 6)] == [4, 3, 2, 1, 0]
    result = score_attempt([plain, reverse], {"a": 5, "b": 5})
    assert result.practices == {"standards": 50.0}


def test_middle_answers_land_on_the_developing_boundary() -> None:
    """ "Sometimes" everywhere and every acceptable choice: 50 on every item, P = 50,
    IQ 25 + 60 = 85, the lowest score of "developing"."""
    answers = {k.code: 3 if k.kind == "frequency5" else rated(k, "acceptable") for k in KEYS}
    result = score_attempt(KEYS, answers)
    assert result.overall == 50
    assert result.iq == 85
    assert result.band == "developing"


def test_practices_weigh_the_same_whatever_their_number_of_items() -> None:
    keys = [
        ItemKey("s1", "standards", "frequency5"),
        ItemKey("s2", "standards", "frequency5"),
        ItemKey("s3", "standards", "frequency5"),
        ItemKey("c1", "courtesy", "scenario", ratings=("best", "poor")),
    ]
    result = score_attempt(keys, {"s1": 5, "s2": 5, "s3": 5, "c1": 1})
    assert result.practices == {"standards": 100.0, "courtesy": 0.0}
    assert result.overall == 50  # not 75 (the mean of the four items)


def test_iq_mapping_bands_and_rounding() -> None:
    rule = rule_for("1")
    assert [rule.iq(Fraction(p)) for p in (0, 25, 50, Fraction(125, 2), 75, Fraction(175, 2))] == [
        55,
        55,
        85,
        100,
        115,
        130,
    ]
    assert rule.iq(Fraction(100)) == 145
    assert rule.iq(Fraction(755, 12)) == 101  # exactly 100.5: rounded half up
    assert rule.iq(Fraction(24)) == 55  # 53.8 is below the floor
    assert [rule.band(x) for x in (55, 84, 85, 99, 100, 114, 115, 129, 130, 145)] == [
        "starter",
        "starter",
        "developing",
        "developing",
        "reliable",
        "reliable",
        "trusted",
        "trusted",
        "champion",
        "champion",
    ]


def test_incomplete_or_invalid_answers_are_refused() -> None:
    answers = best(KEYS)
    del answers["self_clarity"]
    answers["case_clarity"] = 7
    with pytest.raises(ScoringError) as error:
        score_attempt(KEYS, answers)
    assert error.value.missing == ("self_clarity",)
    assert error.value.invalid == ("case_clarity",)
    with pytest.raises(ScoringError):
        score_attempt(KEYS, {**best(KEYS), "self_standards": 0})
    with pytest.raises(ScoringError):
        score_attempt(KEYS, {**best(KEYS), "self_standards": True})
    with pytest.raises(ValueError):
        score_attempt(KEYS, best(KEYS), version="0")


def test_stored_form_of_the_result() -> None:
    stored = score_attempt(KEYS, best(KEYS)).as_json()
    assert stored["version"] == "1" and stored["iq"] == 145 and stored["band"] == "champion"
    assert set(stored["practices"]) == set(PRACTICES)
    assert stored["overall"] == 100.0
