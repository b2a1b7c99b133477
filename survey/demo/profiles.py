"""How each department serves its internal customers over the eight demo quarters.

A profile gives, per history quarter (0 = oldest), the level of the ratings it earns on the
1..5 scale, per-dimension offsets, the chance that a request meets its service standard and
its request volume. ``docs/demo.md`` describes what the scorecards should therefore show.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

QUARTERS = 8


def flat(value: float) -> Callable[[int], float]:
    return lambda t: value


def linear(start: float, end: float) -> Callable[[int], float]:
    """From ``start`` in the oldest quarter to ``end`` in the newest."""
    return lambda t: start + (end - start) * t / (QUARTERS - 1)


def dip(value: float, quarter: int, depth: float, recovery: float = 0.5) -> Callable[[int], float]:
    """``value``, minus ``depth`` in ``quarter`` and ``depth * recovery`` in the next one."""

    def at(t: int) -> float:
        if t == quarter:
            return value - depth
        if t == quarter + 1:
            return value - depth * recovery
        return value

    return at


@dataclass(frozen=True)
class Profile:
    """``level``: mean latent rating (1..5) per quarter; ``dimensions``: offsets added to it
    per quarterly dimension (reliability, responsiveness, competence, courtesy, tools);
    ``compliance``: probability that a request meets both promised times; ``volume``: handled
    requests per quarter (before a random +-10 %)."""

    code: str
    summary: str
    level: Callable[[int], float]
    compliance: Callable[[int], float]
    volume: int
    dimensions: dict[str, float] = field(default_factory=dict)


PROFILES: dict[str, Profile] = {
    p.code: p
    for p in (
        Profile(
            "IT",
            "improving steadily: a new service desk and self-service portal",
            level=linear(3.0, 4.25),
            compliance=linear(0.68, 0.94),
            volume=300,
            dimensions={"tools": -0.2},
        ),
        Profile(
            "HR",
            "declining: two departures left the team stretched",
            level=linear(4.15, 3.05),
            compliance=linear(0.93, 0.66),
            volume=130,
            dimensions={"courtesy": 0.35, "responsiveness": -0.25},
        ),
        Profile(
            "FIN",
            "strong and steady: the benchmark",
            level=flat(4.3),
            compliance=flat(0.95),
            volume=110,
            dimensions={"reliability": 0.2},
        ),
        Profile(
            "FAC",
            "friendly but slow: weak on responsiveness and standards",
            level=flat(3.75),
            compliance=flat(0.6),
            volume=120,
            dimensions={"responsiveness": -1.1, "reliability": -0.3, "courtesy": 0.55},
        ),
        Profile(
            "LEGAL",
            "competent, careful, small: few requests, so wide intervals",
            level=flat(3.95),
            compliance=flat(0.8),
            volume=55,
            dimensions={"competence": 0.6, "responsiveness": -0.5},
        ),
        Profile(
            "ENG",
            "expert but hard to reach; a release crunch in the sixth quarter",
            level=dip(3.55, quarter=5, depth=0.8),
            compliance=dip(0.8, quarter=5, depth=0.3),
            volume=90,
            dimensions={"competence": 0.65, "courtesy": -0.45, "tools": -0.6},
        ),
        Profile(
            "CS",
            "average and steady, kind to colleagues",
            level=flat(3.65),
            compliance=flat(0.85),
            volume=90,
            dimensions={"courtesy": 0.4},
        ),
        Profile(
            "SALES",
            "average, improving quarter by quarter with a new order system; data still late",
            level=linear(3.0, 4.05),
            compliance=linear(0.7, 0.88),
            volume=80,
            dimensions={"tools": -0.45},
        ),
        Profile(
            "PROC",
            "thorough but slow: tenders take their time; steady",
            level=flat(3.7),
            compliance=flat(0.75),
            volume=100,
            dimensions={"reliability": 0.3, "responsiveness": -0.5, "tools": -0.3},
        ),
        Profile(
            "MKT",
            "helpful and steady; materials sometimes miss the brief",
            level=flat(3.8),
            compliance=flat(0.82),
            volume=85,
            dimensions={"courtesy": 0.3, "reliability": -0.25},
        ),
    )
}

# (provider, customer) -> offset: relationships that are better or worse than the provider's
# average. Engineering and Customer Service is the classic strained chain.
PAIR_OFFSETS: dict[tuple[str, str], float] = {
    ("ENG", "CS"): -0.6,
    ("ENG", "SALES"): 0.2,
    ("IT", "ENG"): -0.35,
    ("FIN", "SALES"): -0.3,
    ("LEGAL", "SALES"): -0.3,
    ("CS", "SALES"): 0.3,
    ("HR", "IT"): 0.2,
}

# Share of a department's people who answer a quarterly survey, and who rate a provider
# once they answer (a few skip a section).
PARTICIPATION: dict[str, float] = {"LEGAL": 0.6, "FAC": 0.72, "PROC": 0.7}
DEFAULT_PARTICIPATION = 0.76
SECTION_RATE = 0.95
# Share of post-interaction invitations that are answered.
POST_RESPONSE_RATE = 0.45
