"""The interval audit on the self-view's practice rows (``analysis.scorecard.perception``).

A department's page publishes its members' overall quiz score (the self-view) and, beside
each quarterly dimension, the members' mean on the practice that teaches it. A member's overall
score is the mean of their practice scores, so the practices no row shows are a remainder whose
mean follows from the published figures. The attack: the self-view and every practice row
shown, as a reader with the API's two decimals has them, turned into linear constraints on each
member's practice scores; then, for every group of fewer than k members, how tightly a
practice, the group's overall score or its remainder can be pinned. Nothing may be narrower
than the protection interval (20 points on 0..100).

Members may have taken two versions of the quiz in the quarter, the second lacking some
practices (their overall score is then the mean of the practices they had). The reader is
granted which member took which version. Every published figure weighs the members of one
version alike, so a group is exposed according to how many members of each version it holds,
and one group per count is audited. What the audit cannot model: that a figure hidden near an
end of its scale says so (a disjunction, not a linear constraint; ``docs/anonymity.md`` rule 4
argues each branch).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import product

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from analysis.priorities import DIMENSION_PRACTICES
from analysis.scorecard import Gated, PerceptionGap, perception, self_view_figure
from survey.quiz.scoring import PRACTICES
from tests.anonymity.lp_audit import Auditor, Finding, K, Target, mean_fact

# What a reader of the API or the CSV has: two decimals.
TOLERANCE = 0.005
# The page's dimension figures, all shown (whether they are does not change the self-view).
DIMENSIONS = tuple((code, Gated(60.0, None, None, 12)) for code in DIMENSION_PRACTICES)
LINKED = frozenset(DIMENSION_PRACTICES.values())


@dataclass(frozen=True)
class Department:
    """``scores[m][p]``: member m's score on practice p (0..100), for the practices of the
    quiz version the member took."""

    scores: tuple[dict[str, float], ...]

    @property
    def members(self) -> range:
        return range(len(self.scores))

    def overall(self) -> list[float]:
        """Each member's overall score: the mean of their practice scores."""
        return [sum(s.values()) / len(s) for s in self.scores]

    def by_practice(self) -> dict[str, list[float]]:
        out: dict[str, list[float]] = {}
        for s in self.scores:
            for practice, value in s.items():
                out.setdefault(practice, []).append(value)
        return out

    def versions(self) -> list[list[int]]:
        """The members grouped by the practices they had (one group per quiz version)."""
        groups: dict[tuple[str, ...], list[int]] = {}
        for m, s in enumerate(self.scores):
            groups.setdefault(tuple(sorted(s)), []).append(m)
        return list(groups.values())


def _uniform(members: int, scores: dict[str, float]) -> Department:
    return Department(tuple(dict(scores) for _ in range(members)))


def _published(department: Department, section: PerceptionGap) -> tuple[Auditor, set[str]]:
    """The constraints a reader draws from the section, and the practices it shows."""
    auditor = Auditor()
    shown: set[str] = set()
    if section.self_view.shown:
        weights = {
            (m, p): 1.0 / len(department.scores[m])
            for m in department.members
            for p in department.scores[m]
        }
        value = round(float(section.self_view.value), 2)  # type: ignore[arg-type]
        auditor.add(mean_fact(weights, value, TOLERANCE, "self-view"))
    for row in section.practices:
        if row.self_view.shown:
            value = round(float(row.self_view.value), 2)  # type: ignore[arg-type]
            weights = {
                (m, row.practice): 1.0
                for m in department.members
                if row.practice in department.scores[m]
            }
            auditor.add(mean_fact(weights, value, TOLERANCE, row.practice))
            shown.add(row.practice)
    return auditor, shown


def _groups(versions: Sequence[Sequence[int]]) -> list[list[int]]:
    """One group of 1..k-1 members per count of members taken from each version."""
    out = []
    for counts in product(*(range(len(v) + 1) for v in versions)):
        if 0 < sum(counts) < K:
            out.append([m for v, c in zip(versions, counts, strict=True) for m in v[:c]])
    return out


def _target(keys: list[tuple[int, str]], label: str) -> Target:
    """The (member, practice) scores ``keys`` as one group's mean, its people counted."""
    return Target(frozenset(keys), len({m for m, _p in keys}), label)


