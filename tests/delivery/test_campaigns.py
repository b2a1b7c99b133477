"""Quarterly campaigns driven by ``tick``: open, remind, close; twice is the same as once."""

from __future__ import annotations

from datetime import timedelta
from email.utils import parseaddr

import pytest
from sqlalchemy import func, select, update

from survey.db import database
from survey.delivery.services.campaigns import CampaignError, create_campaign, set_min_group_size
from survey.delivery.services.tick import TickSettings
from survey.delivery.tick_job import run_tick
from survey.models import Invitation, InvitationToken, OutboxMessage
from survey.models.base import utcnow
from survey.periods import quarter_of
from tests.factories import file_submissions

SETTINGS = TickSettings(base_url="http://localhost", mail_domain="example.com", salt="s")


def tick(app, now):  # type: ignore[no-untyped-def]
    """The tick as ``flask survey tick`` runs it: the queued submits filed first."""
    file_submissions(app)
    with app.app_context():
        return run_tick(database(app).sessionmaker, SETTINGS, now)


def count(session, model, *where) -> int:  # type: ignore[no-untyped-def]
    session.rollback()
    return session.scalar(select(func.count()).select_from(model).where(*where))


def mail_left(session, at) -> None:  # type: ignore[no-untyped-def]
    """The queued mail leaves at ``at``, as the dispatcher records it (a reminder waits for the
    mail before it to leave, and counts its days from then)."""
    session.rollback()
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == "queued")
        .values(status="sent", sent_at=at)
    )
    session.commit()


def new_campaign(session, now, **kw):  # type: ignore[no-untyped-def]
    campaign = create_campaign(
        session,
        name=kw.pop("name", "Q survey"),
        quarter=quarter_of(now),
        opens_at=now + timedelta(hours=1),
        closes_at=now + timedelta(days=20),
        min_group_size=5,
        reminder_max=kw.pop("reminder_max", 2),
        reminder_min_days=kw.pop("reminder_min_days", 5),
        **kw,
    )
    session.commit()
    return campaign


@pytest.mark.postgres
def test_tick_opens_once_and_queues_one_mail_per_person(app, session, org) -> None:
    now = utcnow()
    campaign = new_campaign(session, now)
    assert tick(app, now).opened == []  # not yet due
    report = tick(app, now + timedelta(hours=2))
    assert report.opened == ["Q survey"] and report.invited_quarterly == 12
    tick(app, now + timedelta(hours=3))
    assert count(session, Invitation, Invitation.campaign_id == campaign.id) == 12
    assert count(session, OutboxMessage) == 12
    subjects = set(session.scalars(select(OutboxMessage.subject)))
    assert len(subjects) == 3  # one per language


def test_audience_of_chosen_departments(app, session, org) -> None:
    now = utcnow()
    new_campaign(session, now, department_ids=[org.eng.id])
    tick(app, now + timedelta(hours=2))
    people = session.scalars(select(Invitation.person_id)).all()
    assert people and all(
        session.get(type(org.person(0)), p).department_id == org.eng.id for p in people
    )


@pytest.mark.postgres
def test_reminders_follow_the_policy(app, session, org, client) -> None:
    now = utcnow()
    campaign = new_campaign(session, now, reminder_max=1, reminder_min_days=3)
    tick(app, now + timedelta(hours=2))
    mail_left(session, now + timedelta(hours=2))
    answered = session.scalars(
        select(Invitation).where(Invitation.campaign_id == campaign.id)
    ).first()
    answered.status = "answered"
    session.commit()
    assert tick(app, now + timedelta(days=2)).reminders == 0  # too early
    assert tick(app, now + timedelta(days=4)).reminders == 11  # not the one who answered
    assert tick(app, now + timedelta(days=9)).reminders == 0  # maximum reached
    assert count(session, InvitationToken) == 12 + 11
    assert count(session, OutboxMessage, OutboxMessage.purpose == "reminder:quarterly") == 11


@pytest.mark.postgres
def test_no_reminder_after_opting_out_or_leaving(app, session, org, client) -> None:
    """'No more survey emails' holds for reminders of a campaign already running; someone who
    left is not reminded either. Their first link still works."""
    from survey.models import Person
    from tests.conftest import post_form

    now = utcnow()
    campaign = new_campaign(session, now, reminder_max=1, reminder_min_days=3)
    tick(app, now + timedelta(hours=2))
    mail_left(session, now + timedelta(hours=2))
    stayed, opted, left = org.person(0), org.person(1), org.person(2)
    message = session.scalar(
        select(OutboxMessage)
        .join(Invitation, Invitation.id == OutboxMessage.invitation_id)
        .where(Invitation.person_id == opted.id)
    )
    link = "/r/" + message.body_text.split("/r/", 1)[1].split()[0].split("/stop")[0]
    session.get(Person, left.id).active = False
    session.commit()
    assert post_form(client, f"{link}/stop").status_code == 200
    assert tick(app, now + timedelta(days=4)).reminders == 12 - 2
    reminded = set(
        session.scalars(
            select(Invitation.person_id).where(
                Invitation.campaign_id == campaign.id, Invitation.reminders_sent == 1
            )
        )
    )
    assert stayed.id in reminded and not {opted.id, left.id} & reminded
    assert client.get(link).status_code == 200


