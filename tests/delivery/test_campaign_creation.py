"""Creating a campaign: the current quarter by default, how many people it reaches shown
before it is created, and no second campaign of a quarter for the same people."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from survey.delivery.services.campaigns import DuplicateCampaign, campaign_reach, create_campaign
from survey.models import Campaign
from survey.models.base import utcnow
from survey.periods import quarter_of
from tests.conftest import post_form


def _fields(org, quarter: str, departments: list[int], **extra: str) -> dict:  # type: ignore[no-untyped-def]
    today = utcnow().date()
    return {
        "name": "Relationship survey",
        "quarter": quarter,
        "opens_on": today.isoformat(),
        "closes_on": (today + timedelta(days=21)).isoformat(),
        "departments": [str(d) for d in departments],
        "min_group_size": "5",
        "reminder_max": "2",
        "reminder_min_days": "5",
        **extra,
    }


def test_the_form_defaults_to_the_current_quarter(admin_client, org) -> None:
    page = admin_client.get("/admin/campaigns/new").get_data(as_text=True)
    current = quarter_of(utcnow())
    assert f'value="{current}"' in page and f"Quarterly survey {current}" in page
    assert utcnow().date().isoformat() in page


def test_the_reach_is_shown_before_anything_is_created(admin_client, session, org) -> None:
    quarter = quarter_of(utcnow())
    preview = post_form(admin_client, "/admin/campaigns/new", _fields(org, quarter, [org.sales.id]))
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and 'id="reach"' in page
    session.rollback()
    assert "will invite 6 people" in page  # the six people of Sales, who depend on IT and HR
    assert session.scalar(select(func.count()).select_from(Campaign)) == 0
    everyone = post_form(admin_client, "/admin/campaigns/new", _fields(org, quarter, []))
    assert "will invite 12 people" in everyone.get_data(as_text=True)
    created = post_form(
        admin_client, "/admin/campaigns/new", _fields(org, quarter, [org.sales.id], confirm="1")
    )
    assert created.status_code == 302
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Campaign)) == 1
    assert campaign_reach(session, quarter, [org.hr.id]) == 0  # nobody works in HR here


def test_a_second_campaign_for_the_same_people_and_quarter_is_refused(
    admin_client, session, org
) -> None:
    quarter = quarter_of(utcnow())
    first = post_form(
        admin_client, "/admin/campaigns/new", _fields(org, quarter, [org.sales.id], confirm="1")
    )
    assert first.status_code == 302
    for departments in ([org.sales.id], [org.sales.id, org.eng.id], []):
        again = post_form(
            admin_client, "/admin/campaigns/new", _fields(org, quarter, departments, confirm="1")
        )
        page = again.get_data(as_text=True)
        assert again.status_code == 422 and "already surveys this quarter" in page
        assert "Relationship survey" in page
    # Other people, or another quarter: fine.
    other = post_form(
        admin_client, "/admin/campaigns/new", _fields(org, quarter, [org.eng.id], confirm="1")
    )
    assert other.status_code == 302
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Campaign)) == 2
    now = utcnow()
    try:
        create_campaign(
            session,
            name="Dup",
            quarter=quarter,
            opens_at=now,
            closes_at=now + timedelta(days=3),
            min_group_size=5,
            refuse_overlap=True,
        )
    except DuplicateCampaign as error:
        assert error.field == "quarter"
    else:
        raise AssertionError("a campaign for everyone overlaps both")
    session.rollback()


def test_a_cancelled_campaign_does_not_block_its_quarter(session, org) -> None:
    now = utcnow()
    first = create_campaign(
        session,
        name="A",
        quarter="2026Q2",
        opens_at=now,
        closes_at=now + timedelta(days=3),
        min_group_size=5,
    )
    first.status = "cancelled"
    session.flush()
    second = create_campaign(
        session,
        name="B",
        quarter="2026Q2",
        opens_at=now,
        closes_at=now + timedelta(days=3),
        min_group_size=5,
        refuse_overlap=True,
    )
    assert second.id != first.id
    session.rollback()
