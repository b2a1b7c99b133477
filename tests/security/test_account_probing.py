"""Whether an address has an account must not show in how long the reset request page takes.
Attack: an outsider posts addresses to ``/auth/forgot`` and times the answers; for an account
the page issues a token, renders the mail in two formats and commits it, for anyone else it
does nothing, and the difference is measurable from outside. Every answer is held to the same
floor (``RESET_ANSWER_SECONDS``), above what that work takes."""

from __future__ import annotations

import time
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from survey.accounts.views import RESET_ANSWER_SECONDS
from tests.conftest import csrf_token


def _timed(client: FlaskClient, email: str, token: str) -> float:
    started = time.perf_counter()
    response = client.post("/auth/forgot", data={"email": email, "csrf_token": token})
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    return elapsed


def test_reset_requests_take_as_long_with_or_without_an_account(
    client: FlaskClient, make_user: Any, session: Session
) -> None:
    token = csrf_token(client, "/auth/forgot")
    known = [_timed(client, make_user("viewer").email, token) for _ in range(3)]
    unknown = [_timed(client, f"nobody{i}@example.com", token) for i in range(3)]
    inactive = make_user("viewer")
    inactive.active = False
    session.commit()
    others = [*unknown, _timed(client, inactive.email, token)]
    # Before the floor, an address without an account was answered in half the time.
    assert min(others) >= 0.9 * min(known)
    assert min(known + others) >= RESET_ANSWER_SECONDS
