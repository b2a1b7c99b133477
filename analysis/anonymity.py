"""Anonymity rules: the k gate and the remainder rule with secondary suppression.

A figure is shown only when it rests on at least k distinct respondents (``K_FIGURES`` = 5);
comments need ``K_COMMENTS`` = 10. A shown figure must also not let a reader work out a
hidden group by subtraction: when a row of cells has a known total (a department's overall
score rests on all its customer departments), the hidden cells taken together must be empty
or hold at least k respondents, and no small cell may be pinned down exactly from the row
and column totals. The functions here take counts of distinct respondents and return masks;
they never see the figures themselves.

Zero cells are never hidden: an empty cell is shown as "no data", which a reader knows to be
zero, so hiding it would protect nothing and it cannot serve to protect another cell.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

#: Minimum distinct respondents behind any shown figure.
K_FIGURES = 5
#: Minimum distinct respondents before free-text comments are shown.
K_COMMENTS = 10


def _check_k(k: int) -> None:
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k!r}")


def passes_gate(n: int, k: int = K_FIGURES) -> bool:
    """True when a figure resting on ``n`` distinct respondents may be shown (n >= k).
    n = 0 never passes."""
    _check_k(k)
    return n >= k and n > 0


def comments_visible(respondents: int, k: int = K_COMMENTS) -> bool:
    """True when comments from a group of ``respondents`` distinct people may be shown
    (at least ``k``, default 10)."""
    return passes_gate(respondents, k)


def remainder_ok(part: int, total: int, k: int = K_FIGURES) -> bool:
    """True when showing a group of ``part`` respondents out of a shown ``total`` leaves a
    remainder (total − part) that is either empty or at least k: otherwise the remainder's
    figure could be worked out from the two shown figures."""
    _check_k(k)
    if part < 0 or total < part:
        raise ValueError(f"need 0 <= part <= total, got {part!r} of {total!r}")
    rest = total - part
    return rest == 0 or rest >= k


def suppress_cells(
    counts: Sequence[int], k: int = K_FIGURES, total: int | None = None
) -> list[bool]:
    """Visibility mask for one row of cells whose ``total`` is shown elsewhere.

    ``counts`` are the distinct respondents of each cell; ``total`` the respondents behind
    the shown total (default: the sum of the cells; larger when some respondents fall in no
    cell). Returns one bool per cell, **True where the cell may be shown**. A cell is hidden
    when 0 < count < k (primary suppression); then, while the hidden respondents (total minus
    the shown cells) are more than zero but fewer than k, the smallest shown non-empty cell
    is hidden as well (secondary suppression). This includes the remainder rule: a cell whose
    total minus it is under k is hidden. If even hiding every cell leaves fewer than k hidden
    respondents, everything non-empty is hidden (and the total itself should then be gated).
    Empty cells are always True (see the module docstring).
    """
    _check_k(k)
    cells = [int(c) for c in counts]
    if any(c < 0 for c in cells):
        raise ValueError("counts must not be negative")
    total = sum(cells) if total is None else int(total)
    if total < sum(cells):
        raise ValueError("total must be at least the sum of the cells")
    visible = [c == 0 or c >= k for c in cells]
    while True:
        hidden = total - sum(c for c, shown in zip(cells, visible, strict=True) if shown)
        if hidden == 0 or hidden >= k:
            break
        candidates = [i for i, c in enumerate(cells) if visible[i] and c > 0]
        if not candidates:
            break
        visible[min(candidates, key=lambda i: (cells[i], i))] = False
    return visible


def suppress_table(
    table: Sequence[Sequence[int]],
    k: int = K_FIGURES,
    *,
    row_totals: bool = True,
    column_totals: bool = True,
) -> list[list[bool]]:
    """Visibility mask for a table of counts whose row and/or column totals are known.

    ``table[r][c]`` is the number of distinct respondents in a cell (rectangular, non-negative).
    Returns a mask of the same shape, **True where the cell may be shown**. Rules, applied
    until none is broken:

    1. primary: a cell with 0 < count < k is hidden;
    2. remainder: in every line (a row when ``row_totals``, a column when ``column_totals``)
       the hidden cells together hold 0 or at least k respondents; otherwise the smallest
       shown non-empty cell of that line is hidden too;
    3. no recovery: no primary-hidden cell may be determined exactly by the known line
       totals, i.e. its indicator must not lie in the span of the lines' hidden-cell
       indicators (checked with matrix ranks); otherwise the smallest shown non-empty cell
       whose hiding leaves it undetermined is hidden too.

    Rule 3 is what a reader could do with a pencil: subtract shown cells from a row total,
    then use a column total to isolate a second cell. Each pass hides one more cell, so the
    procedure ends. A small cell that no single extra cell can protect (only empty cells
    could close a cycle of hidden cells around it, e.g. it is alone in its row) is left as
    it is: a line total resting on so few respondents must be gated by the caller. Empty
    cells stay True. Pass ``column_totals=False`` when no column total is ever published
    (then only rows constrain the table, each row as in ``suppress_cells``).
    """
    _check_k(k)
    counts = np.asarray(table, dtype=int) if len(table) else np.zeros((0, 0), dtype=int)
    if counts.ndim != 2:
        raise ValueError("table must be rectangular")
    if np.any(counts < 0):
        raise ValueError("counts must not be negative")
    rows, cols = counts.shape
    if row_totals != column_totals:
        # Disjoint lines: a hidden cell lies in one line only, so two or more hidden cells of a
        # line are never separated by the totals, and the one-line rule is exact (and linear
        # in the table's size, where the rank checks below grow much faster).
        lines_only = counts if row_totals else counts.T
        masks = [suppress_cells([int(v) for v in line], k) for line in lines_only]
        if row_totals:
            return masks
        return [[masks[c][r] for c in range(cols)] for r in range(rows)]
    visible = (counts == 0) | (counts >= k)
    primary = (counts > 0) & (counts < k)

    lines: list[list[tuple[int, int]]] = []
    if row_totals:
        lines += [[(r, c) for c in range(cols)] for r in range(rows)]
    if column_totals:
        lines += [[(r, c) for r in range(rows)] for c in range(cols)]

    def hide_smallest(cells: list[tuple[int, int]]) -> bool:
        candidates = [cell for cell in cells if visible[cell] and counts[cell] > 0]
        if not candidates:
            return False
        visible[min(candidates, key=lambda cell: (int(counts[cell]), cell))] = False
        return True

    def remainder_fix() -> bool:
        for line in lines:
            hidden = sum(int(counts[cell]) for cell in line if not visible[cell])
            if 0 < hidden < k and hide_smallest(line):
                return True
        return False

    def determined(cell: tuple[int, int]) -> bool:
        """Whether the known line totals pin down ``cell`` among the hidden cells."""
        unknown = [(int(r), int(c)) for r, c in np.argwhere(~visible & (counts > 0))]
        position = {u: i for i, u in enumerate(unknown)}
        constraints = np.zeros((len(lines), len(unknown)))
        for row, line in enumerate(lines):
            for member in line:
                if member in position:
                    constraints[row, position[member]] = 1.0
        probe = np.zeros((1, len(unknown)))
        probe[0, position[cell]] = 1.0
        rank = np.linalg.matrix_rank(constraints)
        return bool(np.linalg.matrix_rank(np.vstack([constraints, probe])) == rank)

    hopeless: set[tuple[int, int]] = set()

    def recovery_fix() -> bool:
        if not lines:
            return False
        targets = [(int(r), int(c)) for r, c in np.argwhere(primary)]
        for cell in targets:
            if cell in hopeless or not determined(cell):
                continue
            # Try the shown cells from the smallest: the first whose hiding leaves the small
            # cell undetermined wins. A pinned-down cell sits on no cycle of hidden cells, and
            # one more hidden cell joining its row's side to its column's side closes one, so
            # when no single cell helps, only empty cells could, and nothing more is hidden.
            candidates = sorted(
                ((int(r), int(c)) for r, c in np.argwhere(visible & (counts > 0))),
                key=lambda rc: (int(counts[rc]), rc),
            )
            for candidate in candidates:
                visible[candidate] = False
                if not determined(cell):
                    return True
                visible[candidate] = True
            hopeless.add(cell)
        return False

    while remainder_fix() or recovery_fix():
        pass
    return [[bool(v) for v in row] for row in visible]


#: The protection interval: no group of fewer than k people may be pinned down to less than
#: this share of the scale (0.2 of 0..100: ±10 points), whatever is published about it.
PROTECTION = 0.2


def share_is_certain(
    successes: float, n: int, k: int = K_FIGURES, protection: float = PROTECTION
) -> bool:
    """True when a figure over ``n`` people sits too near an end of its scale to publish.

    ``successes`` is the figure's total in people's worth: satisfied people for a share, the
    sum of 0..100 values over 100 for a mean (0..n). A group of g people inside the published
    group is then known to lie between ``(successes - (n - g)) / g`` and ``successes / g``
    (clipped to 0..1); for every g < k that interval stays at least ``protection`` wide only
    if both ``successes`` and ``n - successes`` are at least ``protection * (k - 1)`` people's
    worth (0.8 at k = 5). Below that the figure tells something near-certain about small
    groups (e.g. "all of them were dissatisfied"). n = 0 is never certain."""
    if n <= 0:
        return False
    margin = protection * (k - 1)
    return successes < margin or n - successes < margin


def one_sided(successes: float, n: int, k: int = K_FIGURES) -> bool:
    """True when a share over ``n`` people has fewer than ``k`` people on one of its sides.

    ``successes`` is the number of satisfied people (in people's worth: a person who answered
    twice, once satisfied, counts 0.5). A share is published only when both ``successes`` and
    ``n - successes`` are at least ``k``: then every group of fewer than k people inside it
    may have answered all one way or all the other (no bound at all on it), and hiding the
    share tells only that one side is small, never that everyone answered alike. Below 2k
    people every share is one-sided, so the hiding does not depend on the answers at all.
    ``share_is_certain`` (the protection interval) is the weaker rule kept for means on a
    0..100 scale, where no single value pins a person down. n = 0 is never one-sided (there
    is nothing to hide: it reads "no data")."""
    if n <= 0:
        return False
    return successes < k or n - successes < k


def suppress_shares(
    counts: Sequence[int],
    successes: Sequence[float],
    k: int = K_FIGURES,
    total: int | None = None,
    total_successes: float | None = None,
    near_end: Callable[[float, int, int], bool] = share_is_certain,
) -> list[bool]:
    """Visibility mask for one row of shares whose total is published elsewhere.

    Like ``suppress_cells`` (primary suppression under k, remainder under k), and moreover:
    a cell whose figure is too near an end of the scale (``near_end``: ``share_is_certain``
    for means, ``one_sided`` for shares of people) is hidden,
    and while the hidden remainder (``total`` minus the shown cells, with
    ``total_successes`` likewise) is so, the smallest shown cell is hidden too.
    ``total``/``total_successes`` default to the sums of the cells; larger when people fall
    in no shown cell (an inactive department). If the
    remainder stays near an end with every cell hidden, the total itself is and must not be
    published either (``near_end`` on it): the caller checks.
    """
    cells = [int(c) for c in counts]
    wins = [float(s) for s in successes]
    if len(cells) != len(wins):
        raise ValueError("counts and successes differ in length")
    total = sum(cells) if total is None else int(total)
    total_successes = sum(wins) if total_successes is None else float(total_successes)
    visible = suppress_cells(cells, k, total)
    for i, (n, s) in enumerate(zip(cells, wins, strict=True)):
        if n and near_end(s, n, k):
            visible[i] = False
    while True:
        hidden_n = total - sum(n for n, shown in zip(cells, visible, strict=True) if shown)
        hidden_s = total_successes - sum(s for s, shown in zip(wins, visible, strict=True) if shown)
        candidates = [i for i, n in enumerate(cells) if visible[i] and n > 0]
        remainder_small = 0 < hidden_n < k
        certain = near_end(hidden_s, hidden_n, k)
        if not (remainder_small or certain) or not candidates:
            break
        visible[min(candidates, key=lambda i: (cells[i], i))] = False
    return visible
