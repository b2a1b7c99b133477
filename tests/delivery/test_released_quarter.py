"""A quarter's figures are released once: no campaign of a released quarter can be created,
opened by the scheduler or created by a schedule; a quarter not yet released (in progress,
still surveyed by an open campaign, or with fewer than k people answering about any
provider) can still get one.

"Later" is played by passing the services and the tick a ``now`` in the next quarter, so the
answers given today belong to a quarter that has ended by then."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from survey.delivery.services.campaigns import (
    QuarterReleased,
    create_campaign,
    quarter_released,
)
from survey.delivery.services.schedules import ScheduleValues, save_schedule
from survey.models import Campaign
from survey.models.base import utcnow
from survey.periods import quarter_bounds, quarter_of
from tests.conftest import csrf_token
from tests.delivery.test_campaigns import tick
from tests.factories import file_submissions, post_interaction_link


def _next_quarter_start(quarter: str) -> datetime:
    return datetime.combine(quarter_bounds(quarter)[1], time(12), tzinfo=UTC)


def _answer_today(session, org, client, people: range = range(5)) -> None:  # type: ignore[no-untyped-def]
    """Post-interaction answers about IT from ``people`` (indexes; k people by default,
    enough to release the quarter once it has ended), in the quarter in progress; filed, as
    the next page, API call or ``survey`` command would before reading the figures."""
    for n in people:
        token = post_interaction_link(session, org.person(n), org.it, org.laptop)
        url = f"/r/{token}"
        data = {"csrf_token": csrf_token(client, url), "overall": "4"}
        assert client.post(url, data=data).status_code == 302
    file_submissions(client.application)


def _campaign(session, quarter: str, opens_at: datetime, days: int = 60, **kw) -> Campaign:  # type: ignore[no-untyped-def]
    return create_campaign(
        session,
        name=kw.pop("name", f"Survey {quarter}"),
        quarter=quarter,
        opens_at=opens_at,
        closes_at=opens_at + timedelta(days=days),
        min_group_size=5,
        **kw,
    )


@pytest.mark.postgres
def test_no_campaign_of_a_released_quarter_is_created(session, org, client) -> None:
    quarter = quarter_of(utcnow())
    later = _next_quarter_start(quarter)
    # Nothing answered: an ended quarter without answers has released nothing; nor has one
    # where fewer than k people answered (it reads the same).
    assert not quarter_released(session, quarter, later)
    _answer_today(session, org, client, range(4))
    assert not quarter_released(session, quarter, later)
    _answer_today(session, org, client, range(4, 5))
    assert not quarter_released(session, quarter, utcnow()), "in progress: not released"
    assert quarter_released(session, quarter, later)
    with pytest.raises(QuarterReleased):
        _campaign(session, quarter, later, now=later)
    session.rollback()
    # The quarter in progress then may have its campaign.
    assert _campaign(session, quarter_of(later), later, now=later).status == "draft"


@pytest.mark.postgres
def test_a_follow_up_is_possible_while_a_campaign_of_the_quarter_is_still_open(
    session, org, client
) -> None:
    quarter = quarter_of(utcnow())
    later = _next_quarter_start(quarter)
    main = _campaign(session, quarter, utcnow() - timedelta(hours=1), days=200, name="Main")
    main.status = "open"  # still open past the quarter's end
    session.commit()
    _answer_today(session, org, client)
    assert not quarter_released(session, quarter, later)
    follow_up = _campaign(session, quarter, later, name="Follow-up", now=later)
    session.commit()
    assert follow_up.status == "draft"


@pytest.mark.postgres
def test_the_tick_cancels_a_draft_whose_quarter_was_released(app, session, org, client) -> None:
    quarter = quarter_of(utcnow())
    later = _next_quarter_start(quarter)
    draft = _campaign(session, quarter, later - timedelta(hours=1), name="Late")
    session.commit()  # created while the quarter was in progress
    _answer_today(session, org, client)
    report = tick(app, later)
    assert report.opened == [] and report.cancelled == ["Late"]
    session.expire_all()
    assert session.get(Campaign, draft.id).status == "cancelled"


@pytest.mark.postgres
def test_a_schedule_made_late_skips_a_released_quarter(app, session, org, client) -> None:
    quarter = quarter_of(utcnow())
    later = _next_quarter_start(quarter)
    _answer_today(session, org, client)
    number = int(quarter[-1])
    # Its window for the ended quarter (days 80 to 120) is still running at ``later``.
    save_schedule(
        session,
        None,
        ScheduleValues("Every quarter", (number,), 80, 120),
        actor=None,
        now=later,
    )
    session.commit()
    tick(app, later)
    session.expire_all()
    assert session.query(Campaign).filter(Campaign.quarter == quarter).count() == 0
