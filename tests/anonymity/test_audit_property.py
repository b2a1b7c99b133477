"""The interval audit over random organisations and random event sequences.

Each example builds a small organisation (3 or 4 departments, up to about 30 people) on a
fresh database, then plays a random sequence of steps: post-interaction answers arriving
through the link flow, quarterly answers to an open campaign (every dimension alike, or each
rated apart with some left blank), a department deactivated or
renamed through the administrators' pages, the campaign closed (quarterly answers after it
are not given: a released quarter gets no new campaign), quiz attempts naming a department
(by its members or by anyone). After every step it reads
every figure published for the quarter (overview page, each department's page, CSV, PDF
and API scorecard, see ``publication.py``), checks that no channel shows a figure another
hides, and runs the LP audit (``lp_audit.py``) over everything
read so far: no group of fewer than k people may be pinned to an interval narrower than the
protection interval (20 points on 0..100).

Bounded to stay within about two minutes on two cores: few examples, few steps, no
shrinking (a failing sequence is printed as generated).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from survey.db import database
from tests.anonymity.twins import world_app
from tests.anonymity.world import DIMENSIONS, World

CODES = ("AA", "BB", "CC", "DD")

# A batch of answers about one provider: (provider, [(person, rating), ...]); answers cluster
# on a provider as they do after a busy week, so figures appear and small cells sit beside them.
batch = st.tuples(
    st.integers(0, 99),
    st.lists(st.tuples(st.integers(0, 99), st.integers(1, 5)), min_size=3, max_size=8),
)
# A quarterly answer rates every dimension alike (1..5), or each dimension apart, 0 leaving it
# blank ("does not apply"; at least one is answered).
DIMENSION = st.one_of(st.just(0), st.integers(1, 5), st.integers(1, 5), st.integers(1, 5))
quarterly_rating = st.one_of(
    st.integers(1, 5),
    st.lists(DIMENSION, min_size=5, max_size=5).filter(any),
)
quarterly_batch = st.tuples(
    st.integers(0, 99),
    st.lists(st.tuples(st.integers(0, 99), quarterly_rating), min_size=3, max_size=8),
)
step = st.one_of(
    st.tuples(st.just("pi"), batch),
    st.tuples(st.just("q"), quarterly_batch),
    st.tuples(st.just("deactivate"), st.integers(0, 3)),
    st.tuples(st.just("rename"), st.integers(0, 3)),
    st.tuples(st.just("close"), st.just(0)),
    st.tuples(
        st.just("quiz"),
        st.tuples(st.integers(0, 3), st.lists(st.integers(0, 2**22), min_size=1, max_size=6)),
    ),
)
organisation = st.lists(st.integers(2, 8), min_size=3, max_size=4)


def play(world: World, action: str, arg: Any, inactive: set[str]) -> None:
    active = [c for c in world.departments if c not in inactive]
    if action in ("pi", "q"):
        whom, answers = arg
        provider = active[whom % len(active)]
        people = [p for c in active if c != provider for p in world.members(c)]
        for who, rating in answers:
            person = people[who % len(people)]
            if action == "pi":
                world.post_interaction(person, provider, rating)
            elif not world.answered_quarterly(person) and world.campaign_possible():
                world.quarterly(person, {provider: _dimensions(rating)})
    elif action == "deactivate" and len(active) > 2:
        code = active[arg % len(active)]
        world.deactivate(code)
        inactive.add(code)
    elif action == "rename":
        code = list(world.departments)[arg % len(world.departments)]
        world.rename(code, f"Renamed {code}")
    elif action == "close":
        world.close_campaign()
    elif action == "quiz":
        # Takers naming a department: its members or anyone (the public form asks no
        # account); each taker is a person of the ledger.
        which, seeds = arg
        code = active[which % len(active)]
        for index, seed in enumerate(seeds):
            members = world.members(code)
            taker = (
                members[seed % len(members)] if seed % 3 else f"anon-{len(world.events)}-{index}"
            )
            world.quiz(taker, code, seed)


def _dimensions(rating: int | list[int]) -> int | dict[str, int]:
    """A quarterly rating as ``World.quarterly`` takes it: every dimension alike, or a rating
    per dimension with the blanks (0) left out."""
    if isinstance(rating, int):
        return rating
    return {d: x for d, x in zip(DIMENSIONS, rating, strict=True) if x}


@pytest.mark.slow
def test_no_small_group_is_pinned_down(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    published: list[int] = []  # facts seen per read: the audit must have had figures to audit

    @settings(
        max_examples=12,
        deadline=None,
        phases=[Phase.explicit, Phase.reuse, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,
        derandomize=True,
    )
    @given(sizes=organisation, steps=st.lists(step, min_size=1, max_size=4))
    # Sequences always tried first. Two that leaked before the fixes: seven people rate AA,
    # then one more (the live quarter); and a small customer department deactivated after
    # its campaign closed (the remainder rule forgot it).
    @example(
        sizes=[3, 6, 6], steps=[("pi", (0, [(i, 5) for i in range(7)])), ("pi", (0, [(7, 1)]))]
    )
    @example(
        sizes=[3, 6, 4, 5],
        steps=[
            ("q", (0, [(i, 2 + i % 3) for i in range(10)])),
            ("close", 0),
            ("deactivate", 2),
        ],
    )
    # Quarterly answers rating the dimensions apart: one customer leaves courtesy blank and
    # everyone rates competence 5 (attacks 23 and 26 in one world).
    @example(
        sizes=[2, 6, 5],
        steps=[
            (
                "q",
                (
                    0,
                    [(i, [1 + 2 * i % 5, 1 + i % 5, 5, 0 if i == 0 else 4, 2]) for i in range(8)],
                ),
            )
        ],
    )
    def run(sizes: list[int], steps: list[tuple[str, Any]]) -> None:
        app, engine = world_app("sqlite", tmp_path, request)
        from sqlalchemy.orm import Session

        with Session(engine, expire_on_commit=False) as session:
            world = World.build(app, session, dict(zip(CODES, sizes, strict=False)))
            inactive: set[str] = set()
            try:
                # Every sequence ends with its quarter closed, so what it built is released
                # and audited at least once.
                for action, arg in [*steps, ("close", 0)]:
                    play(world, action, arg, inactive)
                    publication = world.read()
                    published.append(len(publication.facts))
                    # Page, PDF, CSV and API show the same figures (none shows what
                    # another hides).
                    assert publication.gaps == [], f"after {action} {arg}: {publication.gaps}"
                    findings = world.audit()
                    assert findings == [], f"after {action} {arg}: " + "; ".join(
                        str(f) for f in findings
                    )
            finally:
                session.close()
                engine.dispose()
                database(app).engine.dispose()

    run()
    assert sum(1 for n in published if n) >= 3, "the audited worlds published (almost) nothing"
