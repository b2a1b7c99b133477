"""The department's self-view: one attempt per member (personal invitation or signed in) and
calendar quarter, the latest; anonymous attempts never count; nothing before the quarter has
ended nor below k members, and the result page never shows a department figure."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from html import unescape

import pytest
from sqlalchemy.orm import Session

from analysis.scorecard import PerceptionGap
from analysis.scorecard_results import Settings
from survey.models import Department
from survey.scorecards.services.scorecards import build_scorecard
from tests.quiz.conftest import best, worst

Q = "2026Q2"
DAY = date(2026, 5, 4)
AFTER = date(2026, 7, 1)  # the first day after Q


@pytest.fixture
def finance(make_department):  # type: ignore[no-untyped-def]
    return make_department(code="FIN", name="Finance")


def published(
    session: Session, department: Department, k: int = 5, today: date = AFTER, quarter: str = Q
) -> PerceptionGap:
    """The self-view section of ``department``'s scorecard for ``quarter`` as the page builds
    it on ``today`` (midday UTC) with the gate ``k``: the app's own read and gate, not a copy."""
    now = datetime.combine(today, time(12), tzinfo=UTC)
    session.expire_all()
    card, _priors = build_scorecard(
        session, department, quarter, Settings(k=k), now=now, fallback=False
    )
    return card.gap


@pytest.mark.postgres
def test_hidden_under_k_and_shown_at_k(session, keys, attempt, finance) -> None:
    for n in range(4):
        attempt(best(keys), "FIN", member=f"person:{n}")
    attempt(best(keys))  # no department: never counted
    view = published(session, finance)
    assert view.takers == 4
    assert not view.self_view.shown
    assert view.self_view.value is None and view.self_view.reason == "below_k"

    attempt(worst(keys), "FIN", member="person:9")
    view = published(session, finance)
    assert view.takers == 5 and view.self_view.shown
    assert view.self_view.value == pytest.approx(80.0)  # (4 · 100 + 0) / 5


@pytest.mark.postgres
def test_anonymous_attempts_naming_the_department_never_count(
    session, keys, attempt, finance
) -> None:
    for _ in range(20):
        attempt(worst(keys), "FIN")
    view = published(session, finance)
    assert view.takers == 0 and not view.self_view.shown


@pytest.mark.postgres
def test_a_member_counts_once_per_quarter_with_the_latest_attempt(
    session, keys, attempt, finance
) -> None:
    for n in range(5):
        attempt(best(keys), "FIN", member=f"person:{n}")
    # person:0 takes it again (a new series through the invitation link): the newest replaces.
    attempt(worst(keys), "FIN", member="person:0", day=date(2026, 6, 1))
    view = published(session, finance)
    assert view.takers == 5
    assert view.self_view.value == pytest.approx(80.0)  # a 100 replaced by a 0
    # The next quarter is a period of its own: the same person counts there again, once.
    attempt(worst(keys), "FIN", member="person:1", day=date(2026, 7, 2))
    assert published(session, finance).self_view.value == pytest.approx(80.0)
    later = published(session, finance, today=date(2026, 10, 1), quarter="2026Q3")
    assert later.takers == 1 and not later.self_view.shown


def test_nothing_is_published_before_the_quarter_ends(session, keys, attempt, finance) -> None:
    for n in range(6):
        attempt(best(keys) if n % 2 else worst(keys), "FIN", member=f"person:{n}")
    during = published(session, finance, today=date(2026, 6, 30))
    assert during.takers == 0 and not during.self_view.shown and during.self_view.value is None
    assert published(session, finance).self_view.shown


def test_a_self_view_too_near_an_end_of_the_scale_is_hidden(
    session, keys, attempt, finance
) -> None:
    """Five members who all scored 100: a published 100 would tell each one's score. The
    same rule as for the dimension means (``anonymity.share_is_certain``) hides it, and with
    it every practice row."""
    for n in range(5):
        attempt(best(keys), "FIN", member=f"person:{n}")
    view = published(session, finance)
    assert view.takers == 5 and not view.self_view.shown
    assert view.self_view.reason == "certain" and view.practices == ()
    attempt(worst(keys), "FIN", member="person:5")  # a sixth member, at 0: 500 of 600
    shown = published(session, finance)
    assert shown.self_view.shown and shown.self_view.value == pytest.approx(500 / 6)


def test_k_is_the_settings(session, keys, attempt, finance) -> None:
    for n in range(3):
        attempt(worst(keys) if n % 2 else best(keys), "FIN", member=f"person:{n}")
    assert not published(session, finance, k=4).self_view.shown
    assert published(session, finance, k=3).self_view.shown


def test_other_departments_do_not_count(session, keys, attempt, finance, make_department) -> None:
    make_department(code="OPS", name="Operations")
    for n in range(5):
        attempt(best(keys), "OPS", member=f"person:{n}")
    assert published(session, finance).takers == 0


def test_result_page_never_shows_a_department_figure(client, keys, attempt, finance) -> None:
    for n in range(4):
        attempt(best(keys), "FIN", member=f"person:{n}")
    key = attempt(worst(keys), "FIN", member="person:9")
    page = unescape(client.get(f"/quiz/r/{key}").get_data(as_text=True))
    assert "You named Finance" in page
    assert "at least 5 of its members" in page
    assert "Your department's average" not in page
    section = page.split('id="department-heading"')[1].split("</section>")[0]
    assert "80" not in section and "100" not in section


def test_scorecards_read_the_members_latest_attempts(session, keys, attempt, finance) -> None:
    from survey.scorecards.services import scorecard_data as data

    attempt(best(keys), "FIN", member="person:1")
    attempt(worst(keys), "FIN")  # anonymous: not read
    view = data.member_self_view(session, finance.id, Q, today=AFTER)
    assert view.takers == 1
    assert view.overall == (100.0,)
    assert set(view.practices) == {k.practice for k in keys}
    assert data.member_self_view(session, finance.id, Q, today=DAY).takers == 0


def test_the_scorecard_publishes_the_self_view_by_the_pages_clock(
    session, keys, attempt, finance
) -> None:
    """A scorecard built for a moment inside the quarter shows no self-view, whatever the
    real clock says (the page's ``now`` decides when the quarter has ended, as for every
    other figure of the page); built for the day after, it shows the members' average."""
    from datetime import UTC, datetime

    from survey.scorecards.services.scorecards import Settings, build_scorecard

    for n in range(5):
        attempt(worst(keys) if n % 2 else best(keys), "FIN", member=f"person:{n}")
    session.commit()
    during, _p = build_scorecard(
        session,
        finance,
        Q,
        Settings(),
        now=datetime(2026, 6, 30, 23, 0, tzinfo=UTC),
        fallback=False,
    )
    assert during.gap.takers == 0 and not during.gap.self_view.shown
    after, _p = build_scorecard(
        session, finance, Q, Settings(), now=datetime(2026, 7, 1, 0, 30, tzinfo=UTC), fallback=False
    )
    assert after.gap.takers == 5 and after.gap.self_view.shown
    assert after.gap.self_view.value == pytest.approx(60.0)  # three at 100, two at 0
