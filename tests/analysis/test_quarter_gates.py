"""Each quarter gated with its own k (``Settings.k_of``): the k its campaigns promised holds for
that quarter on any page, in the priors pooled over every quarter as in the page's models."""

from __future__ import annotations

from analysis import scorecard as sc
from analysis.scorecard import DepartmentInput
from analysis.scorecard_results import Settings


def _department(people: int, mean: float) -> DepartmentInput:
    """``people`` quarterly respondents whose R values average ``mean`` (spread 20 points)."""
    values = [mean + (10.0 if i % 2 else -10.0) for i in range(people)]
    return DepartmentInput(
        r_n=people,
        r_total=sum(values),
        r_total_sq=sum(v * v for v in values),
        people=people,
    )


def test_a_quarter_is_gated_with_its_campaigns_k_and_a_change_with_the_larger() -> None:
    settings = Settings(k=5, quarter_k={"2026Q2": 10})
    assert settings.k_of("2026Q2") == 10
    assert settings.k_of("2026Q3") == 5
    assert settings.k_between("2026Q2", "2026Q3") == 10
    assert Settings(k=12, quarter_k={"2026Q2": 10}).k_of("2026Q2") == 12


def test_the_pooled_priors_leave_out_a_quarter_hidden_under_its_own_k() -> None:
    """Department 1 has 7 people in 2026Q2, whose campaign promised k = 10: pooled with the
    quarter's k the priors are those of the same sums, gated alike, without it."""
    weights = {"T": 0.3, "R": 0.5, "C": 0.2}
    others = {2: _department(20, 60.0), 3: _department(15, 40.0)}
    later = {1: _department(12, 70.0), **others}
    quarters = {"2026Q2": {1: _department(7, 20.0), **others}, "2026Q3": later}
    gated = sc.fit_pooled_priors(quarters, 5, weights, {"2026Q2": 10})
    # The same gates without department 1 (each quarter's k also sets the least spread its
    # shown departments enter with, ``anonymity.least_spread``).
    without = sc.fit_pooled_priors(
        {"2026Q2": dict(others), "2026Q3": later}, 5, weights, {"2026Q2": 10}
    )
    naive = sc.fit_pooled_priors(quarters, 5, weights)
    assert gated == without
    assert naive != without  # the control: the hidden department moves priors pooled at k = 5
