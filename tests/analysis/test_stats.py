"""analysis.stats against values published outside the project (each test names its source),
plus hand-computed cases and the documented edge cases."""

from __future__ import annotations

import itertools
import random

import pytest
from scipy import stats as sps

from analysis import stats

# --- Wilson ---

# Newcombe RG (1998a). Two-sided confidence intervals for the single proportion: comparison of
# seven methods. Statistics in Medicine 17:857-872, Table I, method 3 (score interval without
# continuity correction). Published to 4 decimals.
NEWCOMBE_1998A_WILSON = [
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
]


@pytest.mark.parametrize(("x", "n", "low", "high"), NEWCOMBE_1998A_WILSON)
def test_wilson_matches_newcombe_1998a_table_1(x: int, n: int, low: float, high: float) -> None:
    got_low, got_high = stats.wilson_interval(x, n)
    assert got_low == pytest.approx(low, abs=5e-5)
    assert got_high == pytest.approx(high, abs=5e-5)


def test_wilson_edge_cases() -> None:
    assert stats.wilson_interval(0, 0) == (0.0, 1.0)  # no information
    assert stats.wilson_interval(0, 20)[0] == 0.0
    assert stats.wilson_interval(20, 20)[1] == 1.0
    # Non-integer counts (shrunk counts) are accepted and stay inside 0..1.
    low, high = stats.wilson_interval(6 + 4 * 0.5, 6 + 4)
    assert 0.0 < low < 0.8 < high < 1.0
    # Wider at 99% than at 95%.
    l95, h95 = stats.wilson_interval(30, 100)
    l99, h99 = stats.wilson_interval(30, 100, confidence=0.99)
    assert l99 < l95 and h99 > h95
    for bad in [(-1, 10), (11, 10), (float("nan"), 10)]:
        with pytest.raises(ValueError):
            stats.wilson_interval(*bad)
    with pytest.raises(ValueError):
        stats.wilson_interval(1, 10, confidence=1.0)


# --- Mann-Kendall ---

# The "shampoo sales" series (36 monthly values) as used in the pyMannKendall examples
# (Hussain & Mahmud 2019, JOSS 4(39):1556), original_test output.
SHAMPOO = [
    266.0, 145.9, 183.1, 119.3, 180.3, 168.5, 231.8, 224.5, 192.8, 122.9, 336.5, 185.9,
    194.3, 149.5, 210.1, 273.3, 191.4, 287.0, 226.0, 303.6, 289.9, 421.6, 264.5, 342.3,
    339.7, 440.4, 315.9, 439.3, 401.3, 437.4, 575.5, 407.6, 682.0, 475.3, 581.3, 646.9,
]  # fmt: skip


def test_mann_kendall_pymannkendall_shampoo_example() -> None:
    result = stats.mann_kendall(SHAMPOO)
    assert result.n == 36 and not result.exact
    assert result.s == 440
    assert result.var_s == pytest.approx(5390)
    assert result.z == pytest.approx(5.979572523983071, rel=1e-12)
    assert result.p == pytest.approx(2.2372e-09, rel=1e-4)
    assert result.tau == pytest.approx(0.6984126984126984, rel=1e-12)
    assert result.slope == pytest.approx(11.509375, rel=1e-12)
    assert result.intercept == pytest.approx(78.73593749999998, rel=1e-12)


def test_mann_kendall_exact_short_series() -> None:
    # reference/analysis-cases.md: n = 4 strictly increasing gives exact p = 0.0833 (2/24),
    # n = 5 gives 0.0167 (2/120).
    four = stats.mann_kendall([1.0, 2.0, 3.0, 4.0])
    assert four.exact and four.s == 6
    assert four.p == pytest.approx(0.0833, abs=5e-5)
    assert four.p == pytest.approx(2 / 24)
    five = stats.mann_kendall([10.0, 12.0, 15.0, 16.0, 20.0])
    assert five.p == pytest.approx(0.0167, abs=5e-5)
    assert stats.mann_kendall([5.0, 4.0, 3.0, 2.0, 1.0]).s == -10


