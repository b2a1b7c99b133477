"""A quarter's figures are gated with that quarter's own k (at least the k its campaigns
promised) wherever they appear: a later quarter's page, trend chart and its text alternative,
CSV export, API and change flags, and the organisation overview's movers, never gate an
earlier quarter with the later quarter's lower k.
"""

from __future__ import annotations

import csv
import io
import re
import threading

import pytest
from flask import Flask
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from survey.db import database
from survey.delivery.services.tick import TickSettings
from survey.delivery.tick_job import run_tick
from survey.models import Campaign, QuarterRelease
from survey.models.base import utcnow
from survey.periods import quarter_of, shift_quarter
from survey.scorecards.services import chart_cache
from survey.services.release import record_releases
from tests.anonymity.world import World
from tests.conftest import post_form
from tests.factories import file_submissions


def _two_campaign_world(
    app: Flask,
    session: Session,
    ratings_a: tuple[int, ...] = (4, 3, 4, 4, 3, 4, 5),
    ratings_b: tuple[int, ...] = (2, 3, 2, 3, 2, 3),
    k_a: int = 10,
) -> tuple[World, str, str]:
    """Quarter QA (campaign k = ``k_a``): ENG people rate HR ``ratings_a``; quarter QB
    (campaign k = 5): FIN people rate HR ``ratings_b``. Both campaigns closed: both quarters
    released."""
    w = World.build(app, session, {"HR": 1, "ENG": len(ratings_a), "FIN": len(ratings_b)})
    qb = w.quarter
    qa = shift_quarter(qb, -1)
    for quarter, k, code, ratings in ((qa, k_a, "ENG", ratings_a), (qb, 5, "FIN", ratings_b)):
        w.open_campaign(quarter, k, [code], name=f"Survey {quarter}")
        for i, rating in enumerate(ratings):
            w.quarterly(f"{code}-{i}", {"HR": rating})
        w.close_campaign()
    return w, qa, qb


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.postgres
def test_a_quarter_under_its_campaigns_k_stays_hidden_in_a_later_quarters_trend(
    app: Flask, session: Session
) -> None:
    w, qa, qb = _two_campaign_world(app, session)
    own = w.api_scorecard("HR", qa)
    assert own["k"] == 10 and own["isq"]["value"] is None, "no control: QA shown on its page"
    later = w.api_scorecard("HR", qb)
    assert later["isq"]["value"] is not None, "no control: QB hidden on its own page"

    # The API's trend of QB
    for point in later["trend"]:
        if point["quarter"] == qa:
            assert point["isq"]["value"] is None, f"API trend shows {qa}: {point}"
            assert point["isq"]["n"] is None and point["organisation_isq"] is None
    # QA's answer counts rest on 7 people, under its campaign's k: not in QB's API either
    counts = {r["quarter"]: r for r in later["responses"]}
    assert counts.get(qa, {}).get("quarterly") is None and counts[qb]["quarterly"] == 6, counts
    # The CSV export of QB: no row of QA carries a figure, its answer counts included
    text = w.admin.get(f"/scorecards/HR.csv?quarter={qb}").get_data(as_text=True)
    for row in csv.reader(io.StringIO(text)):
        if qa in row:
            assert not any(re.fullmatch(r"-?\d+(\.\d+)?", cell) for cell in row[3:]), row
    # The page of QB: its trend chart's text alternative names no figure of QA
    page = _text(w.admin.get(f"/scorecards/HR?quarter={qb}").get_data(as_text=True))
    assert "ISQ by quarter" in page, "no control: the trend's text alternative is not there"
    assert not re.search(rf"\d+(?:\.\d+)? in {qa}", page), "the page's trend shows QA"


@pytest.mark.postgres
def test_a_change_from_a_quarter_under_its_campaigns_k_is_not_shown(
    app: Flask, session: Session
) -> None:
    """HR fell from QA (10 people, hidden under its campaign's k = 12) into QB (10 people,
    k = 5; a change is tested from 10 people on each side): the change flag would show QA's
    ISQ beside QB's on QB's page, API and overview."""
    w, qa, qb = _two_campaign_world(app, session, (5, 4) * 5, (1, 2) * 5, k_a=12)
    assert w.api_scorecard("HR", qa)["isq"]["value"] is None, "no control: QA shown on its page"
    later = w.api_scorecard("HR", qb)
    assert later["isq"]["value"] is not None, "no control: QB hidden on its own page"
    assert later["change"] is None, f"a change from {qa} is shown: {later['change']}"
    page = _text(w.admin.get(f"/scorecards/HR?quarter={qb}").get_data(as_text=True))
    assert f"Since {qa}" not in page
    overview = w.admin.get(f"/scorecards/?quarter={qb}").get_data(as_text=True)
    movers = re.search(r'<section aria-labelledby="movers-heading">(.*?)</section>', overview, re.S)
    assert movers is not None, "no control: the overview has no section of changes"
    assert 'class="movers"' not in movers.group(1), f"a change from {qa} is shown on the overview"


