"""The demo's quiz attempts: members of three departments take the self-assessment quiz in
the latest complete quarter, so that their scorecards show the self-view beside the
customers' view, overall and practice by practice.

Each department's members answer with their own habit (``SELF_VIEWS``: the chance of giving
the best answer to an item, else a middling one, rarely the worst): IT's team sees itself
about as its customers have come to; HR's, stretched, thinks better of itself than its
customers do now; Finance's, the benchmark, is more modest than its customers. Attempts go
through the quiz's own service as member attempts (``survey.quiz.services.start_attempt``
with a ``Member``), so they are keyed, gated and published as real ones are.

The answers come from a generator of their own, seeded from the demo's seed: the rest of the
demo (people, answers, interactions) is the same with or without them. A member's attempt
carries a pseudonym keyed by the app's secret, so attempts need an app context.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from sqlalchemy.orm import Session

from survey.demo.history import DemoPerson
from survey.periods import quarter_bounds
from survey.quiz.scoring import FREQUENCY, ItemKey
from survey.quiz.services import Member, ensure_quiz, item_keys, live_items, start_attempt

#: Department code -> (members who take the quiz, chance of the best answer to an item).
SELF_VIEWS: dict[str, tuple[int, float]] = {
    "IT": (7, 0.6),
    "HR": (6, 0.6),
    "FIN": (6, 0.4),
}

#: A fixed offset from the demo's seed, so the quiz's draws never touch the history's.
SEED_OFFSET = 7919


def _answer(rng: random.Random, key: ItemKey, best: float) -> int:
    """One answer: the best with chance ``best``, else a middling one (four times in five)
    or the worst."""
    draw = rng.random()
    middling = draw < best + (1 - best) * 0.8
    if key.kind == FREQUENCY:
        top, low = (1, 5) if key.reverse else (5, 1)
        return top if draw < best else (3 if middling else low)
    if draw < best:
        return key.ratings.index("best")
    return key.ratings.index("acceptable" if middling else "poor")


def add_quiz_attempts(
    session: Session,
    quarter: str,
    people: Sequence[DemoPerson],
    departments: Mapping[str, int],
    seed: int,
) -> int:
    """Record the ``SELF_VIEWS`` departments' members' attempts in ``quarter`` (a month
    into it): the first of each department's ``people`` who have not opted out take part;
    ``departments`` maps code to id. Returns the number of attempts; flushes."""
    members: dict[str, list[int]] = {}
    for person in people:
        if person.department in SELF_VIEWS and not person.opted_out:
            members.setdefault(person.department, []).append(person.id)
    rng = random.Random(seed + SEED_OFFSET)
    quiz = ensure_quiz(session)
    keys = item_keys(live_items(quiz))
    day: date = quarter_bounds(quarter)[0] + timedelta(days=30)
    taken = 0
    for code, (count, best) in SELF_VIEWS.items():
        for person_id in members.get(code, [])[:count]:
            answers = {key.code: _answer(rng, key, best) for key in keys}
            member = Member(f"person:{person_id}", departments[code])
            start_attempt(session, quiz, answers, member=member, today=day)
            taken += 1
    session.flush()
    return taken
