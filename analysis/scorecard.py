"""The scorecards' pure half: from the plain sums of a page's snapshot to gated results.

``survey.services`` reads the sums once (a snapshot per page); everything here is pure and is
what the per-process caches wrap. The formulas are ``analysis.model`` (version 2); this
module only applies the anonymity gate (``analysis.anonymity``) around them, so that a hidden
figure is never computed into anything shown, and turns the model's arrays into the result
nouns a page assembles.

Units: every figure on 0..100. Per department and quarter (``DepartmentInput``):

- T: ``t_n`` people, ``t_total`` the sum over people of each person's share of 4-5 answers
  on 0..100 (so ``t_total / 100`` successes, possibly fractional);
- R: ``r_n`` people, ``r_total`` and ``r_total_sq`` the sums of their 0..100 scores;
- C: ``c_judged`` interactions judged against the standard, ``c_compliant`` within it;
- ``people``: distinct respondents over both survey kinds;
- ``r_hist``: the per-person R values binned on ``R_GRID`` (only for change tests; never
  shown);
- ``collected``: what the organisation collected that quarter, whatever anyone answered ("T"
  when any request was recorded, "R" when a quarterly campaign ran; the same on every
  department of a quarter).

A component the organisation measures nowhere in a quarter (``measured_components``: not
collected, and shown by no department) leaves that quarter's ISQ, the weights renormalised
over the others (``model.measured_weights``). One collected but hidden by the gate
everywhere stays, at its prior: leaving would tell that every department had few answers.

A component is hidden (``NO_DATA``, ``BELOW_K``, ``ONE_SIDED``, ``CERTAIN``) before the model
sees it: it then enters the model with n = 0, i.e. it takes its prior mean with its prior
variance, and its sums enter neither the priors nor any test.
ISQ is shown only when T or R is shown; when neither is, it is hidden as ``WITHHELD``, whether
or not there are survey answers (telling the two apart would tell whether a department's few
requesters answered), never with a component's own reason. For the same reason a figure of
respondents resting on nobody is hidden as ``BELOW_K``, like one resting on fewer than k
people; ``NO_DATA`` is left for what rests on requests (C) and for quarters not released.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo
from statistics import median
from typing import Any

from analysis import anonymity, model, scoring, stats
from analysis.model import Baseline2, DepartmentSums, Priors
from analysis.priorities import DIMENSION_PRACTICES

# Why a figure is not shown (machine names; pages and the API translate or pass them on).
NO_DATA = "no_data"
BELOW_K = "below_k"
REMAINDER = "remainder"
#: A mean so near an end of its scale that it would pin small groups down.
CERTAIN = "certain"
#: A share with fewer than k people on one of its sides (``anonymity.one_sided``).
ONE_SIDED = "one_sided"
BELOW_COMMENT_K = "below_comment_k"
NO_SURVEY_COMPONENT = "no_survey_component"
#: An ISQ neither of whose survey components (T, R) can be shown, while there are survey
#: answers: too few people, or answers too alike. One reason for all such cases, so that the
#: ISQ (on the overview, open to every reader) never tells which; the components say.
WITHHELD = "withheld"
NO_BASELINE = "no_baseline"

COMPONENTS = model.COMPONENTS
#: The fixed grid per-person R values are binned on for the Mann-Whitney test: bins of 5
#: points (0, 5, ..., 100; a value goes to the nearest). Ties within a bin only make the test
#: more cautious.
R_BIN_WIDTH = 5.0
R_BINS = 21


@dataclass(frozen=True)
class Sums:
    """Respondent count, sum and sum of squares of one metric (any unit), as the application
    reads them from its score cells and totals."""

    n: int = 0
    total: float = 0.0
    total_sq: float = 0.0

    @property
    def mean(self) -> float | None:
        return self.total / self.n if self.n else None

    @property
    def variance(self) -> float | None:
        """Sample variance (n - 1 in the denominator); None below two respondents."""
        if self.n < 2:
            return None
        value = (self.total_sq - self.total * self.total / self.n) / (self.n - 1)
        return max(value, 0.0)  # rounding can push a zero variance slightly negative

    def __add__(self, other: Sums) -> Sums:
        return Sums(self.n + other.n, self.total + other.total, self.total_sq + other.total_sq)


@dataclass(frozen=True)
class DepartmentInput:
    """The stored sums of one department-quarter (see the module docstring)."""

    t_n: int = 0
    t_total: float = 0.0
    r_n: int = 0
    r_total: float = 0.0
    r_total_sq: float = 0.0
    people: int = 0
    c_judged: int = 0
    c_compliant: int = 0
    #: What the organisation collected in the quarter whatever was answered (module docstring).
    collected: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Gated:
    """A figure on 0..100 (or a count) that may be hidden; ``reason`` says why it is."""

    value: float | None
    low: float | None = None
    high: float | None = None
    n: int | None = None
    reason: str | None = None

    @property
    def shown(self) -> bool:
        return self.reason is None and self.value is not None

    @classmethod
    def hidden(cls, reason: str) -> Gated:
        return cls(None, None, None, None, reason)


@dataclass(frozen=True)
class Component:
    """One ISQ component: ``raw`` before shrinkage, ``value`` after, its 95 % interval, and n
    (people for T and R, judged interactions for C)."""

    key: str
    n: int
    raw: float | None
    value: float | None
    low: float | None
    high: float | None
    reason: str | None = None

    @property
    def shown(self) -> bool:
        return self.reason is None and self.value is not None


@dataclass(frozen=True)
class QuarterScore:
    """A department's gated components, ISQ and rank group (``above``, ``in_line``,
    ``below``) in one quarter, with the sums they came from."""

    department_id: int
    quarter: str
    components: Mapping[str, Component]
    isq: Gated
    respondents: int
    sums: DepartmentInput
    group: str = "in_line"


@dataclass(frozen=True)
class QuarterModel:
    """Every department's scores in one quarter, the organisation's reference values (raw
    pooled figures of the departments passing the gate) and its ISQ (the mean ISQ of the
    departments shown), with the ``priors`` the quarter was scored with and the ISQ
    ``weights`` it used (T, R, C; 0 for a component the organisation measured nowhere that
    quarter, ``measured_components``; empty: the stated weights, every component measured)."""

    quarter: str
    scores: Mapping[int, QuarterScore]
    org: Mapping[str, float | None]
    org_isq: float | None
    priors: Priors | None = field(default=None, compare=False)
    weights: Mapping[str, float] = field(default_factory=dict)

    @property
    def measured(self) -> frozenset[str]:
        """The components this quarter's ISQs rest on (all three when ``weights`` is empty)."""
        if not self.weights:
            return frozenset(COMPONENTS)
        return frozenset(key for key, w in self.weights.items() if w > 0)


