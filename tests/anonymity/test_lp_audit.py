"""The interval auditor on tiny publications whose answer is known by hand."""

from __future__ import annotations

import random

import numpy as np
import pytest
from scipy.optimize import linprog

from tests.anonymity.lp_audit import (
    Auditor,
    InconsistentPublication,
    Target,
    growth_link,
    mean_fact,
    unions_below_k,
)


def people(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i}" for i in range(n)]


def test_total_and_all_parts_but_one_pin_the_hidden_part() -> None:
    a, b, c = people("a", 6), people("b", 5), people("c", 2)
    auditor = Auditor()
    auditor.add(mean_fact(dict.fromkeys(a + b + c, 1), 60.0, label="total"))
    auditor.add(mean_fact(dict.fromkeys(a, 1), 70.0, label="A"))
    auditor.add(mean_fact(dict.fromkeys(b, 1), 50.0, label="B"))
    hidden = Target(frozenset(c), 2, "C")
    low, high = auditor.bounds(hidden)
    expected = (60 * 13 - 70 * 6 - 50 * 5) / 2
    assert low == pytest.approx(expected, abs=0.1)
    assert high == pytest.approx(expected, abs=0.1)
    findings = auditor.audit([hidden])
    assert len(findings) == 1 and findings[0].width < 0.2


def test_zero_share_over_a_group_with_a_hidden_part_is_flagged() -> None:
    shown, hidden = people("s", 5), people("h", 2)
    auditor = Auditor([mean_fact(dict.fromkeys(shown + hidden, 1), 0.0, label="T 0 %")])
    (finding,) = auditor.audit([Target(frozenset(hidden), 2, "hidden")])
    assert finding.high < 0.05


def test_a_properly_suppressed_table_is_not_flagged() -> None:
    # Total over 4 cells; two small cells are hidden together with a third of 5 people, so
    # the hidden remainder holds 3 + 2 + 5 = 10 people and nothing isolates the small ones.
    a, b, c, d = people("a", 6), people("b", 3), people("c", 2), people("d", 5)
    auditor = Auditor()
    auditor.add(mean_fact(dict.fromkeys(a + b + c + d, 1), 55.0, label="total"))
    auditor.add(mean_fact(dict.fromkeys(a, 1), 62.5, label="A"))
    targets = unions_below_k({"B": b, "C": c, "D": d}, label="row")
    assert {t.label for t in targets} == {"row B", "row C"}
    assert auditor.audit(targets) == []
    for target in targets:
        low, high = auditor.bounds(target)
        assert high - low >= 20


def test_rounding_is_allowed_for_but_cannot_hide_an_exact_difference() -> None:
    a, c = people("a", 5), people("c", 1)
    auditor = Auditor()
    auditor.add(mean_fact(dict.fromkeys(a + c, 1), 58.33, tolerance=0.005))
    auditor.add(mean_fact(dict.fromkeys(a, 1), 60.0, tolerance=0.005))
    low, high = auditor.bounds(Target(frozenset(c), 1))
    assert 49.9 < low <= 50.0 <= high < 50.1


def test_one_person_answering_five_times_is_one_person() -> None:
    person = ("T", "LEGAL", "p1", 5)
    auditor = Auditor([mean_fact({person: 5}, 0.0, label="n = 5 answers")])
    (finding,) = auditor.audit([Target(frozenset([person]), 1, "one person")])
    assert finding.low == 0.0 and finding.high < 0.01


def test_differencing_two_releases_isolates_the_new_person() -> None:
    before, new = people("b", 5), "n0"
    auditor = Auditor()
    auditor.add(mean_fact(dict.fromkeys(before, 1), 80.0, label="n=5"))
    auditor.add(mean_fact(dict.fromkeys([*before, new], 1), 70.83, label="n=6"))
    low, high = auditor.bounds(Target(frozenset([new]), 1))
    assert low == pytest.approx(25.0, abs=0.1)
    assert high == pytest.approx(25.0, abs=0.1)


def test_growth_link_ties_a_persons_mean_across_releases() -> None:
    # Release 1: five people, one of them (p0) with one answer; release 2 adds p0's second
    # answer only. The link keeps p0's two means consistent; the second answer is 0 to 100.
    others = people("o", 4)
    first, second = ("p0", 1), ("p0", 2)
    auditor = Auditor()
    auditor.add(mean_fact({**dict.fromkeys(others, 1), first: 1}, 60.0))
    auditor.add(mean_fact({**dict.fromkeys(others, 1), second: 2}, 50.0))
    auditor.add(growth_link(first, second, 1, 2))
    low, high = auditor.bounds(Target(frozenset([second]), 1))
    # 4 others + x1 = 300 and 4 others + 2 m2 = 300, so m2 = x1 / 2: p0's second answer was
    # 0, yet p0's mean stays anywhere in 0..50 (x1 is free): the link allows exactly that.
    assert low == pytest.approx(0.0, abs=0.1)
    assert high == pytest.approx(50.0, abs=0.1)


