"""A department's scorecard from its snapshot: the compute half of a department page.

``compute_scorecard`` takes the plain ``CardSnapshot`` that ``survey.scorecards`` reads
(``analysis.scorecard_inputs``) and returns the page's ``Scorecard``
(``analysis.scorecard_results``), reading nothing: the trend with its partial quarters and
badge, the response counts and rate, the comments behind the comment gate, compliance, the
dimension profile, the customer table, the self-view and the standing. Every figure passes
its gate here (``analysis.scorecard`` and ``analysis.anonymity``); a hidden figure keeps its
reason instead of its value. Names are the default ones; the application puts the reader's
language in afterwards.

The dimension profile, the customer table and the per-service compliance show raw figures of
sub-groups with plain intervals (Wilson for shares, and for means on their place on the scale:
``scorecard.mean_figure``, from the mean and n alone); they are not part of
the ISQ.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, tzinfo

from analysis import anonymity
from analysis import scorecard as sc
from analysis.model import CHANGE_ALPHA, MIN_TREND_QUARTERS, Priors, TrendResult
from analysis.scorecard import Sums
from analysis.scorecard_inputs import (
    CardSnapshot,
    CommentSnapshot,
    ComplianceSnapshot,
    CustomerCells,
    DepartmentRow,
    DimensionSnapshot,
    Histograms,
    Inputs,
    SelfView,
)
from analysis.scorecard_results import (
    BELOW_COMMENT_K,
    BELOW_K,
    CHANGE_FLAGGED,
    CHANGE_NO_PREVIOUS,
    CHANGE_NOT_SIGNIFICANT,
    CHANGE_TOO_FEW,
    COMPONENTS,
    FIRST_RESPONSE_BUCKETS,
    NO_DATA,
    RESOLUTION_BUCKETS,
    WITHHELD,
    ChangeFlag,
    Comment,
    Compliance,
    Component,
    CustomerRow,
    DimensionRow,
    Gated,
    PerceptionGap,
    QuarterModel,
    QuarterScore,
    ResponseCount,
    Scorecard,
    ServiceCompliance,
    Settings,
    TrendMarker,
    TrendPoint,
)


class ModelFunctions:
    """The model's pure functions a scorecard is computed with, called through one object so
    that the application can keep each result under the very objects it was computed from
    (a subclass whose methods memoise these; the results must be the same). Not cached here."""

    def model(self, quarter: str, inputs: Inputs, priors: Priors, k: int) -> QuarterModel:
        """Every department's gated components, ISQ and rank group in ``quarter``
        (``analysis.scorecard.build_quarter_model``)."""
        return sc.build_quarter_model(quarter, inputs, priors, k)

    def changes(
        self,
        before: QuarterModel,
        after: QuarterModel,
        histograms_before: Histograms,
        histograms_after: Histograms,
        k: int,
    ) -> Mapping[int, sc.Change]:
        """The flagged changes from ``before`` into ``after``, BH over the quarter's
        departments (``analysis.scorecard.quarter_flags``)."""
        return sc.quarter_flags(before, after, {**histograms_before, **histograms_after}, k)

    def trends(self, models: tuple[QuarterModel, ...]) -> Mapping[int, TrendResult]:
        """Trend badges of every department over ``models`` (``analysis.scorecard.trends``)."""
        return sc.trends(models)

    def standings(self, model: QuarterModel, k: int) -> Mapping[int, tuple[tuple[str, str], ...]]:
        """Every shown department's rank group under each alternative weighting
        (``analysis.scorecard.standings_elsewhere``)."""
        return sc.standings_elsewhere(model, k)

    def dimension_org(self, snapshot: DimensionSnapshot, k: int) -> Mapping[str, float | None]:
        """The organisation's value of each dimension over one quarter's snapshot of every
        department's sums (``analysis.scorecard.dimension_org``): a figure per department
        and dimension, so with hundreds of departments the larger part of a page's work."""
        return sc.dimension_org(snapshot.codes, snapshot.by_department, k)


PURE = ModelFunctions()


def change_flag(change: sc.Change, code: str, name: str, before: str, after: str) -> ChangeFlag:
    """A flagged change as pages show it: the department's code and name, the two quarters,
    the shrunk ISQs on either side, the change, the level its BH-adjusted p-value is below
    (``model.CHANGE_ALPHA``, what the flag itself says) and the components tested.

    The p-value itself is not published: the rank test's tie correction makes it depend on
    how alike the people answered, beyond the means and counts shown, so its digits told
    ten people who all gave 80 from ten split between 75 and 85 (``docs/anonymity.md``,
    attack 34)."""
    return ChangeFlag(
        code,
        name,
        after,
        before,
        change.isq_before,
        change.isq_after,
        change.flag.delta,
        CHANGE_ALPHA,
        change.flag.components,
    )


