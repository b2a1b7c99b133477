"""The differential ("twin worlds") audit: two organisations that differ only inside hidden
groups must publish exactly the same thing.

A ``Plan`` is an organisation and what its people answer, in order: post-interaction answers
(which land in the quarter in progress and are moved into the released quarter by
``World.end_quarter``, the quarter's campaign already open), then quarterly answers to that
campaign, then the campaign closed (the quarter is released) and optionally a department
deactivated. ``play`` builds it through the real link flow and administrators' pages
(``world.World``).

``twin`` reads which customer cells (provider, customer department, metric) world A's gate
shows (the API's table, the heatmap), and moves answers between the people of the cells it
hides, within one provider and metric: the values of the people of hidden cells are rotated
among those people (for T, whole lists of answers, only between people who answered equally
often); providers rated by fewer than k people, which publish no total, are pooled and
rotated together. Every published group total stays what it was (a provider's T and R over
all its customers, its dimension sums and sums of squares, every shown cell, response
counts), and so does every figure derived from totals alone, whatever the formula: shrunk
components, ISQ, IQ, the organisation's reference values and priors, the dimension profile,
trends and change markers. Only the hidden cells' own values change. If the two worlds'
snapshots (``channels.snapshot``: every page with its charts and their text alternatives,
CSV, PDF text and drawing, API answer) differ anywhere, something published depends on a
hidden cell: a leak, named by where the documents first differ.

This judges whatever model the app runs (model v1 or v2 of the scorecards): it never looks at
a formula, only at what the two worlds publish.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from survey import create_app
from survey.db import database
from survey.models.base import utcnow
from survey.periods import quarter_of, shift_quarter
from survey.scorecards.services import chart_cache
from tests.anonymity import channels
from tests.anonymity.publication import Publication, collect
from tests.anonymity.world import World
from tests.conftest import TEST_ARGON2, fresh_database

CODES = ("AA", "BB", "CC", "DD")


@dataclass(frozen=True)
class Plan:
    sizes: dict[str, int]
    # (person, provider, rating 1..5), in order
    post_interaction: tuple[tuple[str, str, int], ...] = ()
    # (person, ((provider, rating 1..5), ...)): one quarterly link each
    quarterly: tuple[tuple[str, tuple[tuple[str, int], ...]], ...] = ()
    deactivate: str | None = None
    # The quarter before, played (and released) first: trends, change markers and a baseline
    # over two quarters. Its own ``sizes`` and ``deactivate`` are not used.
    earlier: Plan | None = None

    def values(self) -> dict[tuple[str, str, str], list[int]]:
        """(metric, provider, person) -> the person's ratings in order."""
        out: dict[tuple[str, str, str], list[int]] = defaultdict(list)
        for person, provider, rating in self.post_interaction:
            out[("T", provider, person)].append(rating)
        for person, ratings in self.quarterly:
            for provider, rating in ratings:
                out[("R", provider, person)].append(rating)
        return out


def department_of(person: str) -> str:
    return person.rsplit("-", 1)[0]


@dataclass
class Twin:
    plan: Plan
    moved: int  # people whose values changed
    hidden: dict[tuple[str, str], list[str]] = field(default_factory=dict)


SMALL = "(providers under k)"


