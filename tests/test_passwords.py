"""Passwords: the owner's change, the emailed single-use reset link (request page that tells
nothing and is rate-limited), the administrator's reset and the set-password command."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from survey.extensions import limiter
from survey.models import OutboxMessage, PasswordReset, User
from survey.models.base import utcnow
from survey.security import verify_secret
from tests.conftest import PASSWORD, post_form

NEW = "a fresh long password"
BASE = "http://localhost"
LINK = re.compile(r"http://localhost(/auth/reset/[A-Za-z0-9_-]{22})")


def _mails(session, to: str) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    session.rollback()
    return list(
        session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.to_addr.contains(to),
                OutboxMessage.purpose == "account:password_reset",
            )
        )
    )


def _fresh(session, user: User) -> User:  # type: ignore[no-untyped-def]
    session.rollback()
    session.expire_all()
    found = session.get(User, user.id)
    assert found is not None
    return found


def _signs_in(app, email: str, password: str) -> bool:  # type: ignore[no-untyped-def]
    other = app.test_client()
    return (
        post_form(other, "/auth/sign-in", {"email": email, "password": password}).status_code == 302
    )


@pytest.mark.postgres
def test_reset_by_email_link_once(app, client, make_user, session) -> None:
    user = make_user("viewer")
    page = post_form(client, "/auth/forgot", {"email": user.email.upper()})
    assert page.status_code == 200 and "If an account exists" in page.get_data(as_text=True)
    [mail] = _mails(session, user.email)
    path = LINK.search(mail.body_text).group(1)
    assert session.scalar(select(func.count()).select_from(PasswordReset)) == 1
    # Opening the link changes nothing.
    assert client.get(path).status_code == 200
    assert verify_secret(_fresh(session, user).password_hash, PASSWORD)
    done = post_form(client, path, {"new_password": NEW, "confirm": NEW})
    assert done.status_code == 302 and done.headers["Location"].endswith("/auth/sign-in")
    assert _signs_in(app, user.email, NEW) and not _signs_in(app, user.email, PASSWORD)
    # Single use.
    assert client.get(path).status_code == 404
    again = post_form(
        client, path, {"new_password": "yet another password", "confirm": "yet another password"}
    )
    assert again.status_code == 404
    assert _signs_in(app, user.email, NEW)


def test_reset_link_expires_and_only_newest_counts(app, client, make_user, session) -> None:
    from survey.accounts.services.passwords import issue_password_reset

    user = make_user("viewer")
    old = issue_password_reset(session, session.merge(user))
    newer = issue_password_reset(session, session.merge(user))
    session.commit()
    assert client.get(f"/auth/reset/{old}").status_code == 404
    assert client.get(f"/auth/reset/{newer}").status_code == 200
    session.execute(
        PasswordReset.__table__.update().values(expires_at=utcnow() - timedelta(seconds=1))
    )
    session.commit()
    response = post_form(client, f"/auth/reset/{newer}", {"new_password": NEW, "confirm": NEW})
    assert response.status_code == 404
    assert verify_secret(_fresh(session, user).password_hash, PASSWORD)


def test_request_page_does_not_tell_whether_an_account_exists(client, make_user, session) -> None:
    user = make_user("viewer")
    known = post_form(client, "/auth/forgot", {"email": user.email}).get_data(as_text=True)
    unknown = post_form(client, "/auth/forgot", {"email": "nobody@example.com"}).get_data(
        as_text=True
    )
    strip = lambda html: re.sub(r'name="csrf_token"[^>]*', "", html)  # noqa: E731
    assert strip(known) == strip(unknown)
    assert _mails(session, "nobody@example.com") == []
    assert len(_mails(session, user.email)) == 1


def test_one_mail_per_account_per_interval(client, make_user, session) -> None:
    user = make_user("viewer")
    for _ in range(4):
        assert post_form(client, "/auth/forgot", {"email": user.email}).status_code == 200
    assert len(_mails(session, user.email)) == 1


def test_request_page_is_rate_limited_per_address(app_config) -> None:
    from survey import create_app

    app = create_app({**app_config, "RATELIMIT_ENABLED": True})
    client = app.test_client()
    limiter.reset()

    def ask(i: int, address: str) -> int:
        data = {"email": f"x{i}@example.com"}
        return post_form(
            client, "/auth/forgot", data, environ_base={"REMOTE_ADDR": address}
        ).status_code

    assert [ask(i, "10.9.9.9") for i in range(6)] == [200] * 5 + [429]
    assert ask(7, "10.9.9.10") == 200
    limiter.reset()


def test_forms_need_csrf(client, make_user) -> None:
    user = make_user("viewer")
    assert client.post("/auth/forgot", data={"email": user.email}).status_code == 400


@pytest.mark.postgres
def test_owner_changes_password_and_other_browsers_are_signed_out(
    app, client, make_user, sign_in, session
) -> None:
    user = make_user("viewer")
    sign_in(user)
    elsewhere = app.test_client()
    sign_in(user, on=elsewhere)
    wrong = post_form(
        client,
        "/auth/password",
        {"current_password": "not it", "new_password": NEW, "confirm": NEW},
    )
    assert wrong.status_code == 422 and "not right" in wrong.get_data(as_text=True)
    mismatch = post_form(
        client,
        "/auth/password",
        {"current_password": PASSWORD, "new_password": NEW, "confirm": NEW + "x"},
    )
    assert mismatch.status_code == 422
    done = post_form(
        client,
        "/auth/password",
        {"current_password": PASSWORD, "new_password": NEW, "confirm": NEW},
    )
    assert done.status_code == 302
    assert client.get("/auth/password").status_code == 200  # this browser stays signed in
    assert elsewhere.get("/auth/password").status_code == 302  # the other one does not
    assert verify_secret(_fresh(session, user).password_hash, NEW)


def test_a_short_new_password_is_refused_as_for_a_new_user(
    client, make_user, sign_in, session
) -> None:
    """The change form uses the same rule as the new-user form: under 10 characters is refused
    with the rule's message, and the old password still works."""
    user = make_user("viewer")
    sign_in(user)
    short = "nine char"
    refused = post_form(
        client,
        "/auth/password",
        {"current_password": PASSWORD, "new_password": short, "confirm": short},
    )
    assert refused.status_code == 422 and "At least 10 characters" in refused.get_data(as_text=True)
    assert verify_secret(_fresh(session, user).password_hash, PASSWORD)


