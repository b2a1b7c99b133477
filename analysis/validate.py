"""Simulation study of the scoring model (``make validate``; ``python -m analysis.validate``).

Organisations are drawn from a known truth, scored with ``analysis.model`` exactly as the
application scores them, and the results compared with the truth. Printed: the coverage of
every 95 % interval (overall and for components resting on n ≤ 10), the false change-flag
rate when nothing changed, the false trend-badge rate on flat series, and the power for a
10-point change at n = 30 and for a rise of 2 points a quarter over 6 quarters. Exit status 1
when a bounded row is outside its bounds. Uses only numpy/scipy and ``analysis``.

The truth (written into docs/scoring.md with the table):

- 10 to 200 departments (uniform), 6 quarters, intra-class correlation 0.05 to 0.3 (uniform)
  for every component;
- department standings correlated between components (T–R 0.6, T–C 0.5, R–C 0.4);
- T and C: logit-normal department shares around an organisation share of 0.60–0.85 (T) and
  0.70–0.92 (C) — not the beta the model assumes; R: per-person scores on the 21-point grid
  0, 5, …, 100 from a normal of within-department sd 20 rounded and clipped (so not normal);
- 5 to 500 people per department (log-uniform), ±20 % from quarter to quarter, 3 at the
  least (so some fall under k = 5 and are hidden); T answered by 50–100 % of them, C judged on
  2–4 interactions per person; each quarter T is hidden with probability 0.1, C with 0.1 and R
  with 0.05 (suppressed cells, a missing standard);
- priors and the baseline fitted on quarters 1–4 and frozen; every quarter scored with them;
- with ``absent_orgs``, organisations that collect no T and no C (no ticketing tool), or no C,
  in any quarter (``absent_rows``): coverage of the ISQ over what is measured, and the power
  of the rank groups against version 2's vague priors.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass

import numpy as np
from scipy import special

from analysis import anonymity, model
from analysis.model import K_MIN, MIN_N_FLAG, MIN_TREND_QUARTERS

QUARTERS = 6
BASELINE_QUARTERS = 4
GRID = np.arange(0, 101, 5.0)
CORR = np.array([[1.0, 0.6, 0.5], [0.6, 1.0, 0.4], [0.5, 0.4, 1.0]])
SIGMA_W = 20.0
COVERAGE_BOUNDS = (0.93, 0.97)
MAX_FALSE_FLAG_RATE = 1 / 200
MAX_FALSE_TREND_RATE = 0.05
#: σ0 estimates the departments' spread of true ISQ in the baseline quarters: its median
#: ratio to the simulated truth's spread must stay within a fifth of 1.
SIGMA0_RATIO_BOUNDS = (0.8, 1.25)


@dataclass
class Org:
    """One simulated organisation: truth (g, 3) on 0..100 per quarter and the observed sums."""

    truth: np.ndarray  # (Q, g, 3)
    t_x: np.ndarray  # (Q, g)
    t_n: np.ndarray
    r_hist: np.ndarray  # (Q, g, 21)
    c_x: np.ndarray
    c_n: np.ndarray
    people: np.ndarray  # (Q, g)


def _r_probs(mu: np.ndarray) -> np.ndarray:
    edges = np.concatenate([[-np.inf], GRID[:-1] + 2.5, [np.inf]])
    cdf = special.ndtr((edges[None, :] - mu[:, None]) / SIGMA_W)
    return np.diff(cdf, axis=1)


def simulate_org(
    rng: np.random.Generator,
    g: int | None = None,
    icc: float | None = None,
    size: int | None = None,
    shift: np.ndarray | None = None,
    hide: bool = True,
    sizes: tuple[float, float] = (5, 500),
) -> Org:
    """Draw one organisation. ``shift`` (Q, g) adds ISQ-scale points to every component of a
    department in a quarter (a true change); ``size`` fixes everyone's number of people,
    otherwise it is log-uniform over ``sizes``."""
    g = int(rng.integers(10, 201)) if g is None else g
    icc = float(rng.uniform(0.05, 0.3)) if icc is None else icc
    z = rng.standard_normal((g, 3)) @ np.linalg.cholesky(CORR).T
    pt, pc = rng.uniform(0.60, 0.85), rng.uniform(0.70, 0.92)

    def share(p0, zz):
        s = np.sqrt(icc / (p0 * (1 - p0)))
        return special.expit(special.logit(p0) + s * zz)

    base_t, base_c = share(pt, z[:, 0]), share(pc, z[:, 2])
    tau_r = SIGMA_W * np.sqrt(icc / (1 - icc))
    mu_r = 65 + tau_r * z[:, 1]
    if size is None:
        base_n = np.exp(rng.uniform(np.log(sizes[0]), np.log(sizes[1]), g))
    else:
        base_n = np.full(g, float(size))
    shift = np.zeros((QUARTERS, g)) if shift is None else shift
    out = {k: [] for k in ("truth", "t_x", "t_n", "r_hist", "c_x", "c_n", "people")}
    for q in range(QUARTERS):
        ptq = np.clip(base_t + shift[q] / 100, 0.01, 0.99)
        pcq = np.clip(base_c + shift[q] / 100, 0.01, 0.99)
        probs = _r_probs(mu_r + shift[q])
        truth_r = probs @ GRID
        if size is None:
            people = np.maximum(3, np.rint(base_n * rng.uniform(0.8, 1.2, g))).astype(int)
            t_n = np.rint(people * rng.uniform(0.5, 1.0, g)).astype(int)
            c_n = np.rint(people * rng.uniform(2, 4, g)).astype(int)
        else:
            people = np.full(g, size)
            t_n = people.copy()
            c_n = 3 * people
        r_n = people.copy()
        if hide:
            t_n = np.where(rng.random(g) < 0.1, 0, t_n)
            c_n = np.where(rng.random(g) < 0.1, 0, c_n)
            r_n = np.where(rng.random(g) < 0.05, 0, r_n)
        out["truth"].append(np.column_stack([100 * ptq, truth_r, 100 * pcq]))
        out["t_x"].append(rng.binomial(t_n, ptq))
        out["t_n"].append(t_n)
        out["r_hist"].append(rng.multinomial(r_n, probs))
        out["c_x"].append(rng.binomial(c_n, pcq))
        out["c_n"].append(c_n)
        out["people"].append(people)
    return Org(**{k: np.asarray(v) for k, v in out.items()})


@dataclass
class Scored:
    """Model output for one organisation, arrays shaped (Q, g) (components (3, Q, g))."""

    value: np.ndarray
    low: np.ndarray
    high: np.ndarray
    missing: np.ndarray
    isq: np.ndarray
    isq_low: np.ndarray
    isq_high: np.ndarray
    iq: np.ndarray
    iq_low: np.ndarray
    iq_high: np.ndarray
    iq_truth: np.ndarray
    shown: np.ndarray
    priors: model.Priors
    #: The baseline's σ0 over the true spread of the baseline department-quarters' ISQ (the
    #: sd of ``truth`` weighted); and the same for the shown ISQs' sample sd (the old σ0).
    sigma0_ratio: float = float("nan")
    shown_sd_ratio: float = float("nan")
    #: The ISQ weights used (T, R, C; 0 for a component the organisation does not measure).
    weights: np.ndarray | None = None


def _gate(org: Org):
    """Components below k are hidden: their sums are not used anywhere."""
    t_n = np.where(org.t_n >= K_MIN, org.t_n, 0)
    c_n = np.where(org.c_n >= K_MIN, org.c_n, 0)
    hist = org.r_hist * (org.r_hist.sum(axis=2, keepdims=True) >= K_MIN)
    return np.where(t_n > 0, org.t_x, 0), t_n, hist, np.where(c_n > 0, org.c_x, 0), c_n


def without(org: Org, absent: tuple[str, ...]) -> Org:
    """``org`` as an organisation that does not collect the ``absent`` components at all (no
    ticketing tool: no T and no C; no service standards: no C); the truth is unchanged."""
    t_n = np.zeros_like(org.t_n) if "T" in absent else org.t_n
    c_n = np.zeros_like(org.c_n) if "C" in absent else org.c_n
    hist = np.zeros_like(org.r_hist) if "R" in absent else org.r_hist
    return Org(org.truth, org.t_x * (t_n > 0), t_n, hist, org.c_x * (c_n > 0), c_n, org.people)


def score_org(org: Org, measured: tuple[str, ...] = model.COMPONENTS) -> Scored:
    """Fit priors on the baseline quarters, score every quarter, freeze the baseline.

    ``measured``: the components the organisation collects (the others leave the ISQ, and
    its truth, with the weights renormalised; ``model.measured_weights``). Passing all three
    for an organisation that lacks some scores it as model version 2 did (vague priors)."""
    t_x, t_n, hist, c_x, c_n = _gate(org)
    r_n = hist.sum(axis=2)
    r_s = hist @ GRID
    r_ss = hist @ (GRID**2)
    g = t_x.shape[1]
    b = slice(0, BASELINE_QUARTERS)
    # As the application does (``scorecard.fit_pooled_priors``): each department-quarter's R
    # enters the priors with at least the spread that keeps small groups 20 points wide.
    kept = np.vectorize(anonymity.kept_sum_sq)(r_n[b].astype(int), r_s[b], r_ss[b], K_MIN)
    priors = model.fit_priors(
        t_x[b].ravel(),
        t_n[b].ravel(),
        r_n[b].ravel(),
        r_s[b].ravel(),
        kept.ravel(),
        c_x[b].ravel(),
        c_n[b].ravel(),
        groups=g,
        fallback=True,
    )
    flags = [key in measured for key in model.COMPONENTS]
    weights = model.measured_weights(priors.weights, flags)
    t = model.share_arrays(t_x, t_n, priors.T)
    r = model.mean_arrays(r_n, r_s, r_ss, priors.R)
    c = model.share_arrays(c_x, c_n, priors.C)
    comps = (t, r, c)
    value = np.stack([a[0] for a in comps])
    isq, lo, hi, _se = model.isq_arrays(
        value.reshape(3, -1),
        np.stack([a[3] for a in comps]).reshape(3, -1),
        np.stack([a[4] for a in comps]).reshape(3, -1),
        priors,
        weights,
    )
    isq, lo, hi = (a.reshape(value.shape[1:]) for a in (isq, lo, hi))
    missing = np.stack([a[5] for a in comps])
    shown = ~(missing[0] & missing[1])
    baseline = model.freeze_baseline2(isq[b][shown[b]], g, priors, measured=flags)
    iq, iq_lo, iq_hi = model.iq_arrays(isq, lo, hi, baseline)
    truth_isq = (org.truth * weights).sum(axis=2)
    iq_truth, _, _ = model.iq_arrays(truth_isq, truth_isq, truth_isq, baseline)
    return Scored(
        value,
        np.stack([a[1] for a in comps]),
        np.stack([a[2] for a in comps]),
        missing,
        isq,
        lo,
        hi,
        iq,
        iq_lo,
        iq_hi,
        iq_truth,
        shown,
        priors,
        baseline.sigma0 / float(truth_isq[b].std(ddof=1)),
        float(isq[b][shown[b]].std(ddof=1)) / float(truth_isq[b].std(ddof=1)),
        weights,
    )


def old_wilson_share_arrays(x, n, prior: model.SharePrior):
    """The interval the scorecards used before: Wilson on the shrunk counts (x + m·p̄, n + m),
    on 0..100 — kept here only to show in the tests that it fails the coverage check."""
    xs = np.asarray(x, float) + prior.m * prior.mean
    ns = np.asarray(n, float) + prior.m
    p = xs / ns
    z2 = model.Z95**2
    centre = (p + z2 / (2 * ns)) / (1 + z2 / ns)
    half = model.Z95 * np.sqrt(p * (1 - p) / ns + z2 / (4 * ns * ns)) / (1 + z2 / ns)
    return 100 * (centre - half), 100 * (centre + half)


def _changes(org: Org, sc: Scored):
    """Quarter-on-quarter tests of every department shown in both quarters, BH per page (one
    organisation-quarter). Returns (direction (Q−1, g), tested mask, min n used)."""
    t_x, t_n, hist, c_x, c_n = _gate(org)
    g = t_x.shape[1]
    dirs = np.zeros((QUARTERS - 1, g), int)
    tested = np.zeros((QUARTERS - 1, g), bool)
    min_used = np.full((QUARTERS - 1, g), np.inf)
    for q in range(QUARTERS - 1):
        both = sc.shown[q] & sc.shown[q + 1]
        p, used, mn, z = model.change_p_arrays(
            (t_x[q], t_n[q]),
            (t_x[q + 1], t_n[q + 1]),
            hist[q],
            hist[q + 1],
            (c_x[q], c_n[q]),
            (c_x[q + 1], c_n[q + 1]),
        )
        page = both & used.any(axis=0)
        # the change over the components shown in both quarters (scorecard.comparable_change)
        kept = ~sc.missing[:, q] & ~sc.missing[:, q + 1]
        weights = np.asarray(sc.weights)[:, None]
        delta = (weights * (sc.value[:, q + 1] - sc.value[:, q]) * kept).sum(axis=0)
        _adj, d = model.flag_arrays(p[page], delta[page], z=z[page])
        dirs[q, page] = d
        tested[q] = both
        min_used[q, page] = mn[page]
    return dirs, tested, min_used


def _mk_p(values: np.ndarray) -> np.ndarray:
    """Exact Mann-Kendall p for rows of untied values (vectorised via a lookup table)."""
    n = values.shape[1]
    i, j = np.triu_indices(n, k=1)
    s = np.sign(values[:, j] - values[:, i]).sum(axis=1).astype(int)
    return model.mk_exact_table(n)[s + n * (n - 1) // 2]


def _bh_rows(p: np.ndarray) -> np.ndarray:
    return np.asarray(model.stats.benjamini_hochberg(p.tolist())) if p.size else p


def _trends(sc: Scored, rng: np.random.Generator):
    """Trend badges per organisation on each department's ISQ series over the 6 quarters;
    quarters not shown are dropped (gaps), and one quarter is dropped at random for a fifth of
    the departments to exercise gaps. Returns (adjusted p, slope, eligible) per department."""
    g = sc.isq.shape[1]
    drop = rng.integers(0, QUARTERS, g)
    drop = np.where(rng.random(g) < 0.2, drop, -1)
    p = np.ones(g)
    slope = np.zeros(g)
    eligible = np.zeros(g, bool)
    times = np.arange(QUARTERS, dtype=float)
    for length in (QUARTERS, QUARTERS - 1):
        rows = []
        for d in range(g):
            keep = sc.shown[:, d] & (np.arange(QUARTERS) != drop[d])
            if keep.sum() == length and length >= MIN_TREND_QUARTERS:
                rows.append(d)
        if not rows:
            continue
        rows = np.asarray(rows)
        keep = sc.shown[:, rows].T & (np.arange(QUARTERS)[None, :] != drop[rows][:, None])
        vals = sc.isq[:, rows].T[keep].reshape(len(rows), length)
        ts = np.broadcast_to(times, (len(rows), QUARTERS))[keep].reshape(len(rows), length)
        p[rows] = _mk_p(vals)
        i, j = np.triu_indices(length, k=1)
        slope[rows] = np.median((vals[:, j] - vals[:, i]) / (ts[:, j] - ts[:, i]), axis=1)
        eligible[rows] = True
    adj = np.ones(g)
    adj[eligible] = _bh_rows(p[eligible])
    return adj, slope, eligible


def run(
    orgs: int,
    seed: int,
    power_orgs: int | None = None,
    absent_orgs: int | None = 0,
    **corner,
) -> dict:
    """The whole study; returns a dict of rows (name → (value, bounds or None, count)).
    ``corner`` is passed to ``simulate_org`` (e.g. g=10, icc=0.2, sizes=(5, 12)) to study one
    corner; ``power_orgs=0`` skips the power rows; ``absent_orgs`` organisations (None: a
    quarter of ``orgs``) are drawn for each ``absent_rows`` case (T and C, then C, absent
    org-wide); 0, the default, skips them."""
    rng = np.random.default_rng(seed)
    hits = {k: [] for k in ("T", "R", "C", "ISQ", "IQ")}
    small = {k: [] for k in ("T", "R", "C", "ISQ", "IQ")}
    old_hits, old_small = [], []
    far_new, far_old = [], []
    flags = transitions = under_min = 0
    trend_rates, trend_depts = [], 0
    sigma0_ratios, shown_sd_ratios = [], []
    for _ in range(orgs):
        org = simulate_org(rng, **corner)
        sc = score_org(org)
        sigma0_ratios.append(sc.sigma0_ratio)
        shown_sd_ratios.append(sc.shown_sd_ratio)
        t_x, t_n, hist, _c_x, _c_n = _gate(org)
        # "n <= 10": the component's own people for T and R, the department's people for C
        ns = np.stack([t_n, hist.sum(axis=2), org.people])
        for i, key in enumerate(("T", "R", "C")):
            ok = ~sc.missing[i]
            truth = org.truth[:, :, i]
            cover = (sc.low[i] <= truth) & (truth <= sc.high[i])
            hits[key].append(cover[ok])
            small[key].append(cover[ok & (ns[i] <= 10)])
        shown = sc.shown
        truth_isq = (org.truth * sc.weights).sum(axis=2)
        cover = (sc.isq_low <= truth_isq) & (truth_isq <= sc.isq_high)
        hits["ISQ"].append(cover[shown])
        small["ISQ"].append(cover[shown & (org.people <= 10)])
        cover = (sc.iq_low <= sc.iq_truth) & (sc.iq_truth <= sc.iq_high)
        hits["IQ"].append(cover[shown])
        small["IQ"].append(cover[shown & (org.people <= 10)])
        lo, hi = old_wilson_share_arrays(t_x, t_n, sc.priors.T)
        truth = org.truth[:, :, 0]
        cover = (lo <= truth) & (truth <= hi)
        old_hits.append(cover[~sc.missing[0]])
        old_small.append(cover[~sc.missing[0] & (t_n <= 10)])
        far = (
            ~sc.missing[0]
            & (t_n <= 10)
            & (np.abs(truth - 100 * sc.priors.T.mean) > 1.5 * np.sqrt(sc.priors.T.tau2))
        )
        far_old.append(cover[far])
        far_new.append(((sc.low[0] <= truth) & (truth <= sc.high[0]))[far])
        dirs, tested, min_used = _changes(org, sc)
        flags += int((dirs != 0).sum())
        transitions += int(tested.sum())
        under_min += int(((dirs != 0) & (min_used < MIN_N_FLAG)).sum())
        adj, _slope, eligible = _trends(sc, rng)
        if eligible.any():
            trend_rates.append(float((adj[eligible] < model.TREND_ALPHA).mean()))
            trend_depts += int(eligible.sum())
    rows = {}
    for key in hits:
        a, s = np.concatenate(hits[key]), np.concatenate(small[key])
        rows[f"coverage {key}, all"] = (a.mean(), COVERAGE_BOUNDS, a.size)
        rows[f"coverage {key}, n <= 10"] = (s.mean(), COVERAGE_BOUNDS, s.size)
    a, s = np.concatenate(old_hits), np.concatenate(old_small)
    rows["old T interval (Wilson on shrunk counts), all"] = (a.mean(), None, a.size)
    rows["old T interval (Wilson on shrunk counts), n <= 10"] = (s.mean(), None, s.size)
    a, s = np.concatenate(far_new), np.concatenate(far_old)
    rows["T, n <= 10 and truth over 1.5 prior sd from the mean"] = (a.mean(), None, a.size)
    rows["old T interval, same departments"] = (s.mean(), None, s.size)
    rows["false change flags per department-quarter"] = (
        flags / max(transitions, 1),
        (0.0, MAX_FALSE_FLAG_RATE),
        transitions,
    )
    rows["flags resting on fewer than the minimum n"] = (under_min, (0, 0), flags)
    rows["false trend badges, mean share of flat departments per organisation"] = (
        float(np.mean(trend_rates)),
        (0.0, MAX_FALSE_TREND_RATE),
        trend_depts,
    )
    rows["organisations with any false trend badge"] = (
        float(np.mean(np.asarray(trend_rates) > 0)),
        None,
        len(trend_rates),
    )
    rows["σ0 / true spread of the baseline ISQs, median over organisations"] = (
        float(np.median(sigma0_ratios)),
        SIGMA0_RATIO_BOUNDS,
        len(sigma0_ratios),
    )
    rows["sd of the shown ISQs (the old σ0) / true spread, median"] = (
        float(np.median(shown_sd_ratios)),
        None,
        len(shown_sd_ratios),
    )
    if absent_orgs != 0:
        count = absent_orgs if absent_orgs is not None else max(orgs // 4, 20)
        # A stream of its own, so the rows before and after these stay as they were.
        other = np.random.default_rng([seed, 1])
        for absent in (("T", "C"), ("C",)):
            rows.update(absent_rows(count, other, absent, **corner))
    if power_orgs != 0:
        rows.update(power(power_orgs if power_orgs is not None else max(orgs // 2, 20), rng))
    return rows


def _groups(sc: Scored) -> np.ndarray:
    """Rank groups (+1 above, −1 below, 0 in line) per quarter and department, against the
    mean ISQ of the departments shown that quarter (``model.score_quarter``)."""
    out = np.zeros(sc.isq.shape, int)
    for q in range(sc.isq.shape[0]):
        shown = sc.shown[q]
        if not shown.any():
            continue
        org = sc.isq[q][shown].mean()
        out[q] = np.where(sc.isq_low[q] > org, 1, np.where(sc.isq_high[q] < org, -1, 0)) * shown
    return out


def absent_rows(orgs: int, rng: np.random.Generator, absent: tuple[str, ...], **corner) -> dict:
    """Organisations that collect no ``absent`` component in any quarter (a first year
    without a ticketing tool, or without service standards), scored by the rule (the absent
    components leave the ISQ) and as version 2 did (they entered every ISQ as vague priors).

    Rows: the coverage of the 95 % ISQ intervals of the true ISQ as now defined (the weights
    renormalised over what is measured), and the power of the rank groups: the share of
    departments shown whose true ISQ lies more than one spread (the sd of the quarter's true
    ISQs) from the organisation's (their mean) that are labelled "clearly above/below" on
    the right side; for version 2 the same departments and truth."""
    measured = tuple(c for c in model.COMPONENTS if c not in absent)
    cover, hit, old_hit, far_n = [], 0, 0, 0
    for _ in range(orgs):
        org = without(simulate_org(rng, **corner), absent)
        sc, old = score_org(org, measured), score_org(org, model.COMPONENTS)
        truth = (org.truth * sc.weights).sum(axis=2)
        cover.append(((sc.isq_low <= truth) & (truth <= sc.isq_high))[sc.shown])
        centre = truth.mean(axis=1, keepdims=True)
        side = np.sign(truth - centre)
        far = sc.shown & (np.abs(truth - centre) > truth.std(axis=1, ddof=1, keepdims=True))
        far_n += int(far.sum())
        hit += int(((_groups(sc) == side) & far).sum())
        old_hit += int(((_groups(old) == side) & far).sum())
    a = np.concatenate(cover)
    label = " and ".join(absent) + " absent org-wide"
    return {
        f"coverage ISQ, {label}": (a.mean(), COVERAGE_BOUNDS, a.size),
        f"power of the rank groups, {label}: true ISQ over 1 sd away": (
            hit / max(far_n, 1),
            None,
            far_n,
        ),
        f"same departments, scored as version 2 (vague priors), {label}": (
            old_hit / max(far_n, 1),
            None,
            far_n,
        ),
    }


def power(orgs: int, rng: np.random.Generator) -> dict:
    """Power rows: 30 departments of 30 people, ICC 0.15; department 0 changes by +10 ISQ
    points from quarter 5 to 6 (every component +10 points), or rises +2 a quarter."""
    g = 30
    step_hits = rise_hits = step_alone = rise_alone = 0
    for _ in range(orgs):
        shift = np.zeros((QUARTERS, g))
        shift[QUARTERS - 1, 0] = 10.0
        org = simulate_org(rng, g=g, icc=0.15, size=30, shift=shift, hide=False)
        sc = score_org(org)
        dirs, _tested, _mn = _changes(org, sc)
        step_hits += int(dirs[QUARTERS - 2, 0] == 1)
        step_alone += int(_alone_flag(org, sc))
        shift = np.zeros((QUARTERS, g))
        shift[:, 0] = 2.0 * np.arange(QUARTERS)
        org = simulate_org(rng, g=g, icc=0.15, size=30, shift=shift, hide=False)
        sc = score_org(org)
        adj, slope, eligible = _trends(sc, rng)
        rise_hits += int(eligible[0] and adj[0] < model.TREND_ALPHA and slope[0] > 0)
        rise_alone += int(_mk_p(sc.isq[:, :1].T)[0] < model.TREND_ALPHA and slope[0] > 0)
    return {
        "power: +10 ISQ points at n = 30 flagged up": (step_hits / orgs, None, orgs),
        "power: +10 at n = 30, department alone on its page (no correction)": (
            step_alone / orgs,
            None,
            orgs,
        ),
        "power: +2 points a quarter over 6 quarters, n = 30, badge rising": (
            rise_hits / orgs,
            None,
            orgs,
        ),
        "power: +2 a quarter, department alone (no correction)": (rise_alone / orgs, None, orgs),
    }


def _alone_flag(org: Org, sc: Scored) -> bool:
    """Department 0's last change flagged up when it is the only test on its page and no
    correction applies (the raw test's power; a page of one is corrected as
    ``model.MIN_FLAG_FAMILY`` departments)."""
    t_x, t_n, hist, c_x, c_n = _gate(org)
    q = QUARTERS - 2
    p, _used, _mn, z = model.change_p_arrays(
        (t_x[q, :1], t_n[q, :1]),
        (t_x[q + 1, :1], t_n[q + 1, :1]),
        hist[q, :1],
        hist[q + 1, :1],
        (c_x[q, :1], c_n[q, :1]),
        (c_x[q + 1, :1], c_n[q + 1, :1]),
    )
    # the test's own power: not even the page's least family (model.MIN_FLAG_FAMILY)
    _adj, d = model.flag_arrays(p, sc.isq[q + 1, :1] - sc.isq[q, :1], min_family=1, z=z)
    return bool(d[0] == 1)


def table(rows: dict) -> tuple[str, bool]:
    """Markdown table of the rows and whether every bounded row is inside its bounds."""
    lines = ["| quantity | value | bounds | count | ok |", "|---|---|---|---|---|"]
    ok = True
    for name, (value, bounds, count) in rows.items():
        inside = bounds is None or bounds[0] <= value <= bounds[1]
        ok &= inside
        shown = f"{value:.4f}" if isinstance(value, float) else str(value)
        b = "—" if bounds is None else f"{bounds[0]:g} – {bounds[1]:g}"
        mark = "—" if bounds is None else "yes" if inside else "NO"
        lines.append(f"| {name} | {shown} | {b} | {count} | {mark} |")
    return "\n".join(lines), ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=400)
    parser.add_argument("--seed", type=int, default=20261204)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    rows = run(args.orgs, args.seed, absent_orgs=None)
    text, ok = table(rows)
    print(f"{args.orgs} organisations, seed {args.seed}, {time.perf_counter() - start:.0f} s")
    print(text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
