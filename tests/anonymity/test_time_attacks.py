"""What several quarters together tell: the priors every shrunk figure leans on.

Before a baseline is frozen, the priors are fitted afresh over every released quarter, and
each shown department's shrunk figures and intervals lean on them (``docs/scoring.md``,
section 15). Whatever a prior is fitted on is published through every shown department's
figures, in every quarter's page, so it may rest only on what the gate shows.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from flask import Flask
from sqlalchemy.orm import Session

from survey.periods import shift_quarter
from tests.anonymity.twins import Plan, compare
from tests.anonymity.world import World

PROVIDERS = ("AA", "BB", "CC", "DD", "EE")
RATINGS = ((4, 3, 4, 2, 3, 4), (2, 3, 3, 4, 2, 3), (3, 4, 4, 3, 5, 4), (4, 4, 3, 2, 3, 3))


def _five_shown(small_rated: bool) -> Plan:
    """Six ENG people rate five providers (each R shown, resting on the six); with
    ``small_rated``, ENG-0 also rates SMALL (one person: hidden, and SMALL handles no
    requests)."""
    quarterly = []
    for i in range(6):
        ratings = [(code, RATINGS[j % 4][(i + j) % 6]) for j, code in enumerate(PROVIDERS)]
        if small_rated and i == 0:
            ratings.append(("SMALL", 3))
        quarterly.append((f"ENG-{i}", tuple(ratings)))
    return Plan(
        sizes={**dict.fromkeys(PROVIDERS, 1), "ENG": 6, "SMALL": 1}, quarterly=tuple(quarterly)
    )


@pytest.mark.slow
def test_whether_a_hidden_department_was_rated_does_not_move_the_priors(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Five departments are shown; a sixth, SMALL, was rated by one person or by nobody.
    The priors counted as their ``groups`` every department with any answer in a released
    quarter, hidden ones included, and that count sizes every shown figure's interval
    (Morris's allowance for the estimated prior, g = max(groups, 5)): AA's R read "57.69,
    48.00 to 67.38" when nobody had rated SMALL and "57.69, 48.35 to 67.02" when one person
    had, on every shown department's page, the ISQ and IQ with it, and on every later
    quarter's trend. The two worlds must publish the same."""
    differences, publication = compare(
        _five_shown(False), _five_shown(True), "sqlite", tmp_path, request
    )
    shown = {f.provider for f in publication.facts if f.metric == "R" and f.customers is None}
    assert set(PROVIDERS) <= shown, f"no control: {shown}"
    assert differences == [], "\n".join(differences[:10])


def _implied_sigma2(rows: list[tuple[float, int, float, float, float]], groups: int) -> float:
    """The pooled within-department variance σ² of R's prior (0..100 squared) a reader works
    out from the shown R components of every released quarter: ``rows`` are (raw, n, shrunk
    value, low, high) as the API prints them, and the prior's mean and between spread follow
    from the raw means and σ² (``docs/scoring.md``, section 15: τ² = var(means) − mean(σ²/n),
    floored). The σ² whose shrunk figures match the printed ones best, to 0.05."""
    from analysis import model

    raws = np.array([r[0] for r in rows])
    ns = np.array([float(r[1]) for r in rows])
    printed = np.array([r[2:] for r in rows])
    mean = float((raws * ns).sum() / ns.sum())
    best, error = 0.0, math.inf
    for sigma2 in np.arange(0.05, 2500.0, 0.05):
        tau2 = float(raws.var(ddof=1) - np.mean(sigma2 / ns))
        tau2 = max(tau2, model.TAU2_FLOOR_ICC / (1 - model.TAU2_FLOOR_ICC) * sigma2)
        prior = model.MeanPrior(mean, float(sigma2), tau2, groups)
        value, low, high, *_ = model.mean_arrays(ns, raws * ns, None, prior)
        e = float(((np.stack([value, low, high], axis=1) - printed) ** 2).sum())
        if e < error:
            best, error = float(sigma2), e
    return best


def _r_rows(
    w: World, codes: list[str], quarter: str
) -> list[tuple[float, int, float, float, float]]:
    out = []
    for code in codes:
        r = w.api_scorecard(code, quarter)["components"]["R"]
        assert r["value"] is not None, f"no control: {code}'s R hidden in {quarter}"
        out.append((r["raw"], r["n"], r["value"], r["low"], r["high"]))
    return out


@pytest.mark.postgres
def test_the_priors_do_not_tell_how_alike_a_quarters_answers_were(
    app: Flask, session: Session
) -> None:
    """Six ENG people rate AA and BB in one quarter, and AA alone in the next, where all
    six rate it 4 (75, shown). Before a baseline is frozen, R's prior is fitted afresh over
    every released quarter, and its within spread σ² is the pooled sum of squares of every
    shown R over its degrees of freedom. Every shown R's shrunk value and interval give σ²
    back (one unknown, the formulas documented), so the reading after the first release
    and the one after the second give the second quarter's sum of squares by difference:
    0, i.e. each of the six answered 75 (a sum of squares S over n people bounds every
    group of g inside to the mean ± √(S·(n − g)/(g·n)); the same disclosure as attack 25,
    through the priors). The bound it gives each of them must keep the protection
    interval, 20 points."""
    w = World.build(app, session, {"AA": 1, "BB": 1, "ENG": 6})
    late = w.quarter
    early = shift_quarter(late, -1)
    w.open_campaign(early, 5, ["ENG"], name="Early")
    for i, (aa, bb) in enumerate(zip((4, 3, 4, 2, 3, 4), (2, 3, 3, 4, 2, 3), strict=True)):
        w.quarterly(f"ENG-{i}", {"AA": aa, "BB": bb})
    w.close_campaign()
    first = _r_rows(w, ["AA", "BB"], early)
    w.open_campaign(late, 5, ["ENG"], name="Late")
    for i in range(6):
        w.quarterly(f"ENG-{i}", {"AA": 4})
    w.close_campaign()
    second = _r_rows(w, ["AA", "BB"], early) + _r_rows(w, ["AA"], late)

    sigma2_first = _implied_sigma2(first, 2)
    sigma2_both = _implied_sigma2(second, 2)
    df_first = sum(n - 1 for _r, n, *_ in first)
    df_both = sum(n - 1 for _r, n, *_ in second)
    late_ss = sigma2_both * df_both - sigma2_first * df_first
    n = second[-1][1]
    # One person of AA's six in the late quarter: within ± √(S·(n − 1)/n) of their mean.
    radius = math.sqrt(max(late_ss, 0.0) * (n - 1) / n)
    assert radius >= 10, (
        f"σ² {sigma2_first:.2f} then {sigma2_both:.2f}: the late quarter's sum of squares is"
        f" {late_ss:.1f}, so each of AA's six raters answered {second[-1][0]:.2f} ± {radius:.2f}"
    )
