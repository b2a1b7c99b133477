"""analysis.scorecard's sections of a department page computed from plain sums: the dimension
rows (a 1..5 question's gated figure on 0..100 with its interval, the organisation's value
over the departments shown) and the customer table's columns (hand computations)."""

from __future__ import annotations

import pytest

from analysis import scorecard as sc
from analysis.scorecard import BELOW_K, CERTAIN, REMAINDER, WITHHELD, Gated, Sums


def _answers(values: list[int]) -> Sums:
    return Sums(len(values), float(sum(values)), float(sum(v * v for v in values)))


def test_a_shown_mean_is_rescaled_with_the_wilson_interval_of_its_place() -> None:
    # Ten people: five 4s, three 3s, two 5s: mean 3.9, on 0..100 (3.9 − 1)/4·100 = 72.5.
    # Wilson 95 % for 7.25 of 10 by hand: centre (0.725 + 0.19208)/1.38415 = 0.66256, half
    # 1.41601·√(0.0199375 + 0.0096033) = 0.24338, so 41.92 to 90.59.
    values = [4] * 5 + [3] * 3 + [5] * 2
    figure = sc.likert_figure(_answers(values), 5)
    assert figure.shown and figure.n == 10
    assert figure.value == pytest.approx(72.5)
    assert (figure.low, figure.high) == pytest.approx((41.92, 90.59), abs=0.01)
    # The interval rests on the mean and n only: answers alike and answers spread around the
    # same mean publish the same figure (the spread pinned small groups, "75, 75 to 75").
    alike, spread = _answers([4] * 6), _answers([3, 5, 4, 4, 3, 5])
    assert sc.likert_figure(alike, 5) == sc.likert_figure(spread, 5)
    assert sc.likert_figure(alike, 5).low < 75.0 < sc.likert_figure(alike, 5).high


def test_a_mean_is_hidden_under_k_or_at_an_end_of_the_scale() -> None:
    # Nobody reads as fewer than k: "no data" would tell that nobody answered.
    assert sc.likert_figure(Sums(), 5).reason == BELOW_K
    assert sc.likert_figure(_answers([4, 4, 3, 5]), 5).reason == BELOW_K
    # Everyone answered 5: the mean tells how every small group answered.
    assert sc.likert_figure(_answers([5] * 8), 5).reason == CERTAIN
    # Two 4s among six 5s: half a person's worth below the top, under the 0.8 margin.
    assert sc.likert_figure(_answers([5] * 6 + [4] * 2), 5).reason == CERTAIN
    # A 4 and a 2: a whole person's worth below the top.
    assert sc.likert_figure(_answers([5] * 6 + [4, 2]), 5).shown


def test_the_organisation_value_leaves_hidden_departments_out() -> None:
    shown_a = _answers([4] * 6)  # mean 4
    shown_b = _answers([2] * 4 + [3] * 6)  # mean 2.6
    under_k = _answers([1, 1])
    at_the_top = _answers([5] * 9)
    snapshot = {
        1: {"q.rel": shown_a, "R": shown_a},
        2: {"q.rel": under_k, "R": under_k},
        3: {"q.rel": shown_b, "R": shown_b},
        4: {"q.rel": at_the_top, "R": at_the_top},
        # Shown on its own, but withheld: two of its twelve people left it blank.
        5: {"q.rel": shown_b, "R": _answers([3] * 12)},
    }
    org = sc.dimension_org(("rel",), snapshot, 5)
    assert org == {"rel": pytest.approx(((24 + 26) / 16 - 1) * 25)}
    assert sc.likert_org([]) is None


def _shown(n: int) -> Gated:
    return Gated(50.0, 40.0, 60.0, n)