def test_closing_when_this_clock_is_behind_the_opening(app, session, org) -> None:
    """Another host's scheduler opened the campaign at its opening time, which this host's
    clock has not reached yet: closing still works (it was a 500, the closing time fell
    before the opening) and keeps the closing time after the opening."""
    from survey.delivery.services.campaigns import close_campaign
    from survey.models import Campaign

    now = utcnow()
    campaign = new_campaign(session, now)  # opens at now + 1 h
    tick(app, now + timedelta(hours=1))
    session.refresh(campaign)
    assert campaign.status == "open"
    assert close_campaign(session, campaign, now=now + timedelta(minutes=59))
    session.commit()
    session.expire_all()
    closed = session.get(Campaign, campaign.id)
    assert closed.status == "closed" and closed.closes_at > closed.opens_at


@pytest.mark.postgres
def test_closing_expires_links(app, session, org, client) -> None:
    from survey.security import token_hash  # noqa: F401  (links are looked up by hash)
    from survey.services.invitations import add_link_token

    now = utcnow()
    campaign = new_campaign(session, now)
    tick(app, now + timedelta(hours=2))
    invitation = session.scalars(select(Invitation)).first()
    token = add_link_token(session, invitation)
    session.commit()
    assert client.get(f"/r/{token}").status_code == 200
    report = tick(app, campaign.closes_at + timedelta(minutes=1))
    assert report.closed == ["Q survey"]
    assert count(session, Invitation, Invitation.status == "expired") == 12
    assert client.get(f"/r/{token}").status_code == 410


def test_k_cannot_be_lowered_once_open(app, session, org) -> None:
    now = utcnow()
    campaign = new_campaign(session, now)
    set_min_group_size(session, campaign, 3)  # still a draft: allowed
    set_min_group_size(session, campaign, 5)
    session.commit()
    tick(app, now + timedelta(hours=2))
    session.refresh(campaign)
    with pytest.raises(CampaignError):
        set_min_group_size(session, campaign, 4)
    set_min_group_size(session, campaign, 8)
    assert campaign.min_group_size == 8


def test_bad_dates_are_refused(session, org) -> None:
    now = utcnow()
    with pytest.raises(CampaignError):
        create_campaign(
            session, name="x", quarter="2026Q2", opens_at=now, closes_at=now, min_group_size=5
        )
    with pytest.raises(ValueError):
        create_campaign(
            session,
            name="x",
            quarter="2026-2",
            opens_at=now,
            closes_at=now + timedelta(days=1),
            min_group_size=5,
        )


def test_batch_mail_equals_one_by_one_rendering(app, session, org) -> None:
    """Opening renders each language once with stand-ins; the result must be exactly what the
    per-person rendering gives, names with markup and header breaks included."""
    from survey.delivery.services.mailing import (
        Recipient,
        quarterly_messages,
        queue_invitation_email,
    )

    person = org.person(1)
    person.name = 'Zoë <b>"O\'Hara"</b> & co\r\nBcc: x@evil.example'
    now = utcnow()
    campaign = new_campaign(session, now)
    with app.test_request_context():
        invitation = Invitation(
            person_id=person.id,
            kind="quarterly",
            campaign_id=campaign.id,
            status="queued",
            expires_at=campaign.closes_at,
        )
        session.add(invitation)
        session.flush()
        single = queue_invitation_email(
            session, invitation, person, "TokenAbc-_123", "http://localhost", "example.com"
        )
        [batch] = quarterly_messages(
            [Recipient(invitation.id, person.name, person.email, person.locale, "TokenAbc-_123")],
            campaign,
            campaign.closes_at,
            "http://localhost",
            "example.com",
            now=now,
        )
    assert batch["body_html"] == single.body_html
    assert batch["body_text"] == single.body_text
    assert batch["subject"] == single.subject and batch["to_addr"] == single.to_addr
    assert "<b>" not in batch["body_html"] and "&lt;b&gt;" in batch["body_html"]
    assert "\n" not in batch["to_addr"] and "TokenAbc-_123" in batch["body_text"]
    session.rollback()


def test_an_address_outside_ascii_does_not_stop_the_campaign_opening(app, session, org) -> None:
    """An import accepts an address with an accented letter (``hélène@...``); mail cannot
    be sent to it, but queueing it must not fail the opening for everyone: the campaign
    opens, each person's invitation is queued, and the dispatcher later marks that one
    message failed with the reason (tests/mail/test_dispatch.py), where the outbox shows it.
    The same holds for a reminder, mailed one by one."""
    from survey.delivery.services.mailing import queue_invitation_email
    from survey.services.outbox import readable_address, recipient

    odd = org.person(0)
    odd.email, odd.name = "hélène.dupont@example.com", "Hélène Dupont"
    session.commit()
    now = utcnow()
    campaign = new_campaign(session, now)
    report = tick(app, now + timedelta(hours=2))
    assert report.opened == ["Q survey"] and report.invited_quarterly == 12
    addresses = set(session.scalars(select(OutboxMessage.to_addr)))
    assert len(addresses) == 12
    assert any("<hélène.dupont@example.com>" in a for a in addresses)
    invitation = session.scalar(
        select(Invitation).where(
            Invitation.campaign_id == campaign.id, Invitation.person_id == odd.id
        )
    )
    with app.test_request_context():
        single = queue_invitation_email(
            session, invitation, odd, "Token-1", "http://localhost", "example.com", reminder=True
        )
    assert single.to_addr.endswith("<hélène.dupont@example.com>")
    assert readable_address(single.to_addr) == '"Hélène Dupont" <hélène.dupont@example.com>'
    assert parseaddr(recipient('Zed, "Z" \\', "zé@example.com")) == (
        'Zed, "Z" \\',
        "zé@example.com",
    )
    session.rollback()
