"""The survey mail of handled requests against a mail relay that misbehaves (a real SMTP server
on loopback, ``tests/smtp.py``): every invitation gets its email exactly once, eventually, and
a refusal that is the relay's rather than the message's fails no survey."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from survey.db import database
from survey.mail.dispatch_job import dispatch_once
from survey.mail.runner import run_dispatcher
from survey.mail.smtp import SmtpConnection, SmtpSettings
from survey.models import Invitation, OutboxMessage
from survey.models.base import utcnow
from tests.delivery.test_api_interactions import body
from tests.delivery.test_lifecycle import decide

FROM = "Service IQ <siq@example.com>"


def _iso(value) -> str:  # type: ignore[no-untyped-def]
    return value.isoformat().replace("+00:00", "Z")


def _three_surveys(app, api, session) -> None:  # type: ignore[no-untyped-def]
    """Three requests of three people resolved an hour ago, decided: three survey emails."""
    now = utcnow()
    for i in range(3):
        answer = api.post(
            "/interactions",
            body(
                requester_email=f"p{i}@example.com",
                external_ref=f"T-{i}",
                opened_at=_iso(now - timedelta(hours=5)),
                first_response_at=_iso(now - timedelta(hours=4)),
                resolved_at=_iso(now - timedelta(hours=1)),
            ),
        )
        assert answer.status_code == 201, answer.get_json()
    assert decide(app, session).invited == 3


def _rows(session) -> dict[str, int]:  # type: ignore[no-untyped-def]
    session.rollback()
    return dict(
        session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        ).all()
    )


@pytest.mark.postgres
@pytest.mark.parametrize(
    "refusal",
    [
        "530 5.7.0 Authentication required",  # the relay now wants a sign-in
        "550 5.7.1 Sender not allowed to relay",  # the sender's address is not allowed
        "553 5.7.1 Sender address rejected: not owned by user",
    ],
)
def test_a_relay_refusing_the_sender_fails_no_survey(
    app, api, session, org, smtp_server, refusal
) -> None:
    """A relay that refuses the sender refuses every message alike: that is the relay's
    trouble (an expired password, a changed policy), like a relay that is down. Before, each
    message of the batch was marked failed for good and each invitation undeliverable, so one
    cron run of ``send-mail`` threw the whole outbox away."""
    _three_surveys(app, api, session)
    smtp_server.handler.refuse_sender = refusal
    totals = run_dispatcher(database(app).sessionmaker, smtp_server.url, FROM)
    assert totals.smtp_down and totals.sent == 0 and totals.failed == 0
    assert any(refusal.split()[0] in error for error in totals.errors)
    assert _rows(session) == {"queued": 3}
    assert set(session.scalars(select(Invitation.status))) == {"queued"}
    assert smtp_server.messages == []

    # The administrator fixes the relay's settings: every survey leaves, once.
    smtp_server.handler.refuse_sender = None
    connection = SmtpConnection(SmtpSettings.from_url(smtp_server.url))
    try:
        later = utcnow() + timedelta(hours=1)
        report = dispatch_once(database(app).sessionmaker, connection, FROM, "w2", now=later)
    finally:
        connection.close()
    assert report.sent == 3
    assert _rows(session) == {"sent": 3}
    assert set(session.scalars(select(Invitation.status))) == {"sent"}
    assert sorted(m["To"].addresses[0].addr_spec for m in smtp_server.messages) == [
        f"p{i}@example.com" for i in range(3)
    ]


def test_a_message_too_large_for_the_relay_fails_alone(app, api, session, org, smtp_server) -> None:
    """A 552 to MAIL FROM (the SIZE the client announced is over the relay's limit) is that
    message's own: it fails, the others go."""
    _three_surveys(app, api, session)
    handler = smtp_server.handler
    original = handler.handle_MAIL
    seen: list[str] = []

    async def too_large_once(server, sess, envelope, address, options):  # type: ignore[no-untyped-def]
        seen.append(address)
        if len(seen) == 1:
            return "552 5.3.4 Message size exceeds fixed maximum message size"
        return await original(server, sess, envelope, address, options)

    handler.handle_MAIL = too_large_once  # type: ignore[method-assign]
    totals = run_dispatcher(database(app).sessionmaker, smtp_server.url, FROM)
    assert (totals.sent, totals.failed) == (2, 1)
    assert _rows(session) == {"sent": 2, "failed": 1}