def _brute_force_p(values: list[float]) -> float:
    """Exact p by enumerating every ordering of the values (independent of the q-multinomial
    counting in the module)."""

    def s_of(seq: tuple[float, ...]) -> int:
        return sum(
            (seq[j] > seq[i]) - (seq[j] < seq[i])
            for i in range(len(seq))
            for j in range(i + 1, len(seq))
        )

    observed = abs(s_of(tuple(values)))
    orderings = list(itertools.permutations(values))
    return sum(abs(s_of(p)) >= observed for p in orderings) / len(orderings)


@pytest.mark.parametrize(
    "values",
    [[1, 1, 2, 3, 3, 3], [2, 1, 2, 4, 3, 5, 5], [3, 1, 2, 2], [1, 2, 2, 2, 2, 3]],
)
def test_mann_kendall_exact_p_with_ties_matches_enumeration(values: list[float]) -> None:
    result = stats.mann_kendall(values)
    assert result.exact
    assert result.p == pytest.approx(_brute_force_p([float(v) for v in values]))


def test_mann_kendall_tie_corrected_variance_and_edge_cases() -> None:
    # Ties (2 twos, 3 fives): var = [n(n-1)(2n+5) - 2*1*9 - 3*2*11]/18 with n = 11.
    values = [1, 2, 2, 3, 4, 5, 5, 5, 6, 7, 8]
    result = stats.mann_kendall(values)
    assert result.var_s == pytest.approx((11 * 10 * 27 - 18 - 66) / 18)
    assert not result.exact  # n = 11: normal approximation
    flat = stats.mann_kendall([3.0, 3.0, 3.0, 3.0, 3.0])
    assert (flat.s, flat.z, flat.p, flat.slope) == (0.0, 0.0, 1.0, 0.0)
    with pytest.raises(ValueError):
        stats.mann_kendall([1.0])
    with pytest.raises(ValueError):
        stats.mann_kendall([1.0, float("nan"), 2.0])


def test_theil_sen_slope_hand_computed() -> None:
    # Pairwise slopes of (0, 1, 3): (1-0)/1, (3-0)/2, (3-1)/1 -> 1, 1.5, 2 -> median 1.5.
    assert stats.theil_sen_slope([0.0, 1.0, 3.0]) == 1.5
    assert stats.theil_sen_slope([5.0, 5.0]) == 0.0


# --- Benjamini-Hochberg ---

# Benjamini Y, Hochberg Y (1995). Controlling the false discovery rate. JRSS B 57:289-300:
# the worked example with 15 p-values (from Neuhaus et al. 1992); at q = 0.05 the procedure
# rejects the four smallest (Bonferroni only three).
BH_1995 = [
    0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344,
    0.0459, 0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.0000,
]  # fmt: skip


def test_benjamini_hochberg_published_example() -> None:
    adjusted = stats.benjamini_hochberg(BH_1995)
    assert [p < 0.05 for p in adjusted] == [True] * 4 + [False] * 11
    # Hand-computed: m·p_(i)/i with the running minimum from the top.
    assert adjusted[:5] == pytest.approx([0.0015, 0.0030, 0.0095, 0.035625, 0.0603])
    assert adjusted[5] == adjusted[6] == pytest.approx(15 * 0.0298 / 7)
    assert adjusted[-1] == 1.0
    # Independent implementation: scipy's false_discovery_control.
    assert adjusted == pytest.approx(list(sps.false_discovery_control(BH_1995, method="bh")))


