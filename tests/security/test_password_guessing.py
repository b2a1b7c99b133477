"""The password change asks for the current password; that question is a password check like
sign-in and is throttled with it. Attack: someone at a colleague's unlocked, signed-in browser
guesses the password through ``/auth/password`` (no sign-in throttle in the way), then keeps
the account after the session ends, or tries the password elsewhere."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from survey.models import User
from survey.security import verify_secret
from tests.conftest import PASSWORD, post_form

NEW = "the thief's new password"


def _change(client: FlaskClient, current: str) -> Any:
    return post_form(
        client,
        "/auth/password",
        {"current_password": current, "new_password": NEW, "confirm": NEW},
    )


def test_guessing_the_current_password_is_throttled_like_sign_in(
    app: Flask, client: FlaskClient, make_user: Any, sign_in: Any, session: Session
) -> None:
    app.config["SIGNIN_MAX_FAILURES"] = 3
    user = make_user("viewer")
    sign_in(user)
    for guess in ("password1", "letmein", "qwerty"):
        assert _change(client, guess).status_code == 422
    # The right guess comes too late: refused, and the password stays what it was.
    found = _change(client, PASSWORD)
    assert found.status_code == 429
    assert "Too many failed attempts" in found.get_data(as_text=True)
    session.rollback()
    row = session.get(User, user.id)
    assert row is not None and verify_secret(row.password_hash, PASSWORD)
    # The account's sign-in is locked as well: the same budget, not a second one.
    other = app.test_client()
    locked = post_form(other, "/auth/sign-in", {"email": user.email, "password": PASSWORD})
    assert locked.status_code == 429
