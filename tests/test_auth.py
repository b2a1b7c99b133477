"""Sign-in, sign-out, throttling, sessions and redirects."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from survey.accounts.services.sign_in import SignInLocked, ThrottlePolicy, authenticate
from survey.accounts.views import safe_next
from survey.models import SignInThrottle
from survey.models.base import utcnow
from survey.services.accounts import set_password
from tests.conftest import PASSWORD, post_form


@pytest.mark.postgres
def test_sign_in_and_out(client, make_user, session) -> None:
    user = make_user("viewer")
    response = post_form(
        client, "/auth/sign-in", {"email": user.email.upper(), "password": PASSWORD}
    )
    assert response.status_code == 302
    assert "Sign out" in client.get("/").get_data(as_text=True)
    post_form(client, "/auth/sign-out", {}, follow_redirects=False)
    assert "Sign out" not in client.get("/").get_data(as_text=True)


def test_wrong_password_keeps_the_email_and_says_so(client, make_user) -> None:
    user = make_user("viewer")
    response = post_form(client, "/auth/sign-in", {"email": user.email, "password": "nope"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "not right" in html and user.email in html


def test_session_is_renewed_at_sign_in(client, make_user) -> None:
    user = make_user("viewer")
    client.get("/auth/sign-in")
    with client.session_transaction() as s:
        s["planted"] = "by an attacker"
    post_form(client, "/auth/sign-in", {"email": user.email, "password": PASSWORD})
    with client.session_transaction() as s:
        assert "planted" not in s


def test_sign_in_without_csrf_token_is_refused(client, make_user) -> None:
    user = make_user("viewer")
    response = client.post("/auth/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "Sign out" not in client.get("/").get_data(as_text=True)


def test_throttling_locks_after_repeated_failures(client, make_user, app) -> None:
    user = make_user("viewer")
    app.config["SIGNIN_MAX_FAILURES"] = 3
    for _ in range(3):
        post_form(client, "/auth/sign-in", {"email": user.email, "password": "wrong"})
    response = post_form(client, "/auth/sign-in", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed attempts" in response.get_data(as_text=True)


@pytest.mark.postgres
def test_lock_expires_and_unknown_accounts_are_throttled_alike(session, make_user) -> None:
    user = make_user("viewer")
    policy = ThrottlePolicy(max_failures=2, lock_seconds=60)
    now = utcnow()
    for who in (user.email, "nobody@example.com"):
        for _ in range(2):
            assert authenticate(session, who, "bad", "10.0.0.1", policy, now) is None
        with pytest.raises(SignInLocked):
            authenticate(session, who, PASSWORD, "10.0.0.1", policy, now)
    later = now + timedelta(seconds=61)
    assert authenticate(session, user.email, PASSWORD, "10.0.0.2", policy, later) == user
    keys = set(session.scalars(select(SignInThrottle.key)))
    assert f"account:{user.email}" not in keys  # cleared by the success


def test_office_behind_one_address_is_not_locked_by_one_person(session, make_user) -> None:
    alice, bob = make_user("viewer"), make_user("viewer")
    policy = ThrottlePolicy(max_failures=3, lock_seconds=60)
    now = utcnow()
    for _ in range(3):
        authenticate(session, alice.email, "bad", "192.0.2.1", policy, now)
    assert authenticate(session, bob.email, PASSWORD, "192.0.2.1", policy, now) == bob


def test_password_change_signs_out_other_sessions(app, client, make_user, sign_in, session) -> None:
    user = make_user("admin")
    sign_in(user)
    assert client.get("/admin/").status_code == 200
    set_password(session, session.merge(user), "another long password")
    session.commit()
    assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize(
    ("target", "allowed"),
    [
        ("/admin/people?page=2", True),
        ("//evil.example/x", False),
        ("https://evil.example/", False),
        ("/\\evil.example", False),
        ("javascript:alert(1)", False),
        ("admin", False),
        ("/ok\r\nSet-Cookie: x", False),
        ("", False),
    ],
)
def test_next_accepts_only_local_paths(target: str, allowed: bool) -> None:
    assert (safe_next(target) == target) is allowed


def test_sign_in_redirects_to_next(client, make_user) -> None:
    user = make_user("admin")
    response = post_form(
        client,
        "/auth/sign-in",
        {"email": user.email, "password": PASSWORD, "next": "//evil.example/"},
    )
    assert response.headers["Location"] == "/admin/"