def twin(plan: Plan, shown: set[tuple[str, str, str]], k: int = 5) -> Twin:
    """``plan`` with the values of the people of hidden cells rotated among them, per
    provider and metric (and, for T, per number of answers). ``shown`` holds the cells
    (metric, provider, customer) world A published in some channel. A provider rated by fewer
    than k people publishes no total of that metric at all: its people are pooled with those
    of every other such provider, so the twin also moves answers between small providers
    (what the organisation's figures, priors and baseline must not see)."""
    values = plan.values()
    raters: dict[tuple[str, str], int] = defaultdict(int)
    for metric, provider, _person in values:
        raters[(metric, provider)] += 1
    groups: dict[tuple[str, str, int], list[tuple[str, str]]] = defaultdict(list)
    hidden: dict[tuple[str, str], list[str]] = defaultdict(list)
    for (metric, provider, person), ratings in sorted(values.items()):
        customer = department_of(person)
        if (metric, provider, customer) in shown:
            continue
        hidden[(metric, provider)].append(customer)
        pool = SMALL if raters[(metric, provider)] < k else provider
        groups[(metric, pool, len(ratings))].append((provider, person))
    new: dict[tuple[str, str, str], list[int]] = {}
    moved = 0
    for (metric, _pool, _count), people in groups.items():
        people.sort(key=lambda pp: (pp[0], department_of(pp[1]), pp[1]))
        if len({(prov, department_of(p)) for prov, p in people}) < 2:
            continue  # one hidden cell: rotating inside it moves no cell total
        for i, (provider, person) in enumerate(people):
            source = values[(metric, *people[i - 1])]
            new[(metric, provider, person)] = source
            if source != values[(metric, provider, person)]:
                moved += 1
    used: dict[tuple[str, str, str], int] = defaultdict(int)

    def take(metric: str, provider: str, person: str, rating: int) -> int:
        key = (metric, provider, person)
        if key not in new:
            return rating
        used[key] += 1
        return new[key][used[key] - 1]

    pi = tuple((p, prov, take("T", prov, p, r)) for p, prov, r in plan.post_interaction)
    quarterly = tuple(
        (p, tuple((prov, take("R", prov, p, r)) for prov, r in ratings))
        for p, ratings in plan.quarterly
    )
    return Twin(
        replace(plan, post_interaction=pi, quarterly=quarterly),
        moved,
        {k: sorted(set(v)) for k, v in hidden.items()},
    )


def play(world: World, plan: Plan) -> None:
    if plan.earlier is not None:
        last = world.quarter
        world.quarter = shift_quarter(last, -1)
        play(world, replace(plan.earlier, deactivate=None, earlier=None))
        world.quarter = last
    for person, provider, rating in plan.post_interaction:
        world.post_interaction(person, provider, rating)
    if plan.quarterly:
        # The campaign is open when the quarter ends: a quarter released (ended, answered,
        # no campaign open) gets no campaign any more.
        world.open_campaign()
    if plan.post_interaction:
        world.end_quarter()
    for person, ratings in plan.quarterly:
        world.quarterly(person, dict(ratings))
    world.close_campaign()
    if plan.deactivate:
        world.deactivate(plan.deactivate)


def world_app(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> tuple[Flask, Engine]:
    """A fresh app on its own empty database (``backend``: sqlite or postgresql) with a cold
    chart cache, and its engine (SQLite transactions deferred, as the worlds expect)."""
    chart_cache.clear()
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": fresh_database(backend, tmp_path, request),
            "SECRET_KEY": "test-secret-key",
            "BASE_URL": "http://localhost",
            "SESSION_COOKIE_SECURE": False,
            "REMEMBER_COOKIE_SECURE": False,
            "ARGON2": TEST_ARGON2,
        }
    )
    app.instance_path = str(tmp_path / "instance")
    return app, database(app).engine.execution_options(sqlite_begin="DEFERRED")


@contextmanager
def built(
    plan: Plan,
    backend: str,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    clock: datetime | None = None,
) -> Iterator[World]:
    """``plan`` played on a fresh database (its own app), the world handed over; requests
    handled at ``clock`` (default: as they come)."""
    app, engine = world_app(backend, tmp_path, request)
    with Session(engine, expire_on_commit=False) as session:
        try:
            world = World.build(app, session, plan.sizes)
            world.clock = clock
            play(world, plan)
            plan_actions(world)
            yield world
        finally:
            session.close()
            engine.dispose()
            database(app).engine.dispose()
            chart_cache.clear()


