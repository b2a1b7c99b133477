"""Who serves whom (``analysis.overview_page.heatmap``): which departments its axes list."""

from __future__ import annotations

from analysis.overview_page import heatmap
from analysis.scorecard import Sums
from analysis.scorecard_inputs import DepartmentRow

DEPARTMENTS = [DepartmentRow(i, code, code) for i, code in enumerate(("ENG", "FIN", "HR", "OPS"))]


def _r(n: int, mean: float = 60.0) -> dict[str, Sums]:
    return {"R": Sums(n, n * mean, n * mean * mean)}


def test_the_axes_list_only_what_rests_on_k_people() -> None:
    """HR is rated by six ENG people and one FIN person; OPS by two ENG people. FIN (one pair
    of one person) is no column and OPS (two people in all) no row: either would tell that
    somebody of a small department answered, or that somebody rated OPS."""
    found = heatmap({2: {0: _r(6), 1: _r(1, 40.0)}, 3: {0: _r(2)}}, DEPARTMENTS, 5)
    assert [code for code, _name in found.providers] == ["HR"]
    assert [code for code, _name in found.customers] == ["ENG"]
    assert found.values == ((None,),)  # ENG's pair is the row's remainder: hidden


def test_a_map_without_a_pair_of_k_people_lists_nobody() -> None:
    """HR rated by three ENG and three FIN people (its R rests on six): no pair has k people,
    so no column, and then no row either."""
    found = heatmap({2: {0: _r(3), 1: _r(3)}}, DEPARTMENTS, 5)
    assert found.providers == () and found.customers == () and found.values == ()
