"""analysis.model: the scoring model v2 against published values, scipy and hand computations."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps

from analysis import model
from tests.analysis.test_stats import SHAMPOO


def _priors(corr: float = 0.0, groups: int = 40) -> model.Priors:
    c = ((1.0, corr, corr), (corr, 1.0, corr), (corr, corr, 1.0))
    return model.Priors(
        model.SharePrior(0.70, 10.0, groups),
        model.MeanPrior(65.0, 324.0, 36.0, groups),
        model.SharePrior(0.80, 20.0, groups),
        c,
    )


def _scored(priors: model.Priors, k: int = model.K_MIN, **sums: float) -> model.DepartmentScore:
    """One department scored as the pages score it (``model.score_quarter``, no baseline), in
    an organisation that measures all three components (others have what it lacks)."""
    return model.score_quarter([model.DepartmentSums(**sums)], priors, None, k, model.COMPONENTS)[0]


def _share(x: float, n: float, prior: model.SharePrior, k: int = model.K_MIN) -> model.Estimate:
    """T of one department with ``prior`` as T's prior (``model.share_arrays`` underneath)."""
    base = _priors()
    return _scored(model.Priors(prior, base.R, base.C, base.corr), k, t_successes=x, t_trials=n).T


def _mean(
    n: float, total: float, total_sq: float, prior: model.MeanPrior, k: int = model.K_MIN
) -> model.Estimate:
    """R of one department with ``prior`` as R's prior (``model.mean_arrays`` underneath)."""
    base = _priors()
    return _scored(
        model.Priors(base.T, prior, base.C, base.corr), k, r_n=n, r_total=total, r_total_sq=total_sq
    ).R


# --- priors ---


def test_share_prior_matches_the_method_of_moments_example() -> None:
    # docs/scoring.md: (2/10, 8/10, 5/10) gives p̄ = 0.5 and m = 2.46.
    prior = model.fit_share_prior([2, 8, 5], [10, 10, 10], groups=3)
    assert prior.mean == pytest.approx(0.5)
    assert prior.m == pytest.approx(1 / (5.2 / 18) - 1)
    assert prior.groups == 3


def test_share_prior_strength_is_clipped_so_small_departments_stay_honest() -> None:
    # No spread beyond chance: m takes the upper clip (ICC floor 0.02), never infinity.
    flat = model.fit_share_prior([5, 5, 5, 5], [10, 10, 10, 10])
    assert flat.m == model.M_RANGE[1]
    # Extreme spread: the lower clip.
    wide = model.fit_share_prior([0, 10, 0, 10], [10, 10, 10, 10])
    assert wide.m == model.M_RANGE[0]
    assert flat.tau2 == pytest.approx(1e4 * 0.25 / 50)


def test_mean_prior_floor_and_moments() -> None:
    # Two departments: means 60 and 70 from 10 people each, within variance 100.
    n = np.array([10, 10])
    mean = np.array([60.0, 70.0])
    total = n * mean
    total_sq = (n - 1) * 100.0 + n * mean**2
    prior = model.fit_mean_prior(n, total, total_sq)
    assert prior.mean == pytest.approx(65.0)
    assert prior.sigma2 == pytest.approx(100.0)
    assert prior.tau2 == pytest.approx(50.0 - 10.0)  # var of means − σ²/n
    same = model.fit_mean_prior(n, n * 65.0, (n - 1) * 100.0 + n * 65.0**2)
    assert same.tau2 == pytest.approx(0.02 / 0.98 * 100.0)  # the floor, not 0
    with pytest.raises(ValueError):
        model.fit_mean_prior([1, 10], [5, 50], [25, 300])


