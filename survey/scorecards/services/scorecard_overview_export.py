"""The organisation overview as CSV: what the overview page shows, one figure per row, in the
columns of a department's export (``scorecard_export.csv_text``).

It works from an ``OrgOverview`` that already passed the anonymity gate, so it holds what the
page holds and nothing finer: each shown department's IQ and ISQ with their intervals, its
respondents, standing and flagged change; the departments not shown, with the reason; the
relationship score of every answered provider and customer pair, or why it is hidden; the
organisation's ISQ; the settings and the baseline. Names as the overview was localised.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from survey.scorecards.services.scorecard_export import (
    csv_text,
    gated_row,
    iq_row,
    labels,
    reason_text,
    settings_rows,
)
from survey.scorecards.services.scorecards import OrgOverview


def _rows(overview: OrgOverview) -> Iterator[list[Any]]:
    q = overview.quarter
    k, ck = overview.settings.k, overview.settings.comment_k
    names = labels()
    yield from settings_rows(overview.settings, overview.baseline, q, overview.isq_weights)
    yield ["organisation", "ISQ", q, overview.org_isq, None, None, None, ""]
    for row in overview.ranking:
        item = f"{row.code} {row.name}"
        yield iq_row("department IQ", item, q, row.iq, k, ck)
        yield gated_row("department ISQ", item, q, row.isq, k, ck)
        yield ["department respondents", item, q, row.respondents, None, None, None, ""]
        standing = names["standing"].get(row.standing, row.standing)
        yield ["department standing", item, q, None, None, None, None, standing]
        if row.flag is not None:
            f = row.flag
            direction = names["direction"][f.direction]
            before_after = f"ISQ {f.isq_before:.2f} -> {f.isq_after:.2f}"
            note = f"{direction}; p_adj<{f.p_adjusted:.2f}; {before_after}"
            yield ["department change", item, q, f.delta, None, None, None, note]
    for hidden in overview.hidden:
        yield [
            "department not shown",
            f"{hidden.code} {hidden.name}",
            q,
            None,
            None,
            None,
            None,
            reason_text(hidden.reason, k, ck),
        ]
    for (p_code, p_name), (c_code, c_name), value, why in overview.heatmap.answered_pairs():
        item = f"{p_code} {p_name} rated by {c_code} {c_name}"
        note = "" if value is not None else reason_text(why, k, ck)
        yield ["relationship", item, q, value, None, None, None, note]


def overview_csv(overview: OrgOverview) -> str:
    """The overview's figures, one per row, safe to open in a spreadsheet (see the module
    docstring for what it holds)."""
    return csv_text(_rows(overview))
