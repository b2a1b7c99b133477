"""Attacks on the quiz's item analysis (``/admin/quiz/analysis``), through the real pages.

The page once counted every attempt, anonymous ones included, live and per option, behind
a gate of "k attempts in total". Two attacks recovered a colleague's answers exactly:
(i) padding: the administrator takes the public quiz k - 1 times himself; the first real
taker lifts the total to k and the administrator subtracts his own answers; (ii) live
difference: read the page, a known colleague takes the quiz, read again; the counts that
rose by one are that person's answers. Both must learn nothing: the analysis covers ended
quarters only, counts verified people (once each), and shows an option's count only when
at least k people lie on each side of it.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from survey.models import Department, Questionnaire, User
from survey.periods import quarter_bounds, quarter_of, shift_quarter
from survey.quiz.scoring import FREQUENCY, ItemKey
from survey.quiz.services import Member, start_attempt
from tests.conftest import csrf_token

NONCE = re.compile(r'nonce="[^"]*"|name="csrf_token"[^>]*value="[^"]*"')
SECTION = re.compile(r'<section class="card quiz-analysis-item">(.*?)</section>', re.S)
COUNT = re.compile(r'<td class="num">([\d,]+)</td>')
K = 5


def answers(keys: list[ItemKey], seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    return {
        k.code: rng.randint(1, 5) if k.kind == FREQUENCY else rng.randrange(len(k.ratings))
        for k in keys
    }


def take(client: FlaskClient, given: Mapping[str, int], department: str = "") -> None:
    """The quiz form posted as a browser would (anonymous, or as the client's signed-in user)."""
    data = {"csrf_token": csrf_token(client, "/quiz"), "department": department}
    data.update({code: str(value) for code, value in given.items()})
    response = client.post("/quiz", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def page(client: FlaskClient, quarter: str | None = None) -> str:
    url = "/admin/quiz/analysis" + (f"?quarter={quarter}" if quarter else "")
    response = client.get(url)
    assert response.status_code == 200
    return NONCE.sub("", response.get_data(as_text=True))


def counts(html: str) -> dict[str, tuple[int, ...]]:
    """Item code -> the option counts the page prints (hidden ones print no number)."""
    out = {}
    for section in SECTION.findall(html):
        code = re.search(r"<h2>\d+\. (\S+)", section).group(1)  # type: ignore[union-attr]
        out[code] = tuple(int(x.replace(",", "")) for x in COUNT.findall(section))
    return out


def previous_quarter() -> tuple[str, date]:
    """The quarter before today's (ended, so releasable) and a day inside it."""
    quarter = shift_quarter(quarter_of(datetime.now(UTC).date()), -1)
    return quarter, quarter_bounds(quarter)[0] + timedelta(days=10)


def store(
    app: Flask,
    session: Session,
    quiz: Questionnaire,
    given: Mapping[str, int],
    day: date,
    member: Member | None = None,
) -> None:
    """An attempt taken on ``day`` (a past quarter: the pages cannot travel in time)."""
    with app.app_context():
        start_attempt(session, quiz, given, today=day, member=member)
    session.commit()


@pytest.fixture
def ops(make_department: Callable[..., Department]) -> Department:
    return make_department(code="OPS", name="Operations")


def signed_in(app: Flask, sign_in: Callable[..., FlaskClient], user: User) -> FlaskClient:
    return sign_in(user, on=app.test_client())


def test_padding_with_own_anonymous_attempts_shows_nothing_of_the_first_taker(
    app: Flask, admin_client: FlaskClient, session: Session, quiz, keys, ops, make_user, sign_in
) -> None:
    own = [answers(keys, seed) for seed in range(K - 1)]
    for given in own:
        take(app.test_client(), given)  # the administrator, anonymously, k - 1 times
    current = quarter_of(datetime.now(UTC).date())
    before = [page(admin_client), page(admin_client, current)]

    manager = make_user("manager", department_id=ops.id)
    take(signed_in(app, sign_in, manager), answers(keys, 99))  # the first real taker

    after = [page(admin_client), page(admin_client, current)]
    assert after == before
    assert all(counts(html) == {} for html in after), "figures of the quarter in progress"


def test_reading_before_and_after_a_colleagues_attempt_shows_the_same_page(
    app: Flask, admin_client: FlaskClient, session: Session, quiz, keys, ops, make_user, sign_in
) -> None:
    # A released quarter with enough people to show something, and a busy quarter in progress.
    quarter, day = previous_quarter()
    for n in range(6 * K):
        store(app, session, quiz, answers(keys, n), day, Member(f"person:{n}", ops.id))
    for n in range(10):
        take(app.test_client(), answers(keys, 100 + n), "OPS")
        member = make_user("manager", department_id=ops.id)
        take(signed_in(app, sign_in, member), answers(keys, 200 + n))
    current = quarter_of(datetime.now(UTC).date())
    urls = [None, quarter, current]
    before = [page(admin_client, q) for q in urls]
    assert any(counts(before[0]).values())  # the released quarter shows figures: still of use
    assert counts(before[0]) == counts(before[1])

    colleague = make_user("manager", department_id=ops.id)
    take(signed_in(app, sign_in, colleague), answers(keys, 1234), "OPS")
    take(app.test_client(), answers(keys, 4321), "OPS")

    assert [page(admin_client, q) for q in urls] == before
    assert counts(before[2]) == {}


@pytest.mark.parametrize("own_kind", ["anonymous", "accounts"])
def test_k_minus_one_own_attempts_and_one_colleague_show_nothing_of_the_colleague(
    app: Flask, admin_client: FlaskClient, session: Session, quiz, keys, ops, own_kind: str
) -> None:
    """In a released quarter: the administrator's k - 1 attempts (anonymous, or under k - 1
    accounts of the department he made himself), then one colleague. Whatever the colleague
    answered, the page is the same (two worlds that differ only in the colleague's answers)."""
    quarter, day = previous_quarter()
    for n in range(K - 1):
        mine = Member(f"user:{9000 + n}", ops.id) if own_kind == "accounts" else None
        store(app, session, quiz, answers(keys, n), day, mine)
    colleague = Member("person:1", ops.id)
    store(app, session, quiz, answers(keys, 1), day, colleague)
    first = page(admin_client, quarter)
    # The colleague's latest attempt of the quarter is the one that counts: world B.
    store(app, session, quiz, answers(keys, 2), day + timedelta(days=1), colleague)
    second = page(admin_client, quarter)
    assert first == second
    assert not any(counts(first).values()), "an option count over the colleague and k - 1 own"


def test_the_quarter_picker_does_not_tell_that_someone_took_the_quiz(
    app: Flask, admin_client: FlaskClient, session: Session, quiz, keys, ops
) -> None:
    """The picker offered every ended quarter in which some member took the quiz: one known
    colleague's attempt, the quarter before last, put that quarter on the page. It offers only
    quarters whose analysis shows something (k members), so one attempt, or k - 1, change
    nothing; k members put the quarter there, the picker still of use."""
    last, _day = previous_quarter()
    before_last = shift_quarter(last, -1)
    old_day = quarter_bounds(before_last)[0] + timedelta(days=10)
    empty = page(admin_client)
    assert f'<option value="{before_last}"' not in empty
    for n in range(K - 1):
        store(app, session, quiz, answers(keys, n), old_day, Member(f"person:{n}", ops.id))
        assert page(admin_client) == empty, f"{n + 1} member(s) who took the quiz"
    store(app, session, quiz, answers(keys, K), old_day, Member(f"person:{K}", ops.id))
    assert f'<option value="{before_last}"' in page(admin_client)


def test_the_quiz_page_does_not_count_a_colleagues_attempt_live(
    app: Flask, admin_client: FlaskClient, session: Session, quiz, keys, ops, make_user, sign_in
) -> None:
    """The quiz items page counted attempts per scoring version, live ("Nobody has taken the
    quiz yet", then 1): read before and after a known colleague takes the quiz, it told that
    they had. It counts only ended quarters with at least k attempts: the same page, before
    and after; and a released quarter of k members is counted, the table still of use."""
    _last, day = previous_quarter()
    before = page_of(admin_client, "/admin/quiz")
    colleague = make_user("manager", department_id=ops.id)
    take(signed_in(app, sign_in, colleague), answers(keys, 7))
    take(app.test_client(), answers(keys, 8), "OPS")
    assert page_of(admin_client, "/admin/quiz") == before
    for n in range(K - 1):
        store(app, session, quiz, answers(keys, n), day, Member(f"person:{n}", ops.id))
    assert page_of(admin_client, "/admin/quiz") == before, "fewer than k in a released quarter"
    store(app, session, quiz, answers(keys, K), day, Member(f"person:{K}", ops.id))
    assert page_of(admin_client, "/admin/quiz") != before


def page_of(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return NONCE.sub("", response.get_data(as_text=True))
