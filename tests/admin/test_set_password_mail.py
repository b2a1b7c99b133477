"""A new account chooses its own password: creating it mails a single-use set-password link
(in the account's language, valid ``SET_PASSWORD_HOURS``), the account's page sends a new
one, and the administrator never knows a password."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from survey.models import AuditEntry, OutboxMessage, PasswordReset, User
from tests.conftest import post_form

LINK = re.compile(r"http://localhost(/auth/reset/[A-Za-z0-9_-]{22})")
NEW = "my own long password"


def _mails(session, to: str) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    session.rollback()
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.to_addr.contains(to),
                OutboxMessage.purpose == "account:set_password",
            )
            .order_by(OutboxMessage.id)
        )
    )


def _signs_in(app, email: str, password: str) -> bool:  # type: ignore[no-untyped-def]
    other = app.test_client()
    return (
        post_form(other, "/auth/sign-in", {"email": email, "password": password}).status_code == 302
    )


def _create(admin_client, email: str = "nora@example.com", locale: str = "fr"):  # type: ignore[no-untyped-def]
    return post_form(
        admin_client,
        "/admin/users/new",
        {"email": email, "name": "Nora", "role": "viewer", "department": "", "locale": locale},
    )


@pytest.mark.postgres
def test_a_new_account_is_mailed_a_link_to_set_its_password(app, admin_client, session) -> None:
    form = admin_client.get("/admin/users/new").get_data(as_text=True)
    assert 'name="password"' not in form  # the administrator never chooses it
    response = _create(admin_client)
    assert response.status_code == 302
    [mail] = _mails(session, "nora@example.com")
    user = session.scalar(select(User).where(User.email == "nora@example.com"))
    assert user is not None and user.locale == "fr"
    assert mail.subject == "Choisissez votre mot de passe pour Service IQ"
    assert "72" in mail.body_text
    reset = session.scalar(select(PasswordReset).where(PasswordReset.user_id == user.id))
    assert reset.expires_at - reset.created_at == timedelta(hours=72)
    # Who sent it is in the audit log, in the same transaction as the account.
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "send_set_password"))
    assert entry is not None and entry.target_label == "nora@example.com"
    assert entry.actor_label.startswith("admin")
    # No password works before the owner chooses one.
    assert not _signs_in(app, "nora@example.com", "")
    path = LINK.search(mail.body_text).group(1)
    other = app.test_client()
    opened = other.get(path)
    assert opened.status_code == 200 and "<h1>Choose your password</h1>" in opened.get_data(
        as_text=True
    )
    short = post_form(other, path, {"new_password": "short", "confirm": "short"})
    assert short.status_code == 422 and "At least 10" in short.get_data(as_text=True)
    done = post_form(other, path, {"new_password": NEW, "confirm": NEW})
    assert done.status_code == 302 and done.headers["Location"].endswith("/auth/sign-in")
    assert _signs_in(app, "nora@example.com", NEW)
    # Single use.
    assert other.get(path).status_code == 404


def test_the_accounts_page_sends_a_new_link_and_the_old_one_stops(
    app, admin_client, session
) -> None:
    _create(admin_client, locale="it")
    [first] = _mails(session, "nora@example.com")
    user = session.scalar(select(User).where(User.email == "nora@example.com"))
    page = admin_client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "Send a new set-password link" in page
    assert "has not chosen a password yet" in page
    assert "no password chosen yet" in admin_client.get("/admin/users").get_data(as_text=True)
    response = post_form(admin_client, f"/admin/users/{user.id}/reset-password")
    assert response.status_code == 302
    mails = _mails(session, "nora@example.com")
    assert len(mails) == 2 and mails[1].subject == "Scegli la tua password per Service IQ"
    old = LINK.search(first.body_text).group(1)
    new = LINK.search(mails[1].body_text).group(1)
    client = app.test_client()
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    sent = session.scalars(select(AuditEntry).where(AuditEntry.action == "send_set_password")).all()
    assert len(sent) == 2
    # Once a password is set, the page offers a reset (one hour) instead.
    post_form(client, new, {"new_password": NEW, "confirm": NEW})
    page = admin_client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "Send a new set-password link" not in page
    assert "Send a password reset link" in page


@pytest.fixture
def short_links(app_config):  # type: ignore[no-untyped-def]
    app_config["SET_PASSWORD_HOURS"] = 24
    return app_config


def test_the_links_lifetime_is_a_setting(short_links, admin_client, session) -> None:
    _create(admin_client, locale="en")
    [mail] = _mails(session, "nora@example.com")
    assert mail.subject == "Choose your password for Service IQ"
    assert "24 hours" in mail.body_text
    reset = session.scalar(select(PasswordReset))
    assert reset.expires_at - reset.created_at == timedelta(hours=24)


def test_settings_read_the_lifetime_from_the_environment(tmp_path) -> None:
    from survey.config import load_settings

    assert load_settings(str(tmp_path), {})["SET_PASSWORD_HOURS"] == 72
    env = {"SURVEY_SET_PASSWORD_HOURS": "48"}
    assert load_settings(str(tmp_path), env)["SET_PASSWORD_HOURS"] == 48
