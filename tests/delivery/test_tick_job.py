"""Who owns the tick's transactions: the job runner commits each step, the steps only flush;
on PostgreSQL a step another host holds is skipped, and done by the next run."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from survey.db import database
from survey.delivery.services.tick import TickReport, step_lock, tick_steps
from survey.delivery.tick_job import run_tick
from survey.models import Campaign, Invitation
from survey.models.base import utcnow
from tests.delivery.test_campaigns import SETTINGS, new_campaign


def invitations(session, campaign_id: int) -> int:  # type: ignore[no-untyped-def]
    session.rollback()
    return session.scalar(
        select(func.count()).select_from(Invitation).where(Invitation.campaign_id == campaign_id)
    )


@pytest.mark.postgres
def test_a_step_only_flushes_and_the_job_commits(app, session, org) -> None:
    now = utcnow()
    campaign = new_campaign(session, now)
    later = now + timedelta(hours=2)
    report = TickReport()
    [open_step] = [s for s in tick_steps(SETTINGS, report, later) if s.name == "open"]
    with app.app_context():
        sessions = database(app).sessionmaker
        with sessions() as own:
            open_step.work(own)
            assert report.opened == ["Q survey"]  # the work was done in this transaction ...
            own.rollback()  # ... and nothing of it was committed by the step
        assert invitations(session, campaign.id) == 0
        assert run_tick(sessions, SETTINGS, later).opened == ["Q survey"]
    assert invitations(session, campaign.id) == 12


@pytest.mark.postgres
def test_a_step_held_by_another_host_is_skipped(app, session, org, backend) -> None:
    now = utcnow()
    campaign = new_campaign(session, now)
    later = now + timedelta(hours=2)
    with app.app_context():
        sessions = database(app).sessionmaker
        with sessions() as other:
            assert step_lock(other, "open")  # another host is opening campaigns
            if backend == "postgres":
                report = run_tick(sessions, SETTINGS, later)
                assert report.skipped_steps == ["open"] and report.opened == []
                assert "busy elsewhere: open" in report.describe()
                assert invitations(session, campaign.id) == 0
            # SQLite has no advisory lock: its write lock at BEGIN IMMEDIATE serialises steps
            other.rollback()
        report = run_tick(sessions, SETTINGS, later)
    assert report.skipped_steps == [] and report.opened == ["Q survey"]
    assert invitations(session, campaign.id) == 12
    assert session.scalar(select(Campaign.status).where(Campaign.id == campaign.id)) == "open"


def test_the_report_words_the_skipped_surveys_for_an_operator() -> None:
    """The line cron mails or logs showed a Python dict ("skipped: {'open_quarterly': 4996}");
    it reads as words and counts, the most frequent reason first."""
    report = TickReport(post_interaction_skipped={"fatigue_window": 4, "open_quarterly": 4996})
    line = report.describe()
    assert "(skipped: open_quarterly 4996, fatigue_window 4)" in line and "{" not in line
    assert "(skipped: none)" in TickReport().describe()