def test_fit_priors_estimates_the_correlation_of_components() -> None:
    rng = np.random.default_rng(1)
    g = 400
    z = rng.standard_normal(g)
    p = np.clip(0.7 + 0.1 * z, 0.05, 0.95)
    r_mean = 65 + 8 * z
    n = np.full(g, 200)
    t_x = rng.binomial(n, p)
    c_x = rng.binomial(n, np.clip(0.8 + 0.08 * rng.standard_normal(g), 0.05, 0.95))
    total = n * r_mean
    total_sq = (n - 1) * 300.0 + n * r_mean**2
    priors = model.fit_priors(t_x, n, n, total, total_sq, c_x, n, groups=g)
    assert priors.corr[0][1] > 0.8  # T and R move together
    assert abs(priors.corr[0][2]) < 0.25  # C independent here
    assert priors.R.sigma2 == pytest.approx(300.0)


# --- components ---


def test_share_posterior_mean_and_missing_component() -> None:
    prior = model.SharePrior(0.70, 10.0, 40)
    est = _share(9, 10, prior)
    assert est.value == pytest.approx(100 * (9 + 10 * 0.7) / (10 + 10))  # 80
    assert est.low < est.value < est.high <= 100
    assert est.prior_weight == pytest.approx(0.5)
    gone = _share(3, 4, prior)  # under k = 5: the prior, with its spread
    assert gone.missing and gone.value == pytest.approx(70.0)
    prior_sd = 100 * np.sqrt(0.7 * 0.3 / 11)
    assert gone.se == pytest.approx(prior_sd * np.sqrt(1 + 1 / 40))
    big = _share(8000, 10000, prior)
    assert big.value == pytest.approx(80.0, abs=0.05)
    # Large n: the interval approaches the binomial one, 80 ± 1.96·0.4.
    assert big.high - big.low == pytest.approx(2 * 1.96 * 0.4, rel=0.02)


def test_share_interval_is_wider_than_wilson_on_shrunk_counts() -> None:
    from analysis.validate import old_wilson_share_arrays

    prior = model.SharePrior(0.70, 10.0, 8)
    est = _share(0, 5, prior)  # far from the mean, small n
    lo, hi = old_wilson_share_arrays([0], [5], prior)
    assert est.high - est.low > hi[0] - lo[0]
    assert est.low >= 0.0


def test_mean_equals_shrink_mean_and_widens_for_the_prior() -> None:
    prior = model.MeanPrior(65.0, 324.0, 36.0, 40)
    n, raw = 10, 72.0
    est = _mean(n, n * raw, n * raw**2 + 9 * 324.0, prior)
    assert est.value == pytest.approx(72 - 32.4 / (32.4 + 36) * (72 - 65))  # 68.7
    b = 32.4 / (32.4 + 36.0)
    plain = 32.4 * (1 - b)  # the posterior variance with a known prior
    assert est.se**2 > plain
    assert est.se**2 == pytest.approx(32.4 * (1 - 39 / 40 * b) + 2 / 37 * b * b * 49)
    gone = _mean(0, 0, 0, prior)
    assert gone.missing and gone.value == 65.0 and gone.se == pytest.approx(6 * np.sqrt(1.025))


def test_isq_keeps_its_meaning_when_a_component_is_missing() -> None:
    priors = _priors()
    scored = _scored(
        priors, t_successes=9, t_trials=10, r_n=10, r_total=720, r_total_sq=720 * 72 + 9 * 324
    )
    t, r, c_missing, est = scored.T, scored.R, scored.C, scored.isq
    assert c_missing.missing
    # docs/scoring.md worked example: T 80, R 68.7; C, which the organisation measures but this
    # department lacks, takes its prior mean 80 (no renormalising).
    assert est.value == pytest.approx(0.35 * t.value + 0.45 * r.value + 0.20 * 80.0)
    independent = np.sqrt(0.35**2 * t.se**2 + 0.45**2 * r.se**2 + 0.2**2 * c_missing.se**2)
    assert est.se == pytest.approx(independent)


