"""What the width of a published interval tells about the answers behind it.

A dimension's row and a customer department's relationship row carry a 95 % interval. Built
as mean ± 1.96·s/√n from the group's own sample standard deviation s, the interval publishes
s beside the mean and n, i.e. the group's sum of squares as well as its sum. For a group of
g people inside a published group of n with mean m and sample variance s², the deviations
from m satisfy Σ(x − m)² = (n − 1)·s², so

    |mean_g − m| ≤ s·√((n − 1)(n − g) / (g·n))

and every group of fewer than k people is pinned to an interval of width
2·s·√((n − 1)(n − k + 1) / ((k − 1)·n)): nothing at all when everyone answered alike. Six
customers who all rated reliability 4 read as "75.00, 75.00 to 75.00, n = 6" in the API,
the CSV and the page: each of them answered 4, answers a manager could put a name to. With
integer answers on 1..5 the sum and the sum of squares often fix the whole multiset of
answers even when they differ.

Defeated by intervals that rest on nothing but the mean and n, already published: the
Wilson interval of the mean's place on its scale (the widest spread any answers with that
mean could have, so it never covers less than the nominal 95 %). Two providers rated by the
same six people, one with every answer alike and one with answers spread around the same
means, publish the same figures.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from tests.anonymity.world import World

K = 5
#: IT: each of six customers rates every dimension 4 (each person's R is 75).
ALIKE = [4, 4, 4, 4, 4, 4]
#: FAC: the same six rate every dimension around the same mean (R's mean is 75 as well).
SPREAD = [3, 5, 4, 4, 3, 5]


def _cards(app: Flask, session: Session) -> tuple[dict[str, Any], dict[str, Any]]:
    w = World.build(app, session, {"IT": 1, "FAC": 1, "ENG": len(ALIKE)})
    w.open_campaign(audience=["ENG"])
    for i, (alike, spread) in enumerate(zip(ALIKE, SPREAD, strict=True)):
        w.quarterly(f"ENG-{i}", {"IT": alike, "FAC": spread})
    w.close_campaign()
    it, fac = w.api_scorecard("IT", w.quarter), w.api_scorecard("FAC", w.quarter)
    assert it["components"]["R"]["n"] == len(ALIKE), "no control: the quarter is not released"
    return it, fac


def _pinned_width(figure: dict[str, Any]) -> float | None:
    """The reader's attack: the width (0..100) of the interval every group of k − 1 people of
    the figure is pinned to, reading the interval as mean ± 1.96·s/√n; None when the figure
    or its interval is not published or is clipped at an end of the scale."""
    value, low, high, n = figure["value"], figure["low"], figure["high"], figure["n"]
    if value is None or low is None or high is None or not n or low <= 0 or high >= 100:
        return None
    half = (high - low) / 2
    s = half / 1.959964 * math.sqrt(n)
    g = K - 1
    return 2 * s * math.sqrt((n - 1) * (n - g) / (g * n))


@pytest.mark.postgres
def test_an_interval_does_not_tell_how_alike_the_answers_were(app: Flask, session: Session) -> None:
    it, fac = _cards(app, session)
    dims = {d["code"]: d["value"] for d in it["dimensions"]}
    rows = {c["code"]: c["relationship"] for c in it["customers"]}
    for name, figure in [*dims.items(), ("customer ENG", rows["ENG"])]:
        assert figure["reason"] is None, (name, figure)
        width = _pinned_width(figure)
        assert width is None or width >= 20, (
            f"{name}: every group of {K - 1} of the six pinned to {width:.2f} points ({figure})"
        )
    # The differential view: same means and counts, other spreads, the same publication.
    assert it["dimensions"] == fac["dimensions"]
    assert it["customers"] == fac["customers"]


def test_a_shown_interval_is_the_wilson_interval_of_the_mean(app: Flask, session: Session) -> None:
    """The rule hides nothing: every figure is still shown, with an interval around it."""
    it, _fac = _cards(app, session)
    for d in it["dimensions"]:
        figure = d["value"]
        assert figure["value"] == 75.0 and figure["n"] == len(ALIKE), d
        assert figure["low"] < 75.0 < figure["high"], d
    row = it["customers"][0]["relationship"]
    assert row["value"] == 75.0 and row["low"] < 75.0 < row["high"], row