# --- the gate ---


def gate_reason(
    n: int,
    worth: float,
    k: int,
    near_end: Callable[[float, int, int], bool] | None = anonymity.share_is_certain,
    near_reason: str = CERTAIN,
    empty: str = BELOW_K,
) -> str | None:
    """Why a figure resting on ``n`` people is hidden (None: shown), the one gate every figure
    of a page passes: under k people, none included (``empty`` for none: ``BELOW_K`` for a
    figure of respondents, since "no data" against "too few" would tell whether anybody
    answered; ``NO_DATA`` for a count of requests, which tells nothing of anyone's answer);
    then, with ``near_end``, a figure too near an end of its scale (``near_reason``):
    ``worth`` is its place on the scale in people's worth (0..n; a mean on 0..100 is its
    total over 100), and ``near_end`` is ``anonymity.share_is_certain`` for a mean,
    ``anonymity.one_sided`` for a share of people (reason ``ONE_SIDED``); None for a count,
    which has no ends."""
    if n == 0:
        return empty
    if not anonymity.passes_gate(n, k):
        return BELOW_K
    if near_end is not None and near_end(worth, n, k):
        return near_reason
    return None


def reasons(d: DepartmentInput, k: int) -> dict[str, str | None]:
    """Why each component of ``d`` is hidden (None: shown), through ``gate_reason``: T (a
    share) moreover with fewer than k people on one side (``anonymity.one_sided``, so always
    below 2k people), R (a mean) too near an end of the scale; C (a count of judged
    interactions) only no data or under k."""
    return {
        "T": gate_reason(d.t_n, d.t_total / 100.0, k, anonymity.one_sided, ONE_SIDED),
        "R": gate_reason(d.r_n, d.r_total / 100.0, k),
        "C": gate_reason(d.c_judged, 0.0, k, None, empty=NO_DATA),
    }


def model_sums(d: DepartmentInput, k: int) -> DepartmentSums:
    """The sums the model may use: a hidden component enters with n = 0 (its prior)."""
    why = reasons(d, k)
    t = why["T"] is None
    r = why["R"] is None
    c = why["C"] is None
    return DepartmentSums(
        t_successes=d.t_total / 100.0 if t else 0.0,
        t_trials=d.t_n if t else 0,
        r_n=d.r_n if r else 0,
        r_total=d.r_total if r else 0.0,
        r_total_sq=d.r_total_sq if r else 0.0,
        c_successes=d.c_compliant if c else 0,
        c_trials=d.c_judged if c else 0,
    )


def measured_components(inputs: Iterable[DepartmentInput], k: int) -> tuple[str, ...]:
    """The components the organisation measures in a quarter (T, R, C order): those it
    collected (``DepartmentInput.collected``: a request recorded, a quarterly campaign run),
    those some department shows through the gate of ``k`` (answers stored without a request
    or a campaign, as bulk loads and late post-interaction answers are), and C when any
    interaction was judged (whether C has data is published: ``NO_DATA`` against
    ``BELOW_K``).

    Nothing here rests on what the gate hides: a component collected but hidden everywhere
    is measured (it enters at its prior; leaving would tell that every department had few
    answers), and one neither collected nor shown anywhere is not, whether a few hidden
    people answered it or nobody did (telling the two apart would tell whether they had)."""
    rows = list(inputs)
    found: set[str] = set().union(*(d.collected for d in rows)) if rows else set()
    for d in rows:
        why = reasons(d, k)
        found.update(key for key in ("T", "R") if why[key] is None)
        if d.c_judged > 0:
            found.add("C")
    return tuple(key for key in COMPONENTS if key in found)


# --- the quarterly dimensions (1..5 questions) ---


def likert_reason(s: Sums, k: int) -> str | None:
    """Why a department's mean of one 1..5 question over ``s.n`` people is hidden (None:
    shown): no data, under k people, or so near an end of the scale that it would tell how a
    small group answered (``anonymity.share_is_certain`` on the mean's place in the scale,
    (total − n)/4 people's worth)."""
    return gate_reason(s.n, (s.total - s.n) / 4.0, k)


