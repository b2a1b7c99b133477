"""Statistics used by the scoring model, each checked against values published elsewhere.

Every function takes plain numbers or sequences and returns floats, tuples of floats or a
frozen dataclass. Proportions are fractions in 0..1 (not percentages) unless a docstring says
otherwise; p-values are two-sided. Invalid input (negative counts, successes above n, NaN)
raises ``ValueError``; the documented degenerate cases (n = 0, all values tied...) return a
defined value instead of a warning.

Sources:

- Wilson score interval: Wilson (1927); values of Newcombe (1998a), Statistics in Medicine
  17:857-872, method 3.
- Mann-Kendall trend test: Mann (1945), Kendall (1975); tie-corrected variance; Theil-Sen
  slope (Theil 1950, Sen 1968); intercept as in pyMannKendall (Hussain & Mahmud 2019).
- False discovery rate: Benjamini & Hochberg (1995), JRSS B 57:289-300.
- Cronbach's alpha (1951) with the F-based interval of Feldt (1965) and Feldt, Woodruff &
  Salih (1987), Applied Psychological Measurement 11:93-103.

``scipy.stats`` (about 70 MB of a process's memory) is imported inside the one function that
needs it (Feldt's interval), so that the scorecard pages, which do not use it, do not carry it
in every web worker. The change tests (Fisher, Mann-Whitney from histograms) are the model's
own, in ``analysis.model``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from statistics import NormalDist

import numpy as np

#: Series up to this length get the exact Mann-Kendall p-value; longer ones the normal
#: approximation with continuity correction.
MK_EXACT_MAX_N = 10


def _z(confidence: float) -> float:
    """The two-sided standard normal quantile for ``confidence`` (0.95 gives 1.959964)."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence!r}")
    return NormalDist().inv_cdf(1.0 - (1.0 - confidence) / 2.0)


def _check_count(x: float, n: float) -> None:
    if math.isnan(x) or math.isnan(n):
        raise ValueError("counts must not be NaN")
    if n < 0 or x < 0 or x > n:
        raise ValueError(f"need 0 <= successes <= n, got {x!r} of {n!r}")


def _normal_p(z: float) -> float:
    """Two-sided p-value of a standard normal statistic."""
    return math.erfc(abs(z) / math.sqrt(2.0))


# --- proportions ---


