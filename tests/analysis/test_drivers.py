"""Key-driver analysis (``analysis.drivers``) and the priorities rule (``analysis.priorities``)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from analysis.drivers import Drivers, Importance, key_drivers, lmg_from_correlation
from analysis.priorities import DIMENSION_PRACTICES, priorities


def exact_data(corr: np.ndarray, n: int, seed: int = 1) -> np.ndarray:
    """n rows whose sample correlation matrix is exactly ``corr``: centred random columns made
    orthonormal (QR), then mixed by the Cholesky factor of ``corr``."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, corr.shape[0]))
    z -= z.mean(axis=0)
    q, _r = np.linalg.qr(z)
    return q @ np.linalg.cholesky(corr).T


# Two predictors, the outcome last: r(y, x1) = 0.5, r(y, x2) = 0.3, r(x1, x2) = 0.2.
TWO = np.array([[1.0, 0.2, 0.5], [0.2, 1.0, 0.3], [0.5, 0.3, 1.0]])


def test_two_predictors_against_the_hand_computation() -> None:
    """By hand, from the correlation matrix ``TWO``:

    R²(x1) = 0.5² = 0.25, R²(x2) = 0.3² = 0.09,
    R²(x1, x2) = (r1² + r2² − 2·r1·r2·r12) / (1 − r12²) = (0.25 + 0.09 − 0.06) / 0.96 = 0.2916667.
    LMG(x1) = ½·[R²(x1) + (R²(x1, x2) − R²(x2))] = ½·[0.25 + 0.2016667] = 0.2258333,
    LMG(x2) = ½·[R²(x2) + (R²(x1, x2) − R²(x1))] = ½·[0.09 + 0.0416667] = 0.0658333;
    they sum to R² = 0.2916667, shares 0.774286 and 0.225714."""
    parts = lmg_from_correlation(TWO)
    assert parts == pytest.approx([0.2258333, 0.0658333], abs=1e-6)
    data = exact_data(TWO, 200)
    result = key_drivers(("a", "b"), data[:, :2], data[:, 2], resamples=200)
    assert result is not None
    assert result.r2 == pytest.approx(0.2916667, abs=1e-6)
    assert [i.share for i in result.importances] == pytest.approx([0.774286, 0.225714], abs=1e-5)
    assert [i.rank for i in result.importances] == [1, 2]
    a = result.of("a")
    assert a is not None and a.low is not None and a.high is not None
    assert a.low < a.share < a.high


def test_uncorrelated_predictors_get_their_squared_correlations() -> None:
    """With orthogonal predictors every order gives the same gain: LMG(j) = r(y, xj)²
    (0.16, 0.09 and 0.01 here)."""
    corr = np.array(
        [
            [1.0, 0.0, 0.0, 0.4],
            [0.0, 1.0, 0.0, 0.3],
            [0.0, 0.0, 1.0, 0.1],
            [0.4, 0.3, 0.1, 1.0],
        ]
    )
    assert lmg_from_correlation(corr) == pytest.approx([0.16, 0.09, 0.01], abs=1e-12)


def _r2(x: np.ndarray, y: np.ndarray, cols: tuple[int, ...]) -> float:
    if not cols:
        return 0.0
    design = np.column_stack([np.ones(len(y)), x[:, list(cols)]])
    beta, *_ = np.linalg.lstsq(design, y, rcond=None)
    residual = y - design @ beta
    return 1.0 - residual.var() / y.var()


def test_five_predictors_match_the_average_over_every_order() -> None:
    """An independent computation: fit the least-squares regression for each of the 120 orders
    in which five predictors can enter and average each one's gain in R²."""
    rng = np.random.default_rng(5)
    latent = rng.standard_normal(300)
    x = latent[:, None] + rng.standard_normal((300, 5)) * [0.5, 1.0, 1.5, 0.8, 2.0]
    y = x @ [0.6, 0.1, 0.3, 0.0, 0.2] + rng.standard_normal(300)
    gains = np.zeros(5)
    orders = list(itertools.permutations(range(5)))
    for order in orders:
        for i, j in enumerate(order):
            gains[j] += _r2(x, y, tuple(sorted(order[: i + 1]))) - _r2(
                x, y, tuple(sorted(order[:i]))
            )
    gains /= len(orders)
    result = key_drivers("abcde", x, y, resamples=50)
    assert result is not None
    assert [i.lmg for i in result.importances] == pytest.approx(list(gains), abs=1e-9)
    assert sum(i.share for i in result.importances) == pytest.approx(1.0)


