"""The internal service IQ: from answers to components, ISQ, IQ, intervals and markers.

All scores are on 0..100 unless a docstring says otherwise (proportions in the shrinkage
formulas are fractions in 0..1, as in the literature). The model, with its reasons, is in
``docs/scoring.md``:

1. every item to 0..100, s = 100·(x − 1)/(K − 1) for a K-point scale (``rescale``);
2. each respondent's items averaged first, then the respondents (``respondent_first_mean``);
3. components T (share of 4-5 answers after a request), R (relationship score), C (share of
   interactions within the service standard);
4. small samples shrunk toward the organisation: proportions with a beta-binomial prior
   (``shrink_proportion``, ``fit_beta_binomial_m``), means by normal-normal empirical Bayes
   (``shrink_mean``, ``fit_normal_prior``);
5. ISQ, the weighted mean of the components present (``isq``);
6. IQ = 100 + 15·(ISQ − mu0)/sigma0 against a frozen, versioned ``Baseline``;
7. bootstrap BCa intervals over respondents (``bootstrap_bca``), mapped linearly to IQ;
8. change markers (BH-adjusted p < 0.05 and |delta ISQ| >= 5), trend badges from five
   quarters (``trend``), and the perception gap (``perception_gap``).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from analysis import stats

#: ISQ weights of the components (T post-interaction satisfaction, R relationship score,
#: C service-standard compliance); configurable, written down with every result.
DEFAULT_WEIGHTS: Mapping[str, float] = {"T": 0.35, "R": 0.45, "C": 0.20}
#: The beta-binomial prior strength m is clipped to this range (pseudo-respondents).
M_BOUNDS = (2.0, 50.0)
#: The lowest answer counted as satisfied for T on a 1..5 scale.
TOP_BOX = 4
#: A change is flagged at this Benjamini-Hochberg-adjusted p-value...
CHANGE_ALPHA = 0.05
#: ...and only when ISQ moved by at least this many points.
CHANGE_MIN_ISQ = 5.0
#: A trend badge needs at least this many quarters (with 4, Mann-Kendall cannot reach p < 0.05).
MIN_TREND_QUARTERS = 5
#: |self view − customers' view| below this many points is "aligned".
GAP_THRESHOLD = 5.0
#: IQ scale: mean and standard deviation of the baseline population.
IQ_MEAN, IQ_SD = 100.0, 15.0
#: Bumped when the way a baseline is computed changes; part of every baseline version.
BASELINE_METHOD = 1


# --- items and respondents ---


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


def respondent_first_mean(respondents: Sequence[Sequence[float | None]]) -> float | None:
    """Mean over respondents of each respondent's mean item score.

    ``respondents`` holds, per respondent, that respondent's item scores (already on a common
    scale, e.g. 0..100 from ``rescale``); ``None`` marks an unanswered item and is skipped. A
    respondent who answered nothing is left out, so a talkative respondent weighs as much as
    a terse one. Returns ``None`` when nobody answered anything.
    """
    means = []
    for items in respondents:
        answered = [float(v) for v in items if v is not None]
        if answered:
            means.append(sum(answered) / len(answered))
    return sum(means) / len(means) if means else None


def top_box_share(ratings: Sequence[float], threshold: float = TOP_BOX) -> float | None:
    """T for a set of respondents: the percentage (0..100) whose rating is at least
    ``threshold`` (4 on a 1..5 scale, i.e. the share of 4-5 answers). ``None`` without
    ratings."""
    if not ratings:
        return None
    return 100.0 * sum(1 for r in ratings if r >= threshold) / len(ratings)


# --- shrinkage ---


def shrink_proportion(x: float, n: float, p_bar: float, m: float) -> float:
    """Beta-binomial posterior mean (x + m·p̄)/(n + m), a fraction in 0..1.

    ``x`` successes of ``n`` for the department, ``p_bar`` the organisation's proportion
    (0..1), ``m`` the prior strength in pseudo-observations (from ``fit_beta_binomial_m``).
    n = 0 gives p̄ (the prior); as n grows the result approaches x/n. m = 0 gives the raw
    x/n (and p̄ when n is also 0).
    """
    stats._check_count(x, n)
    if not 0.0 <= p_bar <= 1.0:
        raise ValueError(f"p_bar must be in 0..1, got {p_bar!r}")
    if m < 0:
        raise ValueError(f"m must not be negative, got {m!r}")
    if n + m == 0:
        return float(p_bar)
    return (x + m * p_bar) / (n + m)


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


def shrink_mean(raw: float, n: float, sigma2: float, grand: float, tau2: float) -> float:
    """Normal-normal empirical Bayes mean: B·raw + (1 − B)·grand with B = tau2/(tau2 + sigma2/n).

    ``raw`` the department's mean of n respondents, ``sigma2`` the within-department variance
    of a respondent's score, ``grand`` the organisation mean, ``tau2`` the between-department
    variance (all in the score's units, e.g. 0..100 and its square). n = 0 gives ``grand``;
    tau2 = 0 gives ``grand`` (full pooling); as n grows B → 1 and the result approaches
    ``raw``. When tau2 and sigma2 are both 0 there is no noise to shrink: ``raw``.
    """
    if n < 0 or sigma2 < 0 or tau2 < 0:
        raise ValueError("n, sigma2 and tau2 must not be negative")
    if n == 0:
        return float(grand)
    denominator = tau2 + sigma2 / n
    weight = 1.0 if denominator == 0 else tau2 / denominator
    return weight * raw + (1.0 - weight) * grand


@dataclass(frozen=True)
class NormalPrior:
    """The organisation-level prior of a mean score: ``grand`` mean of the respondents,
    pooled within-department variance ``sigma2``, between-department variance ``tau2``."""

    grand: float
    sigma2: float
    tau2: float


def fit_normal_prior(groups: Sequence[tuple[int, float, float]]) -> NormalPrior:
    """Method-of-moments prior for ``shrink_mean`` from (n, mean, variance) per department.

    grand = respondent-weighted mean; sigma2 = pooled within variance Σ(n−1)s²/Σ(n−1);
    tau2 = max(0, var(department means) − mean(sigma2/n)). Needs two departments with at
    least two respondents each (``ValueError`` otherwise).
    """
    usable = [(int(n), float(m), float(v)) for n, m, v in groups if n >= 2]
    if len(usable) < 2:
        raise ValueError("the prior needs two departments with at least two respondents")
    total = sum(n for n, _, _ in usable)
    grand = sum(n * m for n, m, _ in usable) / total
    sigma2 = sum((n - 1) * v for n, _, v in usable) / sum(n - 1 for n, _, _ in usable)
    means = [m for _, m, _ in usable]
    centre = sum(means) / len(means)
    spread = sum((m - centre) ** 2 for m in means) / (len(means) - 1)
    noise = sum(sigma2 / n for n, _, _ in usable) / len(usable)
    return NormalPrior(grand, sigma2, max(spread - noise, 0.0))


# --- ISQ and IQ ---


def isq(
    values_by_component: Mapping[str, float | None],
    weights: Mapping[str, float] = DEFAULT_WEIGHTS,
) -> float:
    """ISQ = Σ w_i·X_i / Σ w_i over the components present, on 0..100.

    ``values_by_component`` maps a component key (T, R, C) to its shrunk value on 0..100 or
    ``None`` when it is missing or hidden; ``weights`` maps keys to non-negative weights
    (default T 0.35, R 0.45, C 0.20). Missing components and components without weight are
    left out and the weights renormalised over the rest, so {T: 80, R: 60} with the default
    weights gives (0.35·80 + 0.45·60)/0.80 = 68.75. No component present: ``ValueError``.
    """
    if any(w < 0 for w in weights.values()):
        raise ValueError("weights must not be negative")
    present = {
        key: float(value)
        for key, value in values_by_component.items()
        if value is not None and weights.get(key, 0.0) > 0
    }
    if not present:
        raise ValueError("ISQ needs at least one weighted component")
    total = sum(weights[key] for key in present)
    return sum(weights[key] * value for key, value in present.items()) / total


@dataclass(frozen=True)
class Baseline:
    """A frozen IQ baseline: mean ``mu0`` and standard deviation ``sigma0`` of the ISQ values
    (0..100) of every department-quarter in ``quarters``. ``version`` names it; results
    carry the version so an IQ can always be traced to the baseline it was computed with."""

    version: str
    mu0: float
    sigma0: float
    quarters: tuple[str, ...] = ()


def freeze_baseline(
    values: Sequence[float], quarters: Sequence[str] = (), version: str | None = None
) -> Baseline:
    """The baseline of a set of ISQ values (one per shown department-quarter).

    mu0 is their mean and sigma0 their sample standard deviation (n − 1). ``quarters`` are
    the quarters the values come from (by default the first four with data). The version,
    unless given, is ``v<method>-<first quarter>-<last quarter>`` (16 characters for labels
    like 2026Q1), or ``v<method>-`` and a hash of the values when there are no quarter labels
    or the name would exceed 20 characters. Needs at least two values; sigma0 may come out
    0 when they are all equal, and ``iq`` then refuses the baseline.
    """
    data = stats._finite(values, "values")
    if data.size < 2:
        raise ValueError("a baseline needs at least two ISQ values")
    mu0 = float(data.mean())
    sigma0 = float(data.std(ddof=1))
    labels = tuple(str(q) for q in quarters)
    if version is None:
        version = f"v{BASELINE_METHOD}-{labels[0]}-{labels[-1]}" if labels else ""
        if not version or len(version) > 20:
            digest = hashlib.sha256(repr((labels, data.tolist())).encode()).hexdigest()
            version = f"v{BASELINE_METHOD}-{digest[:12]}"
    return Baseline(version=version, mu0=mu0, sigma0=sigma0, quarters=labels)


def iq(value: float, baseline: Baseline) -> float:
    """IQ = 100 + 15·(ISQ − mu0)/sigma0 for an ISQ ``value`` on 0..100.

    Linear, so it maps interval bounds as well as estimates. A baseline with sigma0 <= 0
    (all baseline ISQs equal) cannot scale anything: ``ValueError``.
    """
    if not baseline.sigma0 > 0:
        raise ValueError(f"baseline {baseline.version!r} has no spread (sigma0 = 0)")
    return IQ_MEAN + IQ_SD * (value - baseline.mu0) / baseline.sigma0


# --- intervals ---


@dataclass(frozen=True)
class Interval:
    """A point estimate with its two-sided interval (same units as the estimate)."""

    estimate: float
    low: float
    high: float


def iq_interval(interval: Interval, baseline: Baseline) -> Interval:
    """An ISQ interval mapped to the IQ scale (the map is linear and increasing, so the
    bounds map to the bounds)."""
    return Interval(
        iq(interval.estimate, baseline), iq(interval.low, baseline), iq(interval.high, baseline)
    )


def bootstrap_bca(
    samples: Sequence[Sequence[float]],
    statistic: Callable[..., float],
    *,
    confidence: float = 0.95,
    n_resamples: int = 2000,
    seed: int = 0,
) -> Interval:
    """Bias-corrected and accelerated bootstrap interval (Efron & Tibshirani 1993, 14.3).

    ``samples`` is a sequence of independent samples (one per component, e.g. the T
    respondents' 0/1 answers and the R respondents' scores); each is resampled with
    replacement on its own and ``statistic(*resampled)`` gives one replicate, so the ISQ
    interval comes from resampling respondents. z0 = Φ⁻¹(share of replicates below the
    estimate, ties counted half); the acceleration comes from the jackknife leaving out one
    observation of one sample at a time. The resampling order follows
    ``scipy.stats.bootstrap(method='BCa')``: with the same seed both give the same interval.

    Edge cases: every sample needs at least two finite values (``ValueError``); when all
    replicates are equal (e.g. all answers the same) the interval collapses onto them; when
    the estimate lies outside all replicates, z0 is clipped to the most extreme replicate
    instead of becoming infinite. Deterministic for a given ``seed``.
    """
    arrays = [stats._finite(s, "sample") for s in samples]
    if not arrays or any(a.size < 2 for a in arrays):
        raise ValueError("every sample needs at least two values")
    if n_resamples < 1:
        raise ValueError("n_resamples must be positive")
    level = stats._z(confidence)  # validates confidence
    theta = float(statistic(*arrays))
    rng = np.random.default_rng(seed)
    indices = [rng.integers(0, a.size, (n_resamples, a.size)) for a in arrays]
    replicates = np.array(
        [
            float(statistic(*(a[idx[b]] for a, idx in zip(arrays, indices, strict=True))))
            for b in range(n_resamples)
        ]
    )
    if np.all(replicates == replicates[0]):
        value = float(replicates[0])
        return Interval(theta, min(theta, value), max(theta, value))

    share = (np.count_nonzero(replicates < theta) + np.count_nonzero(replicates <= theta)) / (
        2.0 * n_resamples
    )
    share = min(max(share, 0.5 / n_resamples), 1.0 - 0.5 / n_resamples)
    normal = NormalDist()
    z0 = normal.inv_cdf(share)

    numerator = denominator = 0.0
    for j, a in enumerate(arrays):
        n = a.size
        jack = np.empty(n)
        for i in range(n):
            left_out = list(arrays)
            left_out[j] = np.delete(a, i)
            jack[i] = float(statistic(*left_out))
        u = (n - 1) * (jack.mean() - jack)
        numerator += float(np.sum(u**3)) / n**3
        denominator += float(np.sum(u**2)) / n**2
    accel = numerator / (6.0 * denominator**1.5) if denominator > 0 else 0.0

    def adjusted(z_alpha: float) -> float:
        shifted = z0 + z_alpha
        return normal.cdf(z0 + shifted / (1.0 - accel * shifted))

    low_q, high_q = adjusted(-level), adjusted(level)
    low, high = np.quantile(replicates, [low_q, high_q])
    return Interval(theta, float(low), float(high))


# --- markers ---


def change_marker(
    delta: float,
    p_adjusted: float,
    *,
    alpha: float = CHANGE_ALPHA,
    min_delta: float = CHANGE_MIN_ISQ,
) -> str | None:
    """ "up" or "down" when a quarter-over-quarter ISQ change is both significant
    (Benjamini-Hochberg-adjusted p < ``alpha``) and large (|delta| >= ``min_delta`` ISQ
    points); otherwise ``None``. ``delta`` is ISQ after minus ISQ before, on 0..100."""
    if p_adjusted < alpha and abs(delta) >= min_delta:
        return "up" if delta > 0 else "down"
    return None


def change_markers(
    changes: Sequence[tuple[float, float]],
    *,
    alpha: float = CHANGE_ALPHA,
    min_delta: float = CHANGE_MIN_ISQ,
) -> list[str | None]:
    """Markers for a family of changes tested together (e.g. every department of a quarter).

    ``changes`` holds (delta ISQ, raw p-value) per change; the p-values are adjusted together
    with Benjamini-Hochberg, then each change goes through ``change_marker``. The result is
    in the input's order; an empty input gives an empty list.
    """
    adjusted = stats.benjamini_hochberg([p for _delta, p in changes])
    return [
        change_marker(delta, p, alpha=alpha, min_delta=min_delta)
        for (delta, _raw), p in zip(changes, adjusted, strict=True)
    ]


@dataclass(frozen=True)
class Trend:
    """A trend badge over a quarterly series: ``direction`` is "rising", "falling" or "flat"
    (not significant), ``p`` the Mann-Kendall p-value, ``slope`` the Theil-Sen slope in
    points per quarter, and the rest of the test as in ``stats.MannKendall``."""

    direction: str
    p: float
    slope: float
    intercept: float
    tau: float
    s: float
    z: float
    n: int
    exact: bool


def trend(
    values: Sequence[float],
    *,
    alpha: float = CHANGE_ALPHA,
    min_quarters: int = MIN_TREND_QUARTERS,
) -> Trend | None:
    """Mann-Kendall trend with Theil-Sen slope over a quarterly series (oldest first).

    Returns ``None`` for fewer than ``min_quarters`` values (default 5: with four quarters
    the exact two-sided p cannot go below 2/24 = 0.083, so no badge could ever show). The
    direction is "flat" unless p < ``alpha``, then "rising" or "falling" by the sign of S.
    Series up to 10 quarters get the exact p-value.
    """
    if len(values) < min_quarters:
        return None
    mk = stats.mann_kendall(values)
    direction = "flat" if mk.p >= alpha or mk.s == 0 else "rising" if mk.s > 0 else "falling"
    return Trend(direction, mk.p, mk.slope, mk.intercept, mk.tau, mk.s, mk.z, mk.n, mk.exact)


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
