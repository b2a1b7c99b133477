"""analysis.anonymity: the gates, the remainder rule and secondary suppression, checked by
hand and by an independent "attacker" that solves for hidden cells with linear programming."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import linprog

from analysis import anonymity
from analysis.anonymity import K_COMMENTS, K_FIGURES


def test_gate_for_figures() -> None:
    assert K_FIGURES == 5
    assert anonymity.passes_gate(5, K_FIGURES)
    assert not anonymity.passes_gate(4, K_FIGURES)
    assert not anonymity.passes_gate(0, 1)
    assert anonymity.passes_gate(5)  # default k
    assert anonymity.passes_gate(7, 7) and not anonymity.passes_gate(6, 7)
    with pytest.raises(ValueError):
        anonymity.passes_gate(3, 0)


def test_gate_for_comments() -> None:
    assert K_COMMENTS == 10
    assert not anonymity.comments_visible(9)
    assert anonymity.comments_visible(10)
    assert not anonymity.comments_visible(0)


def test_the_remainder_rule() -> None:
    # A group of 6 of 9 shown beside the total: the other 3 could be worked out.
    assert anonymity.suppress_cells([6], 5, 9) == [False]
    assert anonymity.suppress_cells([9], 5, 9) == [True]  # nothing remains
    assert anonymity.suppress_cells([5], 5, 10) == [True]  # 5 remain
    with pytest.raises(ValueError):
        anonymity.suppress_cells([10], 5, 9)


def test_suppress_cells_primary_and_remainder() -> None:
    # 6 + 3 respondents, department total 9: 3 is below k, and showing 6 would reveal the 3
    # as "total minus 6".
    assert anonymity.suppress_cells([6, 3], 5, 9) == [False, False]
    assert anonymity.suppress_cells([3, 6], 5, 9) == [False, False]
    assert anonymity.suppress_cells([6, 6], 5, 12) == [True, True]
    assert anonymity.suppress_cells([6, 5]) == [True, True]  # default k and total


def test_suppress_cells_secondary_suppression() -> None:
    # The 3 is hidden; with both 10s shown, total minus them gives the 3 back. Hiding the
    # smallest other cell (the first 10, by position) leaves 13 hidden respondents.
    assert anonymity.suppress_cells([10, 10, 3], 5) == [False, True, False]
    # Several small cells together reach k: they protect each other.
    assert anonymity.suppress_cells([2, 3, 10], 5) == [False, False, True]
    # Respondents outside every cell count in the total: 14 - 12 shown = 2 hidden -> hide one.
    assert anonymity.suppress_cells([6, 6], 5, 14) == [False, True]
    # Empty cells are shown as "no data" and never hidden.
    assert anonymity.suppress_cells([0, 6, 5], 5) == [True, True, True]
    assert anonymity.suppress_cells([0, 3, 8], 5) == [True, False, False]
    # Nothing can protect a lone small group: everything non-empty is hidden.
    assert anonymity.suppress_cells([2], 5) == [False]
    assert anonymity.suppress_cells([], 5) == []


def test_suppress_cells_invariants_on_random_rows() -> None:
    rng = np.random.default_rng(11)
    for _ in range(300):
        counts = [int(c) for c in rng.integers(0, 12, size=rng.integers(1, 7))]
        visible = anonymity.suppress_cells(counts, 5)
        pairs = list(zip(counts, visible, strict=True))
        hidden = sum(c for c, shown in pairs if not shown)
        everything_hidden = not any(shown for c, shown in pairs if c > 0)
        assert hidden == 0 or hidden >= 5 or everything_hidden
        assert all(not shown for c, shown in pairs if 0 < c < 5)  # primary
        assert all(shown for c, shown in pairs if c == 0)  # empty cells


def test_suppress_cells_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        anonymity.suppress_cells([-1, 5], 5)
    with pytest.raises(ValueError):
        anonymity.suppress_cells([6, 6], 5, 10)


def _rows(table: list[list[int]], k: int = 5) -> list[list[bool]]:
    """A table whose row totals are published, as the heatmap decides it: row by row."""
    return [anonymity.suppress_cells(row, k) for row in table]


def test_a_table_with_row_totals_follows_the_row_rule() -> None:
    # Providers IT (SALES 6, ENG 3) and HR (SALES 5, ENG 5), only provider totals published.
    assert _rows([[6, 3], [5, 5]]) == [[False, False], [True, True]]


def _attacker_range(
    table: np.ndarray, visible: list[list[bool]], cell: tuple[int, int], rows: bool, cols: bool
) -> tuple[float, float]:
    """Smallest and largest value of a hidden cell consistent with everything published: the
    shown cells, the row and/or column totals, and non-negative counts (linear programming,
    independent of the rank test inside the module)."""
    hidden = [(r, c) for r, c in np.argwhere(table > 0) if not visible[r][c]]
    index = {(int(r), int(c)): i for i, (r, c) in enumerate(hidden)}
    equations, totals = [], []
    n_rows, n_cols = table.shape
    lines = ([[(r, c) for c in range(n_cols)] for r in range(n_rows)] if rows else []) + (
        [[(r, c) for r in range(n_rows)] for c in range(n_cols)] if cols else []
    )
    for line in lines:
        row = np.zeros(len(hidden))
        for member in line:
            if member in index:
                row[index[member]] = 1.0
        if row.any():
            equations.append(row)
            totals.append(sum(int(table[m]) for m in line if m in index))
    objective = np.zeros(len(hidden))
    objective[index[cell]] = 1.0
    bounds = [(0, None)] * len(hidden)
    low = linprog(objective, A_eq=np.array(equations), b_eq=totals, bounds=bounds)
    high = linprog(-objective, A_eq=np.array(equations), b_eq=totals, bounds=bounds)
    assert low.status == 0 and high.status == 0
    return float(low.fun), float(-high.fun)


def test_no_small_cell_of_a_table_with_row_totals_can_be_recovered() -> None:
    rng = np.random.default_rng(2024)
    checked = 0
    for _ in range(40):
        shape = tuple(int(s) for s in rng.integers(2, 6, size=2))
        table = rng.choice([0, 1, 2, 3, 4, 6, 8, 12, 20], size=shape)
        # Every row must hold at least k respondents, or its own total is what needs the gate.
        if (table.sum(axis=1) < 5).any():
            continue
        visible = _rows(table.tolist())
        for (r, c), count in np.ndenumerate(table):
            if count == 0:
                assert visible[r][c]
            elif count < 5:
                assert not visible[r][c]
                low, high = _attacker_range(table, visible, (r, c), True, False)
                assert high - low > 0.5, (table, visible, (r, c))
                checked += 1
        for line, mask in zip(table, np.array(visible), strict=True):
            hidden = int(line[~mask].sum())
            assert hidden == 0 or hidden >= 5
    assert checked > 20


# --- figures near an end of the scale ---


def test_share_is_certain_at_and_near_the_ends() -> None:
    assert anonymity.share_is_certain(0, 6) and anonymity.share_is_certain(6, 6)
    assert anonymity.share_is_certain(5.5, 6)  # half a person's worth from the top
    assert not anonymity.share_is_certain(5, 6) and not anonymity.share_is_certain(1, 6)
    assert not anonymity.share_is_certain(0, 0)
    # The margin grows with k: 0.2 of the scale for every member of a group under k.
    assert anonymity.share_is_certain(8.5, 10, k=10) and not anonymity.share_is_certain(8, 10)


def _interval_width(s: float, n: int, g: int) -> float:
    """Width, as a share of the scale, of what a group of g inside (n people, s worth) can be."""
    low = max(0.0, (s - (n - g)) / g)
    high = min(1.0, s / g)
    return high - low


@pytest.mark.parametrize("n", [5, 6, 9, 20, 100])
def test_every_published_figure_leaves_small_groups_a_wide_interval(n: int) -> None:
    """The rule is exactly what the interval audit needs for one figure: wherever it lets a
    figure through, every group of fewer than k people inside keeps 0.2 of the scale."""
    k = K_FIGURES
    for s in np.linspace(0, n, 401):
        if anonymity.share_is_certain(float(s), n, k):
            continue
        for g in range(1, k):
            assert _interval_width(float(s), n, g) >= 0.2 - 1e-9


def test_suppress_shares_hides_a_certain_row_and_a_certain_remainder() -> None:
    # 6 people at 4 of 6, 6 at 4 of 6, 3 all dissatisfied: the rest would be 0 of 3.
    mask = anonymity.suppress_shares([6, 6, 3], [4, 4, 0])
    assert mask[2] is False and mask[:2].count(True) == 1
    # A row all of one outcome is hidden, and so is a row that would give it away.
    assert anonymity.suppress_shares([6, 5], [4, 0]) == [False, False]
    # People outside every row (an inactive department) count in the remainder.
    # (3 people outside, all dissatisfied: with both rows shown they would be known.)
    assert anonymity.suppress_shares([6, 6], [3, 3], total=15, total_successes=6) == [
        False,
        True,
    ]
    assert anonymity.suppress_shares([6, 6], [3, 3]) == [True, True]


def test_suppress_shares_against_an_interval_attacker() -> None:
    """Random rows: after suppression, an attacker who knows the total and every shown row
    bounds each hidden row under k by linear programming; the bound stays 0.2 wide."""
    rng = np.random.default_rng(7)
    k = K_FIGURES
    for _ in range(300):
        counts = [int(c) for c in rng.integers(1, 9, size=int(rng.integers(2, 6)))]
        wins = [float(rng.integers(0, c + 1)) for c in counts]
        mask = anonymity.suppress_shares(counts, wins, k)
        total_s = sum(wins)
        if anonymity.share_is_certain(total_s, sum(counts), k):
            continue  # the caller hides the total itself
        hidden = [i for i, shown in enumerate(mask) if not shown]
        known = total_s - sum(w for w, shown in zip(wins, mask, strict=True) if shown)
        for i in hidden:
            if counts[i] >= k:
                continue
            # x_j in [0, n_j] for hidden j, sum x_j = known: min and max of x_i.
            bounds = [(0, counts[j]) for j in hidden]
            a_eq = [[1.0] * len(hidden)]
            cost = [1.0 if j == i else 0.0 for j in hidden]
            low = linprog(cost, A_eq=a_eq, b_eq=[known], bounds=bounds).fun
            high = -linprog([-c for c in cost], A_eq=a_eq, b_eq=[known], bounds=bounds).fun
            assert (high - low) / counts[i] >= 0.2 - 1e-9, (counts, wins, mask, i)


# --- shares: at least k people on each side ---


def test_one_sided_needs_k_people_on_each_side() -> None:
    k = K_FIGURES
    assert not anonymity.one_sided(0, 0)  # nothing to hide
    assert not anonymity.one_sided(5, 10) and not anonymity.one_sided(7, 12)
    assert anonymity.one_sided(4, 10) and anonymity.one_sided(6, 10)  # 4 on one side
    assert anonymity.one_sided(4.5, 20) and not anonymity.one_sided(15, 20)
    assert anonymity.one_sided(15.5, 20)  # 4.5 people's worth dissatisfied
    # Below 2k the hiding depends on nothing anyone answered.
    for n in range(1, 2 * k):
        assert all(anonymity.one_sided(float(s), n, k) for s in np.linspace(0, n, 41))


@pytest.mark.parametrize("n", [10, 11, 17, 40, 200])
def test_a_shown_share_tells_nothing_about_any_small_group(n: int) -> None:
    """Wherever ``one_sided`` lets a share through, every group of fewer than k people
    inside it may have been all satisfied or all not: its interval is the whole scale."""
    k = K_FIGURES
    for s in np.linspace(0, n, 2 * n + 1):
        if anonymity.one_sided(float(s), n, k):
            continue
        for g in range(1, k):
            assert _interval_width(float(s), n, g) == 1.0


@pytest.mark.parametrize("n", [10, 13, 30])
def test_a_hidden_share_allows_both_answers_for_every_small_group(n: int) -> None:
    """The elimination attack: knowing that a share over n people is hidden as one-sided,
    every group of fewer than k people can still have been all satisfied, and all not, in
    some world whose share is also hidden. Under the former rule (hide only 0 and 100 %) a
    hidden share over n >= k people meant "all of them answered alike"."""
    k = K_FIGURES
    hidden_worlds = [s for s in range(n + 1) if anonymity.one_sided(float(s), n, k)]
    for g in range(1, k):
        assert any(s >= g for s in hidden_worlds)  # the group all satisfied
        assert any(n - s >= g for s in hidden_worlds)  # the group all dissatisfied
        # ... and neither is forced: a hidden world exists where the group is mixed or
        # satisfied, and one where it is mixed or dissatisfied.
        assert any(s < n - g + 1 for s in hidden_worlds) and any(s > g - 1 for s in hidden_worlds)


def test_suppress_shares_with_one_sided_hides_rows_and_remainders() -> None:
    one_sided = anonymity.one_sided
    # Rows of 10 and 11 with 5 and 6 satisfied: both shown; 6 of 10 is one-sided.
    assert anonymity.suppress_shares([10, 11], [5, 6], near_end=one_sided) == [True, True]
    assert anonymity.suppress_shares([10, 10], [5, 6], near_end=one_sided) == [False, False]
    # A row of 12 with 9 satisfied (3 not) is hidden, and its partner with it (else the
    # remainder would show it).
    assert anonymity.suppress_shares([10, 12], [5, 9], near_end=one_sided) == [False, False]
    # Outsiders (an inactive department: 5 people, all satisfied) form the remainder: shown
    # rows would leave it one-sided, so the smaller row goes.
    mask = anonymity.suppress_shares([10, 11], [5, 6], 5, 26, 16, near_end=one_sided)
    assert mask == [False, True]  # the rest: 15 people, 10 satisfied


def test_suppress_options_needs_k_people_on_each_side_of_every_option() -> None:
    assert anonymity.suppress_options([6, 6, 6]) == [True, True, True]
    # An option chosen by nobody, or by fewer than k, is hidden; while the hidden options
    # together are one-sided (here 0 and then 4), the smallest shown one joins them.
    assert anonymity.suppress_options([0, 6, 7, 9]) == [False, False, True, True]
    assert anonymity.suppress_options([4, 6, 6]) == [False, False, True]
    assert anonymity.suppress_options([5, 5, 5, 0]) == [False, True, True, False]
    # Nine people is under 2k: nothing, whatever they answered.
    assert anonymity.suppress_options([9, 0, 0]) == [False, False, False]
    assert anonymity.suppress_options([3, 3, 3]) == [False, False, False]
    # Everyone alike: the option's complement is empty, so it is hidden with the rest.
    assert anonymity.suppress_options([0, 30, 0]) == [False, False, False]
    assert anonymity.suppress_options([]) == []
    with pytest.raises(ValueError):
        anonymity.suppress_options([2, -1])


def test_suppress_options_leaves_planted_answers_nothing_to_subtract() -> None:
    """Random questions, each answered by n people of whom up to k - 1 are the reader's own
    (answers the reader knows). Every shown option, and the hidden options together, keep
    at least one of the other people on each side: subtracting one's own answers never
    leaves "all of them" or "none of them" about the people one does not know."""
    rng = np.random.default_rng(11)
    for _ in range(3000):
        k = int(rng.integers(2, 8))
        options = int(rng.integers(2, 6))
        counts = [
            int(c) for c in rng.multinomial(int(rng.integers(0, 6 * k)), [1 / options] * options)
        ]
        n = sum(counts)
        mask = anonymity.suppress_options(counts, k)
        if n < 2 * k:
            assert not any(mask), (counts, k)
        own = [int(rng.integers(0, c + 1)) for c in counts]
        while sum(own) > k - 1:
            own[int(np.argmax(own))] -= 1
        others = n - sum(own)
        hidden = [i for i, shown in enumerate(mask) if not shown]
        groups = [[i] for i, shown in enumerate(mask) if shown]
        if hidden and len(hidden) < len(counts):
            groups.append(hidden)
        for group in groups:
            theirs = sum(counts[i] - own[i] for i in group)
            assert 1 <= theirs <= others - 1, (counts, own, k, group)


def test_least_spread_keeps_every_small_group_twenty_points_wide() -> None:
    """With the sum of squares known to be at most ``least_spread`` (all that a raised one
    tells), every group of g < k people of a published mean can still lie anywhere in an
    interval at least 20 points wide, or as wide as the totals alone leave it: the group
    means the totals allow (within 0..100) whose least sum of squares,
    g·n/(n − g)·(group mean − mean)², fits under it."""
    for k in (5, 7):
        for n in range(k, 31):
            for step in range(0, 101):
                total = n * float(step)
                if anonymity.share_is_certain(total / 100.0, n, k):
                    continue
                s = anonymity.least_spread(n, total, k)
                mean = total / n
                for g in range(1, k):
                    low = max(0.0, (total - 100.0 * (n - g)) / g)
                    high = min(100.0, total / g)
                    radius = math.sqrt(s * (n - g) / (g * n))
                    width = min(high, mean + radius) - max(low, mean - radius)
                    # (a group of nearly everyone is held by the totals to less)
                    assert width >= min(20.0, high - low) - 1e-9, (k, n, mean, g, width)
    assert anonymity.least_spread(1, 50.0) == 0.0
    # Six people averaging 75: a group of four must keep 65..85 (radius 10), S = 1200.
    assert anonymity.least_spread(6, 450.0, 5) == pytest.approx(1200.0)
