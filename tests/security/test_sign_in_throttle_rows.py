"""Failed sign-ins are counted in ``sign_in_throttle``, one row per typed address and one per
client address, for the lock window only. Attacks: an outsider fills the table with sign-ins
for ever new made-up addresses (each a row, none ever deleted), and a reader of the database (a
backup) finds every address anyone ever mistyped, kept for good."""

from __future__ import annotations

import time

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.models import SignInThrottle
from tests.conftest import post_form


def test_throttle_rows_go_once_their_window_has_passed(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    app.config["SIGNIN_LOCK_SECONDS"] = 1
    for typed in ("made-up-1@example.com", "made-up-2@example.com", "ana.typo@example.com"):
        post_form(client, "/auth/sign-in", {"email": typed, "password": "wrong"})
    session.rollback()
    assert len(session.scalars(select(SignInThrottle.key)).all()) == 4  # 3 typed, 1 address
    time.sleep(1.2)
    last = post_form(client, "/auth/sign-in", {"email": "later@example.com", "password": "wrong"})
    assert last.status_code == 200, last.get_data(as_text=True)[-3000:]
    session.rollback()
    keys = set(session.scalars(select(SignInThrottle.key)))
    assert keys == {"account:later@example.com", "address:127.0.0.1"}
