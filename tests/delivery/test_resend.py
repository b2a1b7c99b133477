"""Resending an invitation: a new link, the old ones spent, never to who opted out."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from survey.delivery.services.campaigns import create_campaign, open_campaign
from survey.delivery.services.resend import RESEND_PAUSE
from survey.models import Invitation, OutboxMessage, Person
from survey.models.base import utcnow
from tests.admin.test_audit import entries
from tests.conftest import csrf_token

LINK = re.compile(r"http://localhost(/r/[\w-]+)")


def _opened(app, session, minutes_ago: int = 30):  # type: ignore[no-untyped-def]
    now = utcnow()
    campaign = create_campaign(
        session,
        name="Quarterly survey 2026Q2",
        quarter="2026Q2",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=20),
        min_group_size=5,
    )
    with app.test_request_context():
        open_campaign(
            session, campaign, "http://localhost", "localhost", now - timedelta(minutes=minutes_ago)
        )
    session.commit()
    return campaign


def _old_link(session, person: Person) -> str:  # type: ignore[no-untyped-def]
    message = session.scalar(
        select(OutboxMessage)
        .join(Invitation, Invitation.id == OutboxMessage.invitation_id)
        .where(Invitation.person_id == person.id)
        .order_by(OutboxMessage.id)
    )
    return LINK.search(message.body_text).group(1)


def test_resend_from_the_person_page_spends_the_old_link(app, admin_client, session, org) -> None:
    _opened(app, session)
    person = org.person(0)
    old = _old_link(session, person)
    page = admin_client.get(f"/admin/people/{person.id}").get_data(as_text=True)
    invitation = session.scalar(select(Invitation).where(Invitation.person_id == person.id))
    assert (
        f"/admin/invitations/{invitation.id}/resend" in page and "Quarterly survey 2026Q2" in page
    )
    token = csrf_token(admin_client, f"/admin/people/{person.id}")
    response = admin_client.post(
        f"/admin/invitations/{invitation.id}/resend", data={"csrf_token": token, "back": "person"}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/people/{person.id}"
    )
    assert "flash-success" in admin_client.get(response.headers["Location"]).get_data(as_text=True)
    [entry] = entries(session, "invitation")
    assert (entry.action, entry.target_id) == ("resend", str(invitation.id))
    assert entry.target_label == f"Quarterly survey 2026Q2: {person.email}"
    session.rollback()
    messages = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.invitation_id == invitation.id)
        .order_by(OutboxMessage.id)
    ).all()
    assert [m.status for m in messages] == ["failed", "queued"]  # the dead-link mail withdrawn
    new = LINK.search(messages[-1].body_text).group(1)
    assert new != old
    assert admin_client.get(new).status_code == 200
    assert admin_client.get(old).status_code == 404  # the old link is spent: unknown
    # A second click right away is refused, nothing more queued.
    again = admin_client.post(
        f"/admin/invitations/{invitation.id}/resend", data={"csrf_token": token, "back": "person"}
    )
    assert "flash-error" in admin_client.get(again.headers["Location"]).get_data(as_text=True)
    assert (
        session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.invitation_id == invitation.id)
        )
        == 2
    )
    assert len(entries(session, "invitation")) == 1  # the refused click logged nothing
    assert timedelta(minutes=1) <= RESEND_PAUSE


def test_resend_from_the_campaign_page_by_email(app, admin_client, session, org) -> None:
    campaign = _opened(app, session)
    person = org.person(1)
    token = csrf_token(admin_client, f"/admin/campaigns/{campaign.id}")
    assert 'id="resend"' in admin_client.get(f"/admin/campaigns/{campaign.id}").get_data(
        as_text=True
    )
    response = admin_client.post(
        f"/admin/campaigns/{campaign.id}/resend",
        data={"csrf_token": token, "email": person.email.upper()},
    )
    assert response.status_code == 302
    assert "flash-success" in admin_client.get(response.headers["Location"]).get_data(as_text=True)
    unknown = admin_client.post(
        f"/admin/campaigns/{campaign.id}/resend",
        data={"csrf_token": token, "email": "nobody@example.com"},
    )
    shown = admin_client.get(unknown.headers["Location"]).get_data(as_text=True)
    assert "No one with this email address" in shown
    session.rollback()
    assert (
        session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "queued")
        )
        == 12
    )


def test_never_resent_to_someone_who_opted_out_or_left(app, admin_client, session, org) -> None:
    _opened(app, session)
    quitter, leaver = org.person(2), org.person(3)
    quitter.opted_out = True
    leaver.active = False
    session.commit()
    token = csrf_token(admin_client, "/admin/people")
    for person, words in ((quitter, "opted out"), (leaver, "no longer active")):
        invitation = session.scalar(select(Invitation).where(Invitation.person_id == person.id))
        response = admin_client.post(
            f"/admin/invitations/{invitation.id}/resend", data={"csrf_token": token}
        )
        shown = admin_client.get(response.headers["Location"]).get_data(as_text=True)
        assert "flash-error" in shown and words in shown
        session.rollback()
        assert (
            session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.invitation_id == invitation.id)
            )
            == 1
        )


def test_an_answered_or_expired_invitation_is_not_resent(app, admin_client, session, org) -> None:
    _opened(app, session)
    invitation = session.scalar(select(Invitation).where(Invitation.person_id == org.person(4).id))
    invitation.status = "answered"
    session.commit()
    token = csrf_token(admin_client, "/admin/people")
    response = admin_client.post(
        f"/admin/invitations/{invitation.id}/resend", data={"csrf_token": token}
    )
    assert "answered, expired" in admin_client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert (
        admin_client.post(
            "/admin/invitations/999999/resend", data={"csrf_token": token}
        ).status_code
        == 404
    )
