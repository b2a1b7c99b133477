"""The scoring model in one place: priors, components, ISQ, IQ, intervals, flags, trends, groups.

Pure numpy/scipy. Every function takes the plain sums the application already stores and
returns plain frozen dataclasses (or numpy arrays in the ``*_arrays`` variants the simulation
study, ``analysis.validate``, uses). Scores are on 0..100; shares inside the formulas are
fractions in 0..1. The reasons and the simulation study that checks them are in
``docs/scoring.md`` ("The model, version 3").

Inputs per department and quarter:

- T (post-interaction satisfaction, person-averaged): ``successes`` = the sum over people of
  each person's share of 4-5 answers (may be fractional), ``trials`` = the number of people;
- C (compliance): ``successes`` = interactions within the standard, ``trials`` = judged ones;
- R (relationship score): per-person means on 0..100 as ``n``, ``total`` (Σ) and
  ``total_sq`` (Σ of squares); for change tests a histogram of the per-person values over a
  shared ordered grid of bins.

Model (section "The model, version 3" of docs/scoring.md):

1. Priors are fitted once on pooled department-quarters (the baseline quarters) and frozen
   with the baseline (``fit_priors``). Shares get a beta prior of mean p̄ and strength m
   (m clipped to ``M_RANGE``: the upper clip is an intra-class-correlation floor of about
   2 %, so a department of 5 is never pulled all the way to the organisation); R gets a
   normal prior with τ² floored at ``TAU2_FLOOR_ICC``. The between-department correlation of
   the components is estimated from the same data.
2. Each component is the posterior mean; its 95 % interval is the posterior interval widened
   for the uncertainty of the prior itself (Morris 1983): the variance gains
   2/(g − 3)·B²·(raw − prior mean)² and B²·τ²/g, where B is the weight on the prior and g
   the number of departments the prior was fitted on. Shares use a beta with that mean and
   variance, so their interval stays inside 0..100.
3. A missing or hidden component takes its prior mean with its prior variance (B = 1), so the
   ISQ keeps its meaning: ISQ = Σ w·X with fixed weights. A component the organisation does
   not measure at all in the quarter (``measured``: no department has it; the application
   says whether the organisation collected it, whatever the gate shows) leaves that quarter's
   ISQ instead: the weights are renormalised over the components measured
   (``measured_weights``), so a first quarter without a ticketing tool is scored on R alone
   rather than on R blurred by two vague priors.
4. ISQ's variance adds the covariance of the component errors, B_i·B_j·ρ_ij·τ_i·τ_j (both
   components are pulled toward the organisation by the same true standing).
5. IQ = 100 + 15·(ISQ − μ0)/σ0 against the frozen baseline (σ0 the departments' spread the
   priors estimate, ``isq_spread``); μ0 and σ0 are constants of the
   definition once frozen, so the IQ interval is the ISQ interval mapped. ``Baseline2``
   reports their standard errors so a reader can see what re-basing could move.
6. Change flags: per component an exact Fisher test for shares (z with continuity correction
   above ``EXACT_MAX_N``), a Mann-Whitney test on the per-person histogram for R; only
   components with at least ``MIN_N_FLAG`` in both quarters; combined into one department
   p-value by a weighted Stouffer sum; flagged when the Benjamini-Hochberg adjusted p over
   every flag on the page (counted as at least ``MIN_FLAG_FAMILY`` tests) is below 0.05, the
   change of the shrunk ISQ over the components shown in both quarters is at least 5, and
   the test points the same way.
7. Trends: Mann-Kendall on the real time axis (gaps kept, the Theil-Sen slope per quarter
   of real time), from ``MIN_TREND_QUARTERS`` points, Benjamini-Hochberg across departments.
8. Rank groups: "above" / "in_line" / "below" the organisation by whether the ISQ interval
   excludes the organisation's ISQ; no rank numbers.

scipy is imported inside the functions that need it (as in ``analysis.stats``), so importing
this module does not load it into every web worker.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Protocol, TypeVar

import numpy as np

from analysis import stats

#: Version of this model; recorded with priors and baselines. Version 3 differs from 2 only
#: in the ISQ of a quarter with a component measured nowhere in the organisation (it leaves
#: the ISQ instead of entering at its prior); priors stored by version 2 read as version 3's.
MODEL_VERSION = 3
#: Model versions whose stored priors this version reads (the priors are the same fit).
READABLE_VERSIONS = (2, 3)
#: Component keys in their fixed order.
COMPONENTS = ("T", "R", "C")
#: ISQ weights (fixed; a component missing in some departments takes its prior there; only a
#: component the organisation does not measure in a quarter is left out, ``measured_weights``).
WEIGHTS: Mapping[str, float] = {"T": 0.35, "R": 0.45, "C": 0.20}
#: Prior strength m of a share, clipped to this range. m ≤ 49 is an intra-class-correlation
#: floor of 0.02 (1/(m + 1)); m ≥ 1 keeps at least one pseudo-person of pooling.
M_RANGE = (1.0, 49.0)
#: Floor of the between-department variance of R as an intra-class correlation τ²/(τ² + σ²).
TAU2_FLOOR_ICC = 0.02
#: Minimum gate of a figure (distinct people).
K_MIN = 5
#: No change flag rests on a component with fewer than this many people in either quarter.
MIN_N_FLAG = 10
#: Shares tested exactly (Fisher) when the smaller quarter has at most this many.
EXACT_MAX_N = 100
#: A change is flagged at BH-adjusted p below this, and a shrunk ISQ change of at least...
CHANGE_ALPHA = 0.05
CHANGE_MIN_ISQ = 5.0
#: The page's family is corrected as if it had at least this many departments: BH over m
#: tests lets about CHANGE_ALPHA/m false flags through per transition, so a page of one to
#: three departments flagged up to 1 null transition in 110; from ten, at most 1 in 200.
MIN_FLAG_FAMILY = 10
#: Trend badges from this many quarters; BH across departments at TREND_ALPHA.
MIN_TREND_QUARTERS = 5
TREND_ALPHA = 0.05
#: 95 % two-sided normal quantile.
Z95 = 1.959963984540054


# --- priors ---


@dataclass(frozen=True)
class SharePrior:
    """Beta prior of a share: ``mean`` p̄ (0..1), strength ``m`` (pseudo-people), fitted on
    ``groups`` distinct departments. Prior variance p̄(1 − p̄)/(m + 1)."""

    mean: float
    m: float
    groups: int

    @property
    def tau2(self) -> float:
        """Between-department variance on the 0..100 scale."""
        return 1e4 * self.mean * (1 - self.mean) / (self.m + 1)


@dataclass(frozen=True)
class MeanPrior:
    """Normal prior of R: ``mean`` (0..100), within-department variance ``sigma2`` of one
    person's score, between-department variance ``tau2`` (floored), ``groups`` departments."""

    mean: float
    sigma2: float
    tau2: float
    groups: int


