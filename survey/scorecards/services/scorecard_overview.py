"""The organisation overview: read, then computed by the pure
``analysis.overview_page.compute_overview`` (every department's ISQ and IQ in rank groups, the
departments hidden and why, who serves whom with the remainder rule per row, the movers).

``read_overview`` does every read: the score versions, the settings in force and the priors
(one read of the stored baseline), the active departments, every department's sums in the
quarter and the one before (``scorecard_models.read_inputs``), their binned R values
(``read_histograms``) and the quarter's who-serves-whom cells
(``scorecard_snapshot.every_customer_cells``, shared with the organisation's drivers), each
read kept per quarter version. ``build_overview`` then computes, memoised under the very
objects it was computed from and the values beside them, so an unchanged overview is computed
once."""

from __future__ import annotations

from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from sqlalchemy.orm import Session

from analysis import overview_page
from analysis.overview_page import OverviewSnapshot
from analysis.scorecard_results import OrgOverview, Settings
from survey.periods import shift_quarter
from survey.scorecards.services import scorecard_data as data
from survey.scorecards.services import scorecard_models as models
from survey.scorecards.services.scorecard_snapshot import every_customer_cells
from survey.services.lru import IdentityMemo


def read_overview(
    session: Session, raw_quarter: str | None, settings: Settings, now: datetime | None = None
) -> tuple[OverviewSnapshot, str | None]:
    """What the overview of a quarter is computed from, and the quarter problem to tell the
    reader (``scorecard_models.resolve_quarter``)."""
    now = now or datetime.now(UTC)
    versions = data.score_versions(session, now)
    available = list(versions.quarters)
    quarter, problem = models.resolve_quarter(available, raw_quarter, now)
    stored = data.stored_baseline(session)
    settings = models.effective_settings(session, settings, quarter, stored)
    ctx = models.context(session, settings, now, versions, stored)
    previous = shift_quarter(quarter, -1)
    before = previous if previous in available else None
    tested = [q for q in (before, quarter) if q is not None]
    snapshot = OverviewSnapshot(
        quarter=quarter,
        quarters=tuple(available),
        settings=settings,
        baseline=ctx.baseline,
        priors=ctx.priors,
        departments=tuple(data.departments(session)),
        inputs=MappingProxyType(
            models.read_inputs(session, [quarter, previous], now, versions, ctx.compliance_version)
        ),
        before=before,
        histograms=MappingProxyType(models.read_histograms(session, tested, versions)),
        cells=every_customer_cells(session, quarter, versions)
        if versions.released(quarter)
        else None,
    )
    return snapshot, problem


def build_overview(
    session: Session, raw_quarter: str | None, settings: Settings, now: datetime | None = None
) -> tuple[OrgOverview, str | None]:
    """The organisation overview of a quarter, and the quarter problem to tell the reader:
    ``read_overview``, then ``analysis.overview_page.compute_overview`` with the model's
    functions memoised (``scorecard_models.FUNCTIONS``), the whole overview kept under the
    very objects read (the sums, histograms, cells and priors) and the values beside them
    (the quarters, settings, departments' codes and names, baseline). A warm view reads a few
    small rows and computes nothing, whatever the number of answers."""
    snapshot, problem = read_overview(session, raw_quarter, settings, now)
    objects = (
        snapshot.priors,
        *(snapshot.inputs[q] for q in sorted(snapshot.inputs)),
        *(snapshot.histograms[q] for q in sorted(snapshot.histograms)),
        snapshot.cells,
    )
    values = (
        snapshot.quarter,
        snapshot.quarters,
        snapshot.before,
        models.settings_key(snapshot.settings),
        snapshot.departments,
        _value_key(snapshot.baseline),
    )
    overview = _overviews.get_or_make(
        objects,
        values,
        lambda: overview_page.compute_overview(snapshot, models.FUNCTIONS),
    )
    return overview, problem


def _value_key(value: Any) -> str | None:
    """A hashable key of a frozen record holding mappings (its full ``repr``: every field)."""
    return None if value is None else repr(value)


# Overviews of a 200-department organisation weigh about a megabyte each (the heatmap).
_overviews: IdentityMemo[OrgOverview] = IdentityMemo(8)
