"""The interval of a dimension's (or a customer department's) mean, by simulation against a
known truth: ``analysis.scorecard.mean_figure`` rests on the mean and n alone (the Wilson
interval of the mean's place on its scale), so that its width tells nothing of how alike the
answers were. Bounded answers with mean v vary by at most v·(100 − v), reached when every
answer sits at an end of the scale: there it is a share's Wilson interval, and everywhere
else wider than it needs to be. Measured here over answers drawn from fixed distributions on
1..5, the figures the gate shows only (a mean near an end is hidden)."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import scorecard as sc
from analysis.scorecard import Sums

DISTRIBUTIONS = {  # probabilities of 1, 2, 3, 4, 5
    "flat": [0.2, 0.2, 0.2, 0.2, 0.2],
    "leaning high": [0.05, 0.05, 0.15, 0.4, 0.35],
    "around the middle": [0.05, 0.2, 0.5, 0.2, 0.05],
    "only the ends": [0.4, 0.0, 0.0, 0.0, 0.6],  # the widest spread a mean of 60 allows
    "mostly the top end": [0.15, 0.0, 0.0, 0.0, 0.85],
}
SIZES = (8, 15, 30, 80)
DRAWS = 2000


def _coverage(probabilities: list[float], n: int, rng: np.random.Generator) -> float:
    p = np.asarray(probabilities)
    truth = float(((np.arange(1, 6) - 1) * 25.0 * p).sum())
    covered = shown = 0
    for _ in range(DRAWS):
        x = rng.choice(np.arange(1, 6), size=n, p=p)
        figure = sc.likert_figure(Sums(n, float(x.sum()), float((x * x).sum())), 5)
        if figure.shown:
            shown += 1
            covered += figure.low <= truth <= figure.high
    assert shown > DRAWS // 2, "the gate hid most draws: no measure"
    return covered / shown


@pytest.mark.parametrize("name", list(DISTRIBUTIONS))
def test_the_mean_interval_covers_the_truth_at_least_as_often_as_promised(name: str) -> None:
    rng = np.random.default_rng(20261206)
    rates = [_coverage(DISTRIBUTIONS[name], n, rng) for n in SIZES]
    # Answers only at the ends: a share's Wilson interval, about 95 % (2,000 draws: ±1 %).
    # Any other spread: wider than needed, so it covers more.
    assert min(rates) >= 0.925, dict(zip(SIZES, rates, strict=True))
    if name not in ("only the ends", "mostly the top end"):
        assert min(rates) >= 0.98, dict(zip(SIZES, rates, strict=True))
