"""The local mailbox (messages as their recipients see them, while no SMTP server is set),
"open now" on a campaign and the development worker beside ``make run``."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

from sqlalchemy import func, select

from survey.db import database
from survey.delivery.services.campaigns import create_campaign, open_campaign
from survey.dev_worker import run_dev_worker
from survey.models import Campaign, Interaction, Invitation, OutboxMessage, Person
from survey.models.base import utcnow
from survey.periods import quarter_of
from tests.conftest import csrf_token


def _open_campaign(app, session, name: str = "Quarterly survey") -> Campaign:  # type: ignore[no-untyped-def]
    now = utcnow()
    campaign = create_campaign(
        session,
        name=name,
        quarter="2026Q2",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=20),
        min_group_size=5,
    )
    with app.test_request_context():
        open_campaign(session, campaign, "http://localhost", "localhost", now)
    session.commit()
    return campaign


def test_the_mailbox_shows_each_message_as_its_recipient_sees_it(
    app, admin_client, session, org
) -> None:
    org.person(1).name = "Inès Laurent"  # a name that needs an encoded header
    session.commit()
    _open_campaign(app, session)
    messages = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert messages and all(m.status == "queued" for m in messages)
    page = admin_client.get("/admin/mailbox").get_data(as_text=True)
    assert "Inès Laurent" in page and "=?utf-8?" not in page
    italian = next(
        m for m in messages if session.get(Invitation, m.invitation_id).person.locale == "it"
    )
    detail = admin_client.get(f"/admin/mailbox/{italian.id}")
    text = detail.get_data(as_text=True)
    assert detail.status_code == 200 and italian.subject in text
    assert f'src="/admin/mailbox/{italian.id}/body.html"' in text and "sandbox=" in text
    body = admin_client.get(f"/admin/mailbox/{italian.id}/body.html")
    csp = body.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "sandbox" in csp and "script-src" not in csp
    assert body.headers["X-Frame-Options"] == "SAMEORIGIN"
    html = body.get_data(as_text=True)
    assert '<head><base target="_top">' in html and 'lang="it"' in html
    # The link works: it leads to the survey, in the recipient's language.
    link = re.search(r'href="http://localhost(/r/[^"]+)"', html)
    assert link is not None
    survey = admin_client.get(link.group(1))
    assert survey.status_code == 200 and 'lang="it"' in survey.get_data(as_text=True)
    # The text part is shown too, with the same link.
    assert link.group(1) in italian.body_text and link.group(1) in text


def test_the_mailbox_is_for_admins_and_absent_when_mail_is_delivered(
    app, client, make_user, sign_in, session, org
) -> None:
    _open_campaign(app, session)
    first = session.scalar(select(OutboxMessage.id))
    for url in ("/admin/mailbox", f"/admin/mailbox/{first}", f"/admin/mailbox/{first}/body.html"):
        assert client.get(url).status_code == 302
    sign_in(make_user("viewer"))
    assert client.get("/admin/mailbox").status_code == 403
    admin = sign_in(make_user("admin"), on=app.test_client())
    assert admin.get("/admin/mailbox/999999").status_code == 404
    assert "/admin/mailbox" in admin.get("/admin/outbox").get_data(as_text=True)
    app.config["SMTP_URL"] = "smtp://127.0.0.1:1"
    for url in ("/admin/mailbox", f"/admin/mailbox/{first}", f"/admin/mailbox/{first}/body.html"):
        assert admin.get(url).status_code == 404
    outbox = admin.get("/admin/outbox").get_data(as_text=True)
    assert "/admin/mailbox" not in outbox


def test_open_now_opens_a_due_draft_once(admin_client, session, org) -> None:
    now = utcnow()
    due = create_campaign(
        session,
        name="Due",
        quarter="2026Q2",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=20),
        min_group_size=5,
    )
    later = create_campaign(
        session,
        name="Later",
        quarter="2026Q3",
        opens_at=now + timedelta(days=3),
        closes_at=now + timedelta(days=20),
        min_group_size=5,
    )
    session.commit()
    page = admin_client.get(f"/admin/campaigns/{due.id}").get_data(as_text=True)
    assert f"/admin/campaigns/{due.id}/open" in page
    assert f"/admin/campaigns/{later.id}/open" not in admin_client.get(
        f"/admin/campaigns/{later.id}"
    ).get_data(as_text=True)
    token = csrf_token(admin_client, f"/admin/campaigns/{due.id}")
    response = admin_client.post(f"/admin/campaigns/{due.id}/open", data={"csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    shown = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    session.rollback()
    assert session.scalar(select(Campaign.status).where(Campaign.id == due.id)) == "open"
    invited = session.scalar(
        select(func.count()).select_from(Invitation).where(Invitation.campaign_id == due.id)
    )
    assert invited == 12  # Sales and Engineering people, who depend on IT
    assert "flash-success" in shown and "12" in shown
    # Twice, or too early: refused, nothing more.
    again = admin_client.post(f"/admin/campaigns/{due.id}/open", data={"csrf_token": token})
    early = admin_client.post(f"/admin/campaigns/{later.id}/open", data={"csrf_token": token})
    assert again.status_code == early.status_code == 302
    session.rollback()
    assert session.scalar(select(Campaign.status).where(Campaign.id == later.id)) == "draft"
    assert session.scalar(select(func.count()).select_from(Invitation)) == invited
    assert "flash-error" in admin_client.get(f"/admin/campaigns/{later.id}").get_data(as_text=True)


def test_the_dev_worker_opens_due_campaigns_and_decides_surveys(app, session, org) -> None:
    now = utcnow()
    campaign = create_campaign(
        session,
        name="Created in the admin",
        quarter="2026Q2",
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(days=20),
        min_group_size=5,
    )
    session.commit()
    lines: list[str] = []
    with app.app_context():
        passes = run_dev_worker(
            database().sessionmaker, app.config, every=0.01, passes=2, say=lines.append
        )
    assert passes == 2
    session.rollback()
    assert session.scalar(select(Campaign.status).where(Campaign.id == campaign.id)) == "open"
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 12
    assert any("opened 1 campaign" in line for line in lines)


def test_the_dev_worker_stops_when_asked(app, session, org) -> None:
    stop = threading.Event()
    stop.set()
    with app.app_context():
        assert run_dev_worker(database().sessionmaker, app.config, stop=stop) == 0
    assert session.scalar(select(func.count()).select_from(Interaction)) == 0
    assert session.scalar(select(func.count()).select_from(Person)) == 12


def test_opening_now_says_who_was_left_out(app, admin_client, session, org) -> None:
    """A person erased this quarter and imported again, another whose survey budget is spent:
    the administrator who opens the campaign learns how many were left out, and why."""
    from survey.services.invitations import issue_invitation
    from tests.factories import erase

    email = org.person(0).email
    erase(app, email)
    session.rollback()
    session.add(Person(email=email, name="Back Again", department_id=org.sales.id))
    spent = org.person(1)
    for _ in range(4):  # the default budget: four invitations in thirty days
        issue_invitation(session, spent, "quiz", utcnow() + timedelta(days=9))
    now = utcnow()
    due = create_campaign(
        session,
        name="Due",
        quarter=quarter_of(now),
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=20),
        min_group_size=5,
    )
    session.commit()
    token = csrf_token(admin_client, f"/admin/campaigns/{due.id}")
    response = admin_client.post(f"/admin/campaigns/{due.id}/open", data={"csrf_token": token})
    shown = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "10 people invited" in shown
    assert "Left out: 1 whose survey budget for the period is spent, 1 erased this quarter" in (
        " ".join(shown.split())
    )