def test_change_page_needs_sign_in(client) -> None:
    response = client.get("/auth/password")
    assert response.status_code == 302 and "/auth/sign-in" in response.headers["Location"]


def test_admin_sends_reset_link(admin_client, make_user, session) -> None:
    user = make_user("manager", locale="it")
    response = post_form(admin_client, f"/admin/users/{user.id}/reset-password")
    assert response.status_code == 302
    [mail] = _mails(session, user.email)
    assert mail.subject == "Scegli una nuova password per Service IQ"
    assert LINK.search(mail.body_text)
    assert verify_secret(_fresh(session, user).password_hash, PASSWORD)  # unchanged until used


def test_pages_are_translated(client) -> None:
    assert "Mot de passe oublié" in client.get("/auth/forgot?lang=fr").get_data(as_text=True)
    assert "Password dimenticata" in client.get("/auth/forgot?lang=it").get_data(as_text=True)


def test_set_password_command(app, runner, make_user, sign_in, session) -> None:
    user = make_user("admin")
    signed = sign_in(user)
    result = runner.invoke(args=["survey", "set-password", user.email, "--password", NEW])
    assert result.exit_code == 0, result.output
    assert verify_secret(_fresh(session, user).password_hash, NEW)
    assert signed.get("/admin/").status_code == 302  # signed out everywhere
    prompted = runner.invoke(
        args=["survey", "set-password", user.email], input="prompted password\nprompted password\n"
    )
    assert prompted.exit_code == 0
    assert verify_secret(_fresh(session, user).password_hash, "prompted password")
    short = runner.invoke(args=["survey", "set-password", user.email, "--password", "short"])
    assert short.exit_code != 0 and "10 characters" in short.output
    unknown = runner.invoke(args=["survey", "set-password", "who@example.com", "--password", NEW])
    assert unknown.exit_code != 0 and "no user" in unknown.output


def test_sent_reset_mail_keeps_no_working_link_and_has_no_unsubscribe(
    app, client, make_user, session, smtp_server
) -> None:
    from survey.db import database
    from survey.mail.dispatch_job import dispatch_once
    from survey.mail.smtp import SmtpConnection, SmtpSettings
    from survey.services.outbox import LINK_PLACEHOLDER

    user = make_user("viewer")
    post_form(client, "/auth/forgot", {"email": user.email})
    connection = SmtpConnection(SmtpSettings.from_url(smtp_server.url))
    try:
        report = dispatch_once(
            database(app).sessionmaker, connection, "siq@example.com", "w1", base_url=BASE
        )
    finally:
        connection.close()
    assert report.sent == 1
    [received] = smtp_server.messages
    path = LINK.search(received.get_body(("plain",)).get_content()).group(1)
    assert received["List-Unsubscribe"] is None  # account mail, not a survey
    [stored] = _mails(session, user.email)
    assert LINK.search(stored.body_text) is None and LINK_PLACEHOLDER in stored.body_text
    assert client.get(path).status_code == 200  # the mailed link itself still works