def test_a_dimension_is_withheld_while_the_people_who_left_blanks_may_be_fewer_than_k() -> None:
    """R's people minus each dimension's: while every dimension is shown and the most blanks
    of one is 1..k−1, the one with the most is hidden (the first on a tie); nothing more when
    nobody left a blank, when one dimension has k blanks, or when one is hidden already."""
    cases = [
        ([10, 10, 10], 10, None),
        ([10, 9, 10], 10, 1),
        ([7, 9, 8], 10, 0),
        ([8, 7, 7], 10, 1),
        ([10, 5, 9], 10, None),  # five left the second blank: the blanks' people are >= k
    ]
    for ns, people, hidden in cases:
        out = sc.withhold_for_blanks([_shown(n) for n in ns], people, 5)
        reasons = [f.reason for f in out]
        expected = [REMAINDER if i == hidden else None for i in range(len(ns))]
        assert reasons == expected, (ns, people)
    already = [_shown(9), Gated.hidden(BELOW_K), _shown(10)]
    assert sc.withhold_for_blanks(already, 10, 5) == already


def test_a_department_row_per_code_beside_the_organisation() -> None:
    snapshot = {
        1: {"q.rel": _answers([4] * 6), "q.emp": _answers([3, 3])},
        2: {"q.rel": _answers([2] * 5)},
    }
    org = sc.dimension_org(("rel", "emp"), snapshot, 5)
    assert org == {"rel": pytest.approx(((24 + 10) / 11 - 1) * 25), "emp": None}
    rows = sc.dimensions(("rel", "emp"), snapshot, org, 1, 5)
    assert [(code, figure.value, figure.reason) for code, figure, _org in rows] == [
        ("rel", pytest.approx(75.0), None),
        ("emp", None, BELOW_K),
    ]
    assert [row[2] for row in rows] == [org["rel"], None]
    assert [figure.reason for _c, figure, _o in sc.dimensions(("rel",), snapshot, org, 3, 5)] == [
        BELOW_K
    ]


# --- the customer table ---


def test_a_customer_column_hides_small_cells_and_the_remainder() -> None:
    # R of three customer departments: 6, 3 and 7 people; the provider's R rests on them and
    # on 2 people of an inactive department (in no row). 3 is under k; with it and the 2
    # hidden the remainder is 5, so the other rows may show.
    cells = [_r(6, 70.0), _r(3, 40.0), _r(7, 80.0)]
    everyone = sum(cells, Sums()) + _r(2, 50.0)
    shown_6, small, shown_7 = sc.customer_column(cells, everyone, "R", 5)
    assert small.reason == BELOW_K
    assert shown_6.value == pytest.approx(70.0) and shown_7.value == pytest.approx(80.0)
    # Without the inactive department the hidden remainder is 3: the smallest shown row goes.
    first, _small, last = sc.customer_column(cells, sum(cells, Sums()), "R", 5)
    assert first.reason == sc.REMAINDER and last.shown
    assert sc.customer_column([Sums()], Sums(), "R", 5)[0].reason == BELOW_K
    # A shown row's interval does not depend on its spread (``mean_figure``).
    alike, spread = _r(6, 70.0, sd=0.0), _r(6, 70.0, sd=25.0)
    same = sc.customer_column([spread], spread, "R", 5)
    assert sc.customer_column([alike], alike, "R", 5) == same
    assert sc.customer_column([], Sums(), "T", 5) == []


def test_a_customer_share_has_its_wilson_interval() -> None:
    # T of 20 people, 14 satisfied (total 1400 on 0..100; 6 on the other side, at least k),
    # beside 10 more, 5 satisfied.
    cells = [Sums(20, 1400.0, 140000.0), Sums(10, 500.0, 50000.0)]
    share, _other = sc.customer_column(cells, cells[0] + cells[1], "T", 5)
    assert share.value == pytest.approx(70.0)
    # Wilson 95 % for 14/20 by hand: (14 + 1.92 ± 1.96·√(4.2 + 0.96)) / 23.84 = 0.481 to 0.854.
    assert (share.low, share.high) == pytest.approx((48.10, 85.45), abs=0.01)
    # 7 of 10: only 3 on the unsatisfied side, so the share is hidden (one-sided; the table
    # gives the reason of a hidden row of at least k people as the remainder's).
    one_sided = sc.customer_column([Sums(10, 700.0, 70000.0)], Sums(10, 700.0, 70000.0), "T", 5)
    assert one_sided[0].reason == sc.REMAINDER


def _r(n: int, mean: float, sd: float = 10.0) -> Sums:
    """n people with R ``mean`` and sample sd ``sd`` (0..100)."""
    return Sums(n, n * mean, (n - 1) * sd * sd + n * mean * mean)