def test_isq_variance_includes_the_correlation_of_components() -> None:
    priors = _priors(corr=0.6)
    sums = {
        "t_successes": 3,
        "t_trials": 6,
        "r_n": 6,
        "r_total": 6 * 50,
        "r_total_sq": 6 * 2500 + 5 * 324,
        "c_successes": 20,
        "c_trials": 30,
    }
    scored = _scored(priors, **sums)
    t, r, c, est = scored.T, scored.R, scored.C, scored.isq
    tau = priors.tau()
    w = priors.weights
    b = (t.prior_weight, r.prior_weight, c.prior_weight)
    var = (w[0] * t.se) ** 2 + (w[1] * r.se) ** 2 + (w[2] * c.se) ** 2
    for i in range(3):
        for j in range(i + 1, 3):
            var += 2 * w[i] * w[j] * b[i] * b[j] * 0.6 * tau[i] * tau[j]
    assert est.se == pytest.approx(np.sqrt(var))
    assert est.se > _scored(_priors(0.0), **sums).isq.se


def test_iq_maps_the_isq_interval_and_baseline_reports_its_uncertainty() -> None:
    priors = _priors()
    base = model.freeze_baseline2([62.0, 70.0, 78.0, 70.0], groups=4, priors=priors)
    # σ0 is the spread the priors estimate (√(wᵀΣw), Σ diagonal here), not the values' sd.
    tau = priors.tau()
    want_sigma0 = np.sqrt(sum(w * w * t * t for w, t in zip(priors.weights, tau, strict=True)))
    assert base.mu0 == 70.0 and base.sigma0 == pytest.approx(want_sigma0)
    assert base.mu0_se == pytest.approx(base.sigma0 / 2)
    isq = model.Estimate(76.3, 70.0, 82.6, 3.2, 10, 0.3, False)
    iq = model.iq_estimate(isq, base)
    assert iq.value == pytest.approx(100 + 15 * 6.3 / base.sigma0)
    assert iq.low == pytest.approx(100 + 15 * 0.0 / base.sigma0)
    wide = model.iq_estimate(isq, base, include_baseline=True)
    want = np.sqrt(
        (15 / base.sigma0) ** 2 * (3.2**2 + base.mu0_se**2)
        + ((iq.value - 100) / base.sigma0) ** 2 * base.sigma0_se**2
    )
    assert wide.se == pytest.approx(want) and wide.value == iq.value
    assert wide.high - wide.low > iq.high - iq.low
    with pytest.raises(ValueError):
        model.freeze_baseline2([70.0], groups=1, priors=priors)
    alike = model.freeze_baseline2([70.0, 70.0], groups=2, priors=priors)
    assert alike.sigma0 == base.sigma0  # departments alike in the baseline scale as well


def _alike_first_quarter(seed: int, groups: int = 8):
    """A first quarter of ``groups`` departments of one truth (every person's R drawn from
    one distribution, 20 to 80 people each), no T or C (no ticketing tool yet): the priors,
    the ISQ arrays (value, low, high) and the baseline frozen from them."""
    rng = np.random.default_rng(seed)
    n = rng.integers(20, 81, groups).astype(float)
    people = [np.clip(rng.normal(70, 20, int(k)), 0, 100) for k in n]
    total = np.array([p.sum() for p in people])
    total_sq = np.array([(p * p).sum() for p in people])
    none = np.zeros(groups)
    priors = model.fit_priors(none, none, n, total, total_sq, none, none, groups, fallback=True)
    comps = (
        model.share_arrays(none, none, priors.T),
        model.mean_arrays(n, total, total_sq, priors.R),
        model.share_arrays(none, none, priors.C),
    )
    isq, low, high, _se = model.isq_arrays(
        np.stack([c[0] for c in comps]),
        np.stack([c[3] for c in comps]),
        np.stack([c[4] for c in comps]),
        priors,
    )
    return priors, (isq, low, high), model.freeze_baseline2(isq, groups, priors)


