"""The interval audit sees the dimensions: attacks 23 and 26 found by the audit itself.

The audit models each quarterly answer by one unknown per dimension answered, and the
person's R as the mean of those (``World._dimension_links``); every published dimension mean
(value and n over the answers to it) and the organisation's value of each dimension are facts
on them. Attack 23 (R against the dimension means isolates the one person who left a blank)
and attack 26 (a dimension hidden at the top of the scale worked out as D·R minus the shown
ones) were found by hand while the audit saw R alone; on the worlds of those attacks it now
finds the leak when the rule that closes it is taken out (``withhold_for_blanks`` or
``hidden_dimensions_apart`` returning the figures unchanged) and nothing with the rules in
place, which these tests keep.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from survey.db import database
from tests.anonymity import test_hidden_dimension, test_skipped_dimension
from tests.anonymity.lp_audit import Finding
from tests.anonymity.twins import world_app
from tests.anonymity.world import DIMENSIONS, World


def _audited(
    app: Flask, session: Session, sizes: dict[str, int], answers: dict[str, dict[str, dict]]
) -> tuple[World, list[Finding]]:
    """A world of ``sizes`` whose people answer the campaign (``answers``: person -> provider
    -> a rating per dimension, blanks left out), closed and read: the world and the audit's
    findings."""
    w = World.build(app, session, sizes)
    w.open_campaign()
    for person, ratings in answers.items():
        w.quarterly(person, ratings)
    w.close_campaign()
    w.read()
    return w, w.audit()


def _describe(findings: list[Finding]) -> str:
    return "; ".join(str(f) for f in findings)


def test_the_audit_finds_nothing_where_one_person_left_a_dimension_blank(
    app: Flask, session: Session
) -> None:
    """Attack 23's world: nine customers of IT, one of them leaving courtesy blank. Without
    ``withhold_for_blanks`` the audit pins that person's R (their mean over the four other
    dimensions) to within half a point; with it, nothing."""
    ratings = [test_skipped_dimension.SKIPPER, *test_skipped_dimension.OTHERS]
    w, findings = _audited(
        app, session, {"IT": 1, "ENG": 9}, {f"ENG-{i}": {"IT": r} for i, r in enumerate(ratings)}
    )
    published = [f for f in w.collections[-1][1].facts if f.metric.startswith("D.")]
    assert len(published) >= 4, "no control: the dimension profile is not published"
    assert findings == [], _describe(findings)


def test_the_audit_finds_nothing_where_everyone_rated_a_dimension_5(
    app: Flask, session: Session
) -> None:
    """Attack 26's world: six customers of IT who all rated courtesy 5. Without
    ``hidden_dimensions_apart`` the audit pins every one of them to 100 on courtesy."""
    ratings = test_hidden_dimension.RATINGS
    w, findings = _audited(
        app, session, {"IT": 1, "ENG": 6}, {f"ENG-{i}": {"IT": r} for i, r in enumerate(ratings)}
    )
    published = [f for f in w.collections[-1][1].facts if f.metric.startswith("D.")]
    assert len(published) >= 3, "no control: the dimension profile is not published"
    assert findings == [], _describe(findings)


# --- random organisations whose customers rate the dimensions apart ----------------------

CODES = ("AA", "BB", "CC", "DD")
#: What a dimension's answers about a provider are drawn from in one world: anything, a
#: narrow band, or one value (a dimension everyone rated 5, or 1, sits at an end of the scale).
DOMAINS = ((1, 2, 3, 4, 5), (4, 5), (5,), (1,), (1, 2), (2, 3, 4))


@st.composite
def dimension_world(draw: st.DrawFn) -> tuple[list[int], list[tuple[int, dict[int, dict]]]]:
    """Department sizes, and quarterly answers: (person index, {provider index: a rating per
    dimension, blanks left out}), each person at most once. Everyone outside the first
    department rates it (so it usually reaches k), the first department's people rate the
    second, and anyone may rate one or two more."""
    sizes = draw(st.lists(st.integers(2, 8), min_size=3, max_size=4))
    domains = {
        (p, d): draw(st.sampled_from(DOMAINS)) for p in range(len(sizes)) for d in DIMENSIONS
    }
    blank = draw(st.sampled_from((0.0, 0.05, 0.15, 0.3)))
    home = [p for p, size in enumerate(sizes) for _ in range(size)]
    who = draw(st.lists(st.integers(0, len(home) - 1), min_size=6, max_size=len(home), unique=True))
    answers = []
    for person in who:
        main = 1 if home[person] == 0 else 0
        extra = draw(st.lists(st.integers(0, len(sizes) - 1), max_size=2))
        ratings = {}
        for p in dict.fromkeys([main, *extra]):
            rating = {}
            for d in DIMENSIONS:
                skip = draw(st.integers(0, 99)) < 100 * blank
                if not skip:
                    rating[d] = draw(st.sampled_from(domains[(p, d)]))
            ratings[p] = rating or {DIMENSIONS[0]: 3}
        answers.append((person, ratings))
    return sizes, answers


@pytest.mark.slow
def test_no_small_group_is_pinned_by_the_dimensions(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Random organisations whose customers rate each dimension apart, some leaving some
    blank, some dimensions at an end of the scale: after the campaign closes (and again after
    a department is deactivated) no group of fewer than k people is pinned on R or on any
    dimension by everything published."""
    shown: list[int] = []  # dimension figures seen per world

    @settings(
        max_examples=int(os.environ.get("SURVEY_DIMENSION_EXAMPLES", "8")),
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,
        derandomize=True,
    )
    @given(world=dimension_world())
    def run(world: tuple[list[int], list[tuple[int, dict[int, dict]]]]) -> None:
        sizes, answers = world
        app, engine = world_app("sqlite", tmp_path, request)
        with Session(engine, expire_on_commit=False) as session:
            codes = CODES[: len(sizes)]
            w = World.build(app, session, dict(zip(codes, sizes, strict=True)))
            try:
                everyone = list(w.people)
                w.open_campaign()
                for person, ratings in answers:
                    key = everyone[person]
                    mine = w.customer_of(key)
                    rated = {codes[p]: r for p, r in ratings.items() if codes[p] != mine}
                    if rated:
                        w.quarterly(key, rated)
                w.close_campaign()
                publication = w.read()
                assert publication.gaps == [], publication.gaps
                shown.append(sum(1 for f in publication.facts if f.metric.startswith("D.")))
                findings = w.audit()
                assert findings == [], _describe(findings)
                w.deactivate(codes[-1])
                w.read()
                findings = w.audit()
                assert findings == [], "after a deactivation: " + _describe(findings)
            finally:
                session.close()
                engine.dispose()
                database(app).engine.dispose()

    run()
    assert sum(1 for n in shown if n) >= 3, f"too few worlds published dimensions: {shown}"
