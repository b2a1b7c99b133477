"""Scoring of the self-assessment quiz "What is your internal service IQ?" (pure, no database).

Every rule below is written out in ``docs/quiz.md``; the tests recompute it by hand.

Raw points per item:

- a self-rating statement on the frequency scale (1 never .. 5 always) scores ``x - 1`` points
  (0..4); a reverse-scored statement (agreeing describes a poor habit) scores ``5 - x``;
- a scenario scores 2 points for the best choice, 1 for an acceptable one, 0 for a poor one.

Each item becomes a percentage of its maximum (0..100). A practice's sub-score is the mean of
its items' percentages; the overall score P (0..100) is the mean of the practice sub-scores, so
every practice weighs the same whatever its number of items. The IQ-style score is
``100 + 15 * (P - centre) / spread`` rounded half up and kept within [floor, ceiling]; with
version 1 (centre 62.5, spread 12.5) that is ``25 + 1.2 * P`` within [55, 145].

Arithmetic is exact (fractions) until the result is stored, so a boundary such as P = 50
(IQ 85) never lands on the wrong side of a band through rounding.

A scoring version fixes all of this: the item key (reverse scoring, best/acceptable/poor),
the centre and spread, the bands, the strength cut-off. Attempts store their version and their
scores, so old results keep their meaning when a later version changes a rule.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from survey.question_types import Frequency5, Scenario

SCORING_VERSION = "1"

# The practices of good internal service (PRINCIPLES.md), in the order used to break ties.
PRACTICES: tuple[str, ...] = (
    "standards",
    "responsiveness",
    "anticipation",
    "courtesy",
    "whole_interaction",
    "clarity",
    "customer_goals",
    "lateral",
    "recognition",
    "accountability",
    "proactivity",
)

FREQUENCY = Frequency5.code  # the question types of the items (survey/question_types.py)
SCENARIO = Scenario.code
RATING_POINTS = {"best": 2, "acceptable": 1, "poor": 0}
FREQUENCY_MAX_POINTS = 4
SCENARIO_MAX_POINTS = 2


class ScoringError(ValueError):
    """The answers cannot be scored. ``missing`` names unanswered items, ``invalid`` items
    whose answer is not one of their choices."""

    def __init__(self, missing: Sequence[str] = (), invalid: Sequence[str] = ()) -> None:
        self.missing = tuple(missing)
        self.invalid = tuple(invalid)
        super().__init__(f"missing answers: {self.missing}; invalid answers: {self.invalid}")


@dataclass(frozen=True)
class ItemKey:
    """How one item scores. ``kind`` is ``frequency5`` or ``scenario``; ``reverse`` applies to
    statements; ``ratings`` gives best/acceptable/poor for each scenario option, in the order
    the options are shown (answer = option index, 0-based)."""

    code: str
    practice: str
    kind: str
    reverse: bool = False
    ratings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in (FREQUENCY, SCENARIO):
            raise ValueError(f"{self.code}: unknown item kind {self.kind!r}")
        if self.kind == SCENARIO and (
            len(self.ratings) < 2 or any(r not in RATING_POINTS for r in self.ratings)
        ):
            raise ValueError(f"{self.code}: a scenario needs a rating for every option")

    @property
    def max_points(self) -> int:
        return FREQUENCY_MAX_POINTS if self.kind == FREQUENCY else SCENARIO_MAX_POINTS

    def valid(self, answer: object) -> bool:
        if isinstance(answer, bool) or not isinstance(answer, int):
            return False
        if self.kind == FREQUENCY:
            return 1 <= answer <= 5
        return 0 <= answer < len(self.ratings)

    def points(self, answer: int) -> int:
        """Raw points of a valid answer: 0..4 for a statement, 0..2 for a scenario."""
        if not self.valid(answer):
            raise ScoringError(invalid=[self.code])
        if self.kind == FREQUENCY:
            return 5 - answer if self.reverse else answer - 1
        return RATING_POINTS[self.ratings[answer]]

    @classmethod
    def from_options(
        cls, code: str, practice: str, kind: str, options: Mapping[str, Any]
    ) -> ItemKey:
        """The key stored on a question (``Question.options``)."""
        return cls(
            code=code,
            practice=practice,
            kind=kind,
            reverse=bool(options.get("reverse", False)),
            ratings=tuple(options.get("ratings") or ()),
        )


@dataclass(frozen=True)
class Band:
    """A named band: IQ-style scores from ``lowest`` up to the next band's ``lowest``."""

    code: str
    lowest: int


