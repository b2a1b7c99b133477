"""Survey mail that waited in the outbox (the relay down or slow, a message handed back after
a temporary refusal) while its survey stopped being one to ask: it does not leave."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from survey.db import database
from survey.delivery.services.campaigns import expire_post_interaction_links
from survey.mail.dispatch import claim_batch, record_retry
from survey.mail.dispatch_job import dispatch_once
from survey.mail.runner import run_dispatcher
from survey.mail.smtp import SmtpConnection, SmtpSettings
from survey.models import Invitation, OutboxMessage, Person
from survey.models.base import utcnow
from survey.services.invitations import claim_invitation
from tests.delivery.test_campaigns import new_campaign, tick
from tests.delivery.test_flaky_relay import FROM, _three_surveys

pytestmark = pytest.mark.postgres


def _first_survey_mail(session) -> OutboxMessage:  # type: ignore[no-untyped-def]
    session.rollback()
    return session.scalar(
        select(OutboxMessage)
        .join(Invitation, Invitation.id == OutboxMessage.invitation_id)
        .join(Person, Person.id == Invitation.person_id)
        .where(Person.email == "p0@example.com")
    )


def _dispatch(app, smtp_server, now):  # type: ignore[no-untyped-def]
    """One dispatcher pass at ``now`` over a fresh connection."""
    connection = SmtpConnection(SmtpSettings.from_url(smtp_server.url))
    try:
        return dispatch_once(database(app).sessionmaker, connection, FROM, "w2", now=now)
    finally:
        connection.close()


def _received_by(smtp_server) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(m["To"].addresses[0].addr_spec for m in smtp_server.messages)


def test_no_survey_mail_to_someone_who_left_before_it_left(
    app, api, session, org, smtp_server
) -> None:
    """The requester leaves (deactivated) after the decision, before the relay took the
    mail: no reminder goes to someone who left, and the first mail did. Now withdrawn with
    the reason."""
    _three_surveys(app, api, session)
    session.get(Person, org.person(0).id).active = False
    session.commit()
    totals = run_dispatcher(database(app).sessionmaker, smtp_server.url, FROM)
    assert (totals.sent, totals.withdrawn) == (2, 1)
    assert _received_by(smtp_server) == ["p1@example.com", "p2@example.com"]
    withdrawn = _first_survey_mail(session)
    assert withdrawn.status == "failed" and "no longer active" in withdrawn.last_error


def test_no_survey_mail_whose_link_expired_while_it_waited(
    app, api, session, org, smtp_server
) -> None:
    """The relay was down longer than a post-interaction link lasts; the tick expired the
    links meanwhile. The mail would bring a link that says "expired" at once."""
    _three_surveys(app, api, session)
    later = utcnow() + timedelta(days=15)
    assert expire_post_interaction_links(session, later) == 3
    session.commit()
    totals = run_dispatcher(database(app).sessionmaker, smtp_server.url, FROM)
    assert (totals.sent, totals.withdrawn) == (0, 3)
    assert smtp_server.messages == []
    assert "expired" in _first_survey_mail(session).last_error


def test_no_survey_mail_for_a_request_cancelled_while_it_was_handed_over(
    app, api, session, org, smtp_server
) -> None:
    """The request is cancelled while its survey mail is being handed to the relay (leased by
    a dispatcher, so the cancellation cannot withdraw it); the relay answers 451 and the
    mail goes back to the queue. Before, its next try sent it, with a link already cancelled."""
    _three_surveys(app, api, session)
    sessions = database(app).sessionmaker
    with sessions() as s:
        claimed = claim_batch(s, "w1", 10, utcnow())
        s.commit()
    assert len(claimed) == 3
    cancel = api.post(
        "/interactions/events",
        {
            "source": "helpdesk",
            "external_ref": "T-0",
            "event": "cancelled",
            "at": (utcnow() - timedelta(minutes=1)).isoformat(),
        },
    )
    assert cancel.status_code == 200 and cancel.get_json()["survey"] == "invited"
    with sessions() as s:
        for message in s.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(claimed))):
            record_retry(s, message, "w1", utcnow(), "451 try again later")
        s.commit()
    totals = run_dispatcher(sessions, smtp_server.url, FROM, batch=10)
    assert totals.sent == 0  # not due yet: backoff
    report = _dispatch(app, smtp_server, utcnow() + timedelta(hours=1))
    assert (report.sent, report.withdrawn) == (2, 1)
    assert _received_by(smtp_server) == ["p1@example.com", "p2@example.com"]
    assert "cancelled" in _first_survey_mail(session).last_error


def test_no_reminder_to_someone_who_answered_while_it_waited(app, session, org, smtp_server):  # type: ignore[no-untyped-def]
    """A quarterly reminder is queued; before it leaves (the relay slow or down), the person
    answers through the link of the first mail. Before, the reminder went anyway, asking
    someone who had answered to answer."""
    now = utcnow()
    campaign = new_campaign(session, now, reminder_max=1, reminder_min_days=3)
    tick(app, now + timedelta(hours=2))
    assert _dispatch(app, smtp_server, now + timedelta(hours=2)).sent == 12
    assert tick(app, now + timedelta(days=4)).reminders == 12
    session.rollback()
    answered = session.scalar(
        select(Invitation).where(
            Invitation.campaign_id == campaign.id, Invitation.person_id == org.person(0).id
        )
    )
    assert claim_invitation(session, answered.id, now + timedelta(days=4, hours=1))
    session.commit()
    reminders = _dispatch(app, smtp_server, now + timedelta(days=4, hours=2))
    assert (reminders.sent, reminders.withdrawn) == (11, 1)
    session.rollback()
    withdrawn = session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.invitation_id == answered.id, OutboxMessage.status == "failed"
        )
    )
    assert withdrawn is not None and "answered" in withdrawn.last_error


def test_no_reminder_while_the_first_mail_has_not_left(app, session, org, smtp_server):  # type: ignore[no-untyped-def]
    """The relay is down for longer than the reminder interval: the first mails wait in the
    outbox. Before, the tick queued a reminder beside each (the first mail counted as mailed
    when it was queued), and once the relay was back everyone got the invitation and its
    reminder at once. A reminder now waits for the mail before it to leave, then for its
    interval from then."""
    now = utcnow()
    new_campaign(session, now, reminder_max=1, reminder_min_days=3)
    tick(app, now + timedelta(hours=2))  # opens: twelve invitations queued, the relay is down
    assert tick(app, now + timedelta(days=4)).reminders == 0
    left = now + timedelta(days=4, hours=1)
    assert _dispatch(app, smtp_server, left).sent == 12
    # The dispatcher stamps the real time; this test's clock runs days ahead of it.
    session.execute(update(OutboxMessage).values(sent_at=left))
    session.commit()
    assert len(smtp_server.messages) == 12  # one each
    assert tick(app, now + timedelta(days=5)).reminders == 0  # a day after it left
    assert tick(app, now + timedelta(days=7, hours=2)).reminders == 12
    assert _dispatch(app, smtp_server, now + timedelta(days=7, hours=3)).sent == 12
    assert len(smtp_server.messages) == 24
