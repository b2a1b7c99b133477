"""The organisation overview from its snapshot: the compute half of the overview page.

``compute_overview`` takes the plain ``OverviewSnapshot`` the application reads (every
department's sums in the quarter and the one before, the priors and baseline, the binned R
values of the change test, the quarter's who-serves-whom cells) and returns the
``OrgOverview``, reading nothing: every department's ISQ and IQ in rank groups (no rank
numbers), the departments hidden and why, who serves whom (the heatmap, with the remainder
rule per row) and the movers (flagged changes only). Names are the default ones.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from analysis import anonymity
from analysis import scorecard as sc
from analysis.model import Priors
from analysis.model import movers as flagged_first
from analysis.scorecard_inputs import CustomerCells, DepartmentRow, Histograms, Inputs
from analysis.scorecard_page import PURE, ModelFunctions, change_flag, nobody_reason
from analysis.scorecard_results import (
    BELOW_K,
    REMAINDER,
    STANDINGS,
    BaselineInfo,
    Heatmap,
    HiddenDepartment,
    OrgOverview,
    RankRow,
    Settings,
)

#: One quarter's cells of every provider: provider id -> customer id -> metric -> sums
#: (``scorecard_inputs.CustomerCells`` by provider), pairs with answers only.
Cells = Mapping[int, CustomerCells]


@dataclass(frozen=True)
class OverviewSnapshot:
    """Everything the overview of ``quarter`` is computed from, read by the application.

    ``quarters`` are the released quarters (oldest first), ``settings`` those in force for
    the quarter (k never lowered), ``baseline`` the IQ baseline (None: none yet) and
    ``priors`` the model's priors, ``departments`` the active departments (by code),
    ``inputs`` every department's sums in ``quarter`` and in ``before`` (the quarter before
    it, None when that one is not released: no change is tested), ``histograms`` the binned
    R values of both, ``cells`` the quarter's who-serves-whom sums (None: the quarter is not
    released, and no cell shows)."""

    quarter: str
    quarters: tuple[str, ...]
    settings: Settings
    baseline: BaselineInfo | None
    priors: Priors
    departments: tuple[DepartmentRow, ...]
    inputs: Mapping[str, Inputs]
    before: str | None
    histograms: Mapping[str, Histograms]
    cells: Cells | None


def compute_overview(snapshot: OverviewSnapshot, functions: ModelFunctions = PURE) -> OrgOverview:
    """The overview of ``snapshot`` with the default names (reads nothing; every figure
    passes its gate). ``functions`` are the model's pure functions (the application passes
    them memoised)."""
    quarter, settings, departments = snapshot.quarter, snapshot.settings, snapshot.departments
    k = settings.k_of(quarter)
    model = functions.model(quarter, snapshot.inputs[quarter], snapshot.priors, k)
    flags = {}
    if snapshot.before is not None:
        # The quarter before with its own gate, the change with the larger of the two.
        before = snapshot.before
        earlier = functions.model(
            before, snapshot.inputs[before], snapshot.priors, settings.k_of(before)
        )
        hists = snapshot.histograms
        names = {d.id: (d.code, d.name) for d in departments}
        for d, change in functions.changes(
            earlier, model, hists[before], hists[quarter], settings.k_between(before, quarter)
        ).items():
            code, name = names.get(d, (str(d), str(d)))
            flags[d] = change_flag(change, code, name, before, quarter)
    ranking, hidden = [], []
    released = quarter in snapshot.quarters
    for dept in departments:
        score = model.scores.get(dept.id)
        if score is None or not score.isq.shown:
            reason = score.isq.reason if score is not None else nobody_reason(released)
            hidden.append(HiddenDepartment(dept.code, dept.name, reason or nobody_reason(released)))
            continue
        ranking.append(
            RankRow(
                dept.code,
                dept.name,
                score.isq,
                sc.iq_of(score.isq, snapshot.baseline),
                sc.published_respondents(score, k),
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
        quarters=snapshot.quarters,
        settings=snapshot.settings,
        baseline=snapshot.baseline,
        ranking=tuple(ranking),
        hidden=tuple(hidden),
        heatmap=heatmap(snapshot.cells, departments, k)
        if snapshot.cells is not None
        else Heatmap((), (), (), ()),
        movers=tuple(movers),
        org_isq=model.org_isq,
        isq_weights=dict(model.weights),
    )


def heatmap(every: Cells, departments: Sequence[DepartmentRow], k: int) -> Heatmap:
    """Who serves whom: the R of every (provider, customer) pair resting on at least k people
    (a pair under k, none included, is hidden as ``BELOW_K``), providers and
    customers the active ``departments`` by code: the providers rated by at least k people
    (inactive customers included), the customers with at least one pair of k people or more
    (which pairs of fewer had answers is not told, nor which departments had them); no
    provider when no pair has k people. ``every`` holds the quarter's cells of every
    provider, inactive departments' included: a row's total is the provider's R over every
    customer, and which of its cells are hidden is decided over every customer as if all
    were active (``visible_table``), before inactive customers' columns are left out, so a
    deactivation after a release moves no other cell."""
    cells = {
        (p, c): metrics["R"]
        for p, row in every.items()
        for c, metrics in row.items()
        if "R" in metrics
    }
    by_id = {d.id: d for d in departments}
    provider_ids = sorted({p for p, _c in cells if p in by_id}, key=lambda i: by_id[i].code)
    # Every customer department takes part in each row's decision, inactive ones too, in the
    # order of their ids: a deactivation then only leaves its column out (attack 27).
    customer_ids = sorted({c for _p, c in cells})
    # Plain lookups: a 200-department organisation has 40,000 cells, most of them empty.
    grid = [[cells.get((p, c)) for c in customer_ids] for p in provider_ids]
    counts = [[s.n if s is not None else 0 for s in row] for row in grid]
    # A row's total is the provider's R over every customer, inactive ones included.
    totals = defaultdict(int)
    for (p, _c), s in cells.items():
        totals[p] += s.n
    sums = [[(s.total / 100.0 if s is not None else 0.0) for s in row] for row in grid]
    everyone = defaultdict(float)
    for (p, _c), s in cells.items():
        everyone[p] += s.total / 100.0
    visible = visible_table(
        counts, k, [totals[p] for p in provider_ids], sums, [everyone[p] for p in provider_ids]
    )
    values, reasons = [], []
    for row, shown_row in zip(grid, visible, strict=True):
        row_values: list[float | None] = []
        row_reasons: list[str | None] = []
        for s, shown in zip(row, shown_row, strict=True):
            if shown and s is not None and s.n >= k:
                row_values.append(s.mean)
                row_reasons.append(None)
            else:
                # No answers and fewer than k read alike: which would tell whether a small
                # department's few people rated the provider at all.
                row_values.append(None)
                row_reasons.append(BELOW_K if s is None or s.n < k else REMAINDER)
        values.append(tuple(row_values))
        reasons.append(tuple(row_reasons))
    # The axes list only what rests on k people: a provider rated by at least k people in
    # all, a customer department with a pair of at least k. A department of one person
    # would otherwise appear as a column exactly when that person had answered.
    rows = [i for i, p in enumerate(provider_ids) if totals[p] >= k]
    columns = sorted(
        (
            j
            for j, c in enumerate(customer_ids)
            if c in by_id and any(counts[i][j] >= k for i in rows)
        ),
        key=lambda j: by_id[customer_ids[j]].code,
    )
    if not columns:
        rows = []  # every pair under k: nothing to draw or list
    return Heatmap(
        providers=tuple((by_id[provider_ids[i]].code, by_id[provider_ids[i]].name) for i in rows),
        customers=tuple(
            (by_id[customer_ids[j]].code, by_id[customer_ids[j]].name) for j in columns
        ),
        values=tuple(tuple(values[i][j] for j in columns) for i in rows),
        reasons=tuple(tuple(reasons[i][j] for j in columns) for i in rows),
    )


def visible_table(
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
