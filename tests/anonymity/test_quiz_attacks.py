"""Attacks 4 and 5 of the anonymity audit, tried on the quiz through the real pages.

Attack 4: four anonymous attempts naming a department, then one member's attempt; the
attacker reads their own result page and the department's scorecard, hoping the average
moved by exactly the member's answers. And twenty anonymous posts try to move a self-view.
Attack 5: consecutive self-views differenced to isolate one taker (a rolling window did
that). Both must fail: anonymous attempts count nowhere, the result page shows no department
figure, a self-view is published only for an ended quarter, and quarters do not overlap.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import object_session

from analysis.scorecard import PerceptionGap
from analysis.scorecard_results import Settings
from survey.extensions import limiter
from survey.models import Questionnaire, QuizAttempt
from survey.periods import quarter_bounds, quarter_of, shift_quarter
from survey.quiz.services import item_keys, live_items
from survey.scorecards.services import scorecard_data
from survey.scorecards.services.scorecards import build_scorecard
from tests.conftest import csrf_token
from tests.factories import best_answer, invitation_link, worst_answer

KEY_IN_URL = re.compile(r"/quiz/r/([A-Za-z0-9_-]+)$")
NONCE = re.compile(r'nonce="[^"]*"|name="csrf_token"[^>]*value="[^"]*"')


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "RATELIMIT_ENABLED": True}


@pytest.fixture(autouse=True)
def fresh_counters(app) -> None:  # type: ignore[no-untyped-def]
    limiter.reset()


@pytest.fixture
def facilities(make_department):  # type: ignore[no-untyped-def]
    return make_department(code="FAC", name="Facilities")


_ANSWERS: dict[tuple[int, bool], dict[str, str]] = {}


def _answers(quiz: Questionnaire, best: bool) -> dict[str, str]:
    """The best or worst answers as form values (read once; the test's session then ends its
    read so that the app's requests can write to SQLite)."""
    cached = _ANSWERS.get((id(quiz), best))
    if cached is None:
        keys = item_keys(live_items(quiz))
        cached = {k.code: str(best_answer(k) if best else worst_answer(k)) for k in keys}
        _ANSWERS[(id(quiz), best)] = cached
        session = object_session(quiz)
        if session is not None:
            session.commit()
    return cached


def _post(client, url: str, answers: dict[str, str], address: str, **extra: str):  # type: ignore[no-untyped-def]
    token = csrf_token(client, url)
    return client.post(
        url,
        data={"csrf_token": token, **answers, **extra},
        environ_base={"REMOTE_ADDR": address},
    )


def _key(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    match = KEY_IN_URL.search(response.headers["Location"])
    assert match
    return match.group(1)


def _invite(session, person) -> str:  # type: ignore[no-untyped-def]
    return invitation_link(session, person, "quiz", datetime.now(UTC) + timedelta(days=30))


def _published(  # type: ignore[no-untyped-def]
    session, department, quarter: str, k: int, on: date
) -> PerceptionGap:
    """The self-view section of ``department``'s scorecard for ``quarter`` as the page
    builds it at noon UTC on ``on`` with the gate ``k``."""
    session.expire_all()
    now = datetime.combine(on, time(12), tzinfo=UTC)
    card, _priors = build_scorecard(
        session, department, quarter, Settings(k=k), now=now, fallback=False
    )
    return card.gap


def _page(client, url: str) -> str:  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200
    return NONCE.sub("", response.get_data(as_text=True))


@pytest.mark.postgres
def test_attack4_anonymous_attempts_then_one_member_reveal_nothing(
    app, client, session, quiz, facilities, make_person, make_user, sign_in
) -> None:
    attacker = app.test_client()
    keys = [
        _key(_post(attacker, "/quiz", _answers(quiz, best=True), "10.0.0.9", department="FAC"))
        for _ in range(4)
    ]
    session.commit()
    viewer = app.test_client()
    sign_in(make_user("viewer"), on=viewer)
    current = quarter_of(datetime.now(UTC).date())
    scorecard_urls = ["/scorecards/FAC", f"/scorecards/FAC?quarter={current}"]
    result_before = _page(attacker, f"/quiz/r/{keys[-1]}")
    cards_before = [_page(viewer, url) for url in scorecard_urls]

    member = make_person(department=facilities)
    link = f"/quiz/i/{_invite(session, member)}"
    member_client = app.test_client()
    assert f'action="{link}"' in _page(member_client, link)
    member_key = _key(_post(member_client, link, _answers(quiz, best=False), "10.0.0.20"))

    # The attacker's page and the scorecards are exactly as they were: nothing moved.
    assert _page(attacker, f"/quiz/r/{keys[-1]}") == result_before
    assert [_page(viewer, url) for url in scorecard_urls] == cards_before
    # The member's attempt counts (as a member), the attacker's four do not.
    session.expire_all()
    rows = list(session.scalars(select(QuizAttempt).where(QuizAttempt.department_id.is_not(None))))
    assert sum(1 for a in rows if a.member_key) == 1
    assert len(rows) == 5
    nxt = quarter_bounds(shift_quarter(current, 1))[0]
    view = _published(session, facilities, current, 1, on=nxt)
    assert view.takers == 1  # had the anonymous four counted, five would pass the gate at k=5
    assert not _published(session, facilities, current, 5, on=nxt).self_view.shown
    # The member's own result page shows their own scores and no department figure either.
    member_page = _page(member_client, f"/quiz/r/{member_key}")
    assert "Your department's average" not in member_page


@pytest.mark.postgres
def test_attack4_twenty_anonymous_posts_do_not_move_the_self_view(
    app, session, quiz, facilities, make_person
) -> None:
    current = quarter_of(datetime.now(UTC).date())
    published_on = quarter_bounds(shift_quarter(current, 1))[0]
    for n in range(5):
        person = make_person(department=facilities)
        member = app.test_client()
        link = f"/quiz/i/{_invite(session, person)}"
        _key(_post(member, link, _answers(quiz, best=n % 2 == 0), f"10.1.0.{n}"))
    before = _published(session, facilities, current, 5, on=published_on)
    assert before.self_view.shown and before.takers == 5
    assert before.self_view.value == pytest.approx(60.0)  # three at 100, two at 0

    flood = app.test_client()
    statuses = [
        _post(
            flood, "/quiz", _answers(quiz, best=False), f"10.2.0.{n}", department="FAC"
        ).status_code
        for n in range(20)
    ]
    assert statuses == [302] * 20  # each gets its own result...
    session.expire_all()
    after = _published(session, facilities, current, 5, on=published_on)
    assert after == before  # ...and moves nothing
    data_view = scorecard_data.member_self_view(session, facilities.id, current, published_on)
    assert data_view.takers == 5
    # Before the quarter ends nothing is published at all.
    assert not _published(session, facilities, current, 5, on=date.today()).self_view.shown


def test_anonymous_quiz_posts_are_rate_limited(app, quiz, facilities) -> None:
    taker = app.test_client()
    statuses = [
        _post(taker, "/quiz", _answers(quiz, best=True), "10.3.0.1").status_code for _ in range(11)
    ]
    assert statuses[:10] == [302] * 10
    assert statuses[10] == 429
    # Moving between steps stores nothing and is not counted.
    step = _post(taker, "/quiz", _answers(quiz, best=True), "10.3.0.1", step="1", go="next")
    assert step.status_code == 200
    # Another address is still served.
    assert _post(taker, "/quiz", _answers(quiz, best=True), "10.3.0.2").status_code == 302


@pytest.mark.postgres
def test_attack5_consecutive_self_views_do_not_overlap(
    app, session, quiz, facilities, make_person, make_user, sign_in
) -> None:
    from survey.quiz.services import Member, start_attempt

    q1, q2 = "2026Q1", "2026Q2"
    keys = item_keys(live_items(quiz))
    scores = [100, 0, 100, 0, 100]
    with app.app_context():
        for n, best in enumerate(scores):
            answers = {k.code: best_answer(k) if best else worst_answer(k) for k in keys}
            start_attempt(
                session,
                quiz,
                answers,
                member=Member(f"person:{n}", facilities.id),
                today=date(2026, 2, 10),
            )
        # One new member in the next quarter, scoring 0; the others do not retake.
        start_attempt(
            session,
            quiz,
            {k.code: worst_answer(k) for k in keys},
            member=Member("person:new", facilities.id),
            today=date(2026, 5, 10),
        )
    session.commit()
    first = _published(session, facilities, q1, 5, on=date(2026, 7, 1))
    second = _published(session, facilities, q2, 5, on=date(2026, 7, 1))
    assert first.self_view.shown and first.takers == 5
    assert first.self_view.value == pytest.approx(60.0)
    # A rolling window would publish 6 takers at 50.0, and 6 · 50 − 5 · 60 = 0 is the new
    # taker's score. Fixed quarters: the second period holds one taker and is not published.
    assert second.takers == 1 and not second.self_view.shown and second.self_view.value is None
    assert scorecard_data.member_self_view(session, facilities.id, q2, date(2026, 7, 1)).takers == 1

    viewer = app.test_client()
    sign_in(make_user("viewer"), on=viewer)
    page = _page(viewer, f"/scorecards/FAC?quarter={q2}")
    assert "The team's own view" not in page


def _take_by_invitation(app, session, quiz, person, best: bool, n: int) -> None:  # type: ignore[no-untyped-def]
    """``person`` takes the quiz through their own invitation, from address 10.4.0.``n``."""
    link = f"/quiz/i/{_invite(session, person)}"
    _key(_post(app.test_client(), link, _answers(quiz, best=best), f"10.4.0.{n}"))


@pytest.mark.postgres
def test_attack32_one_person_through_two_doors_is_one_member(
    app, session, quiz, facilities, make_person, make_user, sign_in
) -> None:
    """A manager is in the directory (a quiz invitation comes to their address) and has an
    account of the department. Three colleagues take the quiz, the manager takes it through
    the invitation and again signed in: five members' attempts, but four people. Counted as
    five members, a self-view of four people passed k = 5, and the manager, who knows both of
    their own answers, took the published average for a group of five."""
    current = quarter_of(datetime.now(UTC).date())
    published_on = quarter_bounds(shift_quarter(current, 1))[0]
    for n in range(3):
        _take_by_invitation(app, session, quiz, make_person(department=facilities), True, n)
    manager_person = make_person(email="lead.facilities@example.com", department=facilities)
    _take_by_invitation(app, session, quiz, manager_person, False, 9)
    manager = make_user("manager", email="lead.facilities@example.com", department_id=facilities.id)
    signed_in = sign_in(manager, on=app.test_client())
    _key(_post(signed_in, "/quiz", _answers(quiz, best=False), "127.0.0.1"))
    session.expire_all()
    counted = session.scalars(select(QuizAttempt).where(QuizAttempt.member_key.is_not(None)))
    assert len(list(counted)) == 4  # the manager's newest attempt stands for both

    view = _published(session, facilities, current, 4, on=published_on)
    assert view.takers == 4
    assert not _published(session, facilities, current, 5, on=published_on).self_view.shown
    # The newest attempt stands for the manager: still four members after a retake.
    _key(_post(signed_in, "/quiz", _answers(quiz, best=True), "127.0.0.1"))
    assert _published(session, facilities, current, 4, on=published_on).takers == 4


@pytest.mark.postgres
def test_attack32_an_account_before_its_person_is_one_member(
    app, session, quiz, facilities, make_person, make_user, sign_in
) -> None:
    """The other order: the manager's account takes the quiz before the directory holds
    their person (an import later in the quarter), then the person's invitation comes. The
    account's attempt was ``user:<id>``, the invitation's ``person:<id>``: two members."""
    current = quarter_of(datetime.now(UTC).date())
    published_on = quarter_bounds(shift_quarter(current, 1))[0]
    manager = make_user("manager", email="lead.fac@example.com", department_id=facilities.id)
    signed_in = sign_in(manager, on=app.test_client())
    _key(_post(signed_in, "/quiz", _answers(quiz, best=False), "127.0.0.1"))
    for n in range(3):
        _take_by_invitation(app, session, quiz, make_person(department=facilities), True, n)
    person = make_person(email="lead.fac@example.com", department=facilities)
    _take_by_invitation(app, session, quiz, person, False, 9)
    assert _published(session, facilities, current, 4, on=published_on).takers == 4
