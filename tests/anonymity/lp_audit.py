"""An interval audit by linear programming: how tightly can a reader pin down a small group?

The unknowns are per-person values on 0..100 (a mean of ratings, or a share scaled so that
"satisfied" is 100 and "not" is 0), keyed by anything hashable, for example
``("T", "IT", person, 3)``: the person's mean of their first three post-interaction answers
about IT. Every published figure becomes a linear constraint on them: a mean ``v`` over a
group with weights ``w`` (a person who counts twice weighs 2) says
``sum(w * (x - v))`` lies within ``± tolerance * sum(w)``, the tolerance being half the
rounding step of the published number (0.005 for two decimals, 0.5 for a whole number).

For a target group (fewer than k people) the audit minimises and maximises the group's mean
subject to every constraint; the feasible interval is what a reader holding all the
published figures can conclude. It must be at least ``min_width`` wide (the documented
protection interval, ±10 points on 0..100), else the publication discloses the group. This
is the classic interval audit of statistical disclosure control, done on the LP relaxation
(shares may take fractional values), which is the usual, slightly generous, audit: what it
flags is certainly a disclosure.

Each bound is one small LP solved by HiGHS (``highspy``), restricted to the constraints
connected to the target's unknowns: the model of a connected set is built once, constraints
with the same coefficients merged and their bounds intersected, and every target inside it
only changes the objective, so the solver starts from the last basis. An audit of a small
organisation takes a fraction of a millisecond per bound; the optimum (not the point reaching
it) is what is read, so the result does not depend on the order targets come in.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np

LOW, HIGH = 0.0, 100.0
#: The documented protection interval: a small group's mean must stay uncertain over at
#: least 20 points (±10) on 0..100.
MIN_WIDTH = 20.0
K = 5
_SLACK = 1e-7  # numerical slack added to every tolerance
_INFEASIBLE = highspy.HighsModelStatus.kInfeasible


class InconsistentPublication(RuntimeError):
    """The constraints admit no values at all: the harness misread what was published (or
    the published figures contradict each other); either way the audit cannot judge."""


@dataclass(frozen=True)
class Constraint:
    """``low <= sum(coefs[key] * x[key]) <= high``."""

    coefs: Mapping[Hashable, float]
    low: float
    high: float
    label: str = ""


@dataclass(frozen=True)
class Target:
    """A group whose mean the reader must not pin down: ``members`` are unknown keys, each
    weighing one person; ``people`` is how many distinct people the group holds."""

    members: frozenset[Hashable]
    people: int
    label: str = ""


@dataclass(frozen=True)
class Finding:
    target: Target
    low: float
    high: float

    @property
    def width(self) -> float:
        return self.high - self.low

    def __str__(self) -> str:
        return (
            f"{self.target.label or sorted(map(str, self.target.members))}: "
            f"{self.target.people} people, mean in [{self.low:.2f}, {self.high:.2f}]"
        )


def mean_fact(
    weights: Mapping[Hashable, float], value: float, tolerance: float = 0.005, label: str = ""
) -> Constraint:
    """A published mean ``value`` (0..100) over the unknowns in ``weights``, rounded to
    within ``tolerance``."""
    total = float(sum(weights.values()))
    if total <= 0:
        raise ValueError("a published mean needs a positive total weight")
    coefs = {key: float(w) for key, w in weights.items()}
    slack = (tolerance + _SLACK) * total
    return Constraint(coefs, value * total - slack, value * total + slack, label)


def growth_link(
    before: Hashable, after: Hashable, n_before: int, n_after: int, label: str = ""
) -> Constraint:
    """One person's mean over their first ``n_before`` answers and over their first
    ``n_after``: the later sum is the earlier one plus ``n_after - n_before`` answers, each
    in 0..100."""
    extra = n_after - n_before
    return Constraint(
        {after: float(n_after), before: -float(n_before)}, LOW * extra, HIGH * extra, label
    )


def linear_fact(
    coefs: Mapping[Hashable, float], value: float = 0.0, tolerance: float = 0.0, label: str = ""
) -> Constraint:
    """``sum(coefs[key] * x[key]) == value`` within ``tolerance`` (an identity the reader
    knows, such as a person's R being the mean of the dimensions they answered)."""
    slack = tolerance + _SLACK
    return Constraint(
        {key: float(c) for key, c in coefs.items()}, value - slack, value + slack, label
    )


@dataclass
class _Program:
    """The linear program of one connected set of constraints: the unknowns in a stable
    order, and every constraint as one row ``low <= a x <= high`` (constraints with the same
    coefficients merged, their bounds intersected), loaded into one HiGHS model."""

    keys: list[Hashable]
    column: dict[Hashable, int]
    labels: list[str]
    solver: highspy.Highs

    @classmethod
    def build(
        cls,
        keys: list[Hashable],
        rows: list[tuple[Mapping[Hashable, float], float, float]],
        labels: list[str],
    ) -> _Program:
        column = {key: i for i, key in enumerate(keys)}
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = len(keys), len(rows)
        lp.col_cost_ = np.zeros(len(keys))
        lp.col_lower_ = np.full(len(keys), LOW)
        lp.col_upper_ = np.full(len(keys), HIGH)
        lp.row_lower_ = np.array([low for _coefs, low, _high in rows])
        lp.row_upper_ = np.array([high for _coefs, _low, high in rows])
        matrix = lp.a_matrix_
        matrix.format_ = highspy.MatrixFormat.kRowwise
        matrix.num_col_, matrix.num_row_ = len(keys), len(rows)
        starts, index, value = [0], [], []
        for coefs, _low, _high in rows:
            index.extend(column[key] for key in coefs)
            value.extend(coefs.values())
            starts.append(len(index))
        matrix.start_, matrix.index_, matrix.value_ = starts, index, value
        solver = highspy.Highs()
        solver.setOptionValue("output_flag", False)
        solver.passModel(lp)
        return cls(keys, column, labels, solver)

    def optimum(self, objective: np.ndarray, sense: highspy.ObjSense) -> float:
        """The smallest or largest value of ``objective @ x`` over the program."""
        solver = self.solver
        solver.changeColsCost(len(self.keys), np.arange(len(self.keys)), objective)
        solver.changeObjectiveSense(sense)
        solver.run()
        status = solver.getModelStatus()
        if status in (_INFEASIBLE, highspy.HighsModelStatus.kUnboundedOrInfeasible):
            # every unknown lies in 0..100, so "unbounded or infeasible" is infeasible
            raise InconsistentPublication(
                "no values satisfy the published figures: " + "; ".join(self.labels)
            )
        if status != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(f"the solver failed: {solver.modelStatusToString(status)}")
        return float(solver.getInfo().objective_function_value)


@dataclass
class Auditor:
    """Holds the published constraints; answers bounds for target groups."""

    constraints: list[Constraint] = field(default_factory=list)
    # per unknown, the linear program of its connected constraints (built on first use)
    _programs: dict[Hashable, _Program] = field(default_factory=dict, init=False, repr=False)

    def add(self, constraint: Constraint) -> None:
        self.constraints.append(constraint)
        self._programs.clear()

    def extend(self, constraints: Iterable[Constraint]) -> None:
        self.constraints.extend(constraints)
        self._programs.clear()

    def _connected(self, keys: Iterable[Hashable]) -> tuple[list[Constraint], list[Hashable]]:
        """The constraints reachable from ``keys`` through shared unknowns (the rest cannot
        narrow the target), and every unknown they and the target touch, in a stable order."""
        by_key: dict[Hashable, list[int]] = {}
        for index, c in enumerate(self.constraints):
            for key in c.coefs:
                by_key.setdefault(key, []).append(index)
        seen_keys = set(keys)
        stack = list(seen_keys)
        chosen: set[int] = set()
        while stack:
            key = stack.pop()
            for index in by_key.get(key, ()):
                if index in chosen:
                    continue
                chosen.add(index)
                for other in self.constraints[index].coefs:
                    if other not in seen_keys:
                        seen_keys.add(other)
                        stack.append(other)
        ordered = sorted(seen_keys, key=repr)
        return [self.constraints[i] for i in sorted(chosen)], ordered

    def _program(self, keys: Iterable[Hashable]) -> _Program | None:
        """The program of the constraints connected to ``keys`` (None when none is): built
        once per connected set and shared by every target inside it."""
        keys = list(keys)
        known = [self._programs[key] for key in keys if key in self._programs]
        if known and all(key in known[0].column for key in keys):
            return known[0]
        constraints, ordered = self._connected(keys)
        if not constraints:
            return None
        merged: dict[frozenset[tuple[Hashable, float]], list[Any]] = {}
        for c in constraints:
            entry = merged.setdefault(frozenset(c.coefs.items()), [c.coefs, c.low, c.high, []])
            entry[1] = max(entry[1], c.low)
            entry[2] = min(entry[2], c.high)
            if c.label:
                entry[3].append(c.label)
        program = _Program.build(
            ordered,
            [(coefs, low, high) for coefs, low, high, _names in merged.values()],
            [name for *_rest, names in merged.values() for name in names],
        )
        for key in ordered:
            self._programs[key] = program
        return program

    def bounds(self, target: Target) -> tuple[float, float]:
        """The smallest and largest mean of ``target`` consistent with every constraint."""
        program = self._program(target.members)
        if program is None:
            return LOW, HIGH
        objective = np.zeros(len(program.keys))
        for key in target.members:
            objective[program.column[key]] = 1.0 / len(target.members)
        low = program.optimum(objective, highspy.ObjSense.kMinimize)
        high = program.optimum(objective, highspy.ObjSense.kMaximize)
        return max(LOW, low), min(HIGH, high)

    def audit(
        self, targets: Iterable[Target], k: int = K, min_width: float = MIN_WIDTH
    ) -> list[Finding]:
        """Every target of 1..k-1 people whose feasible interval is narrower than
        ``min_width`` (a disclosure). Targets of k or more people are not judged."""
        findings = []
        seen: set[frozenset[Hashable]] = set()
        for target in targets:
            if not 0 < target.people < k or target.members in seen:
                continue
            seen.add(target.members)
            low, high = self.bounds(target)
            if high - low < min_width - 1e-6:
                findings.append(Finding(target, low, high))
        return findings


def unions_below_k(
    cells: Mapping[str, Sequence[Hashable]], k: int = K, label: str = ""
) -> list[Target]:
    """Every union of cells (one row of a table: the cells of one provider and metric, each
    a list of unknowns, one per person) holding 1..k-1 people: the groups a reader might
    want to isolate by combining hidden cells."""
    names = sorted(name for name, members in cells.items() if 0 < len(set(members)) < k)
    out = []
    for mask in range(1, 2 ** len(names)):
        chosen = [names[i] for i in range(len(names)) if mask >> i & 1]
        members = frozenset(m for name in chosen for m in cells[name])
        if 0 < len(members) < k:
            out.append(Target(members, len(members), f"{label} {'+'.join(chosen)}".strip()))
    return out