def _dimensions(
    snapshot: DimensionSnapshot | None, department_id: int, k: int, functions: ModelFunctions
) -> tuple[DimensionRow, ...]:
    """The dimension profile, computed from the page's snapshot by the pure
    ``analysis.scorecard.dimension_org`` (through ``functions``) and ``dimensions`` (nothing
    for a quarter not released)."""
    if snapshot is None:
        return ()
    org = functions.dimension_org(snapshot, k)
    return tuple(
        DimensionRow(code, value, org_value)
        for code, value, org_value in sc.dimensions(
            snapshot.codes, snapshot.by_department, org, department_id, k
        )
    )


def customer_rows(
    cells: CustomerCells, active: Sequence[DepartmentRow], k: int
) -> tuple[CustomerRow, ...]:
    """The customer departments' rows of a provider's scorecard, computed from its customer
    cells (``scorecard_snapshot.customer_cells``: customer id -> metric -> sums) and the
    active departments, reading nothing. The page and the organisation's drivers
    (``scorecard_priorities``) both call this function, so the audits that replace it test
    what both run.

    Rows are listed for active customer departments resting on at least k people in some
    column (by code), but every customer department (inactive ones too) is counted in the
    row's total: the provider's overall figures rest on all of them, so a customer missing
    from the table is part of the hidden remainder, and the remainder rule sees it. Which
    rows are hidden is decided over every customer department as if all were active (in the
    order of their ids, which no edit changes), and only then are inactive ones left out: a
    deactivation after a release hides that department's row and moves nothing else, where
    deciding again without it could show a row its first reading hid and let a reader
    subtract (``docs/anonymity.md``, attack 27). Each column's figures are computed by the
    pure ``analysis.scorecard.customer_column``."""
    by_id = {d.id: d for d in active}
    # A row takes part only when some column rests on at least k people: a listed row of
    # hidden cells would tell that somebody of that department answered (its few requesters,
    # say). The others count in the hidden remainder.
    candidates = sorted(
        c for c in cells if any(anonymity.passes_gate(s.n, k) for s in cells[c].values())
    )

    def column(metric: str) -> list[Gated]:
        everyone = Sums()
        for m in cells.values():
            everyone = everyone + m.get(metric, Sums())
        shown = [cells[c].get(metric, Sums()) for c in candidates]
        return sc.customer_column(shown, everyone, metric, k)

    relationship, satisfaction = column("R"), column("T")
    rows = [
        CustomerRow(by_id[c].code, by_id[c].name, relationship[i], satisfaction[i])
        for i, c in enumerate(candidates)
        if c in by_id
    ]
    return tuple(sorted(rows, key=lambda row: row.code))


def _compliance(
    snapshot: ComplianceSnapshot,
    score: QuarterScore | None,
    model: QuarterModel,
    k: int,
    zone: tzinfo,
) -> tuple[Compliance, int]:
    """The compliance details and the number of requests surveyed, computed from the page's
    snapshot of the provider's requests (``zone``: the organisation's, for the hours of the
    day the page shows). Every share passes the k gate on its judged requests, the
    distributions on the requests opened."""
    times = snapshot.times
    names = snapshot.service_names
    services = []
    for service_id, count in sorted(
        snapshot.by_service.items(), key=lambda item: names.get(item[0], "")
    ):
        if not anonymity.passes_gate(count.judged, k):
            share = Gated.hidden(BELOW_K)
        else:
            share = sc.share_figure(count.compliant, count.judged)
        services.append(ServiceCompliance(names.get(service_id, str(service_id)), share))
    # The raw share of judged interactions, gated on its own count: shown even when the
    # department has no survey figure (then its shrunk C, a model output, is not).
    why = sc.reasons(score.sums, k)["C"] if score is not None else NO_DATA
    if why is not None:
        share = Gated.hidden(why)
    else:
        c_sums = score.sums  # type: ignore[union-attr]
        share = sc.share_figure(c_sums.c_compliant, c_sums.c_judged)
    surveyed = sum(1 for t in times if t.surveyed)
    standards = snapshot.standards
    if not anonymity.passes_gate(len(times), k):
        reason = NO_DATA if not times else BELOW_K
        return (
            Compliance(
                share,
                model.org.get("C"),
                tuple(services),
                len(times),
                None,
                None,
                None,
                reason,
                standards=standards,
            ),
            surveyed,
        )
    first = [t.first_response_minutes for t in times if t.first_response_minutes is not None]
    resolved = [t.resolution_minutes for t in times if t.resolution_minutes is not None]
    opened = [t.opened_at for t in times]
    # The page shows the hours people work in (the organisation's zone); exports keep UTC's.
    hours = sc.opening_hours(opened, UTC)
    local_hours = sc.opening_hours(opened, zone)
    return (
        Compliance(
            share=share,
            org_share=model.org.get("C"),
            services=tuple(services),
            interactions=len(times),
            first_response=sc.distribution(first, FIRST_RESPONSE_BUCKETS) if first else None,
            resolution=sc.distribution(resolved, RESOLUTION_BUCKETS) if resolved else None,
            peak_hours=hours,
            reason=None,
            peak_hours_local=local_hours,
            standards=standards,
        ),
        surveyed,
    )


