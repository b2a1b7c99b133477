"""Priorities: what a department should work on first, from its drivers and its standing.

Plain language first: a dimension is worth working on when customers weigh it heavily **and**
the department has room to improve on it. The rule, written once here:

    priority = importance share × room to improve
    room to improve = 100 − the department's mean on the dimension (0..100)

``importance share`` is the dimension's LMG share of what the dimensions explain of overall
satisfaction (``analysis.drivers``, 0..1). The product is the number of points (0..100) that
the dimension still stands below the top of the scale, weighted by how much customers' overall
verdict moves with it: an "importance × performance" reading. Using the room to the top (not
the distance to the organisation) keeps the rule meaningful for a department that is above the
organisation everywhere; the distance to the organisation is reported beside each priority, so
the reader sees both. Ties are broken by the larger share, then by the questionnaire order.

Only dimensions with both a share and a shown mean take part; at most ``limit`` (default 3)
are returned, highest priority first, and none whose priority is zero (a dimension already at
the top of the scale).

Each dimension is linked to one practice of the self-assessment quiz's library (the same
practices the quiz teaches), in ``DIMENSION_PRACTICES``:

=================  ===================  ==================================================
dimension          practice             why
=================  ===================  ==================================================
reliability        standards            keeping agreed promises, right the first time
responsiveness     responsiveness       answering within the agreed time, urgent fixes
competence         customer_goals       knowing the field and the customer team's goals
courtesy           courtesy             respect and kindness, also under pressure
tools              clarity              clear ways to reach the team and follow a request
=================  ===================  ==================================================

Pure: no flask, sqlalchemy or survey imports.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from analysis.drivers import Drivers

#: Quarterly dimension -> the quiz practice that teaches it (see the module docstring).
DIMENSION_PRACTICES: Mapping[str, str] = {
    "reliability": "standards",
    "responsiveness": "responsiveness",
    "competence": "customer_goals",
    "courtesy": "courtesy",
    "tools": "clarity",
}

#: How many priorities a department is given at most.
LIMIT = 3


@dataclass(frozen=True)
class Priority:
    """One thing to work on. ``share`` (0..1) and its interval ``low``..``high`` come from the
    drivers; ``mean`` is the department's mean on the dimension and ``org_mean`` the
    organisation's (0..100, None when not known); ``below_org`` is ``org_mean − mean`` in
    points (positive: the department stands below), ``room`` is ``100 − mean`` and ``score``
    ``share × room``; ``rank`` is the dimension's importance rank among all dimensions (1: the
    largest share); ``practice`` the quiz practice's code (None when the dimension has none)."""

    code: str
    share: float
    low: float | None
    high: float | None
    rank: int
    mean: float
    org_mean: float | None
    below_org: float | None
    room: float
    score: float
    practice: str | None


def priorities(
    drivers: Drivers,
    means: Mapping[str, float | None],
    org_means: Mapping[str, float | None] | None = None,
    order: Sequence[str] | None = None,
    limit: int = LIMIT,
    practices: Mapping[str, str] = DIMENSION_PRACTICES,
) -> tuple[Priority, ...]:
    """The department's priorities (see the module docstring for the rule).

    ``means`` holds the department's shown means per dimension (0..100; None or absent for a
    hidden one), ``org_means`` the organisation's, ``order`` the questionnaire order of the
    codes (for ties; default the drivers' order)."""
    if limit < 1:
        return ()
    org_means = org_means or {}
    order = tuple(order or drivers.codes)
    position = {code: i for i, code in enumerate(order)}
    out: list[Priority] = []
    for imp in drivers.importances:
        mean = means.get(imp.code)
        if mean is None:
            continue
        mean = min(100.0, max(0.0, float(mean)))
        org = org_means.get(imp.code)
        room = 100.0 - mean
        score = imp.share * room
        if score <= 0.0:
            continue
        out.append(
            Priority(
                code=imp.code,
                share=imp.share,
                low=imp.low,
                high=imp.high,
                rank=imp.rank,
                mean=mean,
                org_mean=None if org is None else float(org),
                below_org=None if org is None else float(org) - mean,
                room=room,
                score=score,
                practice=practices.get(imp.code),
            )
        )
    out.sort(key=lambda p: (-p.score, -p.share, position.get(p.code, len(position))))
    return tuple(out[:limit])
