"""Reset requests sent in parallel: one reset mail per account per ``RESET_MAIL_INTERVAL``,
however many requests arrive at once. Attack: eight simultaneous requests for one address,
against the app under gunicorn. Each request read "no reset mailed lately" before any of them
had committed its own, so on PostgreSQL several mails (each a working link) went out."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey.models import OutboxMessage, PasswordReset
from tests.conftest import LiveServer
from tests.races import at_once, form_token, post_form

REQUESTS = 8


@pytest.mark.postgres
@pytest.mark.slow
def test_parallel_reset_requests_mail_one_link(db_url: str, session: Session, make_user) -> None:
    user = make_user("viewer", "forgetful@example.com")
    session.commit()
    server = LiveServer(db_url, workers=2, threads=6, SURVEY_RATELIMIT_ENABLED="0")
    try:
        token, cookie = form_token(server.port, "/auth/sign-in")
        form = {"csrf_token": token, "email": user.email}
        answers = at_once(REQUESTS, lambda _i: post_form(server.port, "/auth/forgot", form, cookie))
        log = server.log()
    finally:
        server.stop()
    statuses = [status for status, _body in answers]
    assert statuses == [200] * REQUESTS, (statuses, log[-3000:])
    session.rollback()
    resets = session.scalar(select(func.count()).select_from(PasswordReset))
    mails = session.scalar(select(func.count()).select_from(OutboxMessage))
    assert (resets, mails) == (1, 1)