@pytest.mark.parametrize("seed", range(20))
def test_departments_alike_do_not_blow_up_the_iq_scale(seed: int) -> None:
    """The shown ISQs of departments that are alike sit close together (shrinkage pulls them
    to the mean): their sample sd as σ0 was 0.3 points in a first quarter like this one, and
    IQ read "123, interval −459 to 704". σ0 is the departments' spread as the priors estimate
    it (√(wᵀΣw)), which no ISQ interval exceeds by much: an ISQ's variance is at most its
    prior's, τ²·(1 + 1/g) with g ≥ 5, plus the Morris term, so an IQ interval spans at most
    about 2 · 1.96 · 15 · √1.2 = 64 points; 70 leaves room for that term."""
    priors, (isq, low, high), base = _alike_first_quarter(seed)
    tau = priors.tau()
    w = np.asarray(priors.weights)
    sigma = np.asarray(priors.corr) * np.outer(tau, tau)
    assert base.sigma0 == pytest.approx(float(np.sqrt(w @ sigma @ w)))
    _iq, iq_low, iq_high = model.iq_arrays(isq, low, high, base)
    assert np.all(iq_high - iq_low <= 70), (iq_low, iq_high)
    assert np.all((iq_low > 0) & (iq_high < 200))


# --- change tests ---


def test_fisher_matches_the_tea_tasting_example_and_scipy() -> None:
    # Fisher (1935): 3 of 4 right in one group, 1 of 4 in the other: two-sided p = 34/70.
    assert model.fisher_arrays([3], [4], [1], [4])[0] == pytest.approx(34 / 70)
    cases = [(6, 6, 0, 5), (2, 12, 9, 14), (30, 60, 45, 70), (0, 10, 0, 12), (7, 40, 19, 41)]
    got = model.fisher_arrays(*np.array(cases).T)
    for (x1, n1, x2, n2), p in zip(cases, got, strict=True):
        want = sps.fisher_exact([[x1, n1 - x1], [x2, n2 - x2]]).pvalue if x1 + x2 else 1.0
        assert p == pytest.approx(want, rel=1e-6)


def test_fisher_large_samples_use_the_continuity_corrected_z() -> None:
    p = model.fisher_arrays([560], [700], [480], [800])[0]
    pool = 1040 / 1500
    se = np.sqrt(pool * (1 - pool) * (1 / 700 + 1 / 800))
    z = (0.8 - 0.6 - 0.5 * (1 / 700 + 1 / 800)) / se
    assert p == pytest.approx(2 * sps.norm.sf(z))


def test_mann_whitney_from_histograms_scipy_documentation_example() -> None:
    # scipy.stats.mannwhitneyu documentation, Examples: ages of onset, males vs females
    # (Conover 1980): U1 = 17.0, and with method="asymptotic" (normal approximation with the
    # continuity correction, as the model tests) two-sided p = 0.11134688653314041.
    males = [19, 22, 16, 29, 24]
    females = [20, 11, 17, 12]
    grid = sorted(set(males + females))
    z, p = model.mann_whitney_hist_arrays(
        [females.count(v) for v in grid], [males.count(v) for v in grid]
    )
    assert p[0] == pytest.approx(0.11134688653314041)
    assert z[0] > 0  # the males (second sample) are older
    # U1 = 17 of 5·4 = 20 pairs: z is (U − 10 − ½)/√(5·4·10/12)
    assert z[0] == pytest.approx((17 - 10 - 0.5) / np.sqrt(5 * 4 * 10 / 12))


def test_mann_whitney_from_histograms_matches_scipy_on_the_expanded_data() -> None:
    grid = np.arange(5)
    h1 = np.array([2, 3, 4, 1, 0])
    h2 = np.array([0, 1, 3, 5, 4])
    z, p = model.mann_whitney_hist_arrays(h1, h2)
    a, b = np.repeat(grid, h1), np.repeat(grid, h2)
    want = sps.mannwhitneyu(a, b, method="asymptotic", use_continuity=True)
    assert p[0] == pytest.approx(want.pvalue)
    assert z[0] > 0  # the second sample is higher
    assert model.mann_whitney_hist_arrays([0, 0, 0, 0, 0], h2)[1][0] == 1.0