# --- compliance details ---


def test_a_compliance_share_is_a_percentage_with_its_wilson_interval() -> None:
    figure = sc.share_figure(14, 20)
    assert (figure.value, figure.n) == (pytest.approx(70.0), 20)
    assert (figure.low, figure.high) == pytest.approx((48.10, 85.45), abs=0.01)
    assert sc.share_figure(0, 5).low == 0.0 and sc.share_figure(5, 5).high == 100.0


def test_times_fall_in_buckets_with_their_median_and_90th_percentile() -> None:
    # Buckets up to 60 and 240 minutes, then open; a value on an edge is inside its bucket.
    got = sc.distribution([10, 60, 61, 240, 500, 30, 20, 45, 90, 1000], (60, 240))
    assert got.edges == (60, 240) and got.counts == (5, 3, 2)
    assert got.median_minutes == pytest.approx((60 + 61) / 2)  # the middle two of ten
    assert got.p90_minutes == 500  # 9 of the 10 values are at or below it
    empty = sc.distribution([], (60,))
    assert empty.counts == (0, 0) and empty.median_minutes is None and empty.p90_minutes is None


def test_opening_hours_are_counted_in_the_zone_given() -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    opened = [datetime(2026, 1, 5, 8, 30, tzinfo=UTC), datetime(2026, 7, 6, 8, 30, tzinfo=UTC)]
    assert sc.opening_hours(opened, UTC)[8] == 2
    rome = sc.opening_hours(opened, ZoneInfo("Europe/Rome"))  # UTC+1 in January, +2 in July
    assert (rome[9], rome[10], sum(rome)) == (1, 1, 2)


# --- the self-view ---


def _r_component(raw: float | None, n: int, reason: str | None = None) -> sc.Component:
    return sc.Component("R", n, raw, raw, None, None, reason)


def test_the_self_view_needs_k_members_and_a_shown_customer_view_for_a_gap() -> None:
    members = [80.0, 90.0, 70.0, 85.0, 75.0]  # their mean is 80
    customers = _r_component(72.0, 12)
    full = sc.perception(members, customers, 5)
    assert full.self_view.value == pytest.approx(80.0) and full.takers == 5
    assert full.customer_view.value == 72.0
    assert (full.gap, full.label, full.reason) == (pytest.approx(8.0), "overestimate", None)
    few = sc.perception(members[:4], customers, 5)
    assert (few.self_view.reason, few.gap, few.takers) == (BELOW_K, None, 4)
    none = sc.perception([], None, 5)
    assert (none.reason, none.customer_view.reason) == (BELOW_K, BELOW_K)
    hidden = sc.perception(members, _r_component(None, 3, BELOW_K), 5)
    assert hidden.self_view.shown and hidden.gap is None and hidden.reason == BELOW_K


def test_a_self_view_near_an_end_of_the_scale_is_hidden_as_a_dimension_mean_would_be() -> None:
    # At k = 5 the sum in people's worth must stay 0.8 from either end of 0..5.
    assert sc.self_view_figure([100.0] * 5, 5).reason == CERTAIN
    assert sc.self_view_figure([0.0] * 5, 5).reason == CERTAIN
    assert sc.self_view_figure([100.0] * 4 + [19.0], 5).shown  # 4.19 of 5: 0.81 from the top
    assert sc.self_view_figure([100.0] * 4 + [21.0], 5).reason == CERTAIN  # 0.79 from it
    assert sc.self_view_figure([0.0] * 4 + [81.0], 5).shown  # 0.81 from the bottom
    assert sc.self_view_figure([0.0] * 4 + [79.0], 5).reason == CERTAIN
    assert sc.self_view_figure([100.0] * 4, 5).reason == BELOW_K
    assert sc.self_view_figure([], 5).reason == BELOW_K
    shown = sc.self_view_figure([80.0, 90.0, 70.0, 85.0, 75.0], 5)
    assert (shown.value, shown.n) == (pytest.approx(80.0), 5)


def _dimension(value: float | None, reason: str | None = None) -> sc.Gated:
    return sc.Gated(value, None, None, 12) if reason is None else sc.Gated.hidden(reason)


