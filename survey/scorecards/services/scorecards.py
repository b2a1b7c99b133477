"""Scorecards: a department's scorecard, and the entry points of every scorecard page.

A department's page is read, then computed. ``read_scorecard`` does every read with the
session (the score versions, the settings in force, the priors, every department's sums in
the quarters the page needs and the binned R values of its change tests, as
``scorecard_models`` keeps them per version, and the page's own sections through
``scorecard_snapshot.read_page``) into one plain ``analysis.scorecard_inputs.CardSnapshot``;
the pure ``analysis.scorecard_page.compute_scorecard`` builds the page from it without a
session (the quarter models, flags, trend badge and every section, each figure through its
gate; the model's functions memoised by ``scorecard_models.FUNCTIONS``);
``build_scorecard`` does both and puts in the reader's names (``scorecard_names``). The
overview is ``scorecard_overview``; the result nouns are ``analysis.scorecard_results``,
re-exported here with the names the views, exports and API use.
"""

from __future__ import annotations

from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from sqlalchemy.orm import Session

from analysis import scorecard_page
from analysis.scorecard_inputs import CardSnapshot
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
    WITHHELD,
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
    PracticeGap,
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
from survey.scorecards.services.scorecard_models import (  # noqa: F401  (re-exported)
    ensure_baseline,
    resolve_quarter,
)
from survey.scorecards.services.scorecard_names import localize_scorecard
from survey.scorecards.services.scorecard_overview import build_overview  # noqa: F401  (re-exported)


def compute_scorecard(snapshot: CardSnapshot) -> Scorecard:
    """``analysis.scorecard_page.compute_scorecard`` with the model's functions memoised
    (``scorecard_models.FUNCTIONS``; reads nothing)."""
    return scorecard_page.compute_scorecard(snapshot, models.FUNCTIONS)


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
    force, the priors and baseline, every department's sums in the quarters the page needs
    (``scorecard_models.read_inputs``) and the binned R values of the transitions it tests
    (``read_histograms``), both kept per quarter version, and the page's own reads
    (``scorecard_snapshot.read_page``). Department and service names are read in ``locale``
    (each falling back to its default name; None: the default names, as the API serves
    them)."""
    now = now or datetime.now(UTC)
    versions = data.score_versions(session, now)
    available = list(versions.quarters)
    quarter, problem = models.resolve_quarter(available, raw_quarter, now, fallback)
    stored = data.stored_baseline(session)
    settings = models.effective_settings(session, settings, quarter, stored)
    window = models.window(available, quarter) or [quarter]
    previous = shift_quarter(quarter, -1)
    before_window = {shift_quarter(q, -1) for q in window}
    ctx = models.context(session, settings, now, versions, stored)
    inputs = models.read_inputs(
        session,
        sorted({*window, *before_window, quarter, previous}),
        now,
        versions,
        ctx.compliance_version,
    )
    mine = inputs[quarter].get(department.id)
    page = snapshot.read_page(
        session,
        department.id,
        quarter,
        versions,
        window=window,
        now=now,
        locale=locale,
        compliance_version=ctx.compliance_version,
        comments=scorecard_page.comments_open(
            versions.released(quarter), mine.people if mine is not None else 0, settings
        ),
    )
    # Every transition into a quarter of the window (and into the quarter shown), each
    # tested across the organisation: the flags the overviews of those quarters show.
    pairs = tuple(
        (shift_quarter(q, -1), q)
        for q in sorted({*window, quarter})
        if shift_quarter(q, -1) in available
    )
    return CardSnapshot(
        department=data.DepartmentRow(department.id, department.code, department.name),
        quarter=quarter,
        problem=problem,
        quarters=tuple(available),
        settings=settings,
        baseline=ctx.baseline,
        priors=ctx.priors,
        window=tuple(window),
        inputs=MappingProxyType(inputs),
        pairs=pairs,
        histograms=MappingProxyType(
            models.read_histograms(session, sorted({q for p in pairs for q in p}), versions)
        ),
        page=page,
        zone=organisation_zone(),
        department_names=MappingProxyType(data.department_names(session, locale)),
    )