def mean_figure(value: float, n: int) -> Gated:
    """A shown mean of ``n`` people on 0..100 with its 95 % interval, which rests on nothing
    but ``value`` and ``n`` (both published beside it): the Wilson interval of the mean's
    place on its scale. Answers bounded by the scale with mean v have a variance of at most
    v·(100 − v) (all of them at its ends), so the interval covers at least as often as for
    a share. An interval from the group's own spread (mean ± 1.96·s/√n) published its sum
    of squares as well, which pins small groups: six people who all answered 4 read as
    "75, 75 to 75" (``docs/anonymity.md``, "What an interval's width tells")."""
    low, high = stats.wilson_interval(value / 100.0 * n, n)
    return Gated(value, 100.0 * low, 100.0 * high, n)


def likert_figure(s: Sums, k: int) -> Gated:
    """A department's mean of one 1..5 question on 0..100 with its 95 % interval
    (``mean_figure``: from the mean and n alone), or hidden (``likert_reason``)."""
    why = likert_reason(s, k)
    if why is not None:
        return Gated.hidden(why)
    return mean_figure(float(scoring.rescale(s.mean or 0.0, 1, 5)), s.n)


def withhold_for_blanks(figures: Sequence[Gated], people: int, k: int) -> list[Gated]:
    """A department's dimension figures (``likert_figure``, questionnaire order) with one
    more hidden (``REMAINDER``) when together with R they would tell the answers of fewer
    than k people who left some dimension blank.

    R averages each person's answered dimensions first (``people`` of them), a dimension's
    mean averages the answers to it; over the D dimensions, R·people − Σ mean·n / D is a
    weighted total of the people who left any dimension blank (each their total times
    1/D_p − 1/D): with one such person, their own total on the dimensions they answered.
    Those people number at least the largest count of blanks of a dimension
    (``people − n``) and may be that few: while every dimension is shown and that count is
    between 1 and k − 1, the dimension with the most blanks (the first, on a tie) is hidden,
    which leaves the sum with a term the reader cannot know. A dimension already hidden, or
    k blanks on one, need nothing more. Published still: each dimension's count, so how
    many left it blank (``docs/anonymity.md``, "What is not protected")."""
    out = list(figures)
    if not out or not all(f.shown for f in out):
        return out
    blanks = [people - (f.n or 0) for f in out]
    most = max(blanks)
    if 0 < most < k:
        out[blanks.index(most)] = Gated.hidden(REMAINDER)
    return out


def likert_org(sums: Iterable[Sums]) -> float | None:
    """The organisation's value (0..100) of one 1..5 question: the mean over the people of
    ``sums``, the departments whose own figure is shown (``department_dimensions``), so no
    hidden group enters it; None when there are none."""
    shown = list(sums)
    n = sum(s.n for s in shown)
    return float(scoring.rescale(sum(s.total for s in shown) / n, 1, 5)) if n else None


def department_dimensions(
    codes: Sequence[str], metrics: Mapping[str, Sums], k: int
) -> dict[str, Gated]:
    """A department's figure of each dimension of ``codes`` from its sums of the metrics
    ``q.<code>`` and ``R`` (one quarter): ``likert_figure``, then ``withhold_for_blanks``
    against R's people, then ``hidden_dimensions_apart``."""
    sums = [metrics.get(f"q.{code}", Sums()) for code in codes]
    r = metrics.get("R", Sums())
    figures = withhold_for_blanks([likert_figure(s, k) for s in sums], r.n, k)
    return dict(zip(codes, hidden_dimensions_apart(sums, figures, r, k), strict=True))


def hidden_dimensions_apart(
    sums: Sequence[Sums], figures: Sequence[Gated], r: Sums, k: int
) -> list[Gated]:
    """``figures`` (one per dimension, from ``sums``, 1..5 answers) with more of them hidden
    (``REMAINDER``) while the hidden ones could be worked out too near an end of the scale.

    R averages each person's dimensions, so with every dimension answered by R's people,
    D·R minus the shown dimension means is the sum of the hidden ones: one dimension hidden
    because everyone rated it 5 (``CERTAIN``) read back as exactly 100 (with a few blanks,
    within a few points). While R is shown (``r``: its people and 0..100 total), the hidden
    dimensions' mean is a remainder: while it sits so near an end that it would tell how a
    small group answered (``anonymity.share_is_certain`` over R's people), the shown
    dimension that pulls it furthest from that end is hidden too, until it does not or none
    is shown."""
    out = list(figures)
    if gate_reason(r.n, r.total / 100.0, k) is not None:
        return out
    while True:
        shown = [i for i, figure in enumerate(out) if figure.shown]
        hidden = [sums[i] for i, figure in enumerate(out) if not figure.shown and sums[i].n]
        if not shown or not hidden:
            return out
        remainder = sum(float(scoring.rescale(s.mean or 0.0, 1, 5)) for s in hidden) / len(hidden)
        if not anonymity.share_is_certain(remainder / 100.0 * r.n, r.n, k):
            return out
        # near the top: hide the lowest shown dimension; near the bottom, the highest
        pick = min if remainder >= 50 else max
        i = pick(shown, key=lambda j: (out[j].value, j))
        out[i] = Gated.hidden(REMAINDER)


def dimensions(
    codes: Sequence[str],
    by_department: Mapping[int, Mapping[str, Sums]],
    org: Mapping[str, float | None],
    department_id: int,
    k: int,
) -> tuple[tuple[str, Gated, float | None], ...]:
    """One department's dimension rows: (code, its figure, the organisation's value) for each
    of ``codes``, from every department's sums of the metrics ``q.<code>`` and ``R`` (a
    snapshot of one quarter, ``department_dimensions``) and ``org`` (``dimension_org`` of
    that snapshot)."""
    own = department_dimensions(codes, by_department.get(department_id, {}), k)
    return tuple((code, own[code], org[code]) for code in codes)


