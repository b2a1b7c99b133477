"""A follow-up campaign for a quarter already released would publish it again with its few
new respondents: the difference of the two releases is theirs. Played through the admin
pages, the respondent links and the API: a campaign of a released quarter can be neither
created nor opened, and a link of a closed campaign takes no late answer.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey.local_time import local_today
from survey.models import Campaign
from survey.services.invitations import issue_invitation
from tests.anonymity.world import World
from tests.conftest import csrf_token, post_form


def _released_world(app: Flask, session: Session) -> tuple[World, str]:
    """HR rated by 11 people of ENG and FIN in the campaign of the quarter just ended, which
    the administrator closed: that quarter is released. ENG-6 was invited and had not
    answered (their link is returned); OPS (one person) was not surveyed."""
    w = World.build(app, session, {"HR": 1, "ENG": 7, "FIN": 5, "OPS": 1})
    w.open_campaign(audience=["ENG", "FIN"], name="Main")
    for code, values in {"ENG": [4, 5, 4, 3, 5, 4], "FIN": [3, 4, 4, 5, 2]}.items():
        for i, rating in enumerate(values):
            w.quarterly(f"{code}-{i}", {"HR": rating})
    _invitation, late = issue_invitation(
        session, w.people["ENG-6"], "quarterly", w.campaign.closes_at, campaign=w.campaign
    )
    session.commit()
    w.close_campaign()
    return w, late


def _follow_up_form(w: World) -> dict[str, str]:
    today = local_today()
    return {
        "name": "Follow-up",
        "quarter": w.quarter,
        "opens_on": today.isoformat(),
        "closes_on": (today + timedelta(days=7)).isoformat(),
        "min_group_size": "5",
        "reminder_max": "0",
        "reminder_min_days": "1",
        "departments": str(w.departments["OPS"].id),
        "confirm": "1",
    }


@pytest.mark.postgres
def test_a_follow_up_campaign_cannot_be_created_for_a_released_quarter(
    app: Flask, session: Session
) -> None:
    w, late = _released_world(app, session)
    before = w.api_scorecard("HR", w.quarter)
    assert before["components"]["R"]["n"] == 11, "no control: the quarter is not released"

    # A link of the closed campaign no longer takes an answer.
    respondent = app.test_client()
    url = f"/r/{late}"
    answered = respondent.post(
        url,
        data={"csrf_token": csrf_token(respondent, url), "section": "0", "action": "submit"},
    )
    assert answered.status_code == 410, "a link of a closed campaign still works"

    for confirm in ("", "1"):  # the reach step and the creation step
        form = {**_follow_up_form(w), "confirm": confirm}
        response = post_form(w.admin, "/admin/campaigns/new", form)
        page = response.get_data(as_text=True)
        assert response.status_code == 422, "a campaign of a released quarter was accepted"
        assert "already been published" in page
        assert 'value="Follow-up"' in page, "the administrator's answers were not kept"
    session.commit()
    assert session.scalar(select(func.count()).select_from(Campaign)) == 1
    assert w.api_scorecard("HR", w.quarter) == before


@pytest.mark.postgres
def test_a_draft_of_a_quarter_released_meanwhile_cannot_be_opened(
    app: Flask, session: Session
) -> None:
    w = World.build(app, session, {"HR": 1, "ENG": 6, "FIN": 5, "OPS": 1})
    w.open_campaign(audience=["ENG", "FIN"], name="Main")
    # While the main campaign is open the quarter is not released: a follow-up may still be
    # created (its answers would be part of the first release) ...
    response = post_form(w.admin, "/admin/campaigns/new", _follow_up_form(w))
    assert response.status_code == 302
    session.commit()
    follow_up = session.scalar(select(Campaign).where(Campaign.name == "Follow-up"))
    assert follow_up is not None and follow_up.status == "draft"
    for code, values in {"ENG": [4, 5, 4, 3, 5, 4], "FIN": [3, 4, 4, 5, 2]}.items():
        for i, rating in enumerate(values):
            w.quarterly(f"{code}-{i}", {"HR": rating})
    w.close_campaign()  # ... but the quarter is released before it opened
    before = w.api_scorecard("HR", w.quarter)
    assert before["components"]["R"]["n"] == 11, "no control: the quarter is not released"

    response = post_form(w.admin, f"/admin/campaigns/{follow_up.id}/open")
    assert response.status_code == 302
    shown = w.admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "already been published" in shown
    session.commit()
    session.refresh(follow_up)
    assert follow_up.status == "draft", "a campaign of a released quarter was opened"
    assert w.api_scorecard("HR", w.quarter) == before
