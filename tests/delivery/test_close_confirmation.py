"""Closing a campaign early asks first: a page says what closing does (links stop, how many
invitations are unanswered, whether the quarter's figures are then published), and only a POST
carrying its confirm field closes."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from sqlalchemy import select

from survey.delivery.services.closing import close_preview
from survey.models import Campaign, Invitation
from survey.periods import quarter_bounds
from tests import factories
from tests.admin.conftest import fresh
from tests.conftest import post_form
from tests.delivery.test_released_quarter import _answer_today


def _open_with_links(session, org) -> Campaign:  # type: ignore[no-untyped-def]
    campaign = factories.open_campaign(session)
    for n in range(3):
        factories.quarterly_link(session, org.person(n), campaign)
    session.commit()
    return campaign


@pytest.mark.postgres
def test_the_page_says_what_closing_does_and_a_post_without_confirm_closes_nothing(
    admin_client, session, org
) -> None:
    campaign = _open_with_links(session, org)
    detail = admin_client.get(f"/admin/campaigns/{campaign.id}").get_data(as_text=True)
    assert f'action="/admin/campaigns/{campaign.id}/close"' in detail
    page = admin_client.get(f"/admin/campaigns/{campaign.id}/close")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "3 invitations are still unanswered" in text
    assert "stop working" in text
    assert "does not publish" in text  # the quarter is still in progress
    assert 'name="confirm" value="1"' in text and 'name="csrf_token"' in text
    assert fresh(session, Campaign, campaign.id).status == "open"  # a GET changes nothing

    refused = post_form(admin_client, f"/admin/campaigns/{campaign.id}/close")
    assert refused.status_code == 302
    assert refused.headers["Location"].endswith(f"/admin/campaigns/{campaign.id}/close")
    assert fresh(session, Campaign, campaign.id).status == "open"
    statuses = session.scalars(
        select(Invitation.status).where(Invitation.campaign_id == campaign.id)
    ).all()
    assert "expired" not in statuses

    done = post_form(admin_client, f"/admin/campaigns/{campaign.id}/close", {"confirm": "1"})
    assert done.status_code == 302
    assert fresh(session, Campaign, campaign.id).status == "closed"
    statuses = session.scalars(
        select(Invitation.status).where(Invitation.campaign_id == campaign.id)
    ).all()
    assert set(statuses) == {"expired"}
    # A closed campaign has nothing to confirm: the page says so and offers no form.
    again = admin_client.get(f"/admin/campaigns/{campaign.id}/close").get_data(as_text=True)
    assert "Only an open campaign can be closed." in again and 'name="confirm"' not in again


def test_the_confirmation_is_translated(admin_client, session, org) -> None:
    campaign = _open_with_links(session, org)
    it = admin_client.get(f"/admin/campaigns/{campaign.id}/close?lang=it").get_data(as_text=True)
    fr = admin_client.get(f"/admin/campaigns/{campaign.id}/close?lang=fr").get_data(as_text=True)
    assert "3 inviti sono ancora senza risposta" in it
    assert "3 invitations sont encore sans réponse" in fr


def test_the_preview_tells_when_closing_publishes_the_quarter(
    app, admin_client, session, org, client
) -> None:
    campaign = _open_with_links(session, org)
    later = datetime.combine(quarter_bounds(campaign.quarter)[1], time(12), tzinfo=UTC)
    assert close_preview(session, campaign, later).releases is False  # nobody answered
    _answer_today(session, org, client)  # k people answered about IT this quarter
    session.rollback()
    campaign = session.get(Campaign, campaign.id)
    preview = close_preview(session, campaign, later)
    assert (preview.unanswered, preview.releases) == (3, True)
    # While the quarter is in progress, closing publishes nothing.
    assert close_preview(session, campaign).releases is False
