"""k, the smallest group a figure may rest on, cannot be lowered while a campaign runs (issue 6,
anonymity audit).

k is set in two places: the ``SURVEY_MIN_GROUP_SIZE`` setting (read at start-up) and each
campaign's own k (the admin campaign page). Scorecards gate a quarter at the larger of the
setting and the k of the quarter's campaigns. What is checked here:

- the campaign page refuses a lower k once the campaign has opened, in the administrator's
  language, with the typed value kept and nothing stored;
- the service refuses it too, even when the page was loaded while the campaign was still a
  draft and the scheduler opened it meanwhile (one conditional UPDATE decides);
- a campaign opens with at least the k of the setting, so restarting with a lower setting
  does not lower the gate of the running campaign's quarter (scorecard page and API).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from survey.db import database
from survey.delivery.services.campaigns import CampaignError, create_campaign, set_min_group_size
from survey.delivery.services.tick import TickSettings
from survey.delivery.tick_job import run_tick
from survey.models import Campaign
from survey.models.base import utcnow
from tests.conftest import post_form
from tests.delivery.test_campaigns import SETTINGS, new_campaign, tick
from tests.scorecards.conftest import Org, api_get, org  # noqa: F401  (a fixture, reused)
from tests.security.conftest import changed_tables, db_digest

Q = "2026Q1"
REFUSED = {
    "en": "k cannot be lowered once the campaign has opened.",
    "it": "Una volta aperta la campagna, k non può più essere ridotto.",
    "fr": "k ne peut pas être abaissé une fois la campagne ouverte.",
}


def open_with_setting(app, session: Session, k: int, setting: int, quarter: str = Q) -> Campaign:
    """A campaign created with ``k``, opened by the scheduler under the setting ``setting``."""
    now = utcnow()
    campaign = create_campaign(
        session,
        name=f"Campaign k{k}",
        quarter=quarter,
        opens_at=now,
        closes_at=now + timedelta(days=30),
        min_group_size=k,
    )
    session.commit()
    with app.app_context():
        run_tick(
            database(app).sessionmaker,
            TickSettings(**{**vars(SETTINGS), "min_group_size": setting}),
            now,
        )
    session.refresh(campaign)
    assert campaign.status == "open"
    return campaign


@pytest.mark.parametrize("locale", ["en", "it", "fr"])
def test_campaign_page_refuses_a_lower_k_keeping_the_value(
    app, session, make_user, sign_in, locale
) -> None:
    campaign = open_with_setting(app, session, 8, 5)
    client = sign_in(make_user("admin", locale=locale))
    url = f"/admin/campaigns/{campaign.id}"
    before = db_digest(app)
    refused = post_form(client, url, {"min_group_size": "6"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert REFUSED[locale] in html
    assert 'name="min_group_size"' in html and 'value="6"' in html  # what was typed is kept
    assert changed_tables(before, db_digest(app)) == []
    raised = post_form(client, url, {"min_group_size": "9"})
    assert raised.status_code == 302
    session.expire_all()
    assert session.get(Campaign, campaign.id).min_group_size == 9


@pytest.mark.postgres
def test_a_page_loaded_before_the_opening_cannot_lower_k(app, session, backend) -> None:
    """The administrator's session still holds the campaign as a draft (k 6) when another
    process's scheduler opens it; lowering k to 5 must then be refused, not stored."""
    now = utcnow()
    campaign = new_campaign(session, now)  # opens in an hour
    set_min_group_size(session, campaign, 6)
    session.commit()
    stale = session.get(Campaign, campaign.id)
    assert stale is not None and stale.status == "draft"
    tick(app, now + timedelta(hours=2))
    with pytest.raises(CampaignError):
        set_min_group_size(session, stale, 5)
    session.rollback()
    with Session(database(app).engine) as fresh:
        assert fresh.scalar(select(Campaign.min_group_size)) == 6
        assert fresh.scalar(select(Campaign.status)) == "open"


def test_a_draft_may_still_be_lowered_and_an_open_campaign_raised(app, session) -> None:
    campaign = new_campaign(session, utcnow())
    set_min_group_size(session, campaign, 9)
    set_min_group_size(session, campaign, 6)  # a draft: allowed
    session.commit()
    assert campaign.min_group_size == 6


@pytest.mark.postgres
def test_a_campaign_opens_with_at_least_the_k_of_the_setting(app, session, backend) -> None:
    assert open_with_setting(app, session, 5, 7).min_group_size == 7
    assert open_with_setting(app, session, 9, 7, quarter="2026Q2").min_group_size == 9


def test_the_tick_command_passes_the_setting(app, session, runner) -> None:
    now = utcnow()
    create_campaign(
        session,
        name="From cron",
        quarter=Q,
        opens_at=now,
        closes_at=now + timedelta(days=30),
        min_group_size=5,
    )
    session.commit()
    app.config["MIN_GROUP_SIZE"] = 7
    result = runner.invoke(args=["survey", "tick"])
    assert result.exit_code == 0, result.output
    session.expire_all()
    assert session.scalar(select(Campaign.min_group_size)) == 7


def test_lowering_the_setting_does_not_lower_a_running_campaign(
    app,
    session,
    client,
    admin_client,
    org: Org,  # noqa: F811
) -> None:
    """IT has 12 respondents in the quarter, 7 satisfied and 5 not. The campaign opened while
    the setting said 7; the app now runs with the setting back at 5: IT's T of that quarter
    stays hidden (under k = 7 a share needs 7 people on each side). The control: the same
    answers in an earlier quarter without a campaign show under k = 5. (The campaign opens
    before its quarter has answers: a released quarter gets no campaign.)"""
    ratings = [4, 5, 5, 3, 4, 2, 5, 4, 1, 2, 3, 4]
    earlier = "2025Q4"
    org.post_interaction("IT", "SALES", earlier, ratings)
    assert app.config["MIN_GROUP_SIZE"] == 5
    url = f"/api/v1/departments/IT/scorecard?quarter={earlier}"
    shown = api_get(client, org, url).get_json()
    assert shown["k"] == 5 and shown["components"]["T"]["n"] == 12  # the control
    campaign = open_with_setting(app, session, 5, 7)
    org.post_interaction("IT", "SALES", Q, ratings)
    body = api_get(client, org, f"/api/v1/departments/IT/scorecard?quarter={Q}").get_json()
    assert body["k"] == 7
    # While the campaign runs, its quarter is not released at all.
    assert body["components"]["T"]["value"] is None
    assert body["components"]["T"]["reason"] == "no_data"
    session.rollback()
    session.execute(update(Campaign).where(Campaign.id == campaign.id).values(status="closed"))
    session.commit()
    body = api_get(client, org, f"/api/v1/departments/IT/scorecard?quarter={Q}").get_json()
    assert body["k"] == 7
    assert body["components"]["T"]["value"] is None
    assert body["components"]["T"]["reason"] == "one_sided"
    page = admin_client.get(f"/scorecards/IT?quarter={Q}").get_data(as_text=True)
    assert "58.3" not in page  # T = 7/12 would show under k = 5
