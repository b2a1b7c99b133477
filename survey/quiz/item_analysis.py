"""The quiz's item analysis for administrators: per released quarter, how the quiz's members
answered each item (which questions people get wrong), each item's mean score and corrected
item-total correlation, and Cronbach's alpha of the self-rating statements.

What it rests on is what a department's self-view rests on (``scorecard_data.member_self_view``):
attempts of *members* only (through a personal quiz invitation or signed in; anonymous
attempts never count, so nobody can pad the total with attempts of their own), one per
member and quarter (the latest, carried by ``QuizAttempt.member_key``), in fixed quarters
published only once they have ended (a released quarter no longer moves, so reading the page
before and after someone takes the quiz shows the same page). Figures are gated by
``analysis.anonymity.suppress_options``: an option's count (and share) is shown only when at
least k people chose it and at least k did not, with the hidden options together a remainder
under the same rule; an item's mean and item-total correlation only when its whole
distribution is shown (the mean then follows from the counts), and alpha only when every
statement's is.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analysis.anonymity import suppress_options
from survey.models import Questionnaire, QuizAttempt
from survey.periods import parse_quarter, quarter_of, shift_quarter
from survey.quiz.scoring import FREQUENCY, SCENARIO, item_score
from survey.quiz.services import item_keys, item_options, live_items

__all__ = ["ItemAnalysis", "ItemStats", "OptionCount", "analysis_quarters", "item_analysis"]


@dataclass(frozen=True)
class OptionCount:
    value: int  # 1..5 for a statement, the option index for a scenario
    label: str
    rating: str | None  # best / acceptable / poor for a scenario
    count: int | None  # people who chose it; None when hidden
    share: float | None  # percent of the item's answers; None when hidden


@dataclass(frozen=True)
class ItemStats:
    code: str
    practice: str
    kind: str
    reverse: bool
    prompt: str
    answered: int
    options: tuple[OptionCount, ...]
    whole: bool  # every option's count is shown
    mean: float | None  # mean item score on 0..100, after reverse scoring; None unless whole
    item_total: float | None  # corrected item-total correlation (Pearson); None unless whole


@dataclass(frozen=True)
class ItemAnalysis:
    """The analysis of ``quarter``. ``released``: the quarter has ended (nothing at all is
    computed for the quarter in progress or a later one). ``respondents``: distinct members
    (0 when not released). Nothing is shown below ``k`` respondents, and below 2k every
    count is hidden. ``alpha`` is Cronbach's alpha of the self-rating statements
    (reverse-scored items reversed) with its 95% interval, over the members who answered
    every statement; None when it cannot be computed or some statement is not shown whole
    (the page does not say which)."""

    quarter: str
    released: bool
    respondents: int
    k: int
    items: tuple[ItemStats, ...]
    alpha: float | None
    alpha_low: float | None
    alpha_high: float | None
    alpha_items: int
    alpha_respondents: int

    @property
    def shown(self) -> bool:
        return self.released and self.respondents >= self.k


def _today(today: date | None) -> date:
    return today or datetime.now(UTC).date()


def analysis_quarters(
    session: Session, questionnaire: Questionnaire, k: int, today: date | None = None
) -> list[str]:
    """The ended quarters whose analysis shows something (at least ``k`` members took
    ``questionnaire``, as ``item_analysis`` counts them), oldest first; the quarter before
    today's when there is none (the page always has a quarter to name). A quarter with
    fewer members is not offered: listing it would tell that somebody took the quiz then."""
    current = quarter_of(_today(today))
    quarters = session.scalars(
        select(QuizAttempt.quarter)
        .where(
            QuizAttempt.questionnaire_id == questionnaire.id,
            QuizAttempt.member_key.is_not(None),
            QuizAttempt.quarter < current,
        )
        .group_by(QuizAttempt.quarter)
        .having(func.count() >= max(k, 1))
    )
    return sorted(set(quarters)) or [shift_quarter(current, -1)]


def _correlation(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    if len(xs) < 3:
        return None
    try:
        return statistics.correlation(xs, ys)
    except statistics.StatisticsError:
        return None  # one of the two does not vary


def item_analysis(
    session: Session,
    questionnaire: Questionnaire,
    k: int,
    quarter: str,
    locale: str = "en",
    today: date | None = None,
) -> ItemAnalysis:
    """Answer distribution, mean score and corrected item-total correlation per item (the
    item against the sum of the other items' 0..100 scores), and Cronbach's alpha of the
    self-rating scale, over the members' attempts on ``questionnaire`` in ``quarter``, gated
    as the module says. A quarter that has not ended by ``today`` (UTC, default now), or a
    malformed one, gives an analysis with nothing in it. Raises nothing for an empty
    quarter."""
    from analysis.stats import cronbach_alpha

    try:
        parse_quarter(quarter)
        released = quarter < quarter_of(_today(today))
    except ValueError:
        released = False
    if not released:
        return ItemAnalysis(quarter, False, 0, k, (), None, None, None, 0, 0)
    answers = [
        a or {}
        for a in session.scalars(
            select(QuizAttempt.answers).where(
                QuizAttempt.questionnaire_id == questionnaire.id,
                QuizAttempt.quarter == quarter,
                QuizAttempt.member_key.is_not(None),
            )
        )
    ]
    respondents = len(answers)
    if respondents < max(k, 1):
        return ItemAnalysis(quarter, True, respondents, k, (), None, None, None, 0, 0)

    items = live_items(questionnaire)
    keys = item_keys(items)
    complete = [a for a in answers if all(key.valid(a.get(key.code)) for key in keys)]
    matrix = [[item_score(key, a[key.code]) for key in keys] for a in complete]
    totals = [sum(row) for row in matrix]
    stats: list[ItemStats] = []
    for j, (question, key) in enumerate(zip(items, keys, strict=True)):
        given = [a[key.code] for a in answers if key.valid(a.get(key.code))]
        labels = item_options(question, locale)
        values = list(range(1, 6) if key.kind == FREQUENCY else range(len(key.ratings)))
        counts = [sum(1 for g in given if g == value) for value in values]
        visible = suppress_options(counts, k)
        whole = all(visible)
        options = []
        for value, count, shown in zip(values, counts, visible, strict=True):
            index = value - 1 if key.kind == FREQUENCY else value
            options.append(
                OptionCount(
                    value=value,
                    label=labels[index] if index < len(labels) else str(value),
                    rating=key.ratings[value] if key.kind == SCENARIO else None,
                    count=count if shown else None,
                    share=100.0 * count / len(given) if shown else None,
                )
            )
        scores = [item_score(key, g) for g in given]
        column = [row[j] for row in matrix]
        rest = [total - own for total, own in zip(totals, column, strict=True)]
        stats.append(
            ItemStats(
                code=key.code,
                practice=key.practice,
                kind=key.kind,
                reverse=key.reverse,
                prompt=question.text(locale),
                answered=len(given),
                options=tuple(options),
                whole=whole,
                mean=sum(scores) / len(scores) if whole else None,
                item_total=_correlation(column, rest) if whole else None,
            )
        )

    scale = [key for key in keys if key.kind == FREQUENCY]
    rows = [[key.points(a[key.code]) for key in scale] for a in complete]
    scale_whole = all(s.whole for s in stats if s.kind == FREQUENCY)
    alpha = low = high = None
    if scale_whole and len(scale) >= 2 and len(rows) >= 2:
        try:
            alpha, low, high = cronbach_alpha(rows)
        except ValueError:
            alpha = low = high = None
    return ItemAnalysis(
        quarter=quarter,
        released=True,
        respondents=respondents,
        k=k,
        items=tuple(stats),
        alpha=alpha,
        alpha_low=low,
        alpha_high=high,
        alpha_items=len(scale),
        alpha_respondents=len(rows),
    )
