"""The anonymity promise in the emails and on the thank-you page names the k in force: the
app's setting, or a quarterly campaign's larger k (the quarter is gated with the larger)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from survey.delivery.services.campaigns import create_campaign
from survey.delivery.services.mailing import Recipient, quarterly_messages, queue_invitation_email
from survey.models import Invitation
from survey.models.base import utcnow
from survey.periods import quarter_of
from tests import factories


def _campaign(session, k: int):  # type: ignore[no-untyped-def]
    now = utcnow()
    campaign = create_campaign(
        session,
        name="Promise",
        quarter=quarter_of(now),
        opens_at=now,
        closes_at=now + timedelta(days=20),
        min_group_size=k,
    )
    session.flush()
    return campaign


@pytest.mark.parametrize(("setting", "campaign_k", "promised"), [(5, 8, 8), (7, 5, 7)])
def test_a_quarterly_email_promises_the_larger_of_the_setting_and_the_campaigns_k(
    app, session, org, setting: int, campaign_k: int, promised: int
) -> None:
    app.config["MIN_GROUP_SIZE"] = setting
    campaign = _campaign(session, campaign_k)
    person = org.person(0)
    person.locale = "en"
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
            [Recipient(invitation.id, person.name, person.email, "it", "TokenAbc-_123")],
            campaign,
            campaign.closes_at,
            "http://localhost",
            "example.com",
            now=utcnow(),
        )
    words = f"groups of at least {promised} people"
    assert words in single.body_text and words in single.body_html, single.body_text
    assert "five people" not in single.body_text
    assert f"almeno {promised} persone" in batch["body_text"], batch["body_text"]
    session.rollback()


def test_a_post_interaction_email_promises_the_setting(app, session, org) -> None:
    app.config["MIN_GROUP_SIZE"] = 6
    person = org.person(0)
    person.locale = "fr"
    now = utcnow()
    interaction = factories.handled_request(session, person, org.it, org.laptop, now)
    with app.test_request_context():
        invitation = Invitation(
            person_id=person.id,
            kind="post_interaction",
            interaction_id=interaction.id,
            status="queued",
            expires_at=now + timedelta(days=14),
        )
        session.add(invitation)
        session.flush()
        message = queue_invitation_email(
            session,
            invitation,
            person,
            "TokenAbc-_123",
            "http://localhost",
            "example.com",
            provider_name="IT",
        )
    assert "au moins 6 personnes" in message.body_text, message.body_text
    assert "au moins 6 personnes" in message.body_html
    session.rollback()


@pytest.mark.parametrize(("lang", "words"), [("en", "at least 9 people"), ("it", "almeno 9")])
def test_the_thank_you_page_promises_the_setting(app, client, lang: str, words: str) -> None:
    app.config["MIN_GROUP_SIZE"] = 9
    page = client.get(f"/r/thanks?lang={lang}").get_data(as_text=True)
    assert words in page, page
