"""The compute half of a department's scorecard reads nothing: a page's snapshot written by
hand (no app, no database, no session anywhere in this file) gives the figures worked out
by hand below."""

from __future__ import annotations

import inspect
from dataclasses import replace
from types import MappingProxyType
from zoneinfo import ZoneInfo

import pytest

from analysis import scorecard_results as results
from analysis.model import VAGUE_MEAN, VAGUE_SHARE, Priors
from analysis.scorecard import Sums
from analysis.scorecard_inputs import (
    CardSnapshot,
    ComplianceSnapshot,
    DepartmentRow,
    PageSnapshot,
    SelfView,
)
from analysis.scorecard_page import compute_scorecard
from analysis.scorecard_results import ResponseCount, Settings

Q = "2026Q1"
# No department of the page has survey figures in the model (no sums of T or R): the priors
# play no part in what is checked below.
PRIORS = Priors(VAGUE_SHARE, VAGUE_MEAN, VAGUE_SHARE, ((1.0, 0, 0), (0, 1.0, 0), (0, 0, 1.0)))
HR, ENG, FIN, OLD = 1, 2, 3, 4  # OLD: an inactive customer department

# HR's customer cells of R (0..100 per person), k = 5:
# ENG, 8 people: 50 75 50 25 75 25 50 50 -> n 8, sum 400, sum of squares 22,500;
# FIN, 3 people: 40 50 60 -> n 3, sum 150, sum of squares 7,700 (under k in every column:
# no row, since a row of hidden cells would tell that somebody of FIN answered; counted in
# HR's total);
# OLD, 5 people: 30 40 50 60 70 -> n 5, sum 250, sum of squares 13,500 (inactive: no row,
# but counted in HR's total, so the hidden remainder is FIN + OLD, 8 people, 4.0 people's
# worth of 8: neither under k nor near an end, and ENG may show).
CELLS = {
    ENG: MappingProxyType({"R": Sums(8, 400.0, 22500.0)}),
    FIN: MappingProxyType({"R": Sums(3, 150.0, 7700.0)}),
    OLD: MappingProxyType({"R": Sums(5, 250.0, 13500.0)}),
}


def card_snapshot() -> CardSnapshot:
    departments = (
        DepartmentRow(ENG, "ENG", "Engineering"),
        DepartmentRow(FIN, "FIN", "Finance"),
        DepartmentRow(HR, "HR", "People"),
    )
    page = PageSnapshot(
        departments=departments,
        dimensions=None,
        customers=MappingProxyType(CELLS),
        self_view=SelfView(0, (), {}),
        compliance=ComplianceSnapshot((), MappingProxyType({}), MappingProxyType({}), ()),
        counts=MappingProxyType(
            {Q: MappingProxyType({"pi.n": Sums(7, 7.0, 7.0), "q.n": Sums(16, 16.0, 16.0)})}
        ),
        comments=None,
    )
    return CardSnapshot(
        department=DepartmentRow(HR, "HR", "People"),
        quarter=Q,
        problem=None,
        quarters=(Q,),
        settings=Settings(),
        baseline=None,
        window=(Q,),
        priors=PRIORS,
        inputs=MappingProxyType({Q: MappingProxyType({})}),
        pairs=(),
        histograms=MappingProxyType({}),
        page=page,
        zone=ZoneInfo("UTC"),
        department_names=MappingProxyType({"HR": "People"}),
    )


def test_the_compute_half_takes_no_session() -> None:
    """The snapshot, and the model's pure functions (the application passes them memoised):
    nothing that could read."""
    parameters = inspect.signature(compute_scorecard).parameters
    assert list(parameters) == ["snapshot", "functions"]


def test_a_hand_built_snapshot_gives_the_figures_worked_out_by_hand() -> None:
    card = compute_scorecard(card_snapshot())
    assert (card.code, card.quarter, card.settings.k) == ("HR", Q, 5)
    # OLD is inactive, FIN under k in every column: no row for either.
    assert [row.code for row in card.customers] == ["ENG"]
    (eng,) = card.customers
    # ENG: mean 400 / 8 = 50, with the Wilson interval of 4 of 8 (from the mean and n alone,
    # never the cell's own spread): z²/n = 0.480183, centre 0.5, half-width
    # 1.959964 / 1.480183 · √(0.25 / 8 + 3.841459 / 256) = 1.324140 · 0.215072 = 0.284786.
    assert eng.relationship.shown
    assert eng.relationship.value == pytest.approx(50.0)
    assert eng.relationship.low == pytest.approx(21.5214, abs=1e-3)
    assert eng.relationship.high == pytest.approx(78.4786, abs=1e-3)
    assert eng.relationship.n == 8
    # Nobody gave HR a post-interaction answer in these cells: hidden as under k (which
    # nobody is), not a zero, and not "no data" (which would tell that nobody answered).
    assert eng.satisfaction.reason == results.BELOW_K
    # Counts rest on the model's people: the hand-made model has no score for HR, so no
    # kind of answer has k people behind it and neither count shows; no request, no rate.
    assert card.responses == (ResponseCount(Q, None, None),)
    assert card.response_rate is None
    assert card.compliance.reason == results.NO_DATA and card.compliance.interactions == 0
    # No score for HR in the hand-made model of a released quarter: ISQ hidden as withheld
    # (as with too few people), comments behind their gate.
    assert card.isq.reason == results.WITHHELD
    assert card.comments == () and card.comments_reason == results.BELOW_COMMENT_K


def test_without_the_inactive_cell_the_remainder_hides_the_shown_one() -> None:
    """The same snapshot without OLD's cell: the hidden remainder is FIN alone (3 people,
    under k, not listed), so ENG, which alone would show, is hidden too (the remainder
    rule)."""
    base = card_snapshot()
    cells = MappingProxyType({ENG: CELLS[ENG], FIN: CELLS[FIN]})
    snapshot = replace(base, page=replace(base.page, customers=cells))
    (eng,) = compute_scorecard(snapshot).customers
    assert eng.relationship.reason == results.REMAINDER and eng.relationship.value is None
