"""Whether a given person answered: what the scorecard's response counts and response rate may
tell a provider's manager, who knows whose requests the department handled.

The attack: a department handled one request in the quarter (or a handful); its released
scorecard said "after a request: 1, surveys sent: 1, answered: about 100 %", so the one
requester had answered (or, with 0, had not). Two worlds that differ only in whether one
requester answered must publish the same documents (page, CSV, PDF, API, overview); and where
enough people answered and enough did not, the counts and the rate are shown (the gate is not
"always hide").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from survey.scorecards.services import chart_cache
from tests.anonymity import channels
from tests.anonymity.twins import world_app
from tests.anonymity.world import World
from tests.factories import file_submissions

# Six customers answer about LEGAL in both worlds, so the quarter is released either way.
SIZES = {"LEGAL": 1, "FAC": 1, "ENG": 10}


@contextmanager
def _world(tmp_path: Path, request: pytest.FixtureRequest, name: str) -> Iterator[World]:
    folder = tmp_path / name
    folder.mkdir()
    app, engine = world_app("sqlite", folder, request)
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield World.build(app, session, SIZES)
        finally:
            session.close()
            engine.dispose()
            chart_cache.clear()


def _published(world: World) -> dict[str, str | bytes]:
    world.session.commit()
    return channels.snapshot(world.admin, world.api_key, ["FAC", "LEGAL"], [world.quarter])


def _twin_differences(
    tmp_path: Path, request: pytest.FixtureRequest, build: Callable[[World, bool], None]
) -> list[str]:
    """Two worlds built by ``build(world, answered)``, ``answered`` True then False, each
    released: what the two publish differently (none, when nothing tells the worlds apart)."""
    published = []
    for answered in (True, False):
        with _world(tmp_path, request, f"answered-{answered}") as w:
            build(w, answered)
            file_submissions(w.app)  # filed in their own quarter, before time passes
            w.end_quarter(requests=True)
            published.append(_published(w))
    return channels.differences(*published)


@pytest.mark.parametrize("handled", [1, 3])
def test_whether_one_requester_answered_is_not_published(
    tmp_path: Path, request: pytest.FixtureRequest, handled: int
) -> None:
    """FAC handled ``handled`` requests; in one world its first requester answered, in the
    other nobody did. Everything published about the quarter is the same in both."""

    def build(w: World, answered: bool) -> None:
        for i in range(6):
            w.post_interaction(f"ENG-{i}", "LEGAL", overall=(5, 4, 2, 1, 5, 3)[i])
        for i in range(handled):
            if answered and i == 0:
                w.post_interaction(f"ENG-{i}", "FAC", overall=5)
            else:
                w.handled_request(f"ENG-{i}", "FAC")

    found = _twin_differences(tmp_path, request, build)
    assert found == [], "\n".join(found)


def test_counts_and_rate_are_shown_with_k_people_on_each_side(app: Flask, session: Session) -> None:
    """Not "always hide": five requesters answered about LEGAL and five did not (one request
    each), so the page, the CSV and the API give the count and the rate."""
    w = World.build(app, session, {"LEGAL": 1, "ENG": 10})
    for i in range(5):
        w.post_interaction(f"ENG-{i}", "LEGAL", overall=(5, 4, 2, 1, 5)[i])
    for i in range(5, 10):
        w.handled_request(f"ENG-{i}", "LEGAL")
    file_submissions(app)  # the answers filed in their own quarter, before time passes
    w.end_quarter(requests=True)
    auth = {"Authorization": f"Bearer {w.api_key}"}
    api = w.admin.get(f"/api/v1/departments/LEGAL/scorecard?quarter={w.quarter}", headers=auth)
    card = api.get_json()
    assert card["surveys_sent"] == 10
    assert card["response_rate"] == 50.0
    assert [r["post_interaction"] for r in card["responses"] if r["quarter"] == w.quarter] == [5]
    sheet = w.admin.get(f"/scorecards/LEGAL.csv?quarter={w.quarter}").get_data(as_text=True)
    assert f"responses,response rate,{w.quarter},50" in sheet
    page = w.admin.get(f"/scorecards/LEGAL?quarter={w.quarter}").get_data(as_text=True)
    assert "about 50%" in page


@pytest.mark.parametrize("answers", [1, 4])
def test_whether_anybody_answered_in_a_quarter_is_not_published(
    tmp_path: Path, request: pytest.FixtureRequest, answers: int
) -> None:
    """A quiet quarter: FAC handled five requests and nobody else was surveyed. In one world
    ``answers`` of the requesters answered (fewer than k), in the other nobody did. The
    quarter was released (listed, its figures "hidden", the API's reason "below k") only
    where somebody answered, and "not released, no data" where nobody had: FAC's manager,
    who knows the requesters, learnt that one of them answered. Everything published about
    the quarter is the same in both."""

    def build(w: World, answered: bool) -> None:
        for i in range(5):
            if answered and i < answers:
                w.post_interaction(f"ENG-{i}", "FAC", overall=5)
            else:
                w.handled_request(f"ENG-{i}", "FAC")

    found = _twin_differences(tmp_path, request, build)
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("raters", [6, 9])
def test_whether_one_requester_answered_is_not_counted_among_a_shown_departments_respondents(
    tmp_path: Path, request: pytest.FixtureRequest, raters: int
) -> None:
    """FAC is shown (``raters`` people rated it in the quarterly survey) and handled one
    request of another ENG person, who rated nobody in the quarterly survey. In one world that
    person answered the survey that followed the request, in the other not: the
    post-interaction count is hidden (one person), so nothing published may differ: not the
    overview's respondents of FAC (6 against 7), nor whether FAC's comments pass their gate
    of 10 respondents (9 against 10)."""
    published = []
    for answered in (True, False):
        with _world(tmp_path, request, f"respondents-{answered}") as w:
            if answered:
                w.post_interaction(f"ENG-{raters}", "FAC", overall=5)
            else:
                w.handled_request(f"ENG-{raters}", "FAC")
            w.open_campaign()
            file_submissions(w.app)  # filed in their own quarter, before time passes
            w.end_quarter(requests=True)
            for i, rating in enumerate((4, 5, 3, 4, 2, 5, 3, 4, 4)[:raters]):
                w.quarterly(f"ENG-{i}", {"FAC": rating})
            w.close_campaign()
            overview = w.admin.get(f"/scorecards/overview.csv?quarter={w.quarter}")
            published.append({**_published(w), "overview csv": overview.get_data(as_text=True)})
    assert any("department respondents" in p["overview csv"] for p in published)
    found = channels.differences(*published)
    assert found == [], "\n".join(found)