def _gap(
    view: SelfView, score: QuarterScore | None, dimensions: Sequence[DimensionRow], k: int
) -> PerceptionGap:
    """The self-view section: the members' quiz results of the page's snapshot beside R and
    beside the page's ``dimensions``, computed by the pure ``analysis.scorecard.perception``."""
    return sc.perception(
        view.overall,
        score.components["R"] if score is not None else None,
        k,
        view.practices,
        ((row.code, row.value) for row in dimensions),
    )


def comments_open(released: bool, respondents: int, settings: Settings) -> bool:
    """The comment gate: a released quarter, and at least the comment k of respondents (never
    fewer than ``anonymity.comments_visible`` allows)."""
    return (
        released and anonymity.comments_visible(respondents) and respondents >= settings.comment_k
    )


def _comments(snapshot: CommentSnapshot) -> tuple[Comment, ...]:
    """The comments of the page's snapshot, each with the name of its writer when they asked
    to be contacted."""
    names = snapshot.contact_names
    return tuple(
        Comment(r.text, None if r.contact_person_id is None else names.get(r.contact_person_id))
        for r in snapshot.rows
    )


def response_count(
    quarter: str, counts: Mapping[str, Sums], score: QuarterScore | None, k: int
) -> ResponseCount:
    """A quarter's answers about the department, per survey kind: each count shown only when
    at least k people gave those answers (T's people after a request, R's in the quarterly
    survey), else None. A provider's manager knows whose requests the department handled:
    "1 answer" (or "0") would tell whether that requester answered."""

    def people(key: str) -> int:
        return score.components[key].n if score is not None and key in score.components else 0

    def shown(count_key: str, people_key: str) -> int | None:
        n = counts.get(count_key, Sums()).n
        return n if anonymity.passes_gate(people(people_key), k) else None

    return ResponseCount(quarter, shown("pi.n", "T"), shown("q.n", "R"))


def _response_rate(answers: int | None, sent: int, k: int) -> float | None:
    """Answers after a request per survey sent for requests opened in the quarter, shown only
    with at least k answers (``answers`` is None below k people) and k surveys unanswered: a
    rate of about 100 % (or 0 %) would tell of each requester that they answered (or not).
    Answers are counted by the quarter they arrived in, so a late answer can push the share
    over the real rate: it is capped at 100."""
    if answers is None or not anonymity.passes_gate(sent - answers, k):
        return None
    return min(100.0, 100.0 * answers / sent)


def nobody_reason(released: bool) -> str:
    """Why a department nobody answered about has no ISQ: in a released quarter, the reason
    of a department too few answered about (``WITHHELD``: telling the two apart would tell
    whether its few requesters answered); in a quarter not released, ``NO_DATA`` (nothing
    of any quarter in progress is read, so nothing of anyone's answer is told)."""
    return WITHHELD if released else NO_DATA


def _change_status(
    snapshot: CardSnapshot, loaded: Mapping[str, QuarterModel], quarter: str, flagged: bool
) -> str:
    """``quarter``'s ``Scorecard.change_status``: flagged; tested without a flag; not tested
    for want of people (``sc.change_tested``); or no earlier released quarter to test against
    (no pair of ``snapshot.pairs`` ends in ``quarter``)."""
    if flagged:
        return CHANGE_FLAGGED
    before = next((b for b, a in snapshot.pairs if a == quarter), None)
    if before is None:
        return CHANGE_NO_PREVIOUS
    hists = {**snapshot.histograms[before], **snapshot.histograms[quarter]}
    k = snapshot.settings.k_between(before, quarter)
    if sc.change_tested(loaded[before], loaded[quarter], hists, k, snapshot.department.id):
        return CHANGE_NOT_SIGNIFICANT
    return CHANGE_TOO_FEW


