"""What a change flag's p-value tells about the answers behind it.

A change flag is decided by a rank test on the binned per-person relationship scores of both
quarters (Mann-Whitney, ``analysis.model``). Its variance carries a tie correction,
Σ(t³ − t) over the bins, so the p-value depends on how alike the people answered, not only
on the means and counts that are published beside it. Ten customers who all rated a
department 80 and ten whose ratings were split between 75 and 85 publish the same R, the
same interval (``scorecard.mean_figure``, from the mean and n), the same priors (every R
enters them with at least ``anonymity.least_spread``) and the same ISQ; the printed adjusted
p-value told them apart (0.0009 against 0.0047, four decimals in the API and the CSV, three
on the page): "every one of them rated it exactly 80", the pinning of attack 31 by another
channel.

Defeated by publishing of the test only what the flag itself says: the adjusted p-value is
below the level the flag was decided at (``model.CHANGE_ALPHA``). The flag's own bit (shown
or not) still depends on the answers' spread; it needs 10 people in both quarters and a
change of at least 5 ISQ points.
"""

from __future__ import annotations

import numpy as np

from analysis import model
from analysis import scorecard as sc
from analysis.scorecard import DepartmentInput
from analysis.scorecard_page import change_flag
from survey.scorecards.services.scorecard_export import flag_json

K = 5
BEFORE, AFTER = "2026Q1", "2026Q2"
#: Department 0's ten respondents in the first quarter (0..100 relationship scores).
FIRST = [40, 45, 50, 55, 60, 60, 65, 70, 75, 80]
#: In the second: every one at 80, or the same mean with the answers split.
ALIKE = [80] * 10
SPLIT = [75] * 5 + [85] * 5


def _department(values: list[int]) -> tuple[DepartmentInput, tuple[int, ...]]:
    r = np.asarray(values, float)
    hist = np.bincount(np.rint(r / sc.R_BIN_WIDTH).astype(int), minlength=sc.R_BINS)
    inputs = DepartmentInput(
        r_n=len(values), r_total=float(r.sum()), r_total_sq=float((r * r).sum()), people=len(r)
    )
    return inputs, tuple(int(v) for v in hist)


def _published(second: list[int]):
    """The priors, department 0's second-quarter score and its change flag as pages show it,
    in an organisation of four departments (the other three the same in both worlds)."""
    rng = np.random.default_rng(0)
    others = [
        (list(rng.integers(8, 19, 12) * 5), list(rng.integers(8, 19, 12) * 5)) for _ in range(3)
    ]
    quarters: dict[str, dict[int, DepartmentInput]] = {BEFORE: {}, AFTER: {}}
    hists: dict[tuple[int, str], tuple[int, ...]] = {}
    for d, (v1, v2) in enumerate([(FIRST, second), *others]):
        for q, values in ((BEFORE, v1), (AFTER, v2)):
            quarters[q][d], hists[(d, q)] = _department(values)
    priors = sc.fit_pooled_priors(quarters, K, model.WEIGHTS)
    before = sc.build_quarter_model(BEFORE, quarters[BEFORE], priors, K)
    after = sc.build_quarter_model(AFTER, quarters[AFTER], priors, K)
    change = sc.quarter_flags(before, after, hists, K).get(0)
    flag = change_flag(change, "AA", "AA", BEFORE, AFTER) if change is not None else None
    return priors, after.scores[0].isq, after.scores[0].components["R"], flag


def test_a_change_flag_does_not_tell_that_everyone_answered_alike() -> None:
    alike, split = _published(ALIKE), _published(SPLIT)
    # Everything else published is the same in both worlds ...
    assert alike[:3] == split[:3]
    # ... and both are flagged (a rise of more than 5 ISQ points) ...
    assert alike[3] is not None and split[3] is not None
    # ... and the flag, as every page, export and the API print it, is the same too.
    assert alike[3] == split[3]
    assert flag_json(alike[3]) == flag_json(split[3])
