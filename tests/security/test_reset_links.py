"""A password reset link is a way into the account: it must die with every event that signs the
account out everywhere. Attacks: someone who got hold of a reset mail (a forwarded message, a
shared mailbox) waits until the owner, alarmed, changes the password, then uses the link; or
keeps it through a deactivation until the account is reactivated."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.models import OutboxMessage, User
from survey.security import verify_secret
from tests.conftest import PASSWORD, post_form

LINK = re.compile(r"http://localhost(/auth/reset/[A-Za-z0-9_-]{22})")
OWNER_NEW = "the owner's new password"
ATTACKER = "the attacker's password"


def _reset_path(session: Session, user: User) -> str:
    """The path of the newest reset link mailed to ``user`` (from the outbox)."""
    session.rollback()
    mails = session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.to_addr.contains(user.email),
            OutboxMessage.purpose == "account:password_reset",
        )
        .order_by(OutboxMessage.id)
    ).all()
    match = LINK.search(mails[-1].body_text)
    assert match is not None
    return match.group(1)


def _link_is_dead(client: FlaskClient, session: Session, user: User, path: str) -> None:
    """The link opens nothing and setting a password through it changes nothing."""
    assert client.get(path).status_code == 404
    used = post_form(client, path, {"new_password": ATTACKER, "confirm": ATTACKER})
    assert used.status_code == 404
    session.rollback()
    row = session.get(User, user.id)
    assert row is not None and not verify_secret(row.password_hash, ATTACKER)


def test_a_password_change_voids_a_reset_link_sent_before(
    app: Flask, client: FlaskClient, make_user: Any, sign_in: Any, session: Session
) -> None:
    user = make_user("viewer")
    attacker = app.test_client()
    post_form(attacker, "/auth/forgot", {"email": user.email})
    path = _reset_path(session, user)
    assert attacker.get(path).status_code == 200  # the link works until...
    sign_in(user)
    changed = post_form(
        client,
        "/auth/password",
        {"current_password": PASSWORD, "new_password": OWNER_NEW, "confirm": OWNER_NEW},
    )
    assert changed.status_code == 302  # ...the owner changes the password
    _link_is_dead(attacker, session, user, path)


def test_deactivation_voids_a_reset_link_for_good(
    app: Flask, admin_client: FlaskClient, make_user: Any, session: Session
) -> None:
    user = make_user("manager")
    post_form(admin_client, f"/admin/users/{user.id}/reset-password")
    path = _reset_path(session, user)
    assert post_form(admin_client, f"/admin/users/{user.id}/deactivate").status_code == 302
    assert post_form(admin_client, f"/admin/users/{user.id}/reactivate").status_code == 302
    session.rollback()
    reactivated = session.get(User, user.id)
    assert reactivated is not None and reactivated.active
    _link_is_dead(app.test_client(), session, user, path)
