"""What several quarters together tell: the priors every shrunk figure leans on.

Before a baseline is frozen, the priors are fitted afresh over every released quarter, and
each shown department's shrunk figures and intervals lean on them (``docs/scoring.md``,
section 15). Whatever a prior is fitted on is published through every shown department's
figures, in every quarter's page, so it may rest only on what the gate shows.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.anonymity.twins import Plan, compare

PROVIDERS = ("AA", "BB", "CC", "DD", "EE")
RATINGS = ((4, 3, 4, 2, 3, 4), (2, 3, 3, 4, 2, 3), (3, 4, 4, 3, 5, 4), (4, 4, 3, 2, 3, 3))


def _five_shown(small_rated: bool) -> Plan:
    """Six ENG people rate five providers (each R shown, resting on the six); with
    ``small_rated``, ENG-0 also rates SMALL (one person: hidden, and SMALL handles no
    requests)."""
    quarterly = []
    for i in range(6):
        ratings = [(code, RATINGS[j % 4][(i + j) % 6]) for j, code in enumerate(PROVIDERS)]
        if small_rated and i == 0:
            ratings.append(("SMALL", 3))
        quarterly.append((f"ENG-{i}", tuple(ratings)))
    return Plan(
        sizes={**dict.fromkeys(PROVIDERS, 1), "ENG": 6, "SMALL": 1}, quarterly=tuple(quarterly)
    )


def test_whether_a_hidden_department_was_rated_does_not_move_the_priors(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Five departments are shown; a sixth, SMALL, was rated by one person or by nobody.
    The priors counted as their ``groups`` every department with any answer in a released
    quarter, hidden ones included, and that count sizes every shown figure's interval
    (Morris's allowance for the estimated prior, g = max(groups, 5)): AA's R read "57.69,
    48.00 to 67.38" when nobody had rated SMALL and "57.69, 48.35 to 67.02" when one person
    had, on every shown department's page, the ISQ and IQ with it, and on every later
    quarter's trend. The two worlds must publish the same."""
    differences, publication = compare(
        _five_shown(False), _five_shown(True), "sqlite", tmp_path, request
    )
    shown = {f.provider for f in publication.facts if f.metric == "R" and f.customers is None}
    assert set(PROVIDERS) <= shown, f"no control: {shown}"
    assert differences == [], "\n".join(differences[:10])