def dimension_org(
    codes: Sequence[str], by_department: Mapping[int, Mapping[str, Sums]], k: int
) -> dict[str, float | None]:
    """``likert_org`` of every code over one quarter's snapshot of every department's sums:
    the departments whose figure of it ``department_dimensions`` shows."""
    shown: dict[str, list[Sums]] = {code: [] for code in codes}
    for metrics in by_department.values():
        for code, figure in department_dimensions(codes, metrics, k).items():
            if figure.shown:
                shown[code].append(metrics[f"q.{code}"])
    return {code: likert_org(shown[code]) for code in codes}


# --- a provider's customer table ---


def customer_column(cells: Sequence[Sums], everyone: Sums, metric: str, k: int) -> list[Gated]:
    """One column of a provider's customer table, a figure per customer department on
    0..100: T (``metric`` "T", the share of satisfied people) or R (a mean).

    ``cells`` are the customer departments' sums, ``everyone`` the provider's sums over every
    customer department, inactive ones included (the provider's overall figure is published,
    so a department missing from the table is part of the hidden remainder). A cell is hidden
    under k people (none included: ``BELOW_K`` either way), or as
    ``anonymity.suppress_shares`` decides (the remainder rule, and no shown cell or hidden
    remainder with fewer than k people on one side for T,
    ``anonymity.one_sided``, or at an end of the scale for R, ``share_is_certain``). A shown T
    has its Wilson 95 % interval, a shown R the same interval of its place on the scale
    (both ``mean_figure``: a share of satisfied people is the mean of their 0/100 values;
    from the mean and n alone, never from the cell's own spread)."""
    visible = (
        anonymity.suppress_shares(
            [s.n for s in cells],
            [s.total / 100.0 for s in cells],
            k,
            everyone.n,
            everyone.total / 100.0,
            anonymity.one_sided if metric == "T" else anonymity.share_is_certain,
        )
        if cells
        else []
    )
    return [
        mean_figure(s.mean or 0.0, s.n)
        if s.n >= k and show
        else Gated.hidden(BELOW_K if s.n < k else REMAINDER)
        for s, show in zip(cells, visible, strict=True)
    ]


# --- compliance details ---


def share_figure(successes: int, n: int) -> Gated:
    """A share of ``n`` (at least 1) on 0..100 with its Wilson 95 % interval: service-standard
    compliance, overall or per service. The caller gates it first."""
    return mean_figure(100.0 * successes / n, n)


@dataclass(frozen=True)
class Distribution:
    """Counts per bucket; ``edges`` are upper bounds in minutes (the last bucket is open)."""

    edges: tuple[int, ...]
    counts: tuple[int, ...]
    median_minutes: float | None
    p90_minutes: float | None


def distribution(values: Sequence[float], edges: Sequence[int]) -> Distribution:
    """``values`` (minutes) counted per bucket of upper bounds ``edges`` (a value on an edge
    falls in that edge's bucket; the last bucket is open), with their median and 90th
    percentile (the smallest value with at least 90 % of the values at or below it); None
    for both when there are no values."""
    counts = [0] * (len(edges) + 1)
    for v in values:
        index = next((i for i, edge in enumerate(edges) if v <= edge), len(edges))
        counts[index] += 1
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, math.ceil(0.9 * len(ordered)) - 1)] if ordered else None
    return Distribution(tuple(edges), tuple(counts), median(ordered) if ordered else None, p90)


def opening_hours(opened: Iterable[datetime], zone: tzinfo) -> tuple[int, ...]:
    """24 counts of requests by the hour of ``zone`` in which they were opened (aware
    datetimes)."""
    hours = [0] * 24
    for stamp in opened:
        hours[stamp.astimezone(zone).hour] += 1
    return tuple(hours)


# --- the self-view ---


@dataclass(frozen=True)
class PracticeGap:
    """One quarterly dimension beside the quiz practice that teaches it
    (``priorities.DIMENSION_PRACTICES``): the members' mean score on the practice and the
    customers' mean on the dimension (the page's dimension figure), both 0..100, and the gap
    with its label (``scoring.perception_gap``) when both are shown."""

    dimension: str
    practice: str
    self_view: Gated
    customer_view: Gated
    gap: float | None
    label: str | None


@dataclass(frozen=True)
class PerceptionGap:
    """The department's own view (its members' quiz results) beside its customers' view (R
    before shrinkage), both 0..100, and the gap between them with its label
    (``scoring.perception_gap``); ``reason`` says why no gap is shown. ``practices``: the
    same comparison per dimension and practice, only while the overall self-view is shown."""

    self_view: Gated
    customer_view: Gated
    gap: float | None
    label: str | None
    takers: int
    reason: str | None
    practices: tuple[PracticeGap, ...] = ()


def self_view_figure(scores: Sequence[float], k: int) -> Gated:
    """The members' mean of quiz scores (one per member, 0..100), or hidden: no takers,
    under k of them, or so near an end of the scale that it would tell how a small group of
    them scored (``anonymity.share_is_certain`` on the sum in people's worth, as for the
    dimension means: ``gate_reason``). ``n`` is the number of members."""
    n, total = len(scores), float(sum(scores))
    why = gate_reason(n, total / 100.0, k)
    return Gated.hidden(why) if why is not None else Gated(total / n, None, None, n)


def _compared(own: Gated, customers: Gated) -> tuple[float | None, str | None]:
    if not (own.shown and customers.shown):
        return None, None
    gap, label = scoring.perception_gap(own.value, customers.value)  # type: ignore[arg-type]
    return float(gap), str(label)