def plan_actions(world: World) -> None:
    """Every department answers every target with an action, the same in both worlds: the
    department pages and the API then publish each target's before and after (survey/actions/
    scorecard.py), which must not depend on a hidden cell either."""
    from survey.actions.services import ActionInput, create_action
    from survey.models.action import ACTION_COMPONENTS, ACTION_DIMENSIONS
    from survey.periods import quarter_bounds

    # Recorded in the quarter before the released one: "before" is that quarter when a plan
    # has one (``Plan.earlier``), else no comparison can be made.
    day = quarter_bounds(shift_quarter(world.quarter, -1))[0] + timedelta(days=3)
    recorded = datetime.combine(day, time(12), UTC)
    departments = list(world.departments.values())
    for department in departments:
        targets = [f"dimension:{code}" for code in ACTION_DIMENSIONS]
        targets += [f"component:{code}" for code in ACTION_COMPONENTS]
        targets += [f"customer:{d.id}" for d in departments if d.id != department.id]
        for target in targets:
            create_action(
                world.session,
                None,
                department,
                ActionInput(target, "", target, "", None, None, "in_progress", ""),
                now=recorded,
            )
    world.session.commit()


def read_all(world: World) -> dict[str, str | bytes]:
    world.session.commit()
    quarters = sorted(set(channels.quarters_offered(world.admin)) | {quarter_of(utcnow())})
    return channels.snapshot(world.admin, world.api_key, list(world.departments), quarters)


#: The channels whose customer cells say what the gate meant to show: the API's table and
#: the overview's heatmap. A cell another channel shows beyond them is a gap between
#: channels (``channels.disagreements``); kept hidden here, the twin moves it and the
#: comparison sees it move.
GATE_SOURCES = ("api customers", "overview heatmap")


def shown_cells(publication: Publication) -> set[tuple[str, str, str]]:
    """(metric, provider, customer) of every customer cell the gate shows."""
    return {
        (f.metric, f.provider, next(iter(f.customers)))
        for f in publication.facts
        if f.customers is not None and f.source in GATE_SOURCES
    }


@dataclass
class Verdict:
    differences: list[str]
    moved: int
    facts: int
    documents: tuple[str, ...] = ()  # what was compared (world A's snapshot)


def judge(plan: Plan, backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Verdict:
    """Build ``plan`` (world A) and its twin (world B) and compare everything they publish.
    Both handle their requests at one moment (the hour of day a request was handled is
    published, and the two worlds may be built on either side of an hour)."""
    clock = utcnow().replace(minute=0, second=0, microsecond=0)
    with built(plan, backend, tmp_path, request, clock) as a:
        publication = collect(a.admin, a.api_key, list(a.departments), a.quarter)
        before = (
            collect(a.admin, a.api_key, list(a.departments), shift_quarter(a.quarter, -1))
            if plan.earlier is not None
            else None
        )
        first = read_all(a)
    facts = len(publication.facts)
    other = twin(plan, shown_cells(publication))
    moved = other.moved
    if plan.earlier is not None and before is not None:
        early = twin(plan.earlier, shown_cells(before))
        moved += early.moved
        other = replace(other, plan=replace(other.plan, earlier=early.plan))
    if not moved or not facts:
        return Verdict([], moved, facts, tuple(first))  # nothing to move, or to compare
    with built(other.plan, backend, tmp_path, request, clock) as b:
        second = read_all(b)
    return Verdict(channels.differences(first, second), moved, facts, tuple(first))


def compare(
    a_plan: Plan, b_plan: Plan, backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> tuple[list[str], Publication]:
    """Two hand-made plans (for twins ``twin`` cannot derive, e.g. a hidden total moved
    within the band that keeps it hidden): the differences between their snapshots, and
    what world A published."""
    clock = utcnow().replace(minute=0, second=0, microsecond=0)
    with built(a_plan, backend, tmp_path, request, clock) as a:
        publication = collect(a.admin, a.api_key, list(a.departments), a.quarter)
        first = read_all(a)
    with built(b_plan, backend, tmp_path, request, clock) as b:
        second = read_all(b)
    return channels.differences(first, second), publication