def test_change_flags_need_the_minimum_n_an_effect_and_bh() -> None:
    grid_low = [0, 0, 2, 6, 4, 0]
    grid_high = [0, 0, 0, 0, 4, 8]
    small = {
        "t1": (6, 6),
        "t2": (0, 5),
        "c1": (0, 0),
        "c2": (0, 0),
        "r_hist1": [0, 0, 0, 3, 2, 1],
        "r_hist2": [3, 2, 0, 0, 0, 0],
        "delta": -28.3,
    }
    real = {
        "t1": (10, 40),
        "t2": (36, 40),
        "c1": (50, 100),
        "c2": (95, 100),
        "r_hist1": grid_low * 3,
        "r_hist2": grid_high * 3,
        "delta": 22.0,
    }
    tiny = dict(real, delta=2.0)
    flags = model.change_flags([small, real, tiny])
    assert flags[0].direction is None and flags[0].components == ()  # n = 5 never flags
    assert flags[1].direction == "up" and flags[1].components == ("T", "R", "C")
    assert flags[1].min_n == 36 and flags[1].p_adjusted < 0.05
    assert flags[2].direction is None  # significant but under 5 ISQ points
    movers = model.movers({"SALES": flags[0], "ENG": flags[1], "FIN": flags[2]})
    assert [name for name, _ in movers] == ["ENG"]


def test_flag_arrays_applies_bh_over_the_page() -> None:
    adj, direction = model.flag_arrays([0.01, 0.04, 0.001, 0.5], [6, 7, 2, -9], min_family=1)
    assert adj == pytest.approx([0.02, 0.04 * 4 / 3, 0.004, 0.5])
    assert direction.tolist() == [1, 0, 0, 0]


def test_a_small_page_is_corrected_as_if_it_had_ten_departments() -> None:
    """Four tests are corrected as ten, the other six taken as p = 1 (MIN_FLAG_FAMILY)."""
    adj, direction = model.flag_arrays([0.01, 0.04, 0.001, 0.5], [6, 7, 6, -9])
    assert model.MIN_FLAG_FAMILY == 10
    assert adj == pytest.approx([0.05, 0.04 * 10 / 3, 0.01, 1.0])
    assert direction.tolist() == [0, 0, 1, 0]
    big, _d = model.flag_arrays([0.01] * 12, [6] * 12)
    assert big == pytest.approx([0.01] * 12)  # from ten tests on, plain BH


# --- trends and groups ---


def test_trend_on_the_shampoo_series_matches_the_published_values() -> None:
    (result,) = model.trend_badges([(list(range(36)), SHAMPOO)])
    assert result.slope == pytest.approx(11.509375)
    assert result.p == pytest.approx(2.2372e-9, rel=1e-3)
    assert result.direction == "rising"


def test_trend_keeps_gaps_on_the_time_axis() -> None:
    # Quarters 0, 1, 4, 5, 6: a gap of two quarters. Values rise 1 point per real quarter.
    times = [0, 1, 4, 5, 6]
    values = [60, 61, 64, 65, 66]
    assert model.theil_sen_time(times, values) == pytest.approx(1.0)
    (res,) = model.trend_badges([(times, values)])
    assert res.slope == pytest.approx(1.0)  # evenly spaced indices would say 1.5
    assert res.p == pytest.approx(2 / 120)  # exact p for 5 ordered values (0.0167)


def test_trend_badges_are_corrected_across_departments() -> None:
    rising = ([0, 1, 2, 3, 4], [1, 2, 3, 4, 5])  # p = 0.0167 alone
    flat = [([0, 1, 2, 3, 4], [3, 1, 4, 1.5, 2.5])] * 3
    alone = model.trend_badges([rising])
    assert alone[0].direction == "rising"
    many = model.trend_badges([rising, *flat])
    assert many[0].p_adjusted == pytest.approx(min(1.0, 4 * 2 / 120))
    assert many[0].direction == "flat"
    short = model.trend_badges([([0, 1, 2, 3], [1, 2, 3, 4])])
    assert short[0].p == 1.0 and short[0].direction == "flat"


