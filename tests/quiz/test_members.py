"""Who counts as a member: a personal quiz invitation that is open, or a signed-in user of a
department; an expired invitation leads to the anonymous quiz; the pseudonym is keyed and
per quarter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from survey.models import QuizAttempt
from survey.quiz.services import member_key
from tests.conftest import csrf_token
from tests.factories import invitation_link
from tests.quiz.conftest import best, form_data, key_of


def _invite(session, person, days: int = 30) -> str:  # type: ignore[no-untyped-def]
    now = datetime.now(UTC)
    return invitation_link(
        session, person, "quiz", now + timedelta(days=days), now=now - timedelta(days=40)
    )


@pytest.mark.postgres
def test_an_invited_person_counts_once_per_quarter(
    client, session, quiz, keys, take, make_department, make_person
) -> None:
    fin = make_department(code="FIN", name="Finance")
    make_department(code="OPS", name="Operations")
    person = make_person(department=fin)
    link = f"/quiz/i/{_invite(session, person)}"
    # The form names another department: a member's attempt is about their own.
    key_of(take(best(keys), url=link, department="OPS"))
    key_of(take(best(keys), url=link))
    session.expire_all()
    rows = list(session.scalars(select(QuizAttempt)))
    assert len(rows) == 2 and {a.department_id for a in rows} == {fin.id}
    assert sum(1 for a in rows if a.member_key) == 1  # the latest holds the key
    [latest] = [a for a in rows if a.member_key]
    assert latest.member_key == member_key("test-secret-key", f"person:{person.id}", latest.quarter)


def test_an_expired_invitation_leads_to_the_anonymous_quiz(
    client, session, quiz, make_department, make_person
) -> None:
    person = make_person(department=make_department())
    token = _invite(session, person, days=-1)
    # The public quiz at the link's own address (a POST keeps its answers); nothing of the
    # person goes with it.
    for url in (f"/quiz/i/{token}", "/quiz/i/not-a-token"):
        response = client.get(url)
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert f'action="{url}"' in page or url in page
        assert person.name not in page


@pytest.mark.postgres
def test_a_signed_in_member_counts_for_their_department(
    client, session, quiz, keys, take, make_user, sign_in
) -> None:
    manager = make_user("manager")
    sign_in(manager)
    step3 = client.get("/quiz").get_data(as_text=True)
    assert 'name="department"' not in step3  # a member is not asked for a department
    page = client.post(
        "/quiz",
        data={
            "csrf_token": csrf_token(client, "/quiz"),
            "step": "2",
            "go": "next",
            **form_data(best(keys)),
        },
    ).get_data(as_text=True)
    assert "You are signed in" in page and "<select" not in page
    key_of(take(best(keys)))
    session.expire_all()
    [attempt] = session.scalars(select(QuizAttempt))
    assert attempt.department_id == manager.department_id
    assert attempt.member_key == member_key(
        "test-secret-key", f"user:{manager.id}", attempt.quarter
    )


def test_the_pseudonym_changes_with_the_quarter_and_the_secret() -> None:
    a = member_key("s1", "person:1", "2026Q1")
    assert a != member_key("s1", "person:1", "2026Q2")
    assert a != member_key("s2", "person:1", "2026Q1")
    assert a == member_key("s1", "person:1", "2026Q1") and len(a) == 64


def test_an_account_erased_this_quarter_and_back_is_no_member(app, session, make_user) -> None:
    """Attack 33 through the signed-in door: an erased person's account was deleted; made
    again this quarter, with the person imported again, it would be a second member of a
    quarter their first self may have taken the quiz in."""
    from survey.quiz.services import account_member
    from tests.factories import erase

    make_user("admin")
    manager = make_user("manager")
    email, department_id = manager.email, manager.department_id
    erase(app, email)
    session.rollback()
    session.expunge_all()  # SQLite gives the deleted account's id to the next one
    back = make_user("manager", email=email, department_id=department_id)
    with app.app_context():
        assert account_member(session, back.id, email, department_id) is None
        later = datetime.now(UTC).date() + timedelta(days=100)
        member = account_member(session, back.id, email, department_id, today=later)
    assert member is not None and member.subject == f"user:{back.id}"


@pytest.mark.postgres
def test_a_member_counts_once_across_a_change_of_the_secret_key(
    app, client, session, quiz, keys, take, make_department, make_person
) -> None:
    """The README: with ``SURVEY_PSEUDONYM_KEY`` set, pseudonyms do not depend on the secret
    key, so an operator can change the secret key mid-quarter (after a leak) without counting
    anyone twice. Member keys were made with the secret key alone: a member who took the quiz
    before the change and again after it held two keys, two members of the department's
    self-view (its k gate filled by one person twice). They now follow the pseudonym key, and
    an attempt keyed the old way (before this change) is taken over like any older one."""
    fin = make_department(code="FIN", name="Finance")
    person = make_person(department=fin)
    link = f"/quiz/i/{_invite(session, person)}"
    app.config["PSEUDONYM_KEY"] = "p" * 32
    key_of(take(best(keys), url=link))
    app.config["SECRET_KEY"] = "a new secret key of thirty-two characters"
    key_of(take(best(keys), url=link))
    session.expire_all()
    rows = list(session.scalars(select(QuizAttempt)))
    assert len(rows) == 2 and sum(1 for a in rows if a.member_key) == 1
    [latest] = [a for a in rows if a.member_key]
    assert latest.member_key == member_key("p" * 32, f"person:{person.id}", latest.quarter)


def test_an_attempt_keyed_by_the_secret_key_is_taken_over_once_a_pseudonym_key_is_set(
    app, client, session, quiz, keys, take, make_department, make_person
) -> None:
    """An installation that set ``SURVEY_PSEUDONYM_KEY`` before member keys followed it holds
    this quarter's attempts under the secret key: a retake after the upgrade still makes one
    member, not two."""
    person = make_person(department=make_department(code="FIN", name="Finance"))
    link = f"/quiz/i/{_invite(session, person)}"
    key_of(take(best(keys), url=link))  # keyed by the secret key: no pseudonym key yet
    app.config["PSEUDONYM_KEY"] = "p" * 32
    key_of(take(best(keys), url=link))
    session.expire_all()
    assert sum(1 for a in session.scalars(select(QuizAttempt)) if a.member_key) == 1