def test_benjamini_hochberg_order_monotonicity_and_cap() -> None:
    # R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "BH") = 0.02 0.04 0.04 0.02 (by hand: sorted
    # 0.005, 0.01, 0.03, 0.04 -> 0.02, 0.02, 0.04, 0.04).
    assert stats.benjamini_hochberg([0.01, 0.04, 0.03, 0.005]) == pytest.approx(
        [0.02, 0.04, 0.04, 0.02]
    )
    rng = random.Random(7)
    shuffled = BH_1995[:]
    rng.shuffle(shuffled)
    by_value = dict(zip(BH_1995, stats.benjamini_hochberg(BH_1995), strict=True))
    assert stats.benjamini_hochberg(shuffled) == pytest.approx([by_value[p] for p in shuffled])
    raw = [rng.random() for _ in range(40)]
    adjusted = stats.benjamini_hochberg(raw)
    pairs = sorted(zip(raw, adjusted, strict=True))
    assert all(a[1] <= b[1] for a, b in itertools.pairwise(pairs))  # monotone
    assert all(r <= a <= 1.0 for r, a in zip(raw, adjusted, strict=True))  # never below, capped
    assert stats.benjamini_hochberg([0.9, 0.95]) == [0.95, 0.95]
    assert stats.benjamini_hochberg([]) == []
    with pytest.raises(ValueError):
        stats.benjamini_hochberg([0.5, 1.2])


# --- Cronbach's alpha with Feldt's interval ---

# pingouin's "cronbach_alpha" dataset (15 respondents x 10 items) and the output printed in
# the pingouin.cronbach_alpha documentation (checked there against R's psych package):
# alpha = 0.591719, 95% Feldt interval [0.195, 0.84].
PINGOUIN_ITEMS = {
    "Q1": [3, 5, 7, 2, 6, 1, 4, 2, 6, 5, 4, 4, 5, 6, 4],
    "Q2": [2, 4, 3, 4, 5, 2, 3, 4, 5, 4, 3, 2, 5, 5, 3],
    "Q3": [4, 6, 5, 3, 6, 3, 5, 4, 5, 6, 5, 3, 6, 5, 5],
    "Q4": [1, 3, 5, 3, 5, 4, 3, 3, 5, 4, 2, 2, 2, 4, 5],
    "Q5": [4, 5, 6, 2, 4, 2, 5, 7, 1, 3, 5, 5, 3, 2, 3],
    "Q6": [5, 1, 4, 2, 4, 5, 2, 2, 6, 5, 3, 3, 3, 2, 1],
    "Q7": [1, 2, 3, 2, 4, 2, 1, 2, 5, 3, 2, 4, 2, 1, 3],
    "Q8": [4, 5, 3, 6, 6, 3, 2, 4, 2, 1, 3, 2, 4, 4, 2],
    "Q9": [3, 5, 6, 6, 7, 5, 4, 6, 3, 7, 4, 3, 4, 6, 3],
    "Q10": [2, 5, 5, 3, 5, 2, 3, 5, 2, 2, 1, 4, 5, 5, 4],
}


def test_cronbach_alpha_pingouin_documentation_example() -> None:
    rows = [list(r) for r in zip(*PINGOUIN_ITEMS.values(), strict=True)]
    alpha, low, high = stats.cronbach_alpha(rows)
    assert alpha == pytest.approx(0.591719, abs=5e-7)
    assert low == pytest.approx(0.195, abs=5e-4)
    assert high == pytest.approx(0.84, abs=5e-3)


def test_cronbach_alpha_hand_computed_and_edge_cases() -> None:
    # Two perfectly parallel items: item variances 1 + 1, total variance 4,
    # so alpha = 2 (1 - 2/4) = 1.
    alpha, low, high = stats.cronbach_alpha([[1, 1], [2, 2], [3, 3]])
    assert alpha == pytest.approx(1.0) and low == pytest.approx(1.0) and high == pytest.approx(1.0)
    with pytest.raises(ValueError):
        stats.cronbach_alpha([[3, 3], [3, 3]])  # total scores do not vary
    with pytest.raises(ValueError):
        stats.cronbach_alpha([[1, 2], [2, float("nan")]])
    with pytest.raises(ValueError):
        stats.cronbach_alpha([[1, 2]])
