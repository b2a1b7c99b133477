"""The organisation overview: every department's ISQ and IQ in rank groups (no rank
numbers), the departments hidden and why, who serves whom (the heatmap, with the remainder
rule per row) and the movers (flagged changes only)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from analysis import anonymity
from analysis.model import movers as flagged_first
from analysis.scorecard_results import (
    BELOW_K,
    NO_DATA,
    REMAINDER,
    STANDINGS,
    Heatmap,
    HiddenDepartment,
    OrgOverview,
    RankRow,
    Settings,
)
from survey.models import Baseline
from survey.periods import shift_quarter
from survey.scorecards.services import compliance_data
from survey.scorecards.services import scorecard_data as data
from survey.scorecards.services import scorecard_models as models
from survey.services.lru import Lru


def _heatmap(
    session: Session, quarter: str, departments: Sequence[data.DepartmentRow], k: int
) -> Heatmap:
    pairs = data.pair_sums(session, quarter, ("R",))
    by_id = {d.id: d for d in departments}
    provider_ids = sorted({p for p, _c in pairs if p in by_id}, key=lambda i: by_id[i].code)
    customer_ids = sorted({c for _p, c in pairs if c in by_id}, key=lambda i: by_id[i].code)
    # Plain lookups: a 200-department organisation has 40,000 cells, most of them empty.
    r_sums = {key: m["R"] for key, m in pairs.items() if "R" in m}
    grid = [[r_sums.get((p, c)) for c in customer_ids] for p in provider_ids]
    counts = [[s.n if s is not None else 0 for s in row] for row in grid]
    # A row's total is the provider's R over every customer, inactive ones included.
    totals = defaultdict(int)
    for (p, _c), s in r_sums.items():
        totals[p] += s.n
    sums = [[(s.total / 100.0 if s is not None else 0.0) for s in row] for row in grid]
    everyone = defaultdict(float)
    for (p, _c), s in r_sums.items():
        everyone[p] += s.total / 100.0
    visible = _visible_table(
        counts, k, [totals[p] for p in provider_ids], sums, [everyone[p] for p in provider_ids]
    )
    values, reasons = [], []
    for row, shown_row in zip(grid, visible, strict=True):
        row_values: list[float | None] = []
        row_reasons: list[str | None] = []
        for s, shown in zip(row, shown_row, strict=True):
            if s is None or s.n == 0:
                row_values.append(None)
                row_reasons.append(NO_DATA)
            elif shown:
                row_values.append(s.mean)
                row_reasons.append(None)
            else:
                row_values.append(None)
                row_reasons.append(BELOW_K if s.n < k else REMAINDER)
        values.append(tuple(row_values))
        reasons.append(tuple(row_reasons))
    return Heatmap(
        providers=tuple((by_id[p].code, by_id[p].name) for p in provider_ids),
        customers=tuple((by_id[c].code, by_id[c].name) for c in customer_ids),
        values=tuple(values),
        reasons=tuple(reasons),
    )


def _visible_table(
    counts: Sequence[Sequence[int]],
    k: int,
    totals: Sequence[int],
    sums: Sequence[Sequence[float]],
    total_sums: Sequence[float],
) -> list[list[bool]]:
    """Heatmap cells that may be shown. A provider's row total is published (its R), so each
    row obeys the remainder rule and the rule of no row or remainder at one end of the scale
    (``anonymity.suppress_shares``; ``sums`` are the cells' totals in people's worth, i.e.
    the 0..100 total over 100); no customer department's total across providers is
    published anywhere, so columns need no protection. Empty cells are always shown and weigh
    nothing, so each row is decided on its answered cells only: a 200-department map is
    mostly empty. ``totals``/``total_sums`` are the rows' totals over every customer, those
    in no column (an inactive department) included: they count as hidden."""
    out = []
    for index, row in enumerate(counts):
        answered = [i for i, n in enumerate(row) if n]
        mask = [True] * len(row)
        if answered or totals[index]:
            cells = anonymity.suppress_shares(
                [row[i] for i in answered],
                [sums[index][i] for i in answered],
                k,
                totals[index],
                total_sums[index],
            )
            for i, shown in zip(answered, cells, strict=True):
                mask[i] = bool(shown)
        out.append(mask)
    return out

def _baseline_key(stored: Baseline | None) -> tuple[Any, ...] | None:
    if stored is None:
        return None
    return (stored.version, stored.mu0, stored.sigma0, tuple(stored.quarters or ()))


def build_overview(
    session: Session, raw_quarter: str | None, settings: Settings, now: datetime | None = None
) -> tuple[OrgOverview, str | None]:
    """The organisation overview of a quarter, and the quarter problem to tell the reader.

    The overview is cached per process under everything it is built from, each read cheaply:
    the score fingerprints of every quarter (a new answer changes its quarter's), the
    compliance version and the hour, the settings (with the quarter's campaign k), the
    departments' codes and names, and the stored baseline. A warm view therefore reads a few
    small rows and builds nothing, whatever the number of answers."""
    now = now or datetime.now(UTC)
    versions = data.score_versions(session, now)
    available = list(versions.quarters)
    quarter, problem = models.resolve_quarter(available, raw_quarter, now)
    stored = data.stored_baseline(session)
    settings = models.effective_settings(session, settings, quarter, stored)
    departments = data.departments(session)
    key = (
        compliance_data.compliance_version(session),  # names the database, too
        models.hour_of(now),
        quarter,
        tuple(sorted(versions.by_quarter.items())),
        versions.quarters,
        models.settings_key(settings),
        tuple((d.id, d.code, d.name) for d in departments),
        _baseline_key(stored),
    )
    overview = _overviews.get_or_make(
        key, lambda: _make_overview(session, quarter, settings, now, versions, departments, stored)
    )
    return overview, problem


# Overviews of a 200-department organisation weigh about a megabyte each (the heatmap).
_overviews: Lru[OrgOverview] = Lru(8)


def _make_overview(
    session: Session,
    quarter: str,
    settings: Settings,
    now: datetime,
    versions: data.ScoreVersions,
    departments: Sequence[data.DepartmentRow],
    stored: Baseline | None,
) -> OrgOverview:
    available = list(versions.quarters)
    names = models.names_of(departments)
    previous = shift_quarter(quarter, -1)
    ctx = models.context(session, settings, now, versions, stored)
    loaded = models.load_models(session, [quarter, previous], settings, now, ctx=ctx)
    baseline = ctx.baseline
    model = loaded[quarter]
    before = loaded[previous] if previous in available else None
    flags = models.flags(session, before, model, names, ctx)
    ranking, hidden = [], []
    for dept in departments:
        score = model.scores.get(dept.id)
        if score is None or not score.isq.shown:
            reason = score.isq.reason if score is not None else NO_DATA
            hidden.append(HiddenDepartment(dept.code, dept.name, reason or NO_DATA))
            continue
        ranking.append(
            RankRow(
                dept.code,
                dept.name,
                score.isq,
                models.iq(score.isq, baseline),
                score.respondents,
                flags.get(dept.id),
                score.group,
            )
        )
    # Groups, not ranks: within a group the intervals overlap, so departments are listed by
    # name.
    ranking.sort(key=lambda r: (STANDINGS.index(r.standing), r.name.casefold(), r.code))
    # Only flagged changes, largest (shrunk) change first, ties by code.
    movers = [flag for _code, flag in flagged_first({f.code: f for f in flags.values()})]
    return OrgOverview(
        quarter=quarter,
        quarters=tuple(available),
        settings=settings,
        baseline=baseline,
        ranking=tuple(ranking),
        hidden=tuple(hidden),
        heatmap=_heatmap(session, quarter, departments, settings.k)
        if versions.released(quarter)
        else Heatmap((), (), (), ()),
        movers=tuple(movers),
        org_isq=model.org_isq,
    )