def practice_gaps(
    practices: Mapping[str, Sequence[float]],
    dimensions: Iterable[tuple[str, Gated]],
    k: int,
    links: Mapping[str, str] = DIMENSION_PRACTICES,
) -> tuple[PracticeGap, ...]:
    """One row per dimension of ``dimensions`` (code and the page's figure, in page order)
    that ``links`` ties to a quiz practice: the members' scores on that practice
    (``practices``: every practice of the quiz -> one score per member, 0..100) through
    ``self_view_figure``, beside the dimension's figure as the page shows it (already gated).

    The practices not shown (those no row shows, and rows hidden) are the remainder: a
    member's overall score is the mean of all their practice scores and the overall
    self-view is published, so the remainder's mean can be worked out. While it is so near an
    end of the scale that it would tell how the members scored (``share_is_certain``), shown
    rows are hidden too (``WITHHELD``), each time the one that pulls the remainder furthest
    from that end, until it is not or no row is left."""
    rows = []
    for code, figure in dimensions:
        practice = links.get(code)
        if practice is None:
            continue
        own = self_view_figure(practices.get(practice, ()), k)
        gap, label = _compared(own, figure)
        rows.append(PracticeGap(code, practice, own, figure, gap, label))
    means = {p: sum(v) / len(v) for p, v in practices.items() if v}
    members = max((len(v) for v in practices.values()), default=0)
    while True:
        shown = [i for i, row in enumerate(rows) if row.self_view.shown]
        published = {rows[i].practice for i in shown}
        rest = [m for p, m in means.items() if p not in published]
        if not shown or not rest:
            break
        remainder = sum(rest) / len(rest)
        if not anonymity.share_is_certain(remainder / 100.0 * members, members, k):
            break
        # near the top: hide the lowest shown practice; near the bottom, the highest
        pick = min if remainder >= 50 else max
        i = pick(shown, key=lambda j: (rows[j].self_view.value, j))
        rows[i] = replace(rows[i], self_view=Gated.hidden(WITHHELD), gap=None, label=None)
    return tuple(rows)


def perception(
    overall: Sequence[float],
    customer: Component | None,
    k: int,
    practices: Mapping[str, Sequence[float]] | None = None,
    dimensions: Iterable[tuple[str, Gated]] = (),
) -> PerceptionGap:
    """The self-view section from the members' quiz results of the quarter (``overall``, one
    per member, 0..100) and the department's R component (None: no score). The self-view is
    ``self_view_figure`` (hidden without takers, under k of them, or near an end of the
    scale); the customers' view is R's raw mean when R is shown; the gap needs both. While
    the self-view is shown, ``practice_gaps`` compares each dimension of ``dimensions`` with
    its practice from ``practices`` (the same members' scores per practice)."""
    customer_view = (
        Gated(customer.raw, None, None, customer.n)
        if customer is not None and customer.shown
        else Gated.hidden(customer.reason if customer is not None else BELOW_K)  # type: ignore[arg-type]
    )
    takers = len(overall)
    own = self_view_figure(overall, k)
    if not own.shown:
        return PerceptionGap(own, customer_view, None, None, takers, own.reason)
    rows = practice_gaps(practices or {}, dimensions, k)
    gap, label = _compared(own, customer_view)
    reason = None if gap is not None else customer_view.reason
    return PerceptionGap(own, customer_view, gap, label, takers, reason, rows)


# --- priors ---


def fit_pooled_priors(
    quarters: Mapping[str, Mapping[int, DepartmentInput]],
    k: int,
    weights: Mapping[str, float],
    quarter_k: Mapping[str, int] | None = None,
) -> Priors:
    """Priors pooled over every department-quarter given (``model.fit_priors`` on the gated
    sums: a quarter's with at least its ``quarter_k``, its campaigns' k), with ``weights``; a
    component that cannot be fitted (fewer than two department-quarters with data) gets the
    vague prior of ``model.vague_priors``.

    ``groups`` (the distinct departments behind the priors, which sizes every shown figure's
    interval) counts only departments with some component through the gate in some
    quarter: one counted for answers the gate hides told whether a department nobody could
    see had been rated by anybody (``docs/anonymity.md``, attack 30). Each shown R enters
    with a spread no smaller than ``anonymity.least_spread`` (``_spread_kept``), since R's
    within spread σ² can be read back from every shown R."""
    floors = quarter_k or {}
    keyed: list[tuple[Any, DepartmentSums]] = []
    for q, inputs in quarters.items():
        gate = max(k, floors.get(q, 0))
        keyed.extend((dep, _spread_kept(model_sums(d, gate), gate)) for dep, d in inputs.items())
    rows = [r for _dep, r in keyed]
    groups = len({dep for dep, r in keyed if r.t_trials or r.r_n or r.c_trials})
    priors = model.fit_priors(
        [r.t_successes for r in rows],
        [r.t_trials for r in rows],
        [r.r_n for r in rows],
        [r.r_total for r in rows],
        [r.r_total_sq for r in rows],
        [r.c_successes for r in rows],
        [r.c_trials for r in rows],
        groups=groups,
        fallback=True,
    )
    return with_weights(priors, weights)