def test_missing_answers_drop_the_row_and_are_counted() -> None:
    data = exact_data(TWO, 60)
    x = data[:, :2].tolist()
    y = data[:, 2].tolist()
    x[0][1] = None
    y[1] = float("nan")
    result = key_drivers(("a", "b"), x, y, resamples=50)
    assert result is not None and result.n == 58 and result.dropped == 2


def test_degenerate_inputs_give_none() -> None:
    data = exact_data(TWO, 60)
    assert key_drivers(("a", "b"), data[:29, :2], data[:29, 2]) is None  # below min_rows
    assert key_drivers(("a", "b"), data[:10, :2], data[:10, 2], min_rows=3) is not None
    assert key_drivers(("a", "b"), data[:3, :2], data[:3, 2], min_rows=1) is None  # < p + 2
    constant = data.copy()
    constant[:, 1] = 4.0
    assert key_drivers(("a", "b"), constant[:, :2], constant[:, 2]) is None
    assert key_drivers(("a", "b"), data[:, :2], np.full(60, 3.0)) is None
    unrelated = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    flat = exact_data(unrelated, 60)
    assert key_drivers(("a", "b"), flat[:, :2], flat[:, 2]) is None  # R² = 0
    with pytest.raises(ValueError):
        key_drivers(("a",), data[:, :2], data[:, 2])


def test_the_same_data_give_the_same_figures() -> None:
    data = exact_data(TWO, 80)
    one = key_drivers(("a", "b"), data[:, :2], data[:, 2])
    two = key_drivers(("a", "b"), data[:, :2], data[:, 2])
    assert one == two
    other = key_drivers(("a", "b"), data[:, :2], data[:, 2], seed=3)
    assert other is not None and one is not None and other.importances != one.importances


# A known truth: five correlated dimensions (a shared factor plus their own part), the overall
# answer a weighted sum of them plus noise; the first dimension weighs most.
BETA = np.array([0.9, 0.35, 0.25, 0.15, 0.1])
LOADING = 0.6


def _population_corr() -> np.ndarray:
    p = len(BETA)
    cx = np.full((p, p), LOADING**2) + np.eye(p) * (1 - LOADING**2)
    noise = 1.0
    cxy = cx @ BETA
    vy = BETA @ cx @ BETA + noise
    corr = np.empty((p + 1, p + 1))
    corr[:p, :p] = cx
    corr[:p, p] = corr[p, :p] = cxy / np.sqrt(vy)
    corr[p, p] = 1.0
    return corr


def _draw(rng: np.random.Generator, n: int, likert: bool) -> tuple[np.ndarray, np.ndarray]:
    p = len(BETA)
    shared = rng.standard_normal((n, 1))
    x = LOADING * shared + np.sqrt(1 - LOADING**2) * rng.standard_normal((n, p))
    y = x @ BETA + rng.standard_normal(n)
    if likert:  # answers on 1..5, as the survey stores them
        x = np.clip(np.round(3 + 1.2 * x), 1, 5)
        y = np.clip(np.round(3 + y), 1, 5)
    return x, y