def compute_scorecard(snapshot: CardSnapshot, functions: ModelFunctions = PURE) -> Scorecard:
    """The compute half: ``snapshot``'s scorecard, with the default names (reads nothing;
    every figure passes its gate here, a hidden one keeps its reason instead of its value):
    the quarter models from the sums and priors (each quarter with its own k,
    ``Settings.k_of``), the flagged changes of ``snapshot.pairs`` (with the larger k of their
    two quarters), the trend badge over the window, the standing and every section of the
    page.

    ``functions`` are the model's pure functions (by default called directly; the application
    passes the same functions memoised)."""
    department, quarter, window = snapshot.department, snapshot.quarter, snapshot.window
    settings, baseline, page = snapshot.settings, snapshot.baseline, snapshot.page
    k = settings.k_of(quarter)
    # Every quarter with its own gate (``Settings.k_of``): a later quarter's page never shows
    # an earlier quarter's figures below the k that quarter's campaign promised.
    loaded = {
        q: functions.model(q, inputs, snapshot.priors, settings.k_of(q))
        for q, inputs in snapshot.inputs.items()
    }
    flags, hists = {}, snapshot.histograms
    for before, after in snapshot.pairs:
        change = functions.changes(
            loaded[before],
            loaded[after],
            hists[before],
            hists[after],
            settings.k_between(before, after),
        ).get(department.id)
        if change is not None:
            flags[after] = change_flag(change, department.code, department.name, before, after)
    model = loaded[quarter]
    score = model.scores.get(department.id)
    released = quarter in snapshot.quarters
    change_status = _change_status(snapshot, loaded, quarter, flags.get(quarter) is not None)
    # The comment gate counts only the survey kinds k people answered (see the function).
    respondents = sc.published_respondents(score, k) if score is not None else 0

    def shown_components(q: str) -> set[str]:
        s = loaded[q].scores.get(department.id)
        return {c.key for c in s.components.values() if c.shown} if s is not None else set()

    # A component shown in some quarter of the trend but not in another: that quarter's ISQ
    # holds its prior in place of it, and the chart marks it.
    ever = set().union(*(shown_components(q) for q in window))
    trend = []
    for q in window:
        s = loaded[q].scores.get(department.id)
        isq = s.isq if s is not None else Gated.hidden(nobody_reason(q in snapshot.quarters))
        partial = isq.shown and not ever <= shown_components(q)
        trend.append(
            TrendPoint(q, isq, sc.iq_of(isq, baseline), loaded[q].org_isq, flags.get(q), partial)
        )
    badge = functions.trends(tuple(loaded[q] for q in window)).get(department.id)
    marker = (
        TrendMarker(badge.direction, badge.p_adjusted, badge.slope, badge.n)
        if badge is not None and badge.n >= MIN_TREND_QUARTERS
        else None
    )

    responses = tuple(
        response_count(
            q, page.counts.get(q, {}), loaded[q].scores.get(department.id), settings.k_of(q)
        )
        for q in window
    )
    if comments_open(released, respondents, settings) and page.comments is not None:
        comments = _comments(page.comments)
        comments_reason = None
    else:
        comments, comments_reason = (), BELOW_COMMENT_K
    compliance, surveyed = _compliance(page.compliance, score, model, k, snapshot.zone)
    isq = score.isq if score is not None else Gated.hidden(nobody_reason(released))
    standing = score.group if score is not None and isq.shown else None
    elsewhere = functions.standings(model, k).get(department.id, ()) if standing is not None else ()
    empty = {
        key: Component(
            key, 0, None, None, None, None, BELOW_K if released and key != "C" else NO_DATA
        )
        for key in COMPONENTS
    }
    components = score.components if score is not None else empty
    dimensions = _dimensions(page.dimensions, department.id, k, functions)
    return Scorecard(
        code=department.code,
        name=department.name,
        quarter=quarter,
        quarters=snapshot.quarters,
        settings=settings,
        baseline=baseline,
        isq=isq,
        iq=sc.iq_of(isq, baseline),
        components=tuple(components[key] for key in COMPONENTS),
        org_components=dict(model.org),
        org_isq=model.org_isq,
        trend=tuple(trend),
        trend_marker=marker,
        flag=flags.get(quarter),
        change_status=change_status,
        dimensions=dimensions,
        customers=customer_rows(page.customers, page.departments, k)
        if page.customers is not None
        else (),
        compliance=compliance,
        comments=comments,
        comments_reason=comments_reason,
        responses=responses,
        surveys_sent=surveyed,
        response_rate=_response_rate(responses[-1].post_interaction, surveyed, k)
        if responses and responses[-1].quarter == quarter
        else None,
        gap=_gap(page.self_view, score, dimensions, k),
        standing=standing,
        standing_elsewhere=elsewhere,
        isq_weights=dict(model.weights),
    )
