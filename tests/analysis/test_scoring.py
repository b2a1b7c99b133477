"""analysis.scoring: hand-computed cases for every step of the model, BCa against scipy, and
the markers' rules."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps

from analysis import scoring
from analysis.scoring import Baseline, Interval

# --- items and respondents ---


def test_rescale_likert_and_other_scales() -> None:
    assert [scoring.rescale(x, 1, 5) for x in (1, 2, 3, 4, 5)] == [0.0, 25.0, 50.0, 75.0, 100.0]
    assert scoring.rescale(4, 1, 7) == pytest.approx(50.0)  # 7-point scale midpoint
    assert scoring.rescale(7, 0, 10) == pytest.approx(70.0)  # an NPS answer
    assert scoring.rescale(3.4, 1, 5) == pytest.approx(60.0)  # a mean works too
    with pytest.raises(ValueError):
        scoring.rescale(3, 5, 5)
    with pytest.raises(ValueError):
        scoring.rescale(float("nan"), 1, 5)


def test_respondent_first_averaging() -> None:
    # A answers four items at 100, B one item at 0. Respondent-first: (100 + 0) / 2 = 50,
    # where pooling the five items would give 80.
    assert scoring.respondent_first_mean([[100, 100, 100, 100], [0]]) == 50.0
    # Unanswered items are skipped; a respondent with nothing answered is left out.
    assert scoring.respondent_first_mean([[None, 50], [None], [100, None]]) == 75.0
    assert scoring.respondent_first_mean([]) is None
    assert scoring.respondent_first_mean([[None]]) is None


def test_top_box_share() -> None:
    assert scoring.top_box_share([5, 4, 3, 2, 1]) == 40.0
    assert scoring.top_box_share([5, 5]) == 100.0
    assert scoring.top_box_share([]) is None


# --- shrinkage ---


def test_shrink_proportion_hand_computed() -> None:
    # 6/6 with an organisation share of 0.5 and m = 4: (6 + 2) / (6 + 4) = 0.8.
    assert scoring.shrink_proportion(6, 6, 0.5, 4) == pytest.approx(0.8)
    assert scoring.shrink_proportion(0, 0, 0.37, 10) == pytest.approx(0.37)  # n = 0: the prior
    assert scoring.shrink_proportion(3, 4, 0.5, 0) == pytest.approx(0.75)  # m = 0: raw
    # Large n approaches the raw share: 9000/10000 with m = 10 -> 0.8996.
    big = scoring.shrink_proportion(9000, 10000, 0.5, 10)
    assert abs(big - 0.9) < 0.001
    # Always between the raw share and the prior.
    for x, n in [(1, 5), (5, 5), (0, 7), (20, 30)]:
        value = scoring.shrink_proportion(x, n, 0.6, 8)
        assert min(x / n, 0.6) <= value <= max(x / n, 0.6)
    with pytest.raises(ValueError):
        scoring.shrink_proportion(3, 2, 0.5, 4)
    with pytest.raises(ValueError):
        scoring.shrink_proportion(1, 2, 1.5, 4)


def test_fit_beta_binomial_m_hand_computed() -> None:
    # (2/10, 8/10, 5/10): p = 0.5, S = 10(0.09 + 0.09 + 0) = 1.8, S/(pq) = 7.2, g - 1 = 2,
    # N - Σn²/N - (g - 1) = 30 - 10 - 2 = 18 -> rho = 5.2/18, m = 18/5.2 - 1 = 2.4615.
    assert scoring.fit_beta_binomial_m([(2, 10), (8, 10), (5, 10)]) == pytest.approx(18 / 5.2 - 1)


def test_fit_beta_binomial_m_is_clipped() -> None:
    # Identical shares: no spread beyond chance -> the upper bound.
    assert scoring.fit_beta_binomial_m([(5, 10), (5, 10), (5, 10)]) == 50.0
    # All or nothing: extreme spread -> the lower bound.
    assert scoring.fit_beta_binomial_m([(0, 20), (20, 20), (0, 20), (20, 20)]) == 2.0
    # No information (all successes) -> the upper bound.
    assert scoring.fit_beta_binomial_m([(4, 4), (9, 9)]) == 50.0
    with pytest.raises(ValueError):
        scoring.fit_beta_binomial_m([(1, 2)])


def test_fit_beta_binomial_m_recovers_a_known_prior() -> None:
    # 400 departments of 50 from a beta-binomial with mean 0.6 and m = 20.
    rng = np.random.default_rng(42)
    p = rng.beta(0.6 * 20, 0.4 * 20, size=400)
    pairs = [(int(x), 50) for x in rng.binomial(50, p)]
    assert scoring.fit_beta_binomial_m(pairs) == pytest.approx(20, rel=0.25)


def test_shrink_mean_hand_computed() -> None:
    # raw 80 from n = 4, sigma2 = 400, tau2 = 100: B = 100 / (100 + 100) = 0.5 -> 70.
    assert scoring.shrink_mean(80, 4, 400, 60, 100) == pytest.approx(70.0)
    assert scoring.shrink_mean(80, 0, 400, 60, 100) == 60.0  # n = 0: the prior
    assert scoring.shrink_mean(80, 4, 400, 60, 0) == pytest.approx(60.0)  # tau2 = 0: full pooling
    assert scoring.shrink_mean(80, 4, 0, 60, 0) == 80.0  # no noise at all: raw
    big = scoring.shrink_mean(80, 100_000, 400, 60, 100)
    assert abs(big - 80) < 0.01  # large n approaches the raw mean
    with pytest.raises(ValueError):
        scoring.shrink_mean(80, 4, -1, 60, 100)


def test_fit_normal_prior_hand_computed() -> None:
    # Two departments of 5 with means 70 and 50, variances 100: grand 60, sigma2 100,
    # variance of the means 200, sampling noise 100/5 = 20 -> tau2 = 180.
    prior = scoring.fit_normal_prior([(5, 70.0, 100.0), (5, 50.0, 100.0)])
    assert (prior.grand, prior.sigma2, prior.tau2) == pytest.approx((60.0, 100.0, 180.0))
    # Means closer than chance: tau2 floored at 0.
    assert scoring.fit_normal_prior([(5, 61.0, 100.0), (5, 59.0, 100.0)]).tau2 == 0.0
    with pytest.raises(ValueError):
        scoring.fit_normal_prior([(5, 70.0, 100.0)])


# --- ISQ and IQ ---


def test_isq_weights_and_missing_components() -> None:
    assert scoring.DEFAULT_WEIGHTS == {"T": 0.35, "R": 0.45, "C": 0.20}
    # 0.35*80 + 0.45*60 + 0.20*90 = 28 + 27 + 18 = 73.
    assert scoring.isq({"T": 80, "R": 60, "C": 90}) == pytest.approx(73.0)
    # C missing: (28 + 27) / 0.80 = 68.75; R missing: (28 + 18) / 0.55 = 83.64.
    assert scoring.isq({"T": 80, "R": 60}) == pytest.approx(68.75)
    assert scoring.isq({"T": 80, "R": None, "C": 90}) == pytest.approx(46 / 0.55)
    assert scoring.isq({"R": 60}) == pytest.approx(60.0)
    assert scoring.isq({"T": 80, "R": 60}, {"T": 1, "R": 1}) == pytest.approx(70.0)
    assert scoring.isq({"T": 80, "X": 0}, {"T": 1}) == pytest.approx(80.0)  # unweighted key ignored
    with pytest.raises(ValueError):
        scoring.isq({"T": None})
    with pytest.raises(ValueError):
        scoring.isq({"T": 50}, {"T": -1})


def test_freeze_baseline_and_iq() -> None:
    quarters = ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]
    baseline = scoring.freeze_baseline([50.0, 60.0, 70.0], quarters=quarters)
    assert baseline.mu0 == pytest.approx(60.0)
    assert baseline.sigma0 == pytest.approx(10.0)  # sample SD (n - 1)
    assert baseline.quarters == tuple(quarters)
    assert baseline.version == "v1-2025Q1-2025Q4" and len(baseline.version) <= 20
    # IQ = 100 + 15 (ISQ - mu0) / sigma0.
    assert scoring.iq(70.0, baseline) == pytest.approx(115.0)
    assert scoring.iq(60.0, baseline) == pytest.approx(100.0)
    assert scoring.iq(45.0, baseline) == pytest.approx(77.5)
    # Frozen: improving later does not move the baseline, so IQs rise.
    assert scoring.iq(80.0, baseline) > scoring.iq(70.0, baseline)
    mapped = scoring.iq_interval(Interval(70.0, 65.0, 75.0), baseline)
    assert (mapped.estimate, mapped.low, mapped.high) == pytest.approx((115.0, 107.5, 122.5))


def test_baseline_versions_and_edge_cases() -> None:
    unnamed = scoring.freeze_baseline([1.0, 2.0])
    assert unnamed.version.startswith("v1-") and len(unnamed.version) <= 20
    long_names = scoring.freeze_baseline([1.0, 2.0], quarters=["first quarter", "fourth quarter"])
    assert len(long_names.version) <= 20
    assert scoring.freeze_baseline([1.0, 2.0], version="custom").version == "custom"
    flat = scoring.freeze_baseline([60.0, 60.0], quarters=["2025Q1"])
    assert flat.sigma0 == 0.0
    with pytest.raises(ValueError):
        scoring.iq(60.0, flat)
    with pytest.raises(ValueError):
        scoring.freeze_baseline([60.0])
    # The keyword construction the scorecards use.
    frozen = Baseline(version="v1-x", mu0=50.0, sigma0=5.0, quarters=("2025Q1",))
    assert scoring.iq(55.0, frozen) == pytest.approx(115.0)


# --- bootstrap ---


def _mean(x: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.mean(x, axis=axis)


def _difference(x: np.ndarray, y: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.mean(x, axis=axis) - np.mean(y, axis=axis)


def test_bootstrap_bca_matches_scipy_one_sample() -> None:
    # A skewed sample, where BCa differs visibly from the percentile interval.
    data = np.random.default_rng(1).exponential(scale=10.0, size=40)
    ours = scoring.bootstrap_bca([data], _mean, n_resamples=3000, seed=123)
    theirs = sps.bootstrap(
        (data,), _mean, n_resamples=3000, method="BCa", rng=np.random.default_rng(123)
    ).confidence_interval
    assert ours.estimate == pytest.approx(data.mean())
    assert (ours.low, ours.high) == pytest.approx((theirs.low, theirs.high), rel=1e-9)
    percentile = np.quantile(
        sps.bootstrap(
            (data,), _mean, n_resamples=3000, method="percentile", rng=np.random.default_rng(123)
        ).bootstrap_distribution,
        [0.025, 0.975],
    )
    assert (ours.low, ours.high) != pytest.approx(tuple(percentile), rel=1e-6)


def test_bootstrap_bca_matches_scipy_two_samples() -> None:
    rng = np.random.default_rng(5)
    t_answers = (rng.random(30) < 0.7).astype(float) * 100  # satisfied or not, 0/100
    r_scores = rng.normal(65, 15, size=25)
    ours = scoring.bootstrap_bca([t_answers, r_scores], _difference, n_resamples=2000, seed=9)
    theirs = sps.bootstrap(
        (t_answers, r_scores), _difference, n_resamples=2000, method="BCa",
        rng=np.random.default_rng(9),
    ).confidence_interval  # fmt: skip
    assert (ours.low, ours.high) == pytest.approx((theirs.low, theirs.high), rel=1e-9)


def test_bootstrap_bca_isq_over_respondents_maps_to_iq() -> None:
    rng = np.random.default_rng(3)
    t = (rng.random(40) < 0.8).astype(float)
    r = rng.normal(70, 12, size=30)

    def statistic(t_sample: np.ndarray, r_sample: np.ndarray) -> float:
        return scoring.isq({"T": 100 * t_sample.mean(), "R": r_sample.mean()})

    interval = scoring.bootstrap_bca([t, r], statistic, n_resamples=1000, seed=1)
    assert interval.low < interval.estimate < interval.high
    baseline = Baseline("v1-test", 60.0, 8.0)
    mapped = scoring.iq_interval(interval, baseline)
    assert mapped.low == pytest.approx(100 + 15 * (interval.low - 60) / 8)
    assert mapped.high == pytest.approx(100 + 15 * (interval.high - 60) / 8)


def test_bootstrap_bca_edge_cases() -> None:
    same = scoring.bootstrap_bca([[4.0, 4.0, 4.0]], np.mean)
    assert (same.estimate, same.low, same.high) == (4.0, 4.0, 4.0)
    a = scoring.bootstrap_bca([[1.0, 2.0, 5.0, 9.0]], np.mean, n_resamples=500, seed=2)
    b = scoring.bootstrap_bca([[1.0, 2.0, 5.0, 9.0]], np.mean, n_resamples=500, seed=2)
    assert a == b  # deterministic for a seed
    # The maximum: every replicate is at or below the estimate; still finite.
    top = scoring.bootstrap_bca([[1.0, 2.0, 3.0, 10.0]], np.max, n_resamples=500)
    assert np.isfinite(top.low) and np.isfinite(top.high)
    with pytest.raises(ValueError):
        scoring.bootstrap_bca([[1.0]], np.mean)
    with pytest.raises(ValueError):
        scoring.bootstrap_bca([], np.mean)


# --- markers ---


def test_change_marker_needs_significance_and_size() -> None:
    assert scoring.change_marker(6.0, 0.01) == "up"
    assert scoring.change_marker(-5.0, 0.049) == "down"
    assert scoring.change_marker(4.9, 0.0001) is None  # significant but small
    assert scoring.change_marker(12.0, 0.05) is None  # large but not p < 0.05


def test_change_markers_adjust_with_benjamini_hochberg() -> None:
    # m = 4: sorted raw p 0.001, 0.01, 0.04, 0.5 -> adjusted 0.004, 0.02, 0.0533, 0.5.
    changes = [(6.0, 0.01), (7.0, 0.04), (2.0, 0.001), (-9.0, 0.5)]
    # (7.0, 0.04) is significant raw but not after adjustment; (2.0, ...) is too small.
    assert scoring.change_markers(changes) == ["up", None, None, None]
    assert scoring.change_markers([(6.0, 0.02), (-7.0, 0.03), (8.0, 0.04)]) == ["up", "down", "up"]
    assert scoring.change_markers([]) == []


def test_trend_only_from_five_quarters() -> None:
    assert scoring.trend([60.0, 62.0, 64.0, 66.0]) is None  # 4 quarters: best p is 2/24
    rising = scoring.trend([60.0, 62.0, 64.0, 66.0, 69.0])
    assert rising is not None and rising.direction == "rising"
    assert rising.p == pytest.approx(2 / 120) and rising.exact
    assert rising.slope == pytest.approx(2.0)
    falling = scoring.trend([70.0, 66.0, 65.0, 61.0, 60.0, 52.0])
    assert falling is not None and falling.direction == "falling" and falling.slope < 0
    flat = scoring.trend([60.0, 63.0, 59.0, 62.0, 60.0, 61.0])
    assert flat is not None and flat.direction == "flat" and flat.p >= 0.05
    assert scoring.trend([60.0] * 5).direction == "flat"  # type: ignore[union-attr]
    assert scoring.trend([1.0, 2.0, 3.0], min_quarters=3) is not None


def test_perception_gap_labels() -> None:
    assert scoring.perception_gap(88.0, 50.0) == (pytest.approx(38.0), "overestimate")
    assert scoring.perception_gap(50.0, 53.0) == (pytest.approx(-3.0), "aligned")
    assert scoring.perception_gap(50.0, 60.0) == (pytest.approx(-10.0), "hidden_strength")
    # The threshold: |gap| < 5 is aligned, 5 or more is not.
    assert scoring.perception_gap(55.0, 50.0)[1] == "overestimate"
    assert scoring.perception_gap(54.9, 50.0)[1] == "aligned"
    assert scoring.perception_gap(45.0, 50.0)[1] == "hidden_strength"
    assert scoring.perception_gap(60.0, 50.0, threshold=15.0)[1] == "aligned"