def test_simulation_finds_the_known_driver_and_covers_the_truth() -> None:
    """Drawn 60 times from the known truth (n = 150): the biggest true driver is ranked first
    in at least 90 % of runs, and the 95 % intervals cover the true shares (LMG of the
    population correlation matrix) in at least 90 % of cases over all dimensions (95.3 % with
    these seeds; percentile intervals of a bounded share may run short in small samples)."""
    truth = lmg_from_correlation(_population_corr())
    truth = truth / truth.sum()
    assert truth.argmax() == 0
    rng = np.random.default_rng(17)
    runs, first, covered, cases = 60, 0, 0, 0
    for run in range(runs):
        x, y = _draw(rng, 150, likert=False)
        result = key_drivers("abcde", x, y, resamples=300, seed=run)
        assert result is not None
        first += result.ranked()[0].code == "a"
        for imp, true in zip(result.importances, truth, strict=True):
            assert imp.low is not None and imp.high is not None
            covered += imp.low <= true <= imp.high
            cases += 1
    assert first >= 0.9 * runs, first
    assert covered >= 0.90 * cases, covered / cases


def test_simulation_on_likert_answers_still_ranks_the_main_driver_first() -> None:
    rng = np.random.default_rng(23)
    first = 0
    for run in range(30):
        x, y = _draw(rng, 120, likert=True)
        result = key_drivers("abcde", x, y, resamples=200, seed=run)
        assert result is not None
        first += result.ranked()[0].code == "a"
    assert first >= 26, first


def _drivers(shares: dict[str, float]) -> Drivers:
    order = sorted(shares, key=lambda c: -shares[c])
    return Drivers(
        codes=tuple(shares),
        importances=tuple(
            Importance(c, s, s - 0.05, s + 0.05, s * 0.5, order.index(c) + 1, 0.0)
            for c, s in shares.items()
        ),
        r2=0.5,
        n=40,
        dropped=0,
        resamples=1000,
    )


def test_priorities_cross_importance_with_room_to_improve() -> None:
    """priority = share × (100 − mean): reliability 0.4 × 30 = 12, responsiveness 0.3 × 50 =
    15, competence 0.1 × 60 = 6, courtesy 0.1 × 20 = 2, tools 0.1 hidden (no mean)."""
    drivers = _drivers(
        {
            "reliability": 0.4,
            "responsiveness": 0.3,
            "competence": 0.1,
            "courtesy": 0.1,
            "tools": 0.1,
        }
    )
    means = {"reliability": 70.0, "responsiveness": 50.0, "competence": 40.0, "courtesy": 80.0}
    org = {"reliability": 65.0, "responsiveness": 60.0, "competence": 55.0, "courtesy": 70.0}
    got = priorities(drivers, means, org)
    assert [p.code for p in got] == ["responsiveness", "reliability", "competence"]
    first = got[0]
    assert first.score == pytest.approx(15.0)
    assert first.below_org == pytest.approx(10.0)
    assert first.practice == "responsiveness"
    assert got[1].below_org == pytest.approx(-5.0)  # above the organisation, still a priority
    assert [p.code for p in priorities(drivers, means, org, limit=2)] == [
        "responsiveness",
        "reliability",
    ]
    at_top = priorities(drivers, {"reliability": 100.0, "courtesy": 90.0})
    assert [p.code for p in at_top] == ["courtesy"]  # nothing left to win on reliability
    assert priorities(drivers, {}) == ()


def test_every_dimension_has_a_practice() -> None:
    assert set(DIMENSION_PRACTICES) == {
        "reliability",
        "responsiveness",
        "competence",
        "courtesy",
        "tools",
    }


def test_a_column_with_fewer_than_spread_rows_off_its_mode_gives_none() -> None:
    """``spread``: a column with one row away from its most common value is as degenerate as
    a constant one (whether the analysis runs must not tell that one person answered like
    everyone else); from ``spread`` such rows on it runs."""
    data = exact_data(TWO, 60)
    near = data.copy()
    near[:, 1] = 4.0
    near[:4, 1] = 3.0
    assert key_drivers(("a", "b"), near[:, :2], near[:, 2], resamples=50) is not None
    assert key_drivers(("a", "b"), near[:, :2], near[:, 2], resamples=50, spread=5) is None
    near[4, 1] = 2.0
    assert key_drivers(("a", "b"), near[:, :2], near[:, 2], resamples=50, spread=5) is not None