@dataclass(frozen=True)
class Priors:
    """The frozen priors of the three components and their between-department correlation
    ``corr`` (3×3 tuple in T, R, C order), with the ``weights`` and model version."""

    T: SharePrior
    R: MeanPrior
    C: SharePrior
    corr: tuple[tuple[float, ...], ...]
    weights: tuple[float, float, float] = (WEIGHTS["T"], WEIGHTS["R"], WEIGHTS["C"])
    version: int = MODEL_VERSION

    def tau(self) -> np.ndarray:
        """Between-department standard deviations (0..100) in T, R, C order."""
        return np.sqrt([self.T.tau2, self.R.tau2, self.C.tau2])


def fit_share_prior(successes, trials, groups: int | None = None) -> SharePrior:
    """Beta prior from pooled department-quarters (x, n); rows with n = 0 are ignored.

    p̄ = Σx/Σn; m by the method of moments (``scoring.fit_beta_binomial_m``) clipped to
    ``M_RANGE``. ``groups`` is the number of distinct departments behind the rows (defaults
    to the number of rows); it sizes the allowance for the prior's own uncertainty. Needs two
    rows with n > 0 (``ValueError``).
    """
    from analysis.scoring import fit_beta_binomial_m

    x = np.asarray(successes, float)
    n = np.asarray(trials, float)
    keep = n > 0
    pairs = list(zip(x[keep].tolist(), n[keep].tolist(), strict=True))
    m = fit_beta_binomial_m(pairs, bounds=M_RANGE)
    mean = float(x[keep].sum() / n[keep].sum())
    mean = min(max(mean, 1e-3), 1 - 1e-3)
    return SharePrior(mean, float(m), int(groups if groups is not None else keep.sum()))


def fit_mean_prior(n, total, total_sq, groups: int | None = None) -> MeanPrior:
    """Normal prior of R from pooled department-quarters given as per-person sums.

    mean = Σtotal/Σn; σ² = pooled within variance Σ(n−1)s²/Σ(n−1) (rows with n ≥ 2);
    τ² = var(department means) − mean(σ²/n), floored so that τ²/(τ² + σ²) ≥ ``TAU2_FLOOR_ICC``.
    Needs two rows with n ≥ 2 and some spread within them (``ValueError``).
    """
    n = np.asarray(n, float)
    s = np.asarray(total, float)
    ss = np.asarray(total_sq, float)
    keep = n >= 2
    if keep.sum() < 2:
        raise ValueError("the R prior needs two department-quarters with at least two people")
    n, s, ss = n[keep], s[keep], ss[keep]
    means = s / n
    within = np.maximum(ss - s * s / n, 0.0)
    sigma2 = float(within.sum() / (n - 1).sum())
    if not sigma2 > 0:
        raise ValueError("the R prior needs some spread between people (all scores equal)")
    tau2 = float(means.var(ddof=1) - np.mean(sigma2 / n))
    floor = TAU2_FLOOR_ICC / (1 - TAU2_FLOOR_ICC) * sigma2
    return MeanPrior(
        float(s.sum() / n.sum()),
        sigma2,
        max(tau2, floor),
        int(groups if groups is not None else keep.sum()),
    )


#: The priors a component gets when it cannot be fitted (``fit_priors`` with ``fallback``:
#: fewer than two department-quarters with data, e.g. an organisation without service
#: standards has no C): a between-department spread of a typical organisation, 15 points
#: (a share of mean 0.5 with m = 10: √(0.25/11) ≈ 0.15; R of mean 50 with τ = 15 and a
#: within spread of 25 points, about a 1..5 scale's). ``groups`` = 0, so the allowance for
#: the prior's own uncertainty is the largest (g = 5).
VAGUE_SHARE = SharePrior(0.5, 10.0, 0)
VAGUE_MEAN = MeanPrior(50.0, 625.0, 225.0, 0)


