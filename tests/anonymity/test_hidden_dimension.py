"""A dimension hidden at an end of the scale, worked out from the relationship score.

R averages each person's dimensions, then the people; with every dimension answered by all
n people, R is exactly the mean of the D dimension means:

    R = Σ_d mean_d / D,  so  mean_hidden = D·R − Σ_shown mean_d

A dimension every customer rated 5 is hidden (reason ``certain``: "100" would say how each
of them answered), but R and the four other dimensions are published to two decimals beside
it, so the API gave the hidden mean back exactly: 100, i.e. each of the six customers rated
courtesy 5, which a manager can put names to.

Defeated by complementary suppression across the dimensions (as for a total and its rows):
while R is shown, the hidden dimensions together are a remainder, and while their mean sits
so near an end of the scale that it would tell how a small group answered
(``anonymity.share_is_certain``), one more dimension is hidden (``remainder``), the one that
pulls their mean furthest from that end, until it does not or none is left.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from analysis.anonymity import share_is_certain
from tests.anonymity.world import DIMENSIONS, one_department_rates

K = 5
#: Six customers of IT: courtesy 5 from everyone, the other dimensions spread out.
RATINGS = [
    {"reliability": 4, "responsiveness": 3, "competence": 5, "courtesy": 5, "tools": 2},
    {"reliability": 2, "responsiveness": 4, "competence": 3, "courtesy": 5, "tools": 4},
    {"reliability": 5, "responsiveness": 2, "competence": 4, "courtesy": 5, "tools": 3},
    {"reliability": 3, "responsiveness": 5, "competence": 2, "courtesy": 5, "tools": 4},
    {"reliability": 4, "responsiveness": 3, "competence": 3, "courtesy": 5, "tools": 1},
    {"reliability": 3, "responsiveness": 4, "competence": 4, "courtesy": 5, "tools": 5},
]


def _hidden_mean(card: dict[str, Any]) -> float | None:
    """The reader's attack: the mean (0..100) of the hidden dimensions together, from R and
    the shown dimensions (every dimension answered by R's n people); None when R or every
    dimension is hidden, or none is."""
    r = card["components"]["R"]
    shown = [d["value"]["value"] for d in card["dimensions"] if d["value"]["value"] is not None]
    hidden = len(card["dimensions"]) - len(shown)
    if r["raw"] is None or not hidden or not shown:
        return None
    return (len(card["dimensions"]) * r["raw"] - sum(shown)) / hidden


@pytest.mark.postgres
def test_a_dimension_hidden_at_the_top_is_not_worked_out_from_r(
    app: Flask, session: Session
) -> None:
    card = one_department_rates(app, session, RATINGS)
    figures = {d["code"]: d["value"] for d in card["dimensions"]}
    assert figures["courtesy"]["reason"] == "certain", figures["courtesy"]
    attack = _hidden_mean(card)
    n = len(RATINGS)
    assert attack is None or not share_is_certain(attack / 100 * n, n, K), (
        f"the hidden dimensions read as {attack:.2f} over {n} people: each answered alike"
    )


def test_only_the_dimension_that_protects_the_hidden_one_is_hidden(
    app: Flask, session: Session
) -> None:
    """The rule hides no more than it must: one more dimension (tools, the lowest, which pulls
    the remainder furthest from the top) and the others stay shown with their counts."""
    card = one_department_rates(app, session, RATINGS)
    figures = {d["code"]: d["value"] for d in card["dimensions"]}
    assert figures["tools"]["reason"] == "remainder", figures["tools"]
    for code in DIMENSIONS:
        if code not in ("courtesy", "tools"):
            assert figures[code]["reason"] is None and figures[code]["n"] == len(RATINGS), code
    # IT is the only department rated: an organisation value of tools would be IT's own.
    org = {d["code"]: d["organisation"] for d in card["dimensions"]}
    assert org["tools"] is None and org["courtesy"] is None, org
    assert org["reliability"] == figures["reliability"]["value"], org
