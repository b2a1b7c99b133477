"""Scoring helpers the model and the pages share: item rescaling, the method-of-moments
prior strength of a share, and the perception gap.

The scoring model itself (priors, shrinkage, components, ISQ, IQ, intervals, flags, trends,
groups) is ``analysis.model`` (version 2), written out in ``docs/scoring.md``. The
version-1 functions that used to live here (shrinkage with per-quarter priors, the
renormalised ISQ, z-test change markers, BCa intervals) were called only by their own tests
and are gone; ``docs/scoring.md`` keeps their story.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from analysis import stats

#: The beta-binomial prior strength m is clipped to this range (pseudo-respondents) unless
#: the caller gives other bounds (``analysis.model`` uses ``model.M_RANGE``).
M_BOUNDS = (2.0, 50.0)
#: |self view − customers' view| below this many points is "aligned".
GAP_THRESHOLD = 5.0


def rescale(value: float, low: float, high: float) -> float:
    """An answer on the scale low..high mapped linearly to 0..100: 100·(value − low)/(high − low).

    For a K-point Likert item (1..K) call ``rescale(x, 1, K)``: on 1..5, 1 → 0, 3 → 50,
    5 → 100. Works for means as well as single answers. Values outside low..high are not
    clipped (they map outside 0..100); ``high <= low`` raises ``ValueError``.
    """
    if not high > low:
        raise ValueError(f"need high > low, got {low!r}..{high!r}")
    if math.isnan(value):
        raise ValueError("value must not be NaN")
    return 100.0 * (value - low) / (high - low)


def fit_beta_binomial_m(
    pairs: Sequence[tuple[float, float]], bounds: tuple[float, float] = M_BOUNDS
) -> float:
    """Prior strength m = alpha + beta of a beta-binomial fitted by the method of moments.

    ``pairs`` holds (successes, n) per department (at least two departments with n > 0).
    With p̂ = Σx/Σn, S = Σ n_i (x_i/n_i − p̂)² and N = Σ n_i, the intra-class correlation
    rho = (S/(p̂(1 − p̂)) − (g − 1)) / (N − Σn_i²/N − (g − 1)) over g departments (the
    expectation of S under the beta-binomial, solved for rho), and m = 1/rho − 1. The result
    is clipped to ``bounds`` (default 2..50): rho <= 0 (no more spread than chance) or no
    information (p̂ of 0 or 1, all n = 1) gives the upper bound, strong spread the lower.
    """
    usable = [(float(x), float(n)) for x, n in pairs if n > 0]
    for x, n in usable:
        stats._check_count(x, n)
    low, high = bounds
    if not 0 < low <= high:
        raise ValueError(f"bounds must satisfy 0 < low <= high, got {bounds!r}")
    g = len(usable)
    if g < 2:
        raise ValueError("fitting m needs at least two departments with answers")
    big_n = sum(n for _, n in usable)
    p_hat = sum(x for x, _ in usable) / big_n
    if p_hat in (0.0, 1.0):
        return high
    spread = sum(n * (x / n - p_hat) ** 2 for x, n in usable)
    denominator = big_n - sum(n * n for _, n in usable) / big_n - (g - 1)
    if denominator <= 0:
        return high
    rho = (spread / (p_hat * (1.0 - p_hat)) - (g - 1)) / denominator
    if rho <= 0:
        return high
    if rho >= 1:
        return low
    return min(max(1.0 / rho - 1.0, low), high)


def perception_gap(
    own: float, customers: float, threshold: float = GAP_THRESHOLD
) -> tuple[float, str]:
    """The department's own view minus its internal customers' view, both on 0..100.

    Returns ``(gap, label)``: "overestimate" when gap >= ``threshold`` (the team rates itself
    higher), "hidden_strength" when gap <= −threshold (customers rate it higher), "aligned"
    when |gap| < threshold (default 5 points).
    """
    if math.isnan(own) or math.isnan(customers):
        raise ValueError("views must not be NaN")
    gap = float(own) - float(customers)
    if gap >= threshold:
        return gap, "overestimate"
    if gap <= -threshold:
        return gap, "hidden_strength"
    return gap, "aligned"