def test_exact_mann_kendall_table_matches_stats() -> None:
    table = model.mk_exact_table(5)
    assert table[-1] == pytest.approx(0.0167, abs=5e-5)  # published n = 5 value
    assert table[10] == 1.0  # S = 0


def test_rank_groups_have_no_rank_numbers_where_intervals_overlap() -> None:
    groups = model.rank_groups([71, 55, 58, 40], [80, 62, 75, 49], organisation=63.0)
    assert groups == ["above", "below", "in_line", "below"]


# --- one quarter ---


def test_score_quarter_scores_groups_and_hides_compliance_alone() -> None:
    priors = _priors()
    base = model.freeze_baseline2([60.0, 70.0, 80.0], groups=3, priors=priors)
    strong = model.DepartmentSums(190, 200, 200, 200 * 85, 200 * 85**2 + 199 * 324, 390, 400)
    weak = model.DepartmentSums(80, 200, 200, 200 * 45, 200 * 45**2 + 199 * 324, 200, 400)
    middle = model.DepartmentSums(14, 20, 20, 20 * 65, 20 * 65**2 + 19 * 324, 32, 40)
    only_c = model.DepartmentSums(c_successes=30, c_trials=40)
    scores = model.score_quarter([strong, weak, middle, only_c], priors, base)
    assert [s.group for s in scores] == ["above", "below", "in_line", "in_line"]
    assert not scores[3].shown and scores[3].T.missing and scores[3].R.missing
    mid = scores[2]
    want = _share(14, 20, priors.T)
    assert (mid.T.value, mid.T.low, mid.T.high) == pytest.approx((want.value, want.low, want.high))
    assert mid.isq.value == pytest.approx(
        0.35 * mid.T.value + 0.45 * mid.R.value + 0.20 * mid.C.value
    )
    assert mid.iq.value == pytest.approx(100 + 15 * (mid.isq.value - 70.0) / base.sigma0)
    assert model.score_quarter([strong], priors)[0].iq is None


def _sums(t: float, r: float, c: float, n: int = 200) -> model.DepartmentSums:
    """n people with T share t %, R mean r (within variance 324), C share c % of 2n."""
    return model.DepartmentSums(
        t * n / 100, n, n, n * r, n * r * r + (n - 1) * 324, c * 2 * n / 100, 2 * n
    )


def test_standings_under_other_weights_show_a_standing_that_depends_on_them() -> None:
    priors = _priors()
    alternatives = dict(model.alternative_weights(priors.weights))
    assert set(alternatives) == {"equal", "double_T", "double_R", "double_C"}
    assert all(abs(sum(w) - 1) < 1e-9 for w in alternatives.values())
    assert alternatives["double_T"][0] == pytest.approx(0.70 / 1.35)
    others = [_sums(70, 65, 80)] * 5
    # Perfect compliance, poor satisfaction: "in line" with the stated weights, "below" when
    # satisfaction counts double.
    depends = _sums(50, 65, 100)
    # Poor satisfaction, and compliance no better than the others: below under every
    # weighting.
    clear = _sums(40, 65, 80)
    assert model.score_quarter([depends, *others], priors)[0].group == "in_line"
    assert ("double_T", "below") in model.standings_under([depends, *others], priors)[0]
    assert model.score_quarter([clear, *others], priors)[0].group == "below"
    assert {group for _name, group in model.standings_under([clear, *others], priors)[0]} == {
        "below"
    }