def _spread_kept(sums: DepartmentSums, k: int) -> DepartmentSums:
    """``sums`` with R's sum of squares raised, where needed, to the spread
    ``anonymity.least_spread`` allows it to be said to have.

    R's prior pools the shown departments' sums of squares into its within spread σ², and
    every shown R's shrunk value and interval give σ² back; two fits (the provisional priors
    before and after a quarter's release, or pages gated with two k) then give the sum of
    squares of the departments between them, and a sum of squares near 0 says that each
    person answered the mean (``docs/anonymity.md``, attack 31). Raised, it bounds no group
    of fewer than k people to less than the protection interval; a larger one is kept."""
    kept = anonymity.kept_sum_sq(sums.r_n, sums.r_total, sums.r_total_sq, k)
    return sums if kept == sums.r_total_sq else replace(sums, r_total_sq=kept)


def with_weights(priors: Priors, weights: Mapping[str, float]) -> Priors:
    """``priors`` with ISQ ``weights`` (a mapping T/R/C; normalised to sum 1)."""
    raw = [float(weights.get(c, 0.0)) for c in COMPONENTS]
    total = sum(raw) or 1.0
    return Priors(
        priors.T, priors.R, priors.C, priors.corr, tuple(w / total for w in raw), priors.version
    )


def priors_to_json(priors: Priors, baseline: Baseline2 | None = None) -> dict[str, Any]:
    """The priors (and a baseline's standard errors) as plain JSON for the baseline record."""
    out: dict[str, Any] = {
        "version": priors.version,
        "T": {"mean": priors.T.mean, "m": priors.T.m, "groups": priors.T.groups},
        "R": {
            "mean": priors.R.mean,
            "sigma2": priors.R.sigma2,
            "tau2": priors.R.tau2,
            "groups": priors.R.groups,
        },
        "C": {"mean": priors.C.mean, "m": priors.C.m, "groups": priors.C.groups},
        "corr": [list(row) for row in priors.corr],
        "weights": dict(zip(COMPONENTS, priors.weights, strict=True)),
    }
    if baseline is not None:
        out["baseline"] = {
            "mu0_se": baseline.mu0_se,
            "sigma0_se": baseline.sigma0_se,
            "groups": baseline.groups,
        }
    return out


def priors_from_json(raw: Mapping[str, Any] | None) -> Priors | None:
    """The priors stored by ``priors_to_json``; None for anything else (a version-1 record,
    which stored only m_T, m_C, sigma2_R, tau2_R)."""
    if not raw or raw.get("version") not in model.READABLE_VERSIONS:
        return None
    t, r, c = raw["T"], raw["R"], raw["C"]
    weights = raw.get("weights") or model.WEIGHTS
    return Priors(
        model.SharePrior(float(t["mean"]), float(t["m"]), int(t["groups"])),
        model.MeanPrior(float(r["mean"]), float(r["sigma2"]), float(r["tau2"]), int(r["groups"])),
        model.SharePrior(float(c["mean"]), float(c["m"]), int(c["groups"])),
        tuple(tuple(float(v) for v in row) for row in raw["corr"]),
        tuple(float(weights[key]) for key in COMPONENTS),
        int(raw["version"]),
    )


def priors_key(priors: Priors) -> str:
    """A stable cache key of the priors."""
    return json.dumps(priors_to_json(priors), sort_keys=True)


# --- one quarter ---


def _component(
    key: str, n: int, raw: float | None, est: model.Estimate, reason: str | None
) -> Component:
    if reason is not None:
        return Component(key, n, None, None, None, None, reason)
    return Component(key, n, raw, est.value, min(est.low, est.value), max(est.high, est.value))


def published_respondents(score: QuarterScore, k: int) -> int:
    """The respondents a page may print or gate on beside ``score``: the people of each
    survey kind (T's, R's) that at least ``k`` people answered, distinct over both when both
    did; 0 when neither did. Counts only, never values, as the response counts are shown.
    ``score.respondents`` counts everyone, a kind's few people included: printed, "7"
    against "6" told whether the one requester behind a hidden post-interaction count had
    answered, and so did the comments' gate of 10 respondents (9 against 10)."""
    t, r = score.components["T"].n, score.components["R"].n
    if t >= k and r >= k:
        return score.respondents
    if t >= k:
        return t
    return r if r >= k else 0


def build_quarter_model(
    quarter: str, inputs: Mapping[int, DepartmentInput], priors: Priors, k: int
) -> QuarterModel:
    """Every department's gated components, ISQ and rank group in ``quarter`` with frozen
    ``priors`` (``model.score_quarter``; hidden components take their priors; a component
    the organisation measured nowhere, ``measured_components``, leaves the quarter's ISQs,
    the weights renormalised over the others). The organisation's reference values use only
    shown components."""
    ids = sorted(inputs)
    gates = {d: reasons(inputs[d], k) for d in ids}
    present = measured_components(inputs.values(), k)
    scored = model.score_quarter([model_sums(inputs[d], k) for d in ids], priors, None, k, present)
    used = model.measured_weights(priors.weights, [key in present for key in COMPONENTS])
    scores: dict[int, QuarterScore] = {}
    for d, s in zip(ids, scored, strict=True):
        i, why = inputs[d], gates[d]
        comps = {
            "T": _component("T", i.t_n, i.t_total / i.t_n if i.t_n else None, s.T, why["T"]),
            "R": _component("R", i.r_n, i.r_total / i.r_n if i.r_n else None, s.R, why["R"]),
            "C": _component(
                "C",
                i.c_judged,
                100.0 * i.c_compliant / i.c_judged if i.c_judged else None,
                s.C,
                why["C"],
            ),
        }
        if why["T"] is None or why["R"] is None:
            n = max(i.t_n if why["T"] is None else 0, i.r_n if why["R"] is None else 0)
            isq = Gated(s.isq.value, max(0.0, s.isq.low), min(100.0, s.isq.high), n)
            group = s.group
        else:
            # Neither T nor R shown: no model output of the department is published, not
            # even its shrunk C (the raw compliance share is the page's, gated on its own).
            # One reason whether or not anybody answered: which would tell whether the
            # department's few requesters did.
            isq = Gated.hidden(WITHHELD)
            group = "in_line"
            if why["C"] is None:
                comps["C"] = Component("C", i.c_judged, None, None, None, None, NO_SURVEY_COMPONENT)
        scores[d] = QuarterScore(d, quarter, comps, isq, i.people, i, group)
    shown = [s.isq.value for s in scores.values() if s.isq.shown and s.isq.value is not None]
    return QuarterModel(
        quarter,
        scores,
        _org(inputs, gates),
        sum(shown) / len(shown) if shown else None,
        priors,
        {key: float(w) for key, w in zip(COMPONENTS, used, strict=True)},
    )