def test_each_dimension_is_compared_with_the_practice_that_teaches_it() -> None:
    members = [80.0, 90.0, 70.0, 85.0, 75.0]
    practices = {
        "standards": [100.0, 50.0, 75.0, 75.0, 50.0],  # 70
        "responsiveness": [100.0, 100.0, 100.0, 100.0, 100.0],  # all at the top: hidden
        "courtesy": [50.0, 50.0, 50.0, 50.0, 50.0],  # 50
        "clarity": [60.0, 60.0, 60.0, 60.0],  # scored for four members only
    }
    dimensions = [
        ("reliability", _dimension(80.0)),  # practice "standards"
        ("responsiveness", _dimension(60.0)),
        ("competence", _dimension(None, BELOW_K)),  # practice "customer_goals"
        ("courtesy", _dimension(52.0)),
        ("tools", _dimension(70.0)),  # practice "clarity"
        ("extra", _dimension(50.0)),  # a dimension no practice teaches: no row
    ]
    gap = sc.perception(members, _r_component(72.0, 12), 5, practices, dimensions)
    rows = {row.dimension: row for row in gap.practices}
    assert list(rows) == ["reliability", "responsiveness", "competence", "courtesy", "tools"]
    assert [rows[d].practice for d in rows] == [
        "standards",
        "responsiveness",
        "customer_goals",
        "courtesy",
        "clarity",
    ]
    reliability = rows["reliability"]
    assert reliability.self_view.value == pytest.approx(70.0)
    assert (reliability.gap, reliability.label) == (pytest.approx(-10.0), "hidden_strength")
    assert (rows["courtesy"].gap, rows["courtesy"].label) == (pytest.approx(-2.0), "aligned")
    assert rows["responsiveness"].self_view.reason == CERTAIN and rows["responsiveness"].gap is None
    assert rows["competence"].self_view.reason == BELOW_K  # no member scored on it
    assert rows["competence"].customer_view.reason == BELOW_K
    assert rows["tools"].self_view.reason == BELOW_K and rows["tools"].gap is None


def test_no_practice_rows_while_the_self_view_is_hidden() -> None:
    practices = {"standards": [70.0] * 4}
    few = sc.perception(
        [70.0] * 4, _r_component(72.0, 12), 5, practices, [("reliability", _dimension(80.0))]
    )
    assert few.self_view.reason == BELOW_K and few.practices == ()


def test_practice_rows_are_hidden_while_the_rest_of_the_quiz_tells_how_members_scored() -> None:
    """A member's overall quiz score is the mean of their eleven practice scores, and the
    overall self-view is published: the practices no row shows are a remainder whose mean
    can be worked out. Nine practices at 90 for all five members would tell each member's
    score there; hiding the lowest shown row (20) brings the remainder to 83, far enough."""
    others = ["anticipation", "whole_interaction", "customer_goals", "lateral", "recognition"]
    others += ["accountability", "proactivity", "responsiveness", "clarity"]
    practices = {p: [90.0] * 5 for p in others}
    practices["standards"] = [0.0, 0.0, 50.0, 50.0, 0.0]  # 20
    practices["courtesy"] = [50.0, 40.0, 60.0, 50.0, 50.0]  # 50
    dimensions = [("reliability", _dimension(60.0)), ("courtesy", _dimension(55.0))]
    rows = {row.practice: row for row in sc.practice_gaps(practices, dimensions, 5)}
    assert rows["standards"].self_view.reason == WITHHELD and rows["standards"].gap is None
    assert rows["courtesy"].self_view.value == pytest.approx(50.0)
    assert rows["courtesy"].label == "hidden_strength"
    # Without the hiding, the overall and the two rows give the nine others' mean exactly:
    overall = (9 * 90 + 20 + 50) / 11
    assert (11 * overall - 20 - 50) / 9 == pytest.approx(90.0)
    # Nine at 95: even with both rows in the remainder it stays near the top: none is shown.
    practices.update({p: [95.0] * 5 for p in others})
    hidden = sc.practice_gaps(practices, dimensions, 5)
    assert [row.self_view.reason for row in hidden] == [WITHHELD, WITHHELD]
