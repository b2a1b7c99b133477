"""analysis.scorecard's dimension rows: a 1..5 question's gated figure on 0..100 with its
interval, and the organisation's value over the departments shown (hand computations)."""

from __future__ import annotations

import math

import pytest

from analysis import scorecard as sc
from analysis.scorecard import BELOW_K, CERTAIN, NO_DATA, Sums


def _answers(values: list[int]) -> Sums:
    return Sums(len(values), float(sum(values)), float(sum(v * v for v in values)))


def test_a_shown_mean_is_rescaled_with_its_normal_interval() -> None:
    # Ten people: five 4s, three 3s, two 5s: mean 3.9, sample variance 0.544..., on 0..100
    # (3.9 − 1)/4·100 = 72.5; half-width 1.96·sd/√10 on the 1..5 scale.
    values = [4] * 5 + [3] * 3 + [5] * 2
    figure = sc.likert_figure(_answers(values), 5)
    mean = sum(values) / 10
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / 9)
    half = 1.959964 * sd / math.sqrt(10)
    assert figure.shown and figure.n == 10
    assert figure.value == pytest.approx(72.5)
    assert figure.low == pytest.approx((mean - half - 1) * 25, abs=1e-4)
    assert figure.high == pytest.approx((mean + half - 1) * 25, abs=1e-4)


def test_a_mean_is_hidden_without_data_under_k_or_at_an_end_of_the_scale() -> None:
    assert sc.likert_figure(Sums(), 5).reason == NO_DATA
    assert sc.likert_figure(_answers([4, 4, 3, 5]), 5).reason == BELOW_K
    # Everyone answered 5: the mean tells how every small group answered.
    assert sc.likert_figure(_answers([5] * 8), 5).reason == CERTAIN
    # Two 4s among six 5s: half a person's worth below the top, under the 0.8 margin.
    assert sc.likert_figure(_answers([5] * 6 + [4] * 2), 5).reason == CERTAIN
    # A 4 and a 2: a whole person's worth below the top.
    assert sc.likert_figure(_answers([5] * 6 + [4, 2]), 5).shown


def test_the_organisation_value_leaves_hidden_departments_out() -> None:
    shown_a = _answers([4] * 6)  # mean 4
    shown_b = _answers([2] * 4 + [3] * 6)  # mean 2.6
    under_k = _answers([1, 1])
    at_the_top = _answers([5] * 9)
    org = sc.likert_org([shown_a, under_k, shown_b, at_the_top], 5)
    assert org == pytest.approx(((24 + 26) / 16 - 1) * 25)
    assert sc.likert_org([under_k, at_the_top], 5) is None


def test_a_department_row_per_code_beside_the_organisation() -> None:
    snapshot = {
        1: {"q.rel": _answers([4] * 6), "q.emp": _answers([3, 3])},
        2: {"q.rel": _answers([2] * 5)},
    }
    org = sc.dimension_org(("rel", "emp"), snapshot, 5)
    assert org == {"rel": pytest.approx(((24 + 10) / 11 - 1) * 25), "emp": None}
    rows = sc.dimensions(("rel", "emp"), snapshot, org, 1, 5)
    assert [(code, figure.value, figure.reason) for code, figure, _org in rows] == [
        ("rel", pytest.approx(75.0), None),
        ("emp", None, BELOW_K),
    ]
    assert [row[2] for row in rows] == [org["rel"], None]
    assert [figure.reason for _c, figure, _o in sc.dimensions(("rel",), snapshot, org, 3, 5)] == [
        NO_DATA
    ]