def fit_priors(
    t_successes,
    t_trials,
    r_n,
    r_total,
    r_total_sq,
    c_successes,
    c_trials,
    groups: int | None = None,
    fallback: bool = False,
) -> Priors:
    """All three priors and the components' correlation from pooled department-quarters
    (parallel sequences, one entry per department-quarter; a missing component has n = 0).

    The correlation ρ_ij is the sample covariance of the raw means of the rows where both
    components have n ≥ ``K_MIN`` (sampling noise is independent between components, so it
    does not bias the covariance), divided by τ_i·τ_j and clipped to ±0.95; 0 with fewer than
    three such rows. With ``fallback`` a component that cannot be fitted (``ValueError``)
    gets ``VAGUE_SHARE`` / ``VAGUE_MEAN`` instead of raising.
    """

    def fit(fn, vague, *args):
        try:
            return fn(*args, groups)
        except ValueError:
            if not fallback:
                raise
            return vague

    tp = fit(fit_share_prior, VAGUE_SHARE, t_successes, t_trials)
    rp = fit(fit_mean_prior, VAGUE_MEAN, r_n, r_total, r_total_sq)
    cp = fit(fit_share_prior, VAGUE_SHARE, c_successes, c_trials)
    tn, rn, cn = (np.asarray(a, float) for a in (t_trials, r_n, c_trials))
    raw = np.vstack(
        [
            100 * np.asarray(t_successes, float) / np.maximum(tn, 1),
            np.asarray(r_total, float) / np.maximum(rn, 1),
            100 * np.asarray(c_successes, float) / np.maximum(cn, 1),
        ]
    )
    ok = np.vstack([tn >= K_MIN, rn >= K_MIN, cn >= K_MIN])
    tau = np.sqrt([tp.tau2, rp.tau2, cp.tau2])
    corr = np.eye(3)
    for i in range(3):
        for j in range(i + 1, 3):
            both = ok[i] & ok[j]
            if both.sum() >= 3:
                cov = np.cov(raw[i, both], raw[j, both])[0, 1]
                corr[i, j] = corr[j, i] = float(np.clip(cov / (tau[i] * tau[j]), -0.95, 0.95))
    return Priors(tp, rp, cp, tuple(tuple(float(v) for v in row) for row in corr))


# --- components ---


@dataclass(frozen=True)
class Estimate:
    """A shrunk estimate on 0..100 with its 95 % interval, standard error, the number it rests
    on, ``prior_weight`` B (0 = all data, 1 = all prior) and whether it is ``missing`` (then it
    is the prior mean with the prior's spread and is not shown on its own)."""

    value: float
    low: float
    high: float
    se: float
    n: float
    prior_weight: float
    missing: bool


def _morris_g(groups: int) -> float:
    return max(float(groups), 5.0)


def share_arrays(successes, trials, prior: SharePrior, k: int = K_MIN):
    """Vectorised shares: returns (value, low, high, se, B, missing) arrays on 0..100.

    Rows with n < k are missing: B = 1, the prior mean and variance. Otherwise the beta
    posterior mean (x + m·p̄)/(n + m) with variance p̃(1 − p̃)/(n + m + 1) + 2/(g − 3)·B²·(x/n
    − p̄)² + B²·τ²/g, B = m/(n + m), and the 2.5 % / 97.5 % quantiles of the beta with that mean
    and variance.
    """
    x = np.asarray(successes, float)
    n = np.asarray(trials, float)
    missing = n < k
    nn = np.where(missing, 0.0, n)
    xx = np.where(missing, 0.0, x)
    m, p = prior.m, prior.mean
    g = _morris_g(prior.groups)
    b = m / (nn + m)
    mean = (xx + m * p) / (nn + m)
    raw = np.where(nn > 0, xx / np.maximum(nn, 1), p)
    prior_var = p * (1 - p) / (m + 1)
    var = (
        mean * (1 - mean) / (nn + m + 1)
        + 2.0 / (g - 3) * b * b * (raw - p) ** 2 * (nn > 0)
        + b * b * prior_var / g
    )
    low, high = _beta_bounds(mean, var)
    return 100 * mean, 100 * low, 100 * high, 100 * np.sqrt(var), b, missing


def _beta_bounds(mean: np.ndarray, var: np.ndarray):
    from scipy import special

    mean = np.clip(mean, 1e-9, 1 - 1e-9)
    var = np.minimum(var, mean * (1 - mean) * 0.999)
    nu = mean * (1 - mean) / var - 1
    a, b = mean * nu, (1 - mean) * nu
    return special.betaincinv(a, b, 0.025), special.betaincinv(a, b, 0.975)


def mean_arrays(n, total, total_sq, prior: MeanPrior, k: int = K_MIN):
    """Vectorised R: returns (value, low, high, se, B, missing) arrays on 0..100.

    V = σ²/n with the prior's pooled σ² (a department's own variance is too noisy at n = 5);
    B = V/(V + τ²); value = raw − B·(raw − mean); variance V·(1 − (g − 1)/g·B) + 2/(g − 3)·B²·
    (raw − mean)² (Morris 1983). Rows with n < k take the prior: value = mean, variance
    τ²·(1 + 1/g). Normal interval, clipped to 0..100.
    """
    del total_sq  # the pooled σ² is used; kept in the signature for the stored sums
    n = np.asarray(n, float)
    s = np.asarray(total, float)
    missing = n < k
    g = _morris_g(prior.groups)
    v = prior.sigma2 / np.maximum(n, 1)
    b = np.where(missing, 1.0, v / (v + prior.tau2))
    raw = np.where(missing, prior.mean, s / np.maximum(n, 1))
    value = raw - b * (raw - prior.mean)
    var = np.where(
        missing,
        prior.tau2 * (1 + 1 / g),
        v * (1 - (g - 1) / g * b) + 2.0 / (g - 3) * b * b * (raw - prior.mean) ** 2,
    )
    se = np.sqrt(var)
    return (
        value,
        np.clip(value - Z95 * se, 0, 100),
        np.clip(value + Z95 * se, 0, 100),
        se,
        b,
        missing,
    )