def _targets(department: Department, shown: set[str]) -> list[Target]:
    """For each group: each practice its members had, their overall score (every practice
    score of theirs alike: the overall scores' mean when they took one version), and the
    practices no row shows."""
    targets = []
    for group in _groups(department.versions()):
        had = [(m, p) for m in group for p in department.scores[m]]
        for practice in PRACTICES:
            keys = [(m, p) for m, p in had if p == practice]
            if keys:
                targets.append(_target(keys, f"{group}'s {practice}"))
        targets.append(_target(had, f"{group}'s overall"))
        rest = [(m, p) for m, p in had if p not in shown]
        if shown and rest:
            targets.append(_target(rest, f"{group}'s remainder"))
    return targets


def _section(department: Department) -> PerceptionGap:
    """The self-view section as every channel publishes it (``perception``)."""
    return perception(department.overall(), None, K, department.by_practice(), DIMENSIONS)


def audit(department: Department) -> list[Finding]:
    """Publish ``department`` through ``perception`` and audit everything it shows."""
    auditor, shown = _published(department, _section(department))
    return auditor.audit(_targets(department, shown))


# Every member scored full marks on the six practices no dimension is tied to, and half on the
# five that are: the overall self-view (about 77) is shown, and with the five rows beside it the
# six unshown practices would come out at exactly 100 for everyone.
UNLINKED_AT_THE_TOP = _uniform(5, {p: 50.0 if p in LINKED else 100.0 for p in PRACTICES})


def test_the_audit_catches_practice_rows_published_without_the_remainder_rule() -> None:
    """The audit has teeth: the rows as ``self_view_figure`` alone would publish them (no
    remainder rule) pin the unshown practices of every small group to 100."""
    department = UNLINKED_AT_THE_TOP
    section = _section(department)
    assert section.self_view.shown
    scores = department.by_practice()
    naive = tuple(
        replace(row, self_view=self_view_figure(scores[row.practice], K))
        for row in section.practices
    )
    assert all(row.self_view.shown for row in naive)
    auditor, shown = _published(department, replace(section, practices=naive))
    findings = auditor.audit(_targets(department, shown))
    pinned = {f.target.label for f in findings if f.high - f.low < 1}
    assert "[0, 1, 2, 3]'s remainder" in pinned and "[0]'s anticipation" in pinned


def test_the_remainder_rule_withholds_rows_until_nothing_is_pinned() -> None:
    department = UNLINKED_AT_THE_TOP
    assert any(not row.self_view.shown for row in _section(department).practices)
    assert audit(department) == []


# Practice by practice, members score at an end, near one, or anywhere: the extremes are where
# figures sit near an end of the scale and the remainder rule has to act.
_score = {
    "top": st.just(100.0),
    "bottom": st.just(0.0),
    "high": st.integers(85, 100).map(float),
    "low": st.integers(0, 15).map(float),
    "any": st.integers(0, 100).map(float),
}


@st.composite
def departments(draw: st.DrawFn) -> Department:
    """5 to 8 members; some of them (none, when the draw says so) took a second version of
    the quiz lacking up to ten practices."""
    members = draw(st.integers(K, 8))
    lacking = draw(st.sets(st.sampled_from(PRACTICES), max_size=len(PRACTICES) - 1))
    second = [draw(st.booleans()) if lacking else False for _ in range(members)]
    modes = {p: draw(st.sampled_from(sorted(_score))) for p in PRACTICES}
    return Department(
        tuple(
            {p: draw(_score[modes[p]]) for p in PRACTICES if not (second[m] and p in lacking)}
            for m in range(members)
        )
    )


@settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(departments())
@example(UNLINKED_AT_THE_TOP)
@example(_uniform(5, {p: 100.0 for p in PRACTICES} | {"standards": 0.0, "responsiveness": 20.0}))
@example(_uniform(5, {p: 90.0 for p in PRACTICES} | {"anticipation": 0.0, "courtesy": 100.0}))
@example(_uniform(6, {p: 0.0 for p in PRACTICES} | {"standards": 100.0, "clarity": 100.0}))
@example(Department(tuple({p: 100.0 if m < 4 else 0.0 for p in PRACTICES} for m in range(5))))
@example(  # two members took a version without the six unlinked practices
    Department(
        tuple({p: 50.0 if p in LINKED else 100.0 for p in PRACTICES} for _ in range(4))
        + tuple({p: 50.0 for p in LINKED} for _ in range(2))
    )
)
@pytest.mark.slow
def test_no_small_group_of_members_is_pinned_by_the_self_view_and_its_rows(
    department: Department,
) -> None:
    findings = audit(department)
    assert findings == [], "\n".join(map(str, findings))
