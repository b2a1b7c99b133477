"""Anonymity rules: the k gate and the remainder rule with secondary suppression.

A figure is shown only when it rests on at least k distinct respondents (``K_FIGURES`` = 5);
comments need ``K_COMMENTS`` = 10. A shown figure must also not let a reader work out a
hidden group by subtraction: when a row of cells has a known total (a department's overall
score rests on all its customer departments), the hidden cells taken together must be empty
or hold at least k respondents. Every table the application publishes has row totals only
(no customer department's total across providers is shown anywhere), so each row is decided
on its own (``suppress_cells``, ``suppress_shares``). The functions here take counts of
distinct respondents and return masks; they never see the figures themselves.

Zero cells are never hidden: an empty cell is shown as "no data", which a reader knows to be
zero, so hiding it would protect nothing and it cannot serve to protect another cell.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

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


def least_spread(n: int, total: float, k: int = K_FIGURES, protection: float = PROTECTION) -> float:
    """The least sum of squared deviations from their mean (0..100 squared) that ``n`` people
    whose 0..100 values sum to ``total`` may be said to have, so that no group of g < k of
    them is pinned to less than ``protection`` of the scale (20 points) by it.

    A sum of squares S bounds a group of g people to the mean ± √(S·(n − g)/(g·n)) (the rest
    as far the other way); the totals alone keep the group between
    ``(total − 100·(n − g)) / g`` and ``total / g`` (within 0..100). The two together stay
    20 points wide, or as wide as the totals alone leave them, when that radius is at least
    10 points, or 20 less the group's room on its shorter side; the largest S that asks
    over g = 1..k − 1 is returned. 0 for n ≤ 1 (no spread to speak of) and for k ≤ 1."""
    if n <= 1 or k <= 1:
        return 0.0
    width = 100.0 * protection
    mean = total / n
    need = 0.0
    for g in range(1, min(k, n)):
        low = max(0.0, (total - 100.0 * (n - g)) / g)
        high = min(100.0, total / g)
        radius = max(width / 2, width - min(mean - low, high - mean))
        need = max(need, radius * radius * g * n / (n - g))
    return need


def kept_sum_sq(n: int, total: float, total_sq: float, k: int = K_FIGURES) -> float:
    """``total_sq`` (the sum of the squares of ``n`` values on 0..100 that sum to ``total``)
    raised, where needed, so that their spread about the mean is at least ``least_spread``:
    what a department-quarter's R enters the pooled priors with (the priors give their within
    spread back to any reader of the shown figures). Unchanged for n < 2."""
    if n < 2:
        return total_sq
    return max(total_sq, total * total / n + least_spread(n, total, k))


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


def suppress_options(counts: Sequence[int], k: int = K_FIGURES) -> list[bool]:
    """Visibility mask for the options of one question, answered once by each of
    ``sum(counts)`` people (each count a number of distinct people; the total is shown).

    An option's count is a share of people (those who chose it against those who did not),
    so it follows ``one_sided``: shown only when at least ``k`` people chose it **and** at
    least ``k`` did not. Below 2k people nothing is shown, whatever was answered; a count of
    0 is never shown (it would say "none of them chose it" of every group). The hidden
    options together are a remainder (the total minus the shown counts): while it is
    one-sided too, the smallest shown option is hidden as well, until it is not or every
    option is hidden. A hidden option therefore tells only that one of its sides holds
    fewer than k people, and no option or set of options is pinned to "all" or "none".
    """
    _check_k(k)
    cells = [int(c) for c in counts]
    if any(c < 0 for c in cells):
        raise ValueError("counts must not be negative")
    total = sum(cells)
    visible = [not one_sided(c, total, k) and total > 0 for c in cells]
    while not all(visible):
        hidden = total - sum(c for c, shown in zip(cells, visible, strict=True) if shown)
        candidates = [i for i, shown in enumerate(visible) if shown]
        if not one_sided(hidden, total, k) or not candidates:
            break
        visible[min(candidates, key=lambda i: (cells[i], i))] = False
    return visible