def _org(
    inputs: Mapping[int, DepartmentInput], gates: Mapping[int, Mapping[str, str | None]]
) -> dict[str, float | None]:
    def pooled(key: str, x, n) -> float | None:
        xs = [(x(i), n(i)) for d, i in inputs.items() if gates[d][key] is None]
        total = sum(b for _a, b in xs)
        return sum(a for a, _b in xs) / total if total else None

    return {
        "T": pooled("T", lambda i: i.t_total, lambda i: i.t_n),
        "R": pooled("R", lambda i: i.r_total, lambda i: i.r_n),
        "C": pooled("C", lambda i: 100.0 * i.c_compliant, lambda i: i.c_judged),
    }


# --- baseline ---


def freeze(models: Sequence[QuarterModel], priors: Priors) -> Baseline2 | None:
    """``model.freeze_baseline2`` over the shown ISQs of ``models``, σ0 over the components
    some of them measured; None when they cannot scale anything (fewer than two values or
    departments, or no spread)."""
    values = [s.isq.value for m in models for s in m.scores.values() if s.isq.shown]
    groups = len({d for m in models for d, s in m.scores.items() if s.isq.shown})
    present = frozenset().union(*(m.measured for m in models)) if models else frozenset()
    flags = [key in present for key in COMPONENTS] if present else None
    try:
        return model.freeze_baseline2(
            values, groups, priors, [m.quarter for m in models], measured=flags
        )
    except ValueError:
        return None


def iq_of(isq: Gated, baseline: Any) -> Gated:
    """The IQ of a gated ISQ, a ``Gated`` on the IQ scale (100 the baseline mean, ``n`` always
    None: IQ counts no one of its own): the ISQ interval mapped (``model.iq_arrays``), or
    hidden with the ISQ's reason, or ``NO_BASELINE`` when there is no baseline yet.
    ``baseline`` is anything with ``mu0`` and ``sigma0`` (a ``model.Baseline2``, a stored
    record), or None."""
    if not isq.shown:
        return Gated.hidden(isq.reason)  # type: ignore[arg-type]
    if baseline is None:
        return Gated.hidden(NO_BASELINE)
    value, low, high = model.iq_arrays(isq.value, isq.low, isq.high, baseline)
    return Gated(float(value), float(low), float(high))


# --- changes, trends, sensitivity ---


@dataclass(frozen=True)
class Change:
    """A flagged change of one department from ``before`` to ``after`` (shrunk ISQs)."""

    department_id: int
    isq_before: float
    isq_after: float
    flag: model.ChangeFlag


def comparable_change(
    then: QuarterScore,
    now: QuarterScore,
    weights: Sequence[float] = tuple(model.WEIGHTS.values()),
    measured: Iterable[str] = COMPONENTS,
) -> float:
    """The change of a department's shrunk ISQ (ISQ points) from ``then`` to ``now`` over the
    components shown in both quarters: Σ w_i·(X̃_i now − X̃_i then), ``weights`` in T, R, C
    order, restricted to the components the organisation ``measured`` in both quarters and
    renormalised over them (``model.measured_weights``: a quarter of R alone next to one of
    T, R and C compares R, as the ISQ of R alone is R). A component hidden in either quarter
    counts for nothing (0 when none is shown in both). The difference of the two ISQs would
    move with the gate as well: a hidden component enters an ISQ at its prior, so a T that
    comes through the gate moves the ISQ from the organisation's prior to the department's
    own value, a change no test looked at (``comparable`` keeps trends apart from the gate
    for the same reason)."""
    both = set(measured)
    weights = model.measured_weights(weights, [key in both for key in COMPONENTS])
    change = 0.0
    for key, w in zip(COMPONENTS, weights, strict=True):
        a, b = then.components[key], now.components[key]
        if a.shown and b.shown:
            change += w * (float(b.value) - float(a.value))  # type: ignore[arg-type]
    return change


def quarter_flags(
    before: QuarterModel | None,
    after: QuarterModel,
    hists: Mapping[tuple[int, str], Sequence[int]],
    k: int,
) -> dict[int, Change]:
    """The flagged changes into ``after``: every department whose ISQ is shown in both
    quarters is tested (``model.change_flags``: Fisher for T and C on the shown components,
    Mann-Whitney on the binned per-person R values ``hists[(department, quarter)]``, each
    component only from ``model.MIN_N_FLAG`` people in both quarters), Benjamini-Hochberg
    over the whole quarter (one overview page), the change being ``comparable_change``.
    Only flagged departments are returned."""
    if before is None:
        return {}
    ids, tests = [], []
    for d in sorted(after.scores):
        test = _change_test(before, after, hists, k, d)
        if test is not None:
            ids.append(d)
            tests.append(test)
    out = {}
    for d, flag in zip(ids, model.change_flags(tests), strict=True):
        if flag.direction:
            out[d] = Change(
                d,
                float(before.scores[d].isq.value),  # type: ignore[arg-type]
                float(after.scores[d].isq.value),
                flag,
            )  # type: ignore[arg-type]
    return out