def _r_only_first_quarter(means: list[float], n: int = 150) -> list[model.DepartmentSums]:
    """A first quarter with quarterly surveys only (no ticketing tool yet: no T, no C): each
    department's ``n`` people have R mean ``means[i]`` with a within sd of 20 points."""
    return [
        model.DepartmentSums(r_n=n, r_total=n * m, r_total_sq=n * m * m + (n - 1) * 400)
        for m in means
    ]


def test_a_first_quarter_with_r_only_tells_departments_apart() -> None:
    """No department has T or C: they leave the ISQ (weights renormalised over R) instead of
    entering every ISQ as vague priors of 15 points' spread, which put every department "in
    line" (R ± 3, ISQ ± 13) however far apart 150 people each placed them."""
    means = [50.0, 52.0, 48.0, 50.0, 51.0, 49.0, 65.0, 35.0]
    sums = _r_only_first_quarter(means)
    none = [0.0] * len(sums)
    priors = model.fit_priors(
        none,
        none,
        [s.r_n for s in sums],
        [s.r_total for s in sums],
        [s.r_total_sq for s in sums],
        none,
        none,
        len(sums),
        fallback=True,
    )
    scores = model.score_quarter(sums, priors)
    assert scores[6].group == "above" and scores[7].group == "below"
    assert [s.group for s in scores[:6]] == ["in_line"] * 6
    for s in scores:
        assert s.isq.value == pytest.approx(s.R.value)
        assert s.isq.se == pytest.approx(s.R.se)
        assert s.weights == (0.0, 1.0, 0.0)


def test_a_component_hidden_everywhere_but_collected_keeps_its_prior() -> None:
    """Measured = collected by the organisation, not shown: T hidden by the gate in every
    department still enters at its prior (leaving would tell that every department had few
    answers), so the ISQ is the fixed-weight one with T's prior spread."""
    sums = _r_only_first_quarter([50.0, 60.0, 40.0])
    priors = _priors()
    kept = model.score_quarter(sums, priors, measured=("T", "R"))
    dropped = model.score_quarter(sums, priors)
    for k, d in zip(kept, dropped, strict=True):
        assert k.weights == pytest.approx((0.35 / 0.8, 0.45 / 0.8, 0.0))
        assert k.isq.value == pytest.approx((0.35 * 70.0 + 0.45 * k.R.value) / 0.8)
        assert k.isq.se > d.isq.se
        assert d.weights == (0.0, 1.0, 0.0)


def test_renormalised_isq_variance_keeps_the_correlation_term() -> None:
    priors = _priors(corr=0.6)
    sums = [_sums(60, 55, 0) for _ in range(3)]
    sums = [
        model.DepartmentSums(s.t_successes, s.t_trials, s.r_n, s.r_total, s.r_total_sq)
        for s in sums
    ]
    s = model.score_quarter(sums, priors)[0]
    w = (0.35 / 0.8, 0.45 / 0.8)
    tau = priors.tau()
    var = (w[0] * s.T.se) ** 2 + (w[1] * s.R.se) ** 2
    var += 2 * w[0] * w[1] * s.T.prior_weight * s.R.prior_weight * 0.6 * tau[0] * tau[1]
    assert s.isq.value == pytest.approx(w[0] * s.T.value + w[1] * s.R.value)
    assert s.isq.se == pytest.approx(np.sqrt(var))


def test_isq_spread_uses_the_weights_restricted_to_what_is_measured() -> None:
    priors = _priors(corr=0.5)
    tau = priors.tau()
    assert model.isq_spread(priors, (False, True, False)) == pytest.approx(tau[1])
    w = np.array([0.35, 0.45, 0.0]) / 0.8
    sigma = np.asarray(priors.corr) * np.outer(tau, tau)
    assert model.isq_spread(priors, (True, True, False)) == pytest.approx(np.sqrt(w @ sigma @ w))
    base = model.freeze_baseline2([50.0, 60.0], 2, priors, measured=(False, True, False))
    assert base.sigma0 == pytest.approx(tau[1])
    assert model.isq_spread(priors) == pytest.approx(model.isq_spread(priors, (True,) * 3))
