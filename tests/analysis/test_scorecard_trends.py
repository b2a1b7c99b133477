"""``analysis.scorecard.trends``: a trend badge compares like with like.

A hidden component enters the ISQ at its prior; a department whose T is shown in some
quarters and hidden in others would see its ISQ jump with the gate. The badge is computed on
the quarters that share the department's most frequent composition of shown components.
"""

from __future__ import annotations

from analysis import model
from analysis.scorecard import (
    ONE_SIDED,
    Component,
    DepartmentInput,
    Gated,
    QuarterModel,
    QuarterScore,
    trends,
)


def _score(quarter: str, isq: float, t_shown: bool) -> QuarterScore:
    def component(key: str, shown: bool) -> Component:
        if shown:
            return Component(key, 20, isq, isq, isq - 5, isq + 5)
        return Component(key, 6, None, 50.0, 30.0, 70.0, ONE_SIDED)

    return QuarterScore(
        department_id=1,
        quarter=quarter,
        components={
            "T": component("T", t_shown),
            "R": component("R", True),
            "C": component("C", True),
        },
        isq=Gated(isq, isq - 4, isq + 4, 20),
        respondents=20,
        sums=DepartmentInput(),
    )


def _models(rows: list[tuple[str, float, bool]]) -> list[QuarterModel]:
    return [
        QuarterModel(quarter, {1: _score(quarter, isq, t)}, {}, None) for quarter, isq, t in rows
    ]


QUARTERS = ["2024Q1", "2024Q2", "2024Q3", "2024Q4", "2025Q1", "2025Q2", "2025Q3", "2025Q4"]


def test_a_steady_department_whose_t_comes_and_goes_gets_no_trend() -> None:
    # Steady at 60 with T shown, at 70 whenever T is hidden (its prior sits higher), and T
    # hidden more often later: the raw series rises, the like-for-like one is flat.
    hidden_later = [False, False, False, True, False, True, True, True]
    rows = [
        (q, 70.0 if hidden else 60.0 + 0.01 * i, not hidden)
        for i, (q, hidden) in enumerate(zip(QUARTERS, hidden_later, strict=True))
    ]
    # The control: the mixed series itself reads as a significant rise.
    raw = model.trend_badges([(list(range(8)), [isq for _q, isq, _t in rows])])[0]
    assert raw.direction == "rising"
    result = trends(_models(rows))
    # Four quarters of each composition: neither reaches the five a badge needs.
    assert result == {}
    # With one more T-shown quarter the T-shown series (5 quarters, nearly flat) is tested.
    rows.append(("2026Q1", 60.05, True))
    rows[5] = (QUARTERS[5], 60.02, True)
    result = trends(_models(rows))
    assert set(result) == {1} and result[1].n == 6


def test_a_real_rise_with_a_steady_composition_is_found() -> None:
    rows = [(q, 50.0 + 3 * i, True) for i, q in enumerate(QUARTERS)]
    result = trends(_models(rows))
    assert result[1].direction == "rising" and result[1].n == 8


def test_quarters_without_t_in_the_organisation_are_kept_apart_from_quarters_with_t_hidden() -> (
    None
):
    """Both show R and C only, but one ISQ left T out (the organisation measured none, its
    weights renormalised) and the other holds T's prior: two compositions, not one series."""
    not_measured = {"T": 0.0, "R": 0.45 / 0.65, "C": 0.20 / 0.65}
    later = [False, False, False, True, False, True, True, True]
    models = [
        QuarterModel(
            q,
            {1: _score(q, 70.0 if out else 60.0 + 0.01 * i, False)},
            {},
            None,
            weights=not_measured if out else {},
        )
        for i, (q, out) in enumerate(zip(QUARTERS, later, strict=True))
    ]
    raw = model.trend_badges([(list(range(8)), [m.scores[1].isq.value for m in models])])[0]
    assert raw.direction == "rising"  # the mixed series reads as a rise
    assert trends(models) == {}  # four quarters of each: no badge from the mix
