"""A change marker points the way the answers moved, not the way the gate moved the ISQ.

A hidden component enters the ISQ at its prior. A department whose post-interaction
satisfaction (T) was hidden in one quarter (8 people: under 2k, every share is one-sided)
and shown in the next (200 people, 95 % satisfied) had its ISQ jump by T's move from the
organisation's prior (about 55) to its own value: +13.7 ISQ points that no test looked at.
Its relationship score fell from 91 to 79 and its compliance from 100 % to 75 %, both
tested and both significant (p = 2·10⁻⁶), and it was marked "up, +6.1": a marker that said
the opposite of the answers it was tested on.
"""

from __future__ import annotations

import numpy as np

from analysis import model
from analysis import scorecard as sc
from analysis.scorecard import DepartmentInput

K = 5
BEFORE, AFTER = "2026Q1", "2026Q2"


def _inputs(
    r_values: np.ndarray, satisfied: int, answered: int, compliant: int, judged: int
) -> tuple[DepartmentInput, tuple[int, ...]]:
    hist = np.bincount(np.rint(r_values / sc.R_BIN_WIDTH).astype(int), minlength=sc.R_BINS)
    people = max(len(r_values), answered)
    sums = DepartmentInput(
        answered,
        100.0 * satisfied,
        len(r_values),
        float(r_values.sum()),
        float((r_values * r_values).sum()),
        people,
        judged,
        compliant,
    )
    return sums, tuple(int(v) for v in hist)


def _r(rng: np.random.Generator, mean: float, sd: float, n: int) -> np.ndarray:
    return np.clip(np.rint(rng.normal(mean, sd, n) / 5) * 5, 0, 100)


def _models():
    rng = np.random.default_rng(3)
    quarters: dict[str, dict[int, DepartmentInput]] = {BEFORE: {}, AFTER: {}}
    hists: dict[tuple[int, str], tuple[int, ...]] = {}
    for d in range(1, 10):  # nine ordinary departments of 40 people
        for q in quarters:
            quarters[q][d], hists[(d, q)] = _inputs(
                _r(rng, 62, 20, 40),
                int(rng.binomial(40, 0.55)),
                40,
                int(rng.binomial(120, 0.8)),
                120,
            )
    quarters[BEFORE][0], hists[(0, BEFORE)] = _inputs(_r(rng, 90, 8, 12), 8, 8, 60, 60)
    quarters[AFTER][0], hists[(0, AFTER)] = _inputs(_r(rng, 80, 15, 200), 190, 200, 150, 200)
    priors = sc.fit_pooled_priors(quarters, K, model.WEIGHTS)
    before = sc.build_quarter_model(BEFORE, quarters[BEFORE], priors, K)
    after = sc.build_quarter_model(AFTER, quarters[AFTER], priors, K)
    return before, after, hists


def test_a_component_coming_through_the_gate_does_not_mark_a_fall_as_a_rise() -> None:
    before, after, hists = _models()
    then, now = before.scores[0], after.scores[0]
    # the setting: T hidden, then shown; R and C shown both times and both fell
    assert not then.components["T"].shown and now.components["T"].shown
    for key in ("R", "C"):
        assert now.components[key].raw < then.components[key].raw - 10
    assert now.isq.value > then.isq.value + 5  # the ISQ rose, by T's arrival alone
    change = sc.quarter_flags(before, after, hists, K).get(0)
    assert change is None or change.flag.direction == "down", change


def test_the_change_a_marker_shows_is_over_the_components_shown_both_times() -> None:
    before, after, _hists = _models()
    then, now = before.scores[0], after.scores[0]
    weights = dict(zip(model.COMPONENTS, after.priors.weights, strict=True))
    want = sum(
        weights[key] * (now.components[key].value - then.components[key].value)
        for key in ("R", "C")
    )
    assert sc.comparable_change(then, now, after.priors.weights) == want
    assert want < 0


def test_a_marker_needs_the_test_to_point_the_same_way() -> None:
    """A significant fall with a shrunk change of +6 (a department's n growing tenfold pulls
    its shrunk value away from the organisation) is not marked at all."""
    high, low = [0, 0, 0, 0, 16, 32], [0, 0, 8, 24, 16, 0]
    fall = {
        "t1": (0, 0),
        "t2": (0, 0),
        "c1": (0, 0),
        "c2": (0, 0),
        "r_hist1": high,
        "r_hist2": low,
        "delta": 6.0,
    }
    (flag,) = model.change_flags([fall])
    assert flag.p < 0.001 and flag.components == ("R",)
    assert flag.direction is None


def _r_only(quarter: str, means: dict[int, float]) -> dict[int, DepartmentInput]:
    """A quarter of quarterly surveys only (no request, no post-interaction answer): each
    department's 60 people have R values around ``means[d]``."""
    rng = np.random.default_rng(len(quarter) + int(quarter[-1]))
    return {d: _inputs(_r(rng, m, 15, 60), 0, 0, 0, 0)[0] for d, m in means.items()}


def test_a_change_from_r_alone_to_all_three_compares_r_with_its_whole_weight() -> None:
    """The first quarter measured R only (its ISQ is R), the next T, R and C. The change a
    marker shows counts only what both measured, R, with the weights renormalised over it:
    the ISQ's change, not 0.45 of it."""
    before_inputs = _r_only(BEFORE, dict.fromkeys(range(10), 62.0))
    before_model = sc.build_quarter_model(
        BEFORE, before_inputs, sc.fit_pooled_priors({BEFORE: before_inputs}, K, model.WEIGHTS), K
    )
    _b, after, _hists = _models()
    assert before_model.measured == {"R"} and after.measured == {"T", "R", "C"}
    then, now = before_model.scores[3], after.scores[3]
    want = now.components["R"].value - then.components["R"].value
    both = before_model.measured & after.measured
    assert sc.comparable_change(then, now, after.priors.weights, both) == want
    assert abs(want) > 0