def test_the_k_of_a_released_quarter_cannot_change(app: Flask, session: Session) -> None:
    """A released quarter no longer moves: raising a closed campaign's k afterwards would
    publish the quarter a second time under another suppression pattern (and the two
    patterns together may tell what each hides). Before the quarter is released, k may
    still be raised."""
    w, qa, _qb = _two_campaign_world(app, session, ratings_a=(4, 3, 4, 4, 3, 4), k_a=5)
    campaign = session.scalar(select(Campaign).where(Campaign.quarter == qa))
    assert campaign is not None
    session.commit()
    before = w.api_scorecard("HR", qa)
    assert before["isq"]["value"] is not None, "no control: QA hidden from the start"

    reply = post_form(w.admin, f"/admin/campaigns/{campaign.id}", {"min_group_size": "7"})
    assert reply.status_code == 422, reply.status_code
    assert "published" in reply.get_data(as_text=True)
    session.expire_all()
    assert session.get(Campaign, campaign.id).min_group_size == 5
    session.commit()
    assert w.api_scorecard("HR", qa) == before
    # The same k again is no change: the form saves.
    same = post_form(w.admin, f"/admin/campaigns/{campaign.id}", {"min_group_size": "5"})
    assert same.status_code == 302, same.status_code

    # A campaign of the quarter in progress may still be raised.
    running = w.open_campaign(quarter_of(utcnow()), 5, ["FIN"], name="Running")
    raised = post_form(w.admin, f"/admin/campaigns/{running.id}", {"min_group_size": "8"})
    assert raised.status_code == 302, raised.status_code
    session.expire_all()
    assert session.get(Campaign, running.id).min_group_size == 8


def _tick(app: Flask) -> list[str]:
    """The scheduled tick, as ``survey tick`` runs it (the queue filed first, as every
    ``survey`` command does): the quarters whose k it recorded."""
    file_submissions(app)
    with app.app_context():
        settings = TickSettings.from_config(app.config)
        return run_tick(database(app).sessionmaker, settings).released


@pytest.mark.postgres
def test_a_lower_setting_does_not_publish_a_released_quarter_again(
    app: Flask, session: Session
) -> None:
    """A quarter with post-interaction answers only (no campaign promised a k) is released
    under the setting's k = 5 and published; the administrator then lowers the setting to 3.
    The quarter is published as before, under the k it was released under (recorded by the
    tick): under 3, eight requesters split four and four would show LEGAL's satisfaction,
    another suppression pattern of the same quarter. A quarter released later takes the
    lower k."""
    w = World.build(app, session, {"LEGAL": 1, "ENG": 8})
    for i in range(8):
        w.post_interaction(f"ENG-{i}", "LEGAL", 5 if i % 2 else 2)
    file_submissions(app)  # the answers filed in their own quarter, before time passes
    w.end_quarter(requests=True)
    assert _tick(app) == [w.quarter]
    assert _tick(app) == [], "a quarter's k recorded twice"
    before = w.api_scorecard("LEGAL", w.quarter)
    assert before["k"] == 5 and before["components"]["T"]["reason"] == "one_sided"

    app.config["MIN_GROUP_SIZE"] = 3
    chart_cache.clear()
    assert w.api_scorecard("LEGAL", w.quarter) == before

    # Control: without the record, the lower setting publishes the quarter anew.
    session.execute(delete(QuarterRelease))
    session.commit()
    chart_cache.clear()
    anew = w.api_scorecard("LEGAL", w.quarter)
    assert anew["k"] == 3 and anew["components"]["T"]["reason"] is None, anew["components"]


@pytest.mark.postgres
def test_two_records_of_one_release_at_once_keep_the_first(app: Flask, session: Session) -> None:
    """An administrator's close and a tick on another host record one quarter at the same
    moment: no error, one record, the first one's k."""
    w = World.build(app, session, {"LEGAL": 1, "ENG": 6})
    for i in range(6):
        w.post_interaction(f"ENG-{i}", "LEGAL", 5 if i % 2 else 2)
    file_submissions(app)  # the answers filed in their own quarter, before time passes
    w.end_quarter()
    sessions = database(app).sessionmaker
    now = utcnow()
    first = sessions()
    assert record_releases(first, now, 5) == [w.quarter]
    failures: list[BaseException] = []

    def second() -> None:
        try:
            with sessions() as other:
                record_releases(other, now, 6)  # waits for the first transaction
                other.commit()
        except BaseException as error:
            failures.append(error)

    thread = threading.Thread(target=second)
    thread.start()
    thread.join(0.5)
    first.commit()
    first.close()
    thread.join(30)
    assert not thread.is_alive() and failures == [], failures
    session.commit()
    rows = session.execute(select(QuarterRelease.quarter, QuarterRelease.min_group_size)).all()
    assert [tuple(r) for r in rows] == [(w.quarter, 5)]
