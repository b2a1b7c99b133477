"""The scorecards' computations are kept under the very objects they were computed from
(``scorecard_models.FUNCTIONS``): a kept result is the pure function's result, a new input
is computed afresh, and a warm page computes no model at all, also with a frozen baseline
whose priors are parsed anew from the database on every view."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from analysis import scorecard as sc
from analysis.scorecard import DepartmentInput
from analysis.scorecard_page import PURE
from survey.periods import previous_quarters
from survey.scorecards.services import scorecard_models
from survey.scorecards.services.scorecard_models import MemoFunctions
from survey.scorecards.services.scorecards import Settings, build_scorecard, ensure_baseline
from tests.scorecards.conftest import Org

Q = "2026Q1"
LATER = datetime(2027, 1, 1, tzinfo=UTC)
WEIGHTS = {"T": 0.35, "R": 0.45, "C": 0.2}


def _inputs(shift: int) -> dict[int, DepartmentInput]:
    return {
        d: DepartmentInput(
            t_n=10 + d,
            t_total=6.0 + d,
            r_n=10 + d,
            r_total=600.0 + 40 * d + shift,
            r_total_sq=40000.0 + 5000 * d + 100 * shift,
            people=10 + d,
        )
        for d in range(1, 7)
    }


def test_a_kept_model_is_the_pure_one_and_a_new_input_is_computed_afresh() -> None:
    memo = MemoFunctions()
    first, changed = _inputs(0), _inputs(150)
    priors = sc.fit_pooled_priors({Q: first}, 5, WEIGHTS)
    model = memo.model(Q, first, priors, 5)
    assert model == PURE.model(Q, first, priors, 5)
    assert memo.model(Q, first, priors, 5) is model  # kept
    # Same quarter, priors and k, other sums (a new answer gives a new read object): a memo
    # keyed by anything less than the input itself would hand back the old model here.
    other = memo.model(Q, changed, priors, 5)
    assert other == PURE.model(Q, changed, priors, 5) and other != model
    # k 13 hides the two smallest departments (11 and 12 people).
    assert memo.model(Q, first, priors, 13) == PURE.model(Q, first, priors, 13) != model
    window = (model, other)
    assert memo.trends(window) is memo.trends(window)
    assert memo.trends(window) == PURE.trends(window)
    assert memo.standings(model, 5) == PURE.standings(model, 5)


def test_equal_priors_are_one_object_for_the_memos() -> None:
    versions = scorecard_models.data.ScoreVersions((), {})
    now = datetime(2026, 5, 1, tzinfo=UTC)
    made = [sc.fit_pooled_priors({Q: _inputs(0)}, 5, WEIGHTS) for _ in range(2)]
    assert made[0] is not made[1] and made[0] == made[1]
    contexts = [scorecard_models.Context(Settings(), p, None, versions, (), now) for p in made]
    assert contexts[0].priors is contexts[1].priors


@pytest.mark.postgres
def test_a_warm_page_computes_no_model_with_a_frozen_baseline(
    org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i, q in enumerate(previous_quarters(Q, 6)):
        org.quarterly("IT", "SALES", q, [min(5, 2 + (i + j) // 3) for j in range(8)])
        org.quarterly("HR", "SALES", q, [max(1, 5 - (i + j) // 3) for j in range(8)])
        org.quarterly("FIN", "SALES", q, [3, 4, 3, 4, 3, 4, 3, 4])
    ensure_baseline(org.session, Settings(), now=LATER)
    org.session.commit()
    built: list[str] = []
    honest = sc.build_quarter_model

    def counted(quarter, *args):  # type: ignore[no-untyped-def]
        built.append(quarter)
        return honest(quarter, *args)

    monkeypatch.setattr(sc, "build_quarter_model", counted)
    card = build_scorecard(org.session, org.departments["IT"], None, Settings(), now=LATER)[0]
    assert built and card.isq.shown
    built.clear()
    profiles: list[int] = []
    honest_profile = sc.dimension_org

    def profiled(*args):  # type: ignore[no-untyped-def]
        profiles.append(1)
        return honest_profile(*args)

    monkeypatch.setattr(sc, "dimension_org", profiled)
    again = build_scorecard(org.session, org.departments["IT"], None, Settings(), now=LATER)[0]
    # Nor the organisation's dimension profile: a figure per department and dimension, the
    # larger part of a warm page at 200 departments before it was kept.
    assert built == [] and profiles == [] and again == card
    # A new answer in the quarter shown: its model, and only its, is computed again.
    org.quarterly("FIN", "SALES", card.quarter, [5, 5, 5, 5, 5])
    org.session.commit()
    build_scorecard(org.session, org.departments["IT"], None, Settings(), now=LATER)
    assert built == [card.quarter]
