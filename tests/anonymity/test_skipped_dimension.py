"""A dimension a few people left blank: what its count and the relationship score tell.

A quarterly respondent may leave a dimension blank ("does not apply"). The relationship score
R averages each person's answered dimensions first, then the people; each dimension's mean
averages the answers to it. With D dimensions, everyone who answered all D weighs the same in
R as in the mean of the dimension means, and the difference of the two published totals is

    R·n_R − Σ_d mean_d·n_d / D = Σ over people who skipped some  (their total)·(1/D_p − 1/D)

so with one person leaving one dimension blank it is their own total on the other D − 1
dimensions divided by D·(D − 1): the API prints every figure to two decimals, enough to
read that total exactly. The reader knows who skipped a dimension, "n = 7 of 8", and a
manager often knows who that is (the one customer who never dealt with courtesy).

Defeated by withholding one dimension (``analysis.scorecard.withhold_for_blanks``): while
every dimension is shown and the people who left blanks may be fewer than k (the most blanks
of one dimension is 1..k−1), the dimension with the most blanks is hidden as a remainder, and
the difference has a term the reader cannot know. How many left a dimension blank is still
published (its count beside R's): ``docs/anonymity.md``, "What is not protected".
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from tests.anonymity.world import DIMENSIONS, one_department_rates

K = 5
# The person who leaves courtesy blank, and their answers to the other four dimensions.
SKIPPER = {"reliability": 2, "responsiveness": 5, "competence": 1, "tools": 4}
OTHERS = [  # eight more customers, every dimension answered, answers spread out
    {"reliability": 4, "responsiveness": 3, "competence": 5, "courtesy": 2, "tools": 3},
    {"reliability": 3, "responsiveness": 4, "competence": 2, "courtesy": 5, "tools": 4},
    {"reliability": 5, "responsiveness": 2, "competence": 4, "courtesy": 3, "tools": 1},
    {"reliability": 1, "responsiveness": 4, "competence": 3, "courtesy": 4, "tools": 5},
    {"reliability": 4, "responsiveness": 5, "competence": 3, "courtesy": 1, "tools": 2},
    {"reliability": 2, "responsiveness": 1, "competence": 4, "courtesy": 5, "tools": 3},
    {"reliability": 3, "responsiveness": 3, "competence": 5, "courtesy": 4, "tools": 2},
    {"reliability": 5, "responsiveness": 2, "competence": 1, "courtesy": 3, "tools": 4},
]


def _skipper_total(card: dict[str, Any]) -> float | None:
    """The reader's attack: the total (0..100 per dimension) of the one person who left one
    dimension blank over the dimensions they answered, from the published relationship score
    and dimension means; None when a figure it needs is not published."""
    r = card["components"]["R"]
    dims = [d["value"] for d in card["dimensions"]]
    if r["raw"] is None or r["n"] is None or any(d["value"] is None for d in dims):
        return None
    count = len(dims)
    gap = r["raw"] * r["n"] - sum(d["value"] * d["n"] for d in dims) / count
    return gap * count * (count - 1)


@pytest.mark.postgres
def test_one_blank_dimension_does_not_tell_the_skippers_answers(
    app: Flask, session: Session
) -> None:
    card = one_department_rates(app, session, [SKIPPER, *OTHERS])
    truth = sum(25.0 * (x - 1) for x in SKIPPER.values())
    attack = _skipper_total(card)
    assert attack is None or abs(attack - truth) > 25, (
        f"the skipper's total over four dimensions read as {attack} (truth {truth})"
    )
    shown = {d["code"]: d["value"] for d in card["dimensions"]}
    assert shown["courtesy"]["reason"] == "remainder", shown["courtesy"]
    # Control: the dimensions everyone answered are still shown, with their counts.
    for code in DIMENSIONS:
        if code != "courtesy":
            assert shown[code]["n"] == len(OTHERS) + 1, (code, shown[code])


@pytest.mark.parametrize(
    "blanks",
    [
        {0: ("courtesy", "tools")},  # one person, two blanks
        {0: ("courtesy",), 1: ("tools",)},  # two people, a blank each
        {0: ("courtesy",), 1: ("courtesy",), 2: ("competence",)},
    ],
)
def test_a_few_people_leaving_blanks_keep_their_answers(
    app: Flask, session: Session, blanks: dict[int, tuple[str, ...]]
) -> None:
    """Fewer than k people leave blanks, in several patterns: every time one dimension is
    withheld, so the difference of R and the dimension means is no longer published."""
    ratings = [
        {d: x for d, x in answers.items() if d not in blanks.get(i, ())}
        for i, answers in enumerate(OTHERS)
    ]
    card = one_department_rates(app, session, ratings)
    assert _skipper_total(card) is None
    hidden = [d for d in card["dimensions"] if d["value"]["value"] is None]
    assert [d["value"]["reason"] for d in hidden] == ["remainder"], hidden


@pytest.mark.parametrize("skippers", [0, K])
def test_a_dimension_nobody_or_k_people_left_blank_is_shown(
    app: Flask, session: Session, skippers: int
) -> None:
    """The rule hides no more than it must: a dimension left blank by nobody, or by k people
    (the rest of twelve rating it), is published with its count."""
    answers = [*OTHERS, *OTHERS[:4]]
    ratings = [
        {d: x for d, x in a.items() if d != "tools"} if i < skippers else a
        for i, a in enumerate(answers)
    ]
    card = one_department_rates(app, session, ratings)
    tools = next(d["value"] for d in card["dimensions"] if d["code"] == "tools")
    assert tools["reason"] is None, tools
    assert tools["n"] == len(answers) - skippers
