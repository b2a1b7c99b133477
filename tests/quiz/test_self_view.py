"""The department's self-view: the latest attempt of each private link that named the department
in the quarter; nothing is shown, on any page, below k distinct takers."""

from __future__ import annotations

from datetime import date
from html import unescape

import pytest

from survey.services.quiz import department_self_view
from tests.quiz.conftest import best, worst

Q = "2026Q2"
DAY = date(2026, 5, 4)


@pytest.fixture
def finance(make_department):  # type: ignore[no-untyped-def]
    return make_department(code="FIN", name="Finance")


@pytest.mark.postgres
def test_hidden_under_k_and_shown_at_k(session, keys, attempt, finance) -> None:
    for _ in range(4):
        attempt(best(keys), "FIN")
    attempt(best(keys))  # no department: never counted
    view = department_self_view(session, finance.id, Q, 5)
    assert view.takers == 4
    assert not view.shown
    assert view.overall is None
    assert set(view.practices.values()) == {None}

    attempt(worst(keys), "FIN")
    view = department_self_view(session, finance.id, Q, 5)
    assert view.takers == 5 and view.shown
    assert view.overall == pytest.approx(80.0)  # (4 · 100 + 0) / 5
    assert all(v == pytest.approx(80.0) for v in view.practices.values())


@pytest.mark.postgres
def test_a_retake_counts_once_with_its_latest_attempt(session, keys, attempt, finance) -> None:
    series = [attempt(best(keys), "FIN") for _ in range(5)]
    attempt(worst(keys), "FIN", key=series[0], day=date(2026, 6, 1))
    view = department_self_view(session, finance.id, Q, 5)
    assert view.takers == 5
    assert view.overall == pytest.approx(80.0)  # the retake replaced a 100 by a 0
    # A retake in the next quarter counts there, not here.
    attempt(worst(keys), "FIN", key=series[1], day=date(2026, 7, 2))
    assert department_self_view(session, finance.id, Q, 5).overall == pytest.approx(80.0)
    assert department_self_view(session, finance.id, "2026Q3", 5).takers == 1
    assert not department_self_view(session, finance.id, "2026Q3", 5).shown


def test_k_is_the_callers(session, keys, attempt, finance) -> None:
    for _ in range(3):
        attempt(best(keys), "FIN")
    assert not department_self_view(session, finance.id, Q, 4).shown
    assert department_self_view(session, finance.id, Q, 3).shown


def test_other_departments_do_not_count(session, keys, attempt, finance, make_department) -> None:
    make_department(code="OPS", name="Operations")
    for _ in range(5):
        attempt(best(keys), "OPS")
    assert department_self_view(session, finance.id, Q, 5).takers == 0


def test_result_page_hides_the_department_figure_under_k(client, keys, attempt, finance) -> None:
    for _ in range(3):
        attempt(best(keys), "FIN")
    key = attempt(worst(keys), "FIN")
    page = unescape(client.get(f"/quiz/r/{key}").get_data(as_text=True))
    assert "The average of Finance appears here" in page
    assert "at least 5 people" in page
    assert "Your department's average" not in page
    assert "people of Finance" not in page
    assert "75" not in page.split('id="department-heading"')[1].split("</section>")[0]


def test_result_page_shows_the_department_figure_at_k(client, keys, attempt, finance) -> None:
    for _ in range(4):
        attempt(best(keys), "FIN")
    key = attempt(worst(keys), "FIN")
    page = unescape(client.get(f"/quiz/r/{key}").get_data(as_text=True))
    assert "5 people of Finance took the quiz this quarter" in page
    assert "Their average is 80 out of 100" in page
    assert "Your department's average" in page


def test_scorecards_read_the_stored_practices(session, keys, attempt, finance) -> None:
    data = pytest.importorskip("survey.services.scorecard_data")
    attempt(best(keys), "FIN")
    view = data.self_view(session, finance.id, [Q])
    assert view.takers == 1
    assert view.overall == (100.0,)
    assert set(view.practices) == {k.practice for k in keys}