def measured_weights(weights: Sequence[float], measured: Sequence[bool]) -> np.ndarray:
    """The ISQ weights (T, R, C order) of a quarter whose organisation measures the components
    flagged in ``measured``: the others get 0 and the rest are renormalised to sum 1
    (Σ w_i·X_i / Σ w_i over the components measured). When nothing measured has weight, the
    weights are returned unchanged (every component then enters at its prior)."""
    w = np.asarray(weights, float)
    kept = np.where(np.asarray(measured, bool), w, 0.0)
    total = kept.sum()
    return kept / total if total > 0 else w / w.sum()


def isq_arrays(values, ses, prior_weights, priors: Priors, weights=None):
    """Vectorised ISQ from component arrays stacked as shape (3, N) in T, R, C order.

    ISQ = Σ w_i X_i with ``weights`` (default the priors' fixed weights; a quarter's
    ``measured_weights`` leave out what the organisation does not measure, weight 0). Var =
    Σ w_i² se_i² + 2 Σ_{i<j} w_i w_j B_i B_j ρ_ij τ_i τ_j. Returns (value, low, high, se)
    arrays.
    """
    x = np.asarray(values, float)
    se = np.asarray(ses, float)
    b = np.asarray(prior_weights, float)
    w = np.asarray(priors.weights if weights is None else weights, float)[:, None]
    tau = priors.tau()
    corr = np.asarray(priors.corr)
    value = (w * x).sum(axis=0)
    var = (w * w * se * se).sum(axis=0)
    for i in range(3):
        for j in range(i + 1, 3):
            var = var + 2 * w[i, 0] * w[j, 0] * b[i] * b[j] * corr[i, j] * tau[i] * tau[j]
    sd = np.sqrt(np.maximum(var, 0))
    return value, value - Z95 * sd, value + Z95 * sd, sd


@dataclass(frozen=True)
class Baseline2:
    """A frozen baseline: ``mu0`` (mean of the ISQs of the baseline department-quarters),
    ``sigma0`` (the departments' spread of true ISQ as the priors estimate it,
    ``isq_spread``), their standard errors (``mu0_se`` = σ0/√g over the g distinct
    departments, because a department's quarters are not independent; ``sigma0_se`` =
    σ0/√(2(g − 1))), the ``priors`` frozen with it and the ``quarters`` used."""

    mu0: float
    sigma0: float
    mu0_se: float
    sigma0_se: float
    groups: int
    priors: Priors
    quarters: tuple[str, ...] = ()
    version: int = MODEL_VERSION


def isq_spread(priors: Priors, measured: Sequence[bool] | None = None) -> float:
    """The between-department standard deviation of the true ISQ (0..100 points) that
    ``priors`` estimate: √(wᵀΣw), Σ_ij = ρ_ij τ_i τ_j, with w the priors' weights restricted
    to the components ``measured`` (``measured_weights``; default all three). Never 0 (every
    τ² is floored or vague).

    It is σ0, not the sample sd of the shown ISQs: shrinkage pulls the shown values together,
    the more so the more alike and the smaller the departments, and that sd fell toward 0 (a
    first quarter of alike departments gave 0.3 points, and IQ intervals of a thousand
    points). An ISQ's variance is at most about its prior's, so on this scale every IQ
    interval spans at most about 2 · 1.96 · 15 · √(1 + 1/g) points."""
    w = measured_weights(priors.weights, (True,) * 3 if measured is None else measured)
    tau = priors.tau()
    sigma = np.asarray(priors.corr, float) * np.outer(tau, tau)
    return float(np.sqrt(w @ sigma @ w))


def freeze_baseline2(
    isq_values,
    groups: int,
    priors: Priors,
    quarters: Sequence[str] = (),
    measured: Sequence[bool] | None = None,
) -> Baseline2:
    """Freeze μ0 (the mean of the ISQ values of the baseline department-quarters) and σ0
    (``isq_spread`` of ``priors`` over the components ``measured`` in some baseline quarter,
    default all three). ValueError with fewer than two values or departments."""
    v = np.asarray(isq_values, float)
    if v.size < 2 or groups < 2:
        raise ValueError("a baseline needs at least two ISQ values from two departments")
    sd = isq_spread(priors, measured)
    return Baseline2(
        float(v.mean()),
        sd,
        sd / math.sqrt(groups),
        sd / math.sqrt(2 * (groups - 1)),
        int(groups),
        priors,
        tuple(quarters),
    )


def iq_arrays(isq_value, isq_low, isq_high, baseline: Baseline2):
    """IQ = 100 + 15·(ISQ − μ0)/σ0, bounds mapped (the map is linear and increasing)."""

    def f(v):
        return 100 + 15 * (np.asarray(v, float) - baseline.mu0) / baseline.sigma0

    return f(isq_value), f(isq_low), f(isq_high)


