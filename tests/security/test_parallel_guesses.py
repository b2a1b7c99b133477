"""Password guesses sent in parallel: the sign-in throttle allows ``SIGNIN_MAX_FAILURES``
wrong passwords per account and lock window, however many arrive at once. Attack: twelve
simultaneous sign-ins with wrong passwords for one account, against the app under gunicorn.
A throttle that checks the count, verifies the password and only then records the failure
lets every request that arrives before the first failure is recorded try its password (and
on PostgreSQL two first failures inserting the same row collide: a server error)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.models import SignInThrottle
from tests.conftest import LiveServer
from tests.races import at_once, form_token, post_form

GUESSES = 12
WRONG = "The email or password is not right."
LOCKED = "Too many failed attempts."


@pytest.mark.postgres
@pytest.mark.slow
def test_parallel_guesses_get_no_more_tries_than_the_throttle_allows(
    db_url: str, session: Session, make_user
) -> None:
    user = make_user("viewer", "target@example.com")
    session.commit()
    server = LiveServer(db_url, workers=2, threads=6, SURVEY_RATELIMIT_ENABLED="0")
    try:
        token, cookie = form_token(server.port, "/auth/sign-in")

        def guess(index: int) -> tuple[int, str]:
            form = {"csrf_token": token, "email": user.email, "password": f"wrong-{index}"}
            return post_form(server.port, "/auth/sign-in", form, cookie)

        answers = at_once(GUESSES, guess)
        log = server.log()
    finally:
        server.stop()
    statuses = sorted(status for status, _body in answers)
    assert len(answers) == GUESSES and set(statuses) <= {200, 429}, (statuses, log[-3000:])
    tried = sum(WRONG in body for _status, body in answers)
    refused = sum(LOCKED in body for _status, body in answers)
    assert tried + refused == GUESSES, statuses
    assert tried <= 5, f"{tried} guesses were tried against a limit of 5"
    session.rollback()
    row = session.scalar(
        select(SignInThrottle).where(SignInThrottle.key == f"account:{user.email}")
    )
    assert row is not None and row.failures == 5 and row.locked_until is not None
