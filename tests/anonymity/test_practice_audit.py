"""The interval audit on the self-view's practice rows (``analysis.scorecard.perception``).

A department's page publishes its members' overall quiz score (the self-view) and, beside
each quarterly dimension, the members' mean on the practice that teaches it. A member's overall
score is the mean of their eleven practice scores, so the practices no row shows are a
remainder whose mean follows from the published figures. The attack: the self-view and every
practice row shown, as a reader with the page (or the API's two decimals) has them, turned into
linear constraints on each member's eleven practice scores; then, for every group of fewer than
k members, how tightly a practice, the group's overall score or its remainder can be pinned.
Nothing may be narrower than the protection interval (20 points on 0..100).

Every published figure is a mean over all the department's members, so the constraints treat
members alike: any g members are as exposed as the first g, and those are the groups audited.
What the audit cannot model: that a figure hidden near an end of its scale says so (a
disjunction, not a linear constraint; ``docs/anonymity.md`` rule 4 argues each branch).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

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

Scores = Mapping[str, Sequence[float]]  # practice -> one score per member, 0..100


def _overall(scores: Scores) -> list[float]:
    """Each member's overall score: the mean of their practice scores."""
    members = len(next(iter(scores.values())))
    return [sum(scores[p][m] for p in PRACTICES) / len(PRACTICES) for m in range(members)]


def _published(section: PerceptionGap, members: int) -> tuple[Auditor, set[str]]:
    """The constraints a reader draws from the section, and the practices it shows."""
    auditor = Auditor()
    shown: set[str] = set()
    if section.self_view.shown:
        weights = {(m, p): 1.0 / len(PRACTICES) for m in range(members) for p in PRACTICES}
        value = round(float(section.self_view.value), 2)  # type: ignore[arg-type]
        auditor.add(mean_fact(weights, value, TOLERANCE, "self-view"))
    for row in section.practices:
        if row.self_view.shown:
            value = round(float(row.self_view.value), 2)  # type: ignore[arg-type]
            weights = {(m, row.practice): 1.0 for m in range(members)}
            auditor.add(mean_fact(weights, value, TOLERANCE, row.practice))
            shown.add(row.practice)
    return auditor, shown


def _targets(members: int, shown: set[str]) -> list[Target]:
    """For the first g members, g = 1..k-1: each practice, their overall score, and the
    practices no row shows."""
    rest = [p for p in PRACTICES if p not in shown]
    targets = []
    for g in range(1, min(K, members)):
        group = range(g)
        for practice in PRACTICES:
            keys = frozenset((m, practice) for m in group)
            targets.append(Target(keys, g, f"{g} members' {practice}"))
        everything = frozenset((m, p) for m in group for p in PRACTICES)
        targets.append(Target(everything, g, f"{g} members' overall"))
        if shown and rest:
            remainder = frozenset((m, p) for m in group for p in rest)
            targets.append(Target(remainder, g, f"{g} members' remainder"))
    return targets


def audit(scores: Scores) -> list[Finding]:
    """Publish ``scores`` through ``perception`` and audit everything it shows."""
    members = len(next(iter(scores.values())))
    section = perception(_overall(scores), None, K, scores, DIMENSIONS)
    auditor, shown = _published(section, members)
    return auditor.audit(_targets(members, shown))


def _department(members: int, default: float, **practices: float) -> dict[str, list[float]]:
    return {p: [practices.get(p, default)] * members for p in PRACTICES}


# Every member scored full marks on the six practices no dimension is tied to, and half on the
# five that are: the overall self-view (about 77) is shown, and with the five rows beside it the
# six unshown practices would come out at exactly 100 for everyone.
UNLINKED_AT_THE_TOP = {
    p: [100.0 if p not in DIMENSION_PRACTICES.values() else 50.0] * 5 for p in PRACTICES
}


def test_the_audit_catches_practice_rows_published_without_the_remainder_rule() -> None:
    """The audit has teeth: the rows as ``self_view_figure`` alone would publish them (no
    remainder rule) pin the unshown practices of every small group to 100."""
    members = 5
    section = perception(_overall(UNLINKED_AT_THE_TOP), None, K, UNLINKED_AT_THE_TOP, DIMENSIONS)
    assert section.self_view.shown
    auditor = Auditor()
    weights = {(m, p): 1.0 / len(PRACTICES) for m in range(members) for p in PRACTICES}
    auditor.add(mean_fact(weights, round(section.self_view.value, 2), TOLERANCE))  # type: ignore[arg-type]
    naive = set()
    for practice in DIMENSION_PRACTICES.values():
        figure = self_view_figure(UNLINKED_AT_THE_TOP[practice], K)
        assert figure.shown
        weights = {(m, practice): 1.0 for m in range(members)}
        auditor.add(mean_fact(weights, round(figure.value, 2), TOLERANCE))  # type: ignore[arg-type]
        naive.add(practice)
    findings = auditor.audit(_targets(members, naive))
    pinned = {f.target.label for f in findings if f.high - f.low < 1}
    assert "4 members' remainder" in pinned and "1 members' anticipation" in pinned


def test_the_remainder_rule_withholds_rows_until_nothing_is_pinned() -> None:
    section = perception(_overall(UNLINKED_AT_THE_TOP), None, K, UNLINKED_AT_THE_TOP, DIMENSIONS)
    assert any(not row.self_view.shown for row in section.practices)
    assert audit(UNLINKED_AT_THE_TOP) == []


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
def departments(draw: st.DrawFn) -> dict[str, list[float]]:
    members = draw(st.integers(K, 8))
    out = {}
    for practice in PRACTICES:
        mode = draw(st.sampled_from(sorted(_score)))
        out[practice] = [draw(_score[mode]) for _ in range(members)]
    return out


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(departments())
@example(UNLINKED_AT_THE_TOP)
@example(_department(5, 100.0, standards=0.0, responsiveness=20.0))
@example(_department(5, 90.0, anticipation=0.0, courtesy=100.0))
@example(_department(6, 0.0, standards=100.0, clarity=100.0, courtesy=60.0))
@example({p: [100.0, 100.0, 100.0, 100.0, 0.0] for p in PRACTICES})
def test_no_small_group_of_members_is_pinned_by_the_self_view_and_its_rows(
    scores: dict[str, list[float]],
) -> None:
    findings = audit(scores)
    assert findings == [], "\n".join(map(str, findings))