def iq_estimate(isq: Estimate, baseline: Baseline2, include_baseline: bool = False) -> Estimate:
    """The IQ of an ISQ estimate against a frozen baseline.

    By default the interval is the ISQ interval mapped: once frozen, μ0 and σ0 are part of the
    definition. With ``include_baseline`` the interval also carries the baseline's own
    uncertainty, for a reader who asks how the department stands against the organisation as
    it truly was in the baseline quarters (delta method, normal): var(IQ) = (15/σ0)²·(se² +
    μ0_se²) + ((IQ − 100)/σ0)²·σ0_se².
    """
    v, lo, hi = iq_arrays(isq.value, isq.low, isq.high, baseline)
    se = 15 * isq.se / baseline.sigma0
    if include_baseline:
        se = math.sqrt(
            (15 / baseline.sigma0) ** 2 * (isq.se**2 + baseline.mu0_se**2)
            + ((float(v) - 100) / baseline.sigma0) ** 2 * baseline.sigma0_se**2
        )
        lo, hi = float(v) - Z95 * se, float(v) + Z95 * se
    return Estimate(float(v), float(lo), float(hi), float(se), isq.n, isq.prior_weight, isq.missing)


# --- change tests ---


def fisher_arrays(x1, n1, x2, n2) -> np.ndarray:
    """Two-sided p of the difference of two shares, vectorised.

    Counts are rounded to whole numbers (T's person-averaged successes). Where the smaller n
    is at most ``EXACT_MAX_N``: Fisher's exact test (sum of the hypergeometric probabilities
    not above the observed one). Above: pooled z with continuity correction. p = 1 when a
    group is empty or the pooled share is 0 or 1. The hypergeometric probabilities come from
    log-gamma (``scipy.special``), not ``scipy.stats``, which would add about 50 MB to every
    web worker that draws a scorecard.
    """
    x1, n1, x2, n2 = (np.rint(np.asarray(a, float)).astype(np.int64) for a in (x1, n1, x2, n2))
    x1, x2 = np.minimum(x1, n1), np.minimum(x2, n2)
    p = np.ones(x1.shape, float)
    total, big = x1 + x2, n1 + n2
    valid = (n1 > 0) & (n2 > 0) & (total > 0) & (total < big)
    exact = valid & (np.minimum(n1, n2) <= EXACT_MAX_N)
    if exact.any():
        idx = np.nonzero(exact)[0]
        for chunk in np.array_split(idx, max(1, idx.size // 4000)):
            kk, mm, nn1 = total[chunk], big[chunk], n1[chunk]
            lo = np.maximum(0, kk - n2[chunk])
            hi = np.minimum(kk, nn1)
            grid = lo[:, None] + np.arange(EXACT_MAX_N + 2)[None, :]
            inside = grid <= hi[:, None]
            pmf = (
                _hypergeom_pmf(
                    np.minimum(grid, hi[:, None]), mm[:, None], kk[:, None], nn1[:, None]
                )
                * inside
            )
            obs = _hypergeom_pmf(x1[chunk], mm, kk, nn1)
            p[chunk] = np.minimum(1.0, (pmf * (pmf <= obs[:, None] * (1 + 1e-7))).sum(axis=1))
    approx = valid & ~exact
    if approx.any():
        a1, a2, b1, b2 = x1[approx], x2[approx], n1[approx], n2[approx]
        pool = (a1 + a2) / (b1 + b2)
        se = np.sqrt(pool * (1 - pool) * (1 / b1 + 1 / b2))
        diff = np.abs(a1 / b1 - a2 / b2) - 0.5 * (1 / b1 + 1 / b2)
        p[approx] = 2 * _norm_sf(np.maximum(diff, 0) / se)
    return p


def _hypergeom_pmf(k, total, successes, draws):
    """P(K = k) drawing ``draws`` from ``total`` of which ``successes`` are successes:
    C(successes, k)·C(total − successes, draws − k)/C(total, draws), through log-gamma."""
    from scipy import special

    def log_comb(a, b):
        return special.gammaln(a + 1.0) - special.gammaln(b + 1.0) - special.gammaln(a - b + 1.0)

    k, total, successes, draws = (np.asarray(v, float) for v in (k, total, successes, draws))
    return np.exp(
        log_comb(successes, k) + log_comb(total - successes, draws - k) - log_comb(total, draws)
    )


def mann_whitney_hist_arrays(hist1, hist2) -> tuple[np.ndarray, np.ndarray]:
    """Mann-Whitney test from histograms over a shared ordered grid, vectorised.

    ``hist1``, ``hist2``: arrays (N, K) of counts per ordered value. Returns (z, p): z > 0 when
    the second sample is higher; p two-sided, normal approximation with the tie-corrected
    variance and a continuity correction. p = 1 when a sample is empty or all values tie.
    """
    h1 = np.atleast_2d(np.asarray(hist1, float))
    h2 = np.atleast_2d(np.asarray(hist2, float))
    n1, n2 = h1.sum(axis=1), h2.sum(axis=1)
    t = h1 + h2
    big = n1 + n2
    below = np.cumsum(t, axis=1) - t
    midrank = below + (t + 1) / 2
    r2 = (h2 * midrank).sum(axis=1)
    u2 = r2 - n2 * (n2 + 1) / 2
    mu = n1 * n2 / 2
    ties = (t**3 - t).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        var = n1 * n2 / 12 * ((big + 1) - ties / (big * (big - 1)))
        z = np.where(var > 0, (u2 - mu - 0.5 * np.sign(u2 - mu)) / np.sqrt(var), 0.0)
    z = np.where((n1 > 0) & (n2 > 0), z, 0.0)
    return z, 2 * _norm_sf(np.abs(z))


@dataclass(frozen=True)
class ChangeFlag:
    """A quarter-on-quarter change of one department: the shrunk ISQ change ``delta`` (ISQ
    points, shrunk so regression to the mean is not rewarded), the combined raw ``p``, the
    BH-``p_adjusted`` over the page, the ``components`` tested, the smallest ``n`` any test
    rests on, and ``direction`` "up", "down" or None."""

    delta: float
    p: float
    p_adjusted: float
    components: tuple[str, ...]
    min_n: float
    direction: str | None


def combined_z(z_by_component: np.ndarray, used: np.ndarray, weights=None) -> np.ndarray:
    """Weighted Stouffer: Z = Σ w_i z_i / √Σ w_i² over the components ``used`` (arrays (3, N));
    signed (positive when the later quarter is higher), 0 where nothing is used."""
    w = np.asarray(weights if weights is not None else [WEIGHTS[c] for c in COMPONENTS], float)[
        :, None
    ]
    z = np.where(used, z_by_component, 0.0)
    den = np.sqrt((w * w * used).sum(axis=0))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, (w * z).sum(axis=0) / den, 0.0)


def signed_z(p: np.ndarray, sign: np.ndarray) -> np.ndarray:
    """A two-sided p turned into a signed normal score (sign of the observed change)."""
    from scipy import special

    return -np.sign(sign) * special.ndtri(np.clip(np.asarray(p, float), 1e-300, 1.0) / 2)


def _norm_sf(z):
    from scipy import special

    return special.ndtr(-np.asarray(z, float))


def change_p_arrays(t1, t2, r_hist1, r_hist2, c1, c2, min_n: int = MIN_N_FLAG):
    """Department change tests, vectorised over N department pairs of quarters.

    ``t1``/``t2``/``c1``/``c2``: (successes, trials) pairs of arrays for the earlier and later
    quarter; ``r_hist1``/``r_hist2``: (N, K) histograms of per-person R values. A component is
    tested only when both quarters have at least ``min_n``. Returns (p, used (3, N), min_n
    used, z): p = 1 where no component qualifies; z the signed combined score
    (``combined_z``, positive when the later quarter is higher, 0 where nothing is tested).
    """
    tx1, tn1 = (np.asarray(a, float) for a in t1)
    tx2, tn2 = (np.asarray(a, float) for a in t2)
    cx1, cn1 = (np.asarray(a, float) for a in c1)
    cx2, cn2 = (np.asarray(a, float) for a in c2)
    h1, h2 = np.atleast_2d(r_hist1), np.atleast_2d(r_hist2)
    rn1, rn2 = h1.sum(axis=1), h2.sum(axis=1)
    used = np.vstack(
        [
            np.minimum(tn1, tn2) >= min_n,
            np.minimum(rn1, rn2) >= min_n,
            np.minimum(cn1, cn2) >= min_n,
        ]
    )
    pt = fisher_arrays(tx1, tn1, tx2, tn2)
    pc = fisher_arrays(cx1, cn1, cx2, cn2)
    with np.errstate(invalid="ignore", divide="ignore"):
        zt = signed_z(pt, tx2 / np.maximum(tn2, 1) - tx1 / np.maximum(tn1, 1))
        zc = signed_z(pc, cx2 / np.maximum(cn2, 1) - cx1 / np.maximum(cn1, 1))
    zr, _pr = mann_whitney_hist_arrays(h1, h2)
    z = combined_z(np.vstack([zt, zr, zc]), used)
    ns = np.vstack([np.minimum(tn1, tn2), np.minimum(rn1, rn2), np.minimum(cn1, cn2)])
    min_used = np.where(used, ns, np.inf).min(axis=0)
    return 2 * _norm_sf(np.abs(z)), used, min_used, z


def flag_arrays(
    p,
    delta,
    alpha: float = CHANGE_ALPHA,
    min_delta: float = CHANGE_MIN_ISQ,
    min_family: int = MIN_FLAG_FAMILY,
    z=None,
):
    """BH over every test on one page (the arrays given), counted as at least ``min_family``
    tests (a smaller page is padded with p = 1, which only raises the adjusted p-values),
    then flag where adjusted p < alpha and |delta| ≥ min_delta and, given the tests' signed
    scores ``z``, where the test points the way ``delta`` does (a shrunk change can move
    against the answers when a department's n or its shown components change). Returns
    (p_adjusted, direction: +1, −1 or 0)."""
    p = np.asarray(p, float)
    pad = max(0, min_family - p.size) if p.size else 0
    adj = np.asarray(
        stats.benjamini_hochberg(p.tolist() + [1.0] * pad)[: p.size] if p.size else [], float
    )
    d = np.asarray(delta, float)
    flagged = (adj < alpha) & (np.abs(d) >= min_delta)
    if z is not None:
        flagged &= np.sign(np.asarray(z, float)) == np.sign(d)
    return adj, np.where(flagged, np.sign(d), 0).astype(int)


def change_flags(tests: Sequence[Mapping], alpha: float = CHANGE_ALPHA) -> list[ChangeFlag]:
    """Change flags for every department of one page.

    Each test is a mapping with ``t1``, ``t2``, ``c1``, ``c2`` ((successes, trials) of the
    earlier and later quarter), ``r_hist1``, ``r_hist2`` (per-person R histograms over one
    grid) and ``delta`` (the change of the shrunk ISQ over the components shown in both
    quarters, ``analysis.scorecard.comparable_change``). BH runs over all of them together; a
    flag's direction is that of ``delta`` and of the test's combined score alike.
    """
    if not tests:
        return []

    def col(key, i):
        return np.asarray([t[key][i] for t in tests], float)

    width = max(len(t["r_hist1"]) for t in tests)

    def hist(key):
        return np.asarray([list(t[key]) + [0] * (width - len(t[key])) for t in tests], float)

    p, used, min_used, z = change_p_arrays(
        (col("t1", 0), col("t1", 1)),
        (col("t2", 0), col("t2", 1)),
        hist("r_hist1"),
        hist("r_hist2"),
        (col("c1", 0), col("c1", 1)),
        (col("c2", 0), col("c2", 1)),
    )
    delta = np.asarray([t["delta"] for t in tests], float)
    adj, direction = flag_arrays(p, delta, alpha, z=z)
    out = []
    for i in range(len(tests)):
        comps = tuple(c for j, c in enumerate(COMPONENTS) if used[j, i])
        d = {1: "up", -1: "down"}.get(int(direction[i])) if comps else None
        out.append(
            ChangeFlag(
                float(delta[i]),
                float(p[i]),
                float(adj[i]),
                comps,
                float(min_used[i]) if comps else 0.0,
                d,
            )
        )
    return out


class Flagged(Protocol):
    """What ``movers`` reads of a flag (``ChangeFlag``, or a page's flag of a department)."""

    @property
    def delta(self) -> float: ...

    @property
    def direction(self) -> str | None: ...


FlagT = TypeVar("FlagT", bound=Flagged)


def movers(flags: Mapping[str, FlagT]) -> list[tuple[str, FlagT]]:
    """Only flagged changes, largest shrunk change first (ties by name): the overview's
    movers, keyed by department code."""
    picked = [(k, f) for k, f in flags.items() if f.direction]
    return sorted(picked, key=lambda kf: (-abs(kf[1].delta), kf[0]))


# --- trends ---


@dataclass(frozen=True)
class TrendResult:
    """Mann-Kendall on the real time axis: ``slope`` in ISQ points per quarter (Theil-Sen over
    real time differences), raw ``p``, BH-``p_adjusted`` across departments, ``n`` points and
    ``direction`` "rising", "falling" or "flat" (also "flat" below ``MIN_TREND_QUARTERS``)."""

    slope: float
    p: float
    p_adjusted: float
    n: int
    direction: str


def theil_sen_time(times, values) -> float:
    """Median of (y_j − y_i)/(t_j − t_i) over pairs with t_i < t_j (values per time unit)."""
    t = np.asarray(times, float)
    y = np.asarray(values, float)
    i, j = np.triu_indices(t.size, k=1)
    keep = t[j] != t[i]
    return float(np.median((y[j] - y[i])[keep] / (t[j] - t[i])[keep]))


def trend_badges(
    series: Sequence[tuple[Sequence[float], Sequence[float]]], alpha: float = TREND_ALPHA
) -> list[TrendResult]:
    """Trend badges for every department of a page, BH-corrected across them.

    Each series is (times, values): times on the real quarter axis (e.g. year·4 + quarter, so
    a missing quarter leaves a gap), values the ISQs. Mann-Kendall's S depends only on order,
    its exact p (``stats.mann_kendall``) is unaffected by gaps; the slope uses real times.
    Series shorter than ``MIN_TREND_QUARTERS`` get p = 1 and "flat".
    """
    ps, slopes, ns = [], [], []
    for times, values in series:
        order = np.argsort(np.asarray(times, float), kind="stable")
        t = np.asarray(times, float)[order]
        y = np.asarray(values, float)[order]
        ns.append(int(t.size))
        if t.size < MIN_TREND_QUARTERS:
            ps.append(1.0)
            slopes.append(theil_sen_time(t, y) if t.size >= 2 else 0.0)
            continue
        ps.append(stats.mann_kendall(y.tolist()).p)
        slopes.append(theil_sen_time(t, y))
    adj = stats.benjamini_hochberg(ps)
    out = []
    for p, a, s, n in zip(ps, adj, slopes, ns, strict=True):
        direction = "flat" if a >= alpha else ("rising" if s > 0 else "falling")
        out.append(TrendResult(float(s), float(p), float(a), n, direction))
    return out


@cache
def mk_exact_table(n: int) -> np.ndarray:
    """Exact two-sided Mann-Kendall p for untied series of length n, indexed by (S + n(n−1)/2)
    (used by the vectorised simulation)."""
    top = n * (n - 1) // 2
    return np.asarray([stats._exact_mk_p(s, n, [1] * n) for s in range(-top, top + 1)])


# --- rank groups ---


def rank_groups(lows, highs, organisation: float) -> list[str]:
    """ "above" when the whole interval is above the organisation's ISQ, "below" when it is
    wholly below, otherwise "in_line". No rank numbers are derived from overlapping intervals."""
    out = []
    for lo, hi in zip(lows, highs, strict=True):
        out.append("above" if lo > organisation else "below" if hi < organisation else "in_line")
    return out


# --- one quarter of an organisation, as the pages need it ---


@dataclass(frozen=True)
class DepartmentSums:
    """The stored sums of one department-quarter (see the module docstring); a component
    without data has 0 trials / n = 0."""

    t_successes: float = 0.0
    t_trials: float = 0.0
    r_n: float = 0.0
    r_total: float = 0.0
    r_total_sq: float = 0.0
    c_successes: float = 0.0
    c_trials: float = 0.0


@dataclass(frozen=True)
class DepartmentScore:
    """Everything the pages show for one department-quarter. ``shown`` is False when neither
    T nor R passes the gate (compliance alone says nothing about how customers see a team);
    ``iq`` is None without a baseline; ``group`` is "above", "in_line" or "below";
    ``weights`` the ISQ weights actually used (T, R, C order, summing to 1; 0 for a component
    the organisation did not measure that quarter)."""

    T: Estimate
    R: Estimate
    C: Estimate
    isq: Estimate
    iq: Estimate | None
    shown: bool
    group: str
    weights: tuple[float, float, float] = (WEIGHTS["T"], WEIGHTS["R"], WEIGHTS["C"])


def score_quarter(
    sums: Sequence[DepartmentSums],
    priors: Priors,
    baseline: Baseline2 | None = None,
    k: int = K_MIN,
    measured: Collection[str] | None = None,
) -> list[DepartmentScore]:
    """Score every department of one quarter with frozen ``priors`` (and ``baseline``).

    ``measured``: the components the organisation measures this quarter (keys of
    ``COMPONENTS``); the others leave every ISQ of the quarter (``measured_weights``). Default:
    those with n > 0 in some department of ``sums``. The application passes what the
    organisation collected, so that a component the gate hides everywhere still enters at
    its prior (its absence would tell that every department had few answers).
    The organisation's ISQ for the rank groups is the mean ISQ of the departments shown
    (the prior ISQ when none is shown).
    """
    col = {
        f: np.asarray([getattr(s, f) for s in sums], float)
        for f in DepartmentSums.__dataclass_fields__
    }
    t = share_arrays(col["t_successes"], col["t_trials"], priors.T, k)
    r = mean_arrays(col["r_n"], col["r_total"], col["r_total_sq"], priors.R, k)
    c = share_arrays(col["c_successes"], col["c_trials"], priors.C, k)
    comps = (t, r, c)
    if measured is None:
        has = (col["t_trials"] > 0, col["r_n"] > 0, col["c_trials"] > 0)
        flags = [bool(a.any()) for a in has]
    else:
        flags = [key in measured for key in COMPONENTS]
    w = measured_weights(priors.weights, flags)
    value, low, high, se = isq_arrays(
        np.stack([a[0] for a in comps]),
        np.stack([a[3] for a in comps]),
        np.stack([a[4] for a in comps]),
        priors,
        w,
    )
    shown = ~(t[5] & r[5])
    prior_isq = float(w @ [100 * priors.T.mean, priors.R.mean, 100 * priors.C.mean])
    org = float(value[shown].mean()) if shown.any() else prior_isq
    groups = rank_groups(low, high, org)
    ns = (col["t_trials"], col["r_n"], col["c_trials"])
    out = []
    for i in range(len(sums)):
        parts = [
            Estimate(
                float(a[0][i]),
                float(a[1][i]),
                float(a[2][i]),
                float(a[3][i]),
                float(n[i]),
                float(a[4][i]),
                bool(a[5][i]),
            )
            for a, n in zip(comps, ns, strict=True)
        ]
        weight = float(sum(wi * p.prior_weight for wi, p in zip(w, parts, strict=True)) / w.sum())
        isq_i = Estimate(
            float(value[i]),
            float(low[i]),
            float(high[i]),
            float(se[i]),
            float(col["r_n"][i]),
            weight,
            not bool(shown[i]),
        )
        iq_i = iq_estimate(isq_i, baseline) if baseline is not None else None
        out.append(
            DepartmentScore(
                *parts,
                isq_i,
                iq_i,
                bool(shown[i]),
                groups[i] if shown[i] else "in_line",
                (float(w[0]), float(w[1]), float(w[2])),
            )
        )
    return out


def alternative_weights(
    weights: Sequence[float] = tuple(WEIGHTS.values()),
) -> list[tuple[str, tuple[float, float, float]]]:
    """The weightings a standing is checked against (the sensitivity line): "equal" weights,
    and "double_T", "double_R", "double_C" (that component's weight doubled, the others
    keeping their ratio), each normalised to sum 1. Components of weight 0 stay at 0."""
    w = [float(v) for v in weights]
    present = [v > 0 for v in w]
    out = [("equal", [1.0 if p else 0.0 for p in present])]
    for i, key in enumerate(COMPONENTS):
        if present[i]:
            out.append((f"double_{key}", [v * (2.0 if j == i else 1.0) for j, v in enumerate(w)]))
    return [(name, tuple(v / sum(alt) for v in alt)) for name, alt in out]  # type: ignore[misc]


def standings_under(
    sums: Sequence[DepartmentSums],
    priors: Priors,
    k: int = K_MIN,
    measured: Collection[str] | None = None,
) -> list[tuple[tuple[str, str], ...]]:
    """For each department, its rank group under every ``alternative_weights`` of
    ``priors.weights`` (the same frozen priors, other weights; each restricted to the
    components ``measured`` as ``score_quarter`` does): ((name, group), ...)."""
    out: list[list[tuple[str, str]]] = [[] for _ in sums]
    for name, weights in alternative_weights(priors.weights):
        alt = Priors(priors.T, priors.R, priors.C, priors.corr, weights, priors.version)
        for i, s in enumerate(score_quarter(sums, alt, None, k, measured)):
            out[i].append((name, s.group))
    return [tuple(row) for row in out]
