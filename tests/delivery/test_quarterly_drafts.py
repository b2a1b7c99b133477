"""A quarterly draft is validated before it is kept, whatever the action: "I did not deal with
them", "back" and "save" never store what a submit would refuse (huge texts, NUL bytes)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from survey.models import InvitationDraft
from tests.conftest import csrf_token

HUGE = "x" * (4 * 1024 * 1024 - 2000)


@pytest.mark.parametrize(
    ("extra", "comment"),
    [
        ({"not_applicable": "y", "action": "next"}, HUGE),
        ({"not_applicable": "y", "action": "next"}, "fine\x00hidden"),
        ({"action": "back"}, HUGE),
        ({"action": "save"}, "null\x00byte"),
    ],
    ids=["skip-huge", "skip-nul", "back-huge", "save-nul"],
)
def test_a_wrong_value_is_refused_and_no_draft_kept(
    client, session, invite, org, open_campaign_for, extra, comment
) -> None:
    campaign = open_campaign_for()
    url = f"/r/{invite('quarterly', org.person(0), campaign=campaign)}"
    response = client.post(
        url,
        data={"csrf_token": csrf_token(client, url), "section": "0", "comment": comment, **extra},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'class="error' in page or "error" in page
    session.rollback()
    assert session.scalar(select(func.count()).select_from(InvitationDraft)) == 0


def test_skipping_a_department_keeps_a_small_valid_draft(
    client, session, invite, org, open_campaign_for
) -> None:
    campaign = open_campaign_for()
    url = f"/r/{invite('quarterly', org.person(0), campaign=campaign)}"
    response = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "section": "0",
            "action": "next",
            "not_applicable": "y",
            "comment": "nothing to say",
        },
    )
    assert response.status_code == 200 and "Department 2 of 2" in response.get_data(as_text=True)
    session.rollback()
    draft = session.scalar(select(InvitationDraft))
    assert draft is not None and len(json.dumps(draft.data)) < 2000
    assert next(iter(draft.data["sections"].values()))["not_applicable"] is True
