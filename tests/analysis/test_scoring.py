"""analysis.scoring: hand-computed cases for the helpers the model and the pages share
(rescaling, the prior strength of a share, the perception gap). The model itself is tested in
test_model.py."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import scoring

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


def test_perception_gap_labels() -> None:
    assert scoring.perception_gap(88.0, 50.0) == (pytest.approx(38.0), "overestimate")
    assert scoring.perception_gap(50.0, 53.0) == (pytest.approx(-3.0), "aligned")
    assert scoring.perception_gap(50.0, 60.0) == (pytest.approx(-10.0), "hidden_strength")
    # The threshold: |gap| < 5 is aligned, 5 or more is not.
    assert scoring.perception_gap(55.0, 50.0)[1] == "overestimate"
    assert scoring.perception_gap(54.9, 50.0)[1] == "aligned"
    assert scoring.perception_gap(45.0, 50.0)[1] == "hidden_strength"
    assert scoring.perception_gap(60.0, 50.0, threshold=15.0)[1] == "aligned"