def test_unconstrained_group_is_free_and_groups_of_k_are_not_judged() -> None:
    auditor = Auditor([mean_fact(dict.fromkeys(people("a", 5), 1), 100.0)])
    assert auditor.bounds(Target(frozenset(["x"]), 1)) == (0.0, 100.0)
    assert auditor.audit([Target(frozenset(people("a", 5)), 5)]) == []


def test_contradictory_publication_is_reported_not_judged() -> None:
    a = people("a", 5)
    auditor = Auditor([mean_fact(dict.fromkeys(a, 1), 10.0), mean_fact(dict.fromkeys(a, 1), 90.0)])
    with pytest.raises(InconsistentPublication):
        auditor.bounds(Target(frozenset(a[:2]), 2))


def test_audit_is_deterministic() -> None:
    rows = {f"C{i}": people(f"c{i}_", 1 + i % 6) for i in range(8)}
    everyone = [p for members in rows.values() for p in members]
    auditor = Auditor([mean_fact(dict.fromkeys(everyone, 1), 47.0)])
    for name, members in rows.items():
        if len(members) >= 5:
            auditor.add(mean_fact(dict.fromkeys(members, 1), 50.0, label=name))
    targets = unions_below_k(rows)
    first = [auditor.bounds(t) for t in targets]
    assert len(first) == len(targets) > 8  # every union below k, not only the rows
    assert [auditor.bounds(t) for t in targets] == first


def _linprog_bounds(auditor: Auditor, target: Target) -> tuple[float, float]:
    """The same bounds from scratch, every constraint given to ``scipy.optimize.linprog``
    as two rows of ``A_ub x <= b_ub`` (no merging, no model kept between solves)."""
    keys = sorted({key for c in auditor.constraints for key in c.coefs} | target.members, key=repr)
    column = {key: i for i, key in enumerate(keys)}
    rows, rhs = [], []
    for c in auditor.constraints:
        row = np.zeros(len(keys))
        for key, coef in c.coefs.items():
            row[column[key]] = coef
        rows.extend([row, -row])
        rhs.extend([c.high, -c.low])
    objective = np.zeros(len(keys))
    for key in target.members:
        objective[column[key]] = 1.0 / len(target.members)
    found = []
    for sign in (1.0, -1.0):
        result = linprog(sign * objective, A_ub=rows, b_ub=rhs, bounds=(0, 100), method="highs")
        assert result.status == 0, result.message
        found.append(sign * result.fun)
    return found[0], found[1]


@pytest.mark.parametrize("seed", range(12))
def test_bounds_match_a_solve_from_scratch_in_any_order(seed: int) -> None:
    """The auditor keeps one model per connected set and only changes its objective (the
    solver restarts from the last basis), and merges constraints with equal coefficients.
    On random publications (overlapping rounded means, some of them repeated with other
    roundings) every bound equals a fresh ``linprog`` solve of the unmerged constraints,
    whatever order the targets are asked in."""
    rng = random.Random(seed)
    everyone = people("p", rng.randint(6, 14))
    truth = {p: rng.choice((0.0, 25.0, 50.0, 75.0, 100.0, rng.uniform(0, 100))) for p in everyone}
    auditor = Auditor()
    for _ in range(rng.randint(3, 9)):
        group = rng.sample(everyone, rng.randint(2, len(everyone)))
        tolerance = rng.choice((0.005, 0.5))
        value = round(sum(truth[p] for p in group) / len(group), 2 if tolerance < 0.1 else 0)
        auditor.add(mean_fact(dict.fromkeys(group, 1), value, tolerance))
        if rng.random() < 0.3:  # the same group published again, rounded to a whole number
            auditor.add(mean_fact(dict.fromkeys(group, 1), round(value), 0.5))
    targets = [
        Target(frozenset(rng.sample(everyone, size)), size)
        for size in [rng.randint(1, 4) for _ in range(8)]
    ]
    expected = {t.members: _linprog_bounds(auditor, t) for t in targets}
    for order in (targets, targets[::-1], rng.sample(targets, len(targets))):
        fresh = Auditor(list(auditor.constraints))
        for target in order:
            low, high = fresh.bounds(target)
            assert low == pytest.approx(expected[target.members][0], abs=1e-6)
            assert high == pytest.approx(expected[target.members][1], abs=1e-6)
