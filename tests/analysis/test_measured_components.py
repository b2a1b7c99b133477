"""Which components a quarter's ISQ rests on (``analysis.scorecard.measured_components``):
what the organisation collected, or what some department shows; never what the gate hides."""

from __future__ import annotations

from dataclasses import replace

from analysis import model
from analysis import scorecard as sc
from analysis.scorecard import DepartmentInput

K = 5
Q = "2026Q1"


def _department(people: int, mean: float) -> DepartmentInput:
    """``people`` quarterly respondents whose R values average ``mean`` (spread 20 points)."""
    values = [mean + (10.0 if i % 2 else -10.0) for i in range(people)]
    return DepartmentInput(
        r_n=people, r_total=sum(values), r_total_sq=sum(v * v for v in values), people=people
    )


def _quarter(**changes: DepartmentInput) -> dict[int, DepartmentInput]:
    inputs = {d: _department(40, 50.0 + 5 * d) for d in range(6)}
    inputs.update({int(d[1:]): v for d, v in changes.items()})
    return inputs


def _published(inputs: dict[int, DepartmentInput]) -> tuple:
    priors = sc.fit_pooled_priors({Q: inputs}, K, model.WEIGHTS)
    m = sc.build_quarter_model(Q, inputs, priors, K)
    return dict(m.weights), {d: (s.isq, s.group) for d, s in m.scores.items()}


def test_a_few_hidden_answers_move_no_weight_and_no_figure() -> None:
    """Three people answered a post-interaction survey (stored without a request, as a bulk
    load or a late answer is): hidden under k, they must not bring T into the ISQ, or the
    weights would tell that somebody answered."""
    nobody = _quarter()
    three = _quarter(d2=replace(nobody[2], t_n=3, t_total=200.0, people=41))
    assert sc.measured_components(nobody.values(), K) == ("R",)
    assert sc.measured_components(three.values(), K) == ("R",)
    assert _published(three) == _published(nobody)
    assert _published(nobody)[0] == {"T": 0.0, "R": 1.0, "C": 0.0}


def test_collected_or_shown_components_are_measured_whatever_the_gate_hides() -> None:
    asked = {d: replace(i, collected=frozenset({"T"})) for d, i in _quarter().items()}
    assert sc.measured_components(asked.values(), K) == ("T", "R")
    shown = _quarter(d1=replace(_department(40, 55.0), t_n=20, t_total=1200.0))
    assert sc.measured_components(shown.values(), K) == ("T", "R")
    judged = _quarter(d3=replace(_department(40, 65.0), c_judged=2, c_compliant=1))
    assert sc.measured_components(judged.values(), K) == ("R", "C")
