"""On random organisations (hypothesis), nothing a scorecard shows rests on fewer than k
respondents, and no hidden group can be recovered by subtracting what is shown from a
published total (a provider's relationship score R and the heatmap row it summarises); a
score too near an end of the scale is not shown (``analysis.anonymity.share_is_certain``)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.anonymity import share_is_certain
from survey.scorecards.services.scorecard_data import department_by_code
from survey.scorecards.services.scorecards import Settings, build_overview, build_scorecard
from tests.scorecards.conftest import Org

CODES = ("IT", "HR", "FIN", "SALES", "ENG", "OPS")
# Far enough that every quarter the examples (and their shrinking) write has ended by then.
LATER = datetime(2500, 1, 1, tzinfo=UTC)
_quarters = (f"{year}Q{q}" for year in itertools.count(2001) for q in range(1, 5))

cells = st.dictionaries(
    st.tuples(st.sampled_from(CODES[:3]), st.sampled_from(CODES)).filter(lambda p: p[0] != p[1]),
    st.lists(st.integers(min_value=1, max_value=5), min_size=1, max_size=9),
    min_size=1,
    max_size=8,
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(cells=cells)
def test_nothing_shown_rests_on_fewer_than_k(org: Org, cells: dict) -> None:  # type: ignore[type-arg]
    quarter = next(_quarters)  # each example writes its own quarter
    for (provider, customer), ratings in cells.items():
        org.quarterly(provider, customer, quarter, ratings)
    k = Settings().k
    overview, _problem = build_overview(org.session, quarter, Settings(), LATER)
    people = {p: sum(len(r) for (p_, _c), r in cells.items() if p_ == p) for p, _c in cells}
    # A quarter is released once k people answered about one provider; before, nothing of it
    # is published (the pages fall back to another quarter).
    released = max(people.values()) >= k
    assert (overview.quarter == quarter) == released, (overview.quarter, quarter, people)
    if not released:
        return
    providers = [code for code, _name in overview.heatmap.providers]
    customers = [code for code, _name in overview.heatmap.customers]
    for p_index, provider in enumerate(providers):
        counts = [len(cells.get((provider, c), [])) for c in customers]
        row = overview.heatmap.values[p_index]
        for count, value in zip(counts, row, strict=True):
            assert value is None or count >= k
        # The row's hidden part: its hidden cells and the pairs of fewer than k people the
        # map does not list (a customer with no pair of k people has no column).
        hidden = people[provider] - sum(
            c for c, v in zip(counts, row, strict=True) if v is not None
        )
        assert hidden == 0 or hidden >= k or people[provider] < k
    for provider in {p for p, _c in cells}:
        card, _problem = build_scorecard(
            org.session, department_by_code(org.session, provider), quarter, Settings(), LATER
        )
        assert card.quarter == quarter
        total = sum(len(r) for (p, _c), r in cells.items() if p == provider)
        r = next(c for c in card.components if c.key == "R")
        ratings = [x for (p, _c), r_ in cells.items() if p == provider for x in r_]
        extreme = share_is_certain(sum(x - 1 for x in ratings) / 4, total, k)
        assert (r.value is not None) == (total >= k and not extreme)
        hidden = 0
        for row in card.customers:
            n = len(cells.get((provider, row.code), []))
            if row.relationship.value is not None:
                assert n >= k
            else:
                hidden += n
        if r.value is not None:
            assert hidden == 0 or hidden >= k
