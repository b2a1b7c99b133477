"""Scorecards: a department's scorecard, and the entry points of every scorecard page.

The model is ``analysis`` (version 2, ``analysis.model``; the gate around it in
``analysis.scorecard``); the reads are ``scorecard_data``; the per-quarter models, priors,
baseline, flags and trends ``scorecard_models``; the overview ``scorecard_overview``; the
result nouns ``analysis.scorecard_results``. This module assembles a department's page in two
halves,
``read_scorecard`` (every read, into one plain ``CardSnapshot``) and ``compute_scorecard`` (no
session: the page from the snapshot), and re-exports the names the views, exports and API
use. Every figure passes the anonymity gate before it
is shown, and a hidden figure keeps its reason instead of its value (docs/scoring.md).

The dimension profile, the customer table and the per-service compliance show raw figures
of sub-groups with plain intervals (normal for means, Wilson for shares); they are not part of
the ISQ.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from types import MappingProxyType
from typing import Any

from sqlalchemy.orm import Session

from analysis import anonymity
from analysis import scorecard as sc
from analysis.model import MIN_TREND_QUARTERS, TrendResult
from analysis.scorecard_results import (  # noqa: F401  (re-exported)
    BELOW_COMMENT_K,
    BELOW_K,
    CERTAIN,
    COMPONENTS,
    FIRST_RESPONSE_BUCKETS,
    NO_BASELINE,
    NO_DATA,
    NO_SURVEY_COMPONENT,
    ONE_SIDED,
    REMAINDER,
    RESOLUTION_BUCKETS,
    BaselineInfo,
    ChangeFlag,
    Comment,
    Compliance,
    Component,
    CustomerRow,
    DimensionRow,
    Distribution,
    Gated,
    Heatmap,
    IqFigure,
    OrgOverview,
    PerceptionGap,
    QuarterModel,
    QuarterScore,
    RankRow,
    ResponseCount,
    Scorecard,
    ServiceCompliance,
    Settings,
    TrendMarker,
    TrendPoint,
)
from survey.local_format import organisation_zone
from survey.models import Department
from survey.periods import shift_quarter
from survey.scorecards.services import scorecard_data as data
from survey.scorecards.services import scorecard_models as models
from survey.scorecards.services import scorecard_snapshot as snapshot
from survey.scorecards.services.scorecard_data import Sums
from survey.scorecards.services.scorecard_models import (  # noqa: F401  (re-exported)
    ensure_baseline,
    load_models,
    resolve_quarter,
)
from survey.scorecards.services.scorecard_names import localize_scorecard
from survey.scorecards.services.scorecard_overview import build_overview  # noqa: F401  (re-exported)
from survey.scorecards.services.scorecard_snapshot import (
    CommentSnapshot,
    ComplianceSnapshot,
    CustomerCells,
    DimensionSnapshot,
)
from survey.services.lru import IdentityMemo

_standings_memo: IdentityMemo[dict[int, tuple[tuple[str, str], ...]]] = IdentityMemo(16)


def _standings(model: QuarterModel, k: int) -> dict[int, tuple[tuple[str, str], ...]]:
    """Every department's rank group under each alternative weighting
    (``analysis.scorecard.standings_elsewhere``), once per cached quarter model."""
    return _standings_memo.get_or_make((model,), k, lambda: sc.standings_elsewhere(model, k))


def _dimensions(
    snapshot: DimensionSnapshot | None, department_id: int, k: int
) -> tuple[DimensionRow, ...]:
    """The dimension profile, computed from the page's snapshot by the pure
    ``analysis.scorecard.dimension_org`` and ``dimensions`` (nothing for a quarter not
    released)."""
    if snapshot is None:
        return ()
    org = sc.dimension_org(snapshot.codes, snapshot.by_department, k)
    return tuple(
        DimensionRow(code, value, org_value)
        for code, value, org_value in sc.dimensions(
            snapshot.codes, snapshot.by_department, org, department_id, k
        )
    )


def _customers(
    cells: CustomerCells, active: Sequence[data.DepartmentRow], k: int
) -> tuple[CustomerRow, ...]:
    """The customer departments' rows of a provider's scorecard, computed from its customer
    cells (``scorecard_snapshot.customer_cells``: customer id -> metric -> sums) and the
    active departments, reading nothing. The page and the organisation's drivers
    (``scorecard_priorities``) both call this function, so the audits that replace it test
    what both run.

    Rows are listed for active customer departments only (by code), but every customer
    department (inactive ones too) is counted in the row's total: the provider's overall
    figures rest on all of them, so a customer missing from the table is part of the hidden
    remainder, and the remainder rule sees it. Each column's figures are computed by the
    pure ``analysis.scorecard.customer_column``."""
    by_id = {d.id: d for d in active}
    customer_ids = sorted((c for c in cells if c in by_id), key=lambda i: by_id[i].code)

    def column(metric: str) -> list[Gated]:
        everyone = Sums()
        for m in cells.values():
            everyone = everyone + m.get(metric, Sums())
        shown = [cells[c].get(metric, Sums()) for c in customer_ids]
        return sc.customer_column(shown, everyone, metric, k)

    relationship, satisfaction = column("R"), column("T")
    return tuple(
        CustomerRow(by_id[c].code, by_id[c].name, relationship[i], satisfaction[i])
        for i, c in enumerate(customer_ids)
    )


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


def _gap(view: data.SelfView, score: QuarterScore | None, k: int) -> PerceptionGap:
    """The self-view section: the members' quiz results of the page's snapshot, computed by
    the pure ``analysis.scorecard.perception``."""
    return sc.perception(view.overall, score.components["R"] if score is not None else None, k)


def _comments_open(released: bool, respondents: int, settings: Settings) -> bool:
    """The comment gate: a released quarter, and at least the comment k of respondents (never
    fewer than ``anonymity.comments_visible`` allows)."""
    return (
        released
        and anonymity.comments_visible(respondents)
        and respondents >= settings.comment_k
    )


def _comments(snapshot: CommentSnapshot) -> tuple[Comment, ...]:
    """The comments of the page's snapshot, each with the name of its writer when they asked
    to be contacted."""
    names = snapshot.contact_names
    return tuple(
        Comment(r.text, None if r.contact_person_id is None else names.get(r.contact_person_id))
        for r in snapshot.rows
    )


def _response_rate(answers: int, sent: int) -> float | None:
    """Answers after a request per survey sent for requests opened in the quarter. Answers
    are counted by the quarter they arrived in, so a late answer can push the share over the
    real rate: it is capped at 100."""
    if sent == 0:
        return None
    return min(100.0, 100.0 * answers / sent)


@dataclass(frozen=True)
class CardSnapshot:
    """Everything a department's scorecard is computed from, read by ``read_scorecard``:
    plain values and sums, with the quarter models, change flags and trend test as the
    per-process caches keep them (each itself a pure function of its quarters' sums, cached
    under their versions). ``compute_scorecard`` builds the page from it and reads nothing.

    ``quarters`` are the released quarters (oldest first), ``settings`` those in force for
    ``quarter`` (k never lowered), ``window`` the trend's quarters, ``models`` the quarter
    model of each quarter of the window and of ``quarter``, ``flags`` the department's
    flagged change into each quarter that has one, ``badge`` its trend test over the window
    (None: none), ``zone`` the organisation's time zone (the hours of the day the page
    shows), ``problem`` what was wrong with the quarter asked for (None: nothing)."""

    department: data.DepartmentRow
    quarter: str
    problem: str | None
    quarters: tuple[str, ...]
    settings: Settings
    baseline: BaselineInfo | None
    window: tuple[str, ...]
    models: Mapping[str, QuarterModel]
    flags: Mapping[str, ChangeFlag]
    badge: TrendResult | None
    page: snapshot.PageSnapshot
    zone: tzinfo
    department_names: Mapping[str, str]


def build_scorecard(*args: Any, **kwargs: Any) -> tuple[Scorecard, str | None]:
    """The scorecard of a department for a quarter with its department and service names in
    the reader's language, and the quarter problem, if any: ``read_scorecard`` (which takes
    the same arguments) then ``compute_scorecard``, then the names
    (``scorecard_names.localize_scorecard``)."""
    read = read_scorecard(*args, **kwargs)
    return localize_scorecard(compute_scorecard(read), read.department_names), read.problem


def read_scorecard(
    session: Session,
    department: Department,
    raw_quarter: str | None,
    settings: Settings,
    now: datetime | None = None,
    fallback: bool = True,
    locale: str | None = None,
) -> CardSnapshot:
    """The read half of ``department``'s scorecard for a quarter (see
    ``scorecard_models.resolve_quarter`` for ``raw_quarter`` and ``fallback``; without
    ``fallback`` a malformed quarter raises ValueError): the score versions, the settings in
    force, the quarter models, change flags and trend test (cached per quarter version),
    and the page's own reads (``scorecard_snapshot.read_page``). Department and service
    names are read in ``locale`` (each falling back to its default name; None: the default
    names, as the API serves them)."""
    now = now or datetime.now(UTC)
    versions = data.score_versions(session, now)
    available = list(versions.quarters)
    quarter, problem = models.resolve_quarter(available, raw_quarter, now, fallback)
    settings = models.effective_settings(session, settings, quarter)
    window = models.window(available, quarter) or [quarter]
    previous = shift_quarter(quarter, -1)
    before_window = {shift_quarter(q, -1) for q in window}
    ctx = models.context(session, settings, now, versions)
    loaded = models.load_models(
        session, sorted({*window, *before_window, quarter, previous}), settings, now, ctx=ctx
    )
    score = loaded[quarter].scores.get(department.id)
    respondents = score.respondents if score is not None else 0
    page = snapshot.read_page(
        session,
        department.id,
        quarter,
        versions,
        window=window,
        now=now,
        locale=locale,
        compliance_version=ctx.compliance_version,
        comments=_comments_open(versions.released(quarter), respondents, settings),
    )
    row = data.DepartmentRow(department.id, department.code, department.name)
    departments = list(page.departments)
    if all(d.id != department.id for d in departments):
        departments.append(row)
    # Every transition into a quarter of the window (and into the quarter shown), each
    # tested across the organisation: the flags the overviews of those quarters show.
    pairs = [
        (loaded[shift_quarter(q, -1)], loaded[q])
        for q in sorted({*window, quarter})
        if shift_quarter(q, -1) in available
    ]
    flags = models.window_flags(session, pairs, models.names_of(departments), ctx)
    return CardSnapshot(
        department=row,
        quarter=quarter,
        problem=problem,
        quarters=tuple(available),
        settings=settings,
        baseline=ctx.baseline,
        window=tuple(window),
        models=MappingProxyType({q: loaded[q] for q in (*window, quarter)}),
        flags=MappingProxyType(
            {q: f[department.id] for q, f in flags.items() if department.id in f}
        ),
        badge=models.trends([loaded[q] for q in window], ctx).get(department.id),
        page=page,
        zone=organisation_zone(),
        department_names=MappingProxyType(data.department_names(session, locale)),
    )


def compute_scorecard(snapshot: CardSnapshot) -> Scorecard:
    """The compute half: ``snapshot``'s scorecard, with the default names (reads nothing;
    every figure passes its gate here, a hidden one keeps its reason instead of its value)."""
    department, quarter, window = snapshot.department, snapshot.quarter, snapshot.window
    settings, baseline, page, loaded = (
        snapshot.settings,
        snapshot.baseline,
        snapshot.page,
        snapshot.models,
    )
    k = settings.k
    model = loaded[quarter]
    score = model.scores.get(department.id)
    released = quarter in snapshot.quarters
    respondents = score.respondents if score is not None else 0

    def shown_components(q: str) -> set[str]:
        s = loaded[q].scores.get(department.id)
        return {c.key for c in s.components.values() if c.shown} if s is not None else set()

    # A component shown in some quarter of the trend but not in another: that quarter's ISQ
    # holds its prior in place of it, and the chart marks it.
    ever = set().union(*(shown_components(q) for q in window))
    trend = []
    for q in window:
        s = loaded[q].scores.get(department.id)
        isq = s.isq if s is not None else Gated.hidden(NO_DATA)
        partial = isq.shown and not ever <= shown_components(q)
        trend.append(
            TrendPoint(
                q, isq, models.iq(isq, baseline), loaded[q].org_isq, snapshot.flags.get(q), partial
            )
        )
    badge = snapshot.badge
    marker = (
        TrendMarker(badge.direction, badge.p_adjusted, badge.slope, badge.n)
        if badge is not None and badge.n >= MIN_TREND_QUARTERS
        else None
    )

    responses = tuple(
        ResponseCount(
            q,
            page.counts.get(q, {}).get("pi.n", Sums()).n,
            page.counts.get(q, {}).get("q.n", Sums()).n,
        )
        for q in window
    )
    if _comments_open(released, respondents, settings) and page.comments is not None:
        comments = _comments(page.comments)
        comments_reason = None
    else:
        comments, comments_reason = (), BELOW_COMMENT_K
    compliance, surveyed = _compliance(page.compliance, score, model, k, snapshot.zone)
    isq = score.isq if score is not None else Gated.hidden(NO_DATA)
    standing = score.group if score is not None and isq.shown else None
    elsewhere = (
        _standings(model, settings.k).get(department.id, ()) if standing is not None else ()
    )
    empty = {key: Component(key, 0, None, None, None, None, NO_DATA) for key in COMPONENTS}
    components = score.components if score is not None else empty
    return Scorecard(
        code=department.code,
        name=department.name,
        quarter=quarter,
        quarters=snapshot.quarters,
        settings=settings,
        baseline=baseline,
        isq=isq,
        iq=models.iq(isq, baseline),
        components=tuple(components[key] for key in COMPONENTS),
        org_components=dict(model.org),
        org_isq=model.org_isq,
        trend=tuple(trend),
        trend_marker=marker,
        flag=snapshot.flags.get(quarter),
        dimensions=_dimensions(page.dimensions, department.id, k),
        customers=_customers(page.customers, page.departments, k)
        if page.customers is not None
        else (),
        compliance=compliance,
        comments=comments,
        comments_reason=comments_reason,
        responses=responses,
        surveys_sent=surveyed,
        response_rate=_response_rate(responses[-1].post_interaction, surveyed)
        if responses and responses[-1].quarter == quarter
        else None,
        gap=_gap(page.self_view, score, k),
        standing=standing,
        standing_elsewhere=elsewhere,
    )