@dataclass(frozen=True)
class ScoringRule:
    """Everything one scoring version fixes besides the item key."""

    version: str
    centre: Fraction
    spread: Fraction
    floor: int
    ceiling: int
    bands: tuple[Band, ...]  # from the lowest band up; the first band's ``lowest`` is ``floor``
    strength_cutoff: int
    max_strengths: int
    weak_count: int

    def iq(self, overall: Fraction) -> int:
        """IQ-style score of an overall score P (0..100): 100 + 15·(P − centre)/spread, rounded
        half up, kept within [floor, ceiling]."""
        exact = 100 + 15 * (Fraction(overall) - self.centre) / self.spread
        rounded = math.floor(exact + Fraction(1, 2))
        return max(self.floor, min(self.ceiling, rounded))

    def band(self, iq: int) -> str:
        chosen = self.bands[0].code
        for band in self.bands:
            if iq >= band.lowest:
                chosen = band.code
        return chosen


RULES: dict[str, ScoringRule] = {
    "1": ScoringRule(
        version="1",
        centre=Fraction(125, 2),
        spread=Fraction(25, 2),
        floor=55,
        ceiling=145,
        bands=(
            Band("starter", 55),
            Band("developing", 85),
            Band("reliable", 100),
            Band("trusted", 115),
            Band("champion", 130),
        ),
        strength_cutoff=75,
        max_strengths=3,
        weak_count=2,
    ),
}
BAND_CODES: tuple[str, ...] = tuple(
    dict.fromkeys(b.code for rule in RULES.values() for b in rule.bands)
)


def rule_for(version: str) -> ScoringRule:
    try:
        return RULES[version]
    except KeyError:
        raise ValueError(f"unknown scoring version {version!r}") from None


@dataclass(frozen=True)
class QuizResult:
    """The scored attempt. Percentages are on 0..100; ``practices`` follows ``PRACTICES``
    order and holds only practices that have items."""

    version: str
    raw_points: int
    max_points: int
    items: Mapping[str, float]
    practices: Mapping[str, float]
    overall: float
    iq: int
    band: str
    strengths: tuple[str, ...]
    weakest: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        """What ``QuizAttempt.scores`` stores (the scorecards read ``practices``)."""
        return {
            "version": self.version,
            "raw_points": self.raw_points,
            "max_points": self.max_points,
            "items": dict(self.items),
            "practices": dict(self.practices),
            "overall": self.overall,
            "iq": self.iq,
            "band": self.band,
            "strengths": list(self.strengths),
            "weakest": list(self.weakest),
        }


def _practice_order(practice: str) -> int:
    return PRACTICES.index(practice) if practice in PRACTICES else len(PRACTICES)


def check_answers(keys: Iterable[ItemKey], answers: Mapping[str, Any]) -> None:
    """Raise ``ScoringError`` unless every item has a valid answer."""
    missing, invalid = [], []
    for key in keys:
        value = answers.get(key.code)
        if value is None:
            missing.append(key.code)
        elif not key.valid(value):
            invalid.append(key.code)
    if missing or invalid:
        raise ScoringError(missing, invalid)


def score_attempt(
    keys: Sequence[ItemKey], answers: Mapping[str, Any], version: str = SCORING_VERSION
) -> QuizResult:
    """Score one complete attempt.

    ``answers`` maps item code to an int: 1..5 for a statement, the 0-based option index for a
    scenario. Every item of ``keys`` must be answered (``ScoringError`` otherwise); answers to
    codes not in ``keys`` are ignored.
    """
    if not keys:
        raise ValueError("a quiz needs at least one item")
    rule = rule_for(version)
    check_answers(keys, answers)
    item_scores: dict[str, Fraction] = {}
    by_practice: dict[str, list[Fraction]] = {}
    raw = maximum = 0
    for key in keys:
        points = key.points(answers[key.code])
        raw += points
        maximum += key.max_points
        share = Fraction(100 * points, key.max_points)
        item_scores[key.code] = share
        by_practice.setdefault(key.practice, []).append(share)
    ordered = sorted(by_practice, key=_practice_order)
    practices = {p: sum(by_practice[p], Fraction(0)) / len(by_practice[p]) for p in ordered}
    overall = sum(practices.values(), Fraction(0)) / len(practices)
    iq = rule.iq(overall)
    strengths = tuple(
        sorted(
            (p for p in ordered if practices[p] >= rule.strength_cutoff),
            key=lambda p: (-practices[p], _practice_order(p)),
        )[: rule.max_strengths]
    )
    weakest = tuple(
        sorted(
            (p for p in ordered if practices[p] < 100),
            key=lambda p: (practices[p], _practice_order(p)),
        )[: rule.weak_count]
    )
    return QuizResult(
        version=rule.version,
        raw_points=raw,
        max_points=maximum,
        items={c: float(v) for c, v in item_scores.items()},
        practices={p: float(v) for p, v in practices.items()},
        overall=float(overall),
        iq=iq,
        band=rule.band(iq),
        strengths=strengths,
        weakest=weakest,
    )


def item_score(key: ItemKey, answer: int) -> float:
    """One item on 0..100 (after reverse scoring)."""
    return 100 * key.points(answer) / key.max_points