def wilson_interval(successes: float, n: float, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion.

    ``successes`` out of ``n`` trials; both may be non-integer (the scorecards pass shrunk
    counts such as x + m·p̄ out of n + m). Returns ``(low, high)`` as fractions in 0..1. With
    n = 0 there is no information and the interval is ``(0.0, 1.0)``. The bounds are exactly
    0 when successes = 0 and exactly 1 when successes = n.
    """
    _check_count(successes, n)
    if n == 0:
        return 0.0, 1.0
    z = _z(confidence)
    p = successes / n
    z2n = z * z / n
    denominator = 1.0 + z2n
    centre = (p + z2n / 2.0) / denominator
    half = z / denominator * math.sqrt(p * (1.0 - p) / n + z2n / (4.0 * n))
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


# --- rank tests ---


def _finite(values: Sequence[float], name: str) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.ndim != 1:
        raise ValueError(f"{name} must be a flat sequence of numbers")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must not contain NaN or infinite values")
    return array


@dataclass(frozen=True)
class MannKendall:
    """Result of the Mann-Kendall test with Sen's slope.

    ``s`` the Kendall S statistic, ``var_s`` its tie-corrected variance under no trend, ``z``
    the continuity-corrected normal score, ``p`` the two-sided p-value (exact when
    ``exact``), ``tau`` Kendall's tau-a (S over n(n−1)/2), ``slope`` the Theil-Sen slope per
    step of the series, ``intercept`` median(values) − slope·median(index) with index 0..n−1.
    """

    n: int
    s: float
    var_s: float
    z: float
    p: float
    tau: float
    slope: float
    intercept: float
    exact: bool


def _poly_mul(a: list[int], b: list[int]) -> list[int]:
    out = [0] * (len(a) + len(b) - 1)
    for i, x in enumerate(a):
        if x:
            for j, y in enumerate(b):
                out[i + j] += x * y
    return out


def _poly_add(a: list[int], b: list[int]) -> list[int]:
    out = [0] * max(len(a), len(b))
    for i, x in enumerate(a):
        out[i] += x
    for i, y in enumerate(b):
        out[i] += y
    return out


@cache
def _q_binomial(m: int, r: int) -> tuple[int, ...]:
    """Gaussian binomial coefficient [m over r]_q as polynomial coefficients in q: entry i
    counts the arrangements of r ones and m − r zeros with i inversions."""
    if r == 0 or r == m:
        return (1,)
    left = list(_q_binomial(m - 1, r - 1))
    right = [0] * r + list(_q_binomial(m - 1, r))
    return tuple(_poly_add(left, right))


def _inversion_counts(group_sizes: Sequence[int]) -> list[int]:
    """How many distinct orderings of a multiset (groups of tied values of these sizes) have
    each number of inversions: the q-multinomial coefficient, built as a product of q-binomials.
    Under "no trend" every distinct ordering is equally likely, so this is the exact null
    distribution of the number of discordant pairs, ties included."""
    counts = [1]
    placed = 0
    for size in group_sizes:
        placed += size
        counts = _poly_mul(counts, list(_q_binomial(placed, size)))
    return counts


def _exact_mk_p(s: int, n: int, group_sizes: Sequence[int]) -> float:
    """Exact two-sided P(|S| >= |s|) under no trend. S = P − 2·inversions, where P is the
    number of untied pairs."""
    untied = n * (n - 1) // 2 - sum(t * (t - 1) // 2 for t in group_sizes)
    counts = _inversion_counts(group_sizes)
    total = sum(counts)
    extreme = sum(c for inv, c in enumerate(counts) if abs(untied - 2 * inv) >= abs(s))
    return min(1.0, extreme / total)


def theil_sen_slope(values: Sequence[float]) -> float:
    """Median of the pairwise slopes (x_j − x_i)/(j − i), i < j, of an evenly spaced series
    (units: the values' units per step). Needs at least two values."""
    x = _finite(values, "values")
    if x.size < 2:
        raise ValueError("a slope needs at least two values")
    i, j = np.triu_indices(x.size, k=1)
    return float(np.median((x[j] - x[i]) / (j - i)))


def mann_kendall(values: Sequence[float]) -> MannKendall:
    """Mann-Kendall test for a monotonic trend in an evenly spaced series (oldest first).

    S = Σ_{i<j} sign(x_j − x_i); var(S) = [n(n−1)(2n+5) − Σ t(t−1)(2t+5)]/18 over the groups
    of t tied values. For n <= 10 the p-value is exact: the null distribution of S is counted
    over every distinct ordering of the observed values (ties included, via q-multinomial
    coefficients), so n = 4 strictly increasing values give p = 2/24 = 0.0833. Longer series use
    z = (S − sign(S))/sqrt(var S) and the normal distribution. ``z`` is always the normal
    score. A series whose values are all equal has S = 0, z = 0, p = 1. Needs at least two
    values; NaN raises ``ValueError``.
    """
    x = _finite(values, "values")
    n = int(x.size)
    if n < 2:
        raise ValueError("the Mann-Kendall test needs at least two values")
    i, j = np.triu_indices(n, k=1)
    s = int(np.sign(x[j] - x[i]).sum())
    _unique, group_sizes = np.unique(x, return_counts=True)
    ties = sum(int(t) * (int(t) - 1) * (2 * int(t) + 5) for t in group_sizes)
    var_s = (n * (n - 1) * (2 * n + 5) - ties) / 18.0
    z = 0.0 if var_s <= 0 or s == 0 else (s - math.copysign(1.0, s)) / math.sqrt(var_s)
    exact = n <= MK_EXACT_MAX_N
    if var_s <= 0:
        p = 1.0
    elif exact:
        p = _exact_mk_p(s, n, [int(t) for t in group_sizes])
    else:
        p = _normal_p(z)
    slope = theil_sen_slope(x)
    intercept = float(np.median(x) - slope * np.median(np.arange(n)))
    tau = s / (n * (n - 1) / 2.0)
    return MannKendall(n, float(s), float(var_s), float(z), float(p), tau, slope, intercept, exact)


# --- multiple testing ---


def benjamini_hochberg(pvalues: Sequence[float]) -> list[float]:
    """Benjamini-Hochberg adjusted p-values (the step-up false discovery rate procedure).

    With p-values sorted ascending, adjusted p_(i) = min over j >= i of m·p_(j)/j, capped at 1;
    the result is in the input's order, so "adjusted < q" rejects exactly the hypotheses the
    procedure rejects at level q. Adjusted values are monotone in the raw ones, and ties get
    equal adjusted values. An empty input gives an empty list. Values outside 0..1 or NaN
    raise ``ValueError``.
    """
    p = np.asarray(pvalues, dtype=float)
    if p.size == 0:
        return []
    if p.ndim != 1 or np.any(np.isnan(p)) or np.any((p < 0) | (p > 1)):
        raise ValueError("p-values must be a flat sequence of numbers in 0..1")
    m = p.size
    order = np.argsort(p, kind="stable")
    ranked = p[order] * m / np.arange(1, m + 1)
    stepped = np.minimum.accumulate(ranked[::-1])[::-1]
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(stepped, 1.0)
    return [float(v) for v in adjusted]


# --- reliability ---


def cronbach_alpha(
    rows: Sequence[Sequence[float]], confidence: float = 0.95
) -> tuple[float, float, float]:
    """Cronbach's alpha of a questionnaire scale with Feldt's F-based interval.

    ``rows`` holds one sequence per respondent with that respondent's k item answers (any
    numeric scale; drop incomplete respondents first: missing values raise ``ValueError``).
    alpha = k/(k − 1)·(1 − Σ var(item)/var(total)), variances with n − 1. The interval uses
    (1 − alpha)/(1 − alpha_hat) ~ F(n − 1, (n − 1)(k − 1)) (Feldt 1965; Feldt, Woodruff &
    Salih 1987, formulas 6-7). Returns ``(alpha, low, high)``; alpha may be negative. Needs at
    least two respondents and two items, and total scores that vary (otherwise alpha is
    undefined: ``ValueError``).
    """
    data = np.asarray(rows, dtype=float)
    if data.ndim != 2:
        raise ValueError("rows must be a respondents x items table")
    n, k = data.shape
    if n < 2 or k < 2:
        raise ValueError("Cronbach's alpha needs at least two respondents and two items")
    if not np.all(np.isfinite(data)):
        raise ValueError("rows must not contain missing values")
    total_var = float(data.sum(axis=1).var(ddof=1))
    if total_var == 0.0:
        raise ValueError("total scores do not vary: alpha is undefined")
    item_var = float(data.var(axis=0, ddof=1).sum())
    alpha = k / (k - 1) * (1.0 - item_var / total_var)
    gamma = 1.0 - confidence
    if not 0.0 < gamma < 1.0:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence!r}")
    df1, df2 = n - 1, (n - 1) * (k - 1)
    from scipy import stats as sps  # imported on first use: see the module docstring

    low = 1.0 - (1.0 - alpha) * float(sps.f.isf(gamma / 2.0, df1, df2))
    high = 1.0 - (1.0 - alpha) * float(sps.f.isf(1.0 - gamma / 2.0, df1, df2))
    return alpha, low, high
