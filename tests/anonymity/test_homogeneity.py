"""Attack 6 by elimination: a hidden share must not tell that its people answered alike.

A share (T, the post-interaction satisfaction) over n people is published only when at least
k people are on each side of it (``anonymity.one_sided``). Below 2k people it is therefore
never shown, whatever was answered; above, hiding says only that one side has fewer than k
people, which leaves every group of fewer than k free to have answered either way.

Each test builds two organisations through the real link flow that differ only in how
satisfied SALES' customers were, and compares every page, chart text, CSV, PDF and API answer
(``twins.compare``): a reader who sees the same thing in both cannot tell "all of them were
satisfied" from "some were not". Under the former rule (hide a share only at 0 or 100 %,
and say so) world A's T was hidden "as certain" while world B's was shown: the attack won.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.anonymity.twins import Plan, compare


def _sales(ratings: list[int]) -> Plan:
    """SALES is rated after a request by one ENG person per entry of ``ratings`` (1..5); OPS
    rates SALES and ENG in the quarterly survey (so SALES has R, an ISQ and an IQ whatever
    its T does), SALES rates ENG."""
    return Plan(
        sizes={"SALES": 6, "ENG": len(ratings), "OPS": 6},
        post_interaction=tuple(
            [(f"ENG-{i}", "SALES", r) for i, r in enumerate(ratings)]
            + [(f"OPS-{i}", "ENG", r) for i, r in enumerate((5, 4, 2, 1, 4, 5))]
        ),
        quarterly=tuple(
            [(f"OPS-{i}", (("SALES", r), ("ENG", 6 - r))) for i, r in enumerate((5, 4, 2, 1, 4, 3))]
            + [(f"SALES-{i}", (("ENG", r),)) for i, r in enumerate((2, 3, 4, 4, 5, 1))]
        ),
    )


def _sales_t(publication: object) -> list[object]:
    return [
        f
        for f in publication.facts  # type: ignore[attr-defined]
        if f.provider == "SALES" and f.metric == "T"
    ]


@pytest.mark.slow
@pytest.mark.postgres
def test_under_2k_people_a_share_publishes_nothing_that_depends_on_the_answers(
    tmp_path: Path, request: pytest.FixtureRequest, backend: str
) -> None:
    """Six people, all satisfied, against three satisfied and three not: the same pages."""
    differences, publication = compare(
        _sales([5, 5, 5, 5, 5, 5]), _sales([5, 2, 4, 1, 5, 2]), backend, tmp_path, request
    )
    assert _sales_t(publication) == []
    assert differences == [], "\n".join(differences)


def test_a_unanimous_share_looks_like_any_one_sided_share(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Twelve people all satisfied, against eight satisfied and four not: both hidden alike,
    so "hidden" never means "all of them"."""
    differences, publication = compare(
        _sales([5] * 12), _sales([5] * 8 + [1, 2, 2, 3]), "sqlite", tmp_path, request
    )
    assert _sales_t(publication) == []
    assert differences == [], "\n".join(differences)


def test_a_share_with_k_people_on_each_side_is_shown(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """The control: seven satisfied and five not is published (and so differs from the
    unanimous world): the comparison can fail."""
    differences, publication = compare(
        _sales([5] * 7 + [1, 2, 2, 3, 1]), _sales([5] * 12), "sqlite", tmp_path, request
    )
    shown = [f for f in _sales_t(publication) if f.customers is None]  # type: ignore[attr-defined]
    assert shown and abs(shown[0].value - 100 * 7 / 12) < 0.1, shown  # type: ignore[attr-defined]
    assert differences