def _change_test(
    before: QuarterModel,
    after: QuarterModel,
    hists: Mapping[tuple[int, str], Sequence[int]],
    k: int,
    d: int,
) -> dict[str, Any] | None:
    """The inputs of department ``d``'s change test from ``before`` into ``after`` (one row of
    ``model.change_flags``), or None when its ISQ is not shown in both quarters."""
    now, then = after.scores.get(d), before.scores.get(d)
    if now is None or then is None or not (now.isq.shown and then.isq.shown):
        return None
    empty = (0,) * R_BINS
    priors = after.priors or before.priors
    weights = priors.weights if priors is not None else tuple(model.WEIGHTS.values())
    a, b = model_sums(then.sums, k), model_sums(now.sums, k)
    r1 = hists.get((d, before.quarter), empty) if a.r_n else empty
    r2 = hists.get((d, after.quarter), empty) if b.r_n else empty
    return {
        "t1": (a.t_successes, a.t_trials),
        "t2": (b.t_successes, b.t_trials),
        "c1": (a.c_successes, a.c_trials),
        "c2": (b.c_successes, b.c_trials),
        "r_hist1": tuple(r1),
        "r_hist2": tuple(r2),
        "delta": comparable_change(then, now, weights, before.measured & after.measured),
    }


def change_tested(
    before: QuarterModel,
    after: QuarterModel,
    hists: Mapping[tuple[int, str], Sequence[int]],
    k: int,
    d: int,
) -> bool:
    """Whether ``quarter_flags`` could flag department ``d`` at all: its ISQ is shown in both
    quarters and at least one component (T, R or C) has ``model.MIN_N_FLAG`` people (or
    requests, for C) in each of them. False means "too few to test a change", not "no
    significant change": the test was never run for it."""
    test = _change_test(before, after, hists, k, d)
    if test is None:
        return False
    sizes = (
        min(test["t1"][1], test["t2"][1]),
        min(sum(test["r_hist1"]), sum(test["r_hist2"])),
        min(test["c1"][1], test["c2"][1]),
    )
    return max(sizes) >= model.MIN_N_FLAG


def quarter_index(quarter: str) -> int:
    """The real time axis of ``YYYYQn``: year·4 + n − 1 (a missing quarter leaves a gap)."""
    return int(quarter[:4]) * 4 + int(quarter[5]) - 1


def comparable(
    points: Sequence[tuple[float, float, Hashable]],
) -> tuple[list[float], list[float]]:
    """The (times, ISQs) of one department's ``points`` (time, ISQ, composition) that rest
    on the same composition: the one it has most often (ties: the latest one's). ``trends``
    passes the components shown with those the organisation measured that quarter.

    A hidden component enters the ISQ at its prior, so a series mixing quarters with and
    without (say) T moves whenever T's visibility does: a trend made by the gate rather than
    by the customers. A quarter whose organisation measured no T has an ISQ without T at
    all, which is another composition again than a quarter with T hidden (held at its
    prior). Empty ``points`` give empty lists."""
    if not points:
        return [], []
    counts: dict[Hashable, int] = {}
    for _t, _v, shown in points:
        counts[shown] = counts.get(shown, 0) + 1
    latest = max(points, key=lambda row: row[0])[2]
    keep = max(counts, key=lambda shown: (counts[shown], shown == latest))
    chosen = sorted((t, v) for t, v, shown in points if shown == keep)
    return [t for t, _v in chosen], [v for _t, v in chosen]


def trends(models: Sequence[QuarterModel]) -> dict[int, model.TrendResult]:
    """Trend badges of every department with at least ``model.MIN_TREND_QUARTERS`` comparable
    shown ISQs over ``models`` (``comparable``; ``model.trend_badges`` on the real time axis,
    Benjamini-Hochberg across those departments); departments with fewer have no badge."""
    points: dict[int, list[tuple[float, float, Hashable]]] = {}
    for m in models:
        for d, s in m.scores.items():
            if s.isq.shown and s.isq.value is not None:
                shown = frozenset(key for key, c in s.components.items() if c.shown)
                composition = (shown, m.measured)
                points.setdefault(d, []).append(
                    (quarter_index(m.quarter), s.isq.value, composition)
                )
    series = {d: comparable(rows) for d, rows in points.items()}
    # Only series long enough for a badge form the family BH corrects over.
    ids = sorted(d for d, (times, _v) in series.items() if len(times) >= model.MIN_TREND_QUARTERS)
    results = model.trend_badges([series[d] for d in ids])
    return dict(zip(ids, results, strict=True))


def standings_elsewhere(m: QuarterModel, k: int) -> dict[int, tuple[tuple[str, str], ...]]:
    """Every shown department's rank group under each alternative weighting
    (``model.standings_under``: the same frozen priors, other weights)."""
    if m.priors is None:
        return {}
    ids = sorted(m.scores)
    rows = model.standings_under(
        [model_sums(m.scores[d].sums, k) for d in ids], m.priors, k, m.measured
    )
    return {d: row for d, row in zip(ids, rows, strict=True) if m.scores[d].isq.shown}
