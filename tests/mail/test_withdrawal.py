"""Mail that must not go does not go, and sent mail keeps no working link: the dispatcher's
checks right before sending, against a real SMTP server, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from survey.db import database
from survey.delivery.services.campaigns import close_campaign
from survey.mail.dispatch_job import dispatch_once
from survey.mail.smtp import SmtpConnection, SmtpSettings
from survey.models import Campaign, Invitation, OutboxMessage, Person
from survey.models.base import utcnow
from survey.quiz.services import send_quiz_invitations
from survey.security import token_hash
from survey.services.fatigue import opt_out
from survey.services.outbox import (
    LINK_PLACEHOLDER,
    WITHDRAWN_CAMPAIGN_CLOSED,
    WITHDRAWN_OPTED_OUT,
    scrub_links,
)
from tests.conftest import post_form
from tests.delivery.conftest import build_org
from tests.delivery.test_campaigns import new_campaign, tick

FROM = "Service IQ <siq@example.com>"
TOKEN = re.compile(r"/r/([A-Za-z0-9_-]{22})")


@pytest.fixture
def org(session):  # type: ignore[no-untyped-def]
    return build_org(session)


def _dispatch(app, server):  # type: ignore[no-untyped-def]
    connection = SmtpConnection(SmtpSettings.from_url(server.url))
    try:
        # The tick queued the mail two hours ahead of the clock.
        return dispatch_once(
            database(app).sessionmaker, connection, FROM, "w1", now=utcnow() + timedelta(hours=3)
        )
    finally:
        connection.close()


def _open_campaign(app, session):  # type: ignore[no-untyped-def]
    now = utcnow()
    campaign = new_campaign(session, now)
    tick(app, now + timedelta(hours=2))
    session.rollback()
    return session.get(Campaign, campaign.id)


def _message_of(session, person_id: int) -> OutboxMessage:
    session.rollback()
    session.expire_all()
    return session.scalars(
        select(OutboxMessage)
        .join(Invitation, Invitation.id == OutboxMessage.invitation_id)
        .where(Invitation.person_id == person_id)
    ).one()


def test_scrub_replaces_tokens_only_and_is_idempotent() -> None:
    token = "A" * 10 + "b_-" + "9" * 9
    body = f"Go to https://x/r/{token}?score=5 or https://x/r/{token}/stop. Quiz: https://x/quiz"
    scrubbed = scrub_links(body)
    assert token not in scrubbed
    assert scrubbed.count(f"/r/{LINK_PLACEHOLDER}") == 2
    assert "?score=5" in scrubbed and "/stop" in scrubbed and "https://x/quiz" in scrubbed
    assert scrub_links(scrubbed) == scrubbed
    reset = "https://x/auth/reset/" + "z" * 22
    assert scrub_links(reset) == "https://x/auth/reset/" + LINK_PLACEHOLDER


@pytest.mark.postgres
def test_opted_out_person_gets_nothing_even_when_flag_set_after_queueing(
    app, session, org, smtp_server
) -> None:
    _open_campaign(app, session)
    # The flag is set without withdrawing the queued mail (as an import or an older code path
    # would): the dispatcher itself must hold the promise.
    session.get(Person, org.person(1).id).opted_out = True
    session.commit()
    report = _dispatch(app, smtp_server)
    assert report.withdrawn == 1 and report.sent == 11
    assert org.person(1).email not in {m["To"] for m in smtp_server.messages}
    message = _message_of(session, org.person(1).id)
    assert (message.status, message.last_error) == ("failed", WITHDRAWN_OPTED_OUT)


@pytest.mark.postgres
def test_retry_of_withdrawn_message_is_refused(
    app, session, org, smtp_server, admin_client
) -> None:
    _open_campaign(app, session)
    opt_out(session, session.get(Person, org.person(2).id))
    session.commit()
    message = _message_of(session, org.person(2).id)
    assert message.status == "failed"
    response = post_form(admin_client, f"/admin/outbox/{message.id}/retry")
    assert response.status_code == 302
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "cannot be sent" in page
    assert _message_of(session, org.person(2).id).status == "failed"
    _dispatch(app, smtp_server)
    assert org.person(2).email not in {m["To"] for m in smtp_server.messages}


@pytest.mark.postgres
def test_queued_mail_of_a_closed_campaign_is_withdrawn(app, session, org, smtp_server) -> None:
    campaign = _open_campaign(app, session)
    assert close_campaign(session, campaign)
    session.commit()
    report = _dispatch(app, smtp_server)
    assert report.sent == 0 and report.withdrawn == 12
    assert smtp_server.messages == []
    message = _message_of(session, org.person(0).id)
    assert (message.status, message.last_error) == ("failed", WITHDRAWN_CAMPAIGN_CLOSED)


@pytest.mark.postgres
def test_sent_mail_keeps_no_working_link(app, session, org, smtp_server, admin_client) -> None:
    _open_campaign(app, session)
    before = _message_of(session, org.person(0).id)
    token = TOKEN.search(before.body_text).group(1)
    report = _dispatch(app, smtp_server)
    assert report.sent == 12
    received = next(m for m in smtp_server.messages if org.person(0).email in m["To"])
    assert token in received.get_body(("plain",)).get_content()  # the person got the link
    after = _message_of(session, org.person(0).id)
    assert after.status == "sent"
    for body in (after.body_text, after.body_html):
        assert token not in body and LINK_PLACEHOLDER in body
        assert TOKEN.search(body) is None
    # The token still opens the survey for its owner (only its hash was ever stored).
    from survey.models import InvitationToken

    assert session.get(InvitationToken, token_hash(token)) is not None
    page = admin_client.get("/admin/outbox?status=sent")
    assert page.status_code == 200 and org.person(0).email in page.get_data(as_text=True)


@pytest.mark.postgres
def test_a_sent_quiz_invitation_keeps_no_working_link(app, session, org, smtp_server) -> None:
    """The quiz invitation's personal link (``/quiz/i/<token>``) counts an attempt in the
    person's name: once the mail has left, the stored body keeps no working token either."""
    with app.app_context():
        report = send_quiz_invitations(session, [org.sales.id], "http://localhost", "x.org", 5)
    session.commit()
    assert report.invited >= 1
    before = _message_of(session, org.person(0).id)
    token = re.search(r"/quiz/i/([A-Za-z0-9_-]{22})", before.body_text).group(1)
    _dispatch(app, smtp_server)
    received = next(m for m in smtp_server.messages if org.person(0).email in m["To"])
    assert token in received.get_body(("plain",)).get_content()  # the person got the link
    after = _message_of(session, org.person(0).id)
    assert after.status == "sent"
    for body in (after.body_text, after.body_html):
        assert token not in body and f"/quiz/i/{LINK_PLACEHOLDER}" in body


@pytest.mark.postgres
def test_a_password_link_to_an_account_switched_off_before_it_leaves_is_withdrawn(
    app, session, smtp_server
) -> None:
    """Two accounts get their set-password link queued; one is deactivated before the
    dispatcher runs. Its link could no longer be used (a reset finds only active accounts),
    and an account switched off is not written to: the message is withdrawn with the reason,
    the other sent."""
    from survey.accounts.services.account_mail import queue_set_password
    from survey.services.accounts import create_user
    from survey.services.outbox import WITHDRAWN_ACCOUNT_OFF

    kept = create_user(session, "kept@example.com", None, "viewer")
    gone = create_user(session, "Gone@Example.com", None, "viewer")
    with app.app_context():
        for user in (kept, gone):
            queue_set_password(session, user, "http://localhost", "example.com", 48)
    gone.active = False
    session.commit()
    report = _dispatch(app, smtp_server)
    assert (report.sent, report.withdrawn) == (1, 1)
    assert [m["To"] for m in smtp_server.messages] == ["kept@example.com"]
    session.rollback()
    withdrawn = session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_addr.contains("gone@example.com"))
    ).one()
    assert (withdrawn.status, withdrawn.last_error) == ("failed", WITHDRAWN_ACCOUNT_OFF)
