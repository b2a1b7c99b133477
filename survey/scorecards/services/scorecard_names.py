"""Department names of scorecard results in the reader's language.

The figures of a scorecard or an overview are cached under the data's versions, not per
language; names are put in afterwards, from a code -> name mapping
(``scorecard_data.department_names``), so one cached result serves every language and a new
translation shows at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from analysis.scorecard_results import ChangeFlag, OrgOverview, Scorecard
from survey.services.lru import IdentityMemo


def _flag(flag: ChangeFlag | None, names: Mapping[str, str]) -> ChangeFlag | None:
    if flag is None:
        return None
    return replace(flag, name=names.get(flag.code, flag.name))


def _pair(pair: tuple[str, str], names: Mapping[str, str]) -> tuple[str, str]:
    return pair[0], names.get(pair[0], pair[1])


def localize_scorecard(card: Scorecard, names: Mapping[str, str]) -> Scorecard:
    """``card`` with its department's, its customers' and its flags' names from ``names``
    (by code; a code missing keeps its name)."""
    return replace(
        card,
        name=names.get(card.code, card.name),
        flag=_flag(card.flag, names),
        trend=tuple(replace(p, flag=_flag(p.flag, names)) for p in card.trend),
        customers=tuple(replace(c, name=names.get(c.code, c.name)) for c in card.customers),
    )


def localize_overview(overview: OrgOverview, names: Mapping[str, str]) -> OrgOverview:
    """``overview`` with every department name (ranking, hidden, heatmap, movers) from
    ``names`` by code: one object per overview object and names, so what is kept per
    overview object (its digests, ``scorecard_charts.overview_digests``) is kept across
    views."""
    return _localized.get_or_make(
        (overview,), tuple(sorted(names.items())), lambda: _localize_overview(overview, names)
    )


_localized: IdentityMemo[OrgOverview] = IdentityMemo(8)


def _localize_overview(overview: OrgOverview, names: Mapping[str, str]) -> OrgOverview:
    return replace(
        overview,
        ranking=tuple(
            replace(r, name=names.get(r.code, r.name), flag=_flag(r.flag, names))
            for r in overview.ranking
        ),
        hidden=tuple(replace(h, name=names.get(h.code, h.name)) for h in overview.hidden),
        heatmap=replace(
            overview.heatmap,
            providers=tuple(_pair(p, names) for p in overview.heatmap.providers),
            customers=tuple(_pair(c, names) for c in overview.heatmap.customers),
        ),
        movers=tuple(f for f in (_flag(m, names) for m in overview.movers) if f is not None),
    )
