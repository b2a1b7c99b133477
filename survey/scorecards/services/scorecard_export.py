"""A scorecard as plain data: the JSON of the API, the rows of the CSV export and the texts
(labels, reasons for hidden figures) shared by the page, the CSV and the PDF.

Everything here works from a ``Scorecard`` that already passed the anonymity gate: a hidden
figure has no value to leak, only its reason.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from flask_babel import gettext as _

from analysis.model import MIN_N_FLAG
from analysis.scorecard_results import CHANGE_NO_PREVIOUS, CHANGE_NOT_SIGNIFICANT, CHANGE_TOO_FEW
from survey.scorecards.services.isq_basis import basis_text, used_weights
from survey.scorecards.services.scorecards import (
    BELOW_COMMENT_K,
    BELOW_K,
    CERTAIN,
    NO_BASELINE,
    NO_DATA,
    NO_SURVEY_COMPONENT,
    ONE_SIDED,
    REMAINDER,
    WITHHELD,
    BaselineInfo,
    ChangeFlag,
    Component,
    Distribution,
    Gated,
    IqFigure,
    PerceptionGap,
    PracticeGap,
    Scorecard,
    Settings,
)
from survey.services.csv_cells import safe_cell


def labels() -> dict[str, Any]:
    """Translated names used by templates, the CSV and the PDF."""
    return {
        "components": {
            "T": _("Post-interaction satisfaction (T)"),
            "R": _("Relationship score (R)"),
            "C": _("Service-standard compliance (C)"),
        },
        "dimensions": {
            "reliability": _("Reliability"),
            "responsiveness": _("Responsiveness"),
            "competence": _("Competence"),
            "courtesy": _("Courtesy"),
            "tools": _("Tools and information"),
        },
        "trend": {
            "rising": _("Rising"),
            "falling": _("Falling"),
            "flat": _("No clear trend"),
        },
        "gap": {
            "overestimate": _("Overestimate: the team rates itself higher than its customers do"),
            "aligned": _("Aligned: the team sees itself as its customers do"),
            "hidden strength": _("Hidden strength: customers rate the team higher than it does"),
            "hidden_strength": _("Hidden strength: customers rate the team higher than it does"),
        },
        "gap_short": {
            "overestimate": _("Overestimate"),
            "aligned": _("Aligned"),
            "hidden_strength": _("Hidden strength"),
        },
        "direction": {"up": _("Improved"), "down": _("Declined")},
        # What the change test says when it flagged nothing (``Scorecard.change_status``).
        "change": {
            CHANGE_NOT_SIGNIFICANT: _("No significant change."),
            CHANGE_TOO_FEW: _(
                "Not tested: too few respondents to test a change (at least %(n)s in each of "
                "the two quarters).",
                n=MIN_N_FLAG,
            ),
            CHANGE_NO_PREVIOUS: _("Not tested: no earlier published quarter to compare with."),
        },
        "standing": {
            "above": _("Clearly above the organisation"),
            "in_line": _("In line with the organisation"),
            "below": _("Clearly below the organisation"),
        },
    }


def reason_text(reason: str | None, k: int, comment_k: int) -> str:
    """Why a figure is not shown, in the reader's language."""
    texts = {
        NO_DATA: _("No data"),
        BELOW_K: _("Hidden: fewer than %(k)s respondents", k=k),
        REMAINDER: _("Hidden so that a group under %(k)s cannot be worked out from the rest", k=k),
        CERTAIN: _(
            "Hidden: so near one end of the scale that it would tell how the people behind "
            "it answered"
        ),
        ONE_SIDED: _(
            "Hidden: a share is shown only when at least %(k)s people are on each side of it",
            k=k,
        ),
        BELOW_COMMENT_K: _("Comments appear once at least %(k)s people have answered", k=comment_k),
        NO_SURVEY_COMPONENT: _("No survey answers yet"),
        WITHHELD: _(
            "Hidden: too few respondents, or answers too alike, to show without telling how "
            "people answered"
        ),
        NO_BASELINE: _("The IQ appears once a baseline can be set"),
    }
    return texts.get(reason or "", _("Hidden"))


def _r(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else round(value, 2)


def _p(value: float) -> float:
    """A p-value as the exports print it (four decimals, like the CSV): its further digits
    come from a rank test over binned answers and would say more of them than the page does."""
    return round(value, 4)


def gated_json(figure: Gated) -> dict[str, Any]:
    return {
        "value": _r(figure.value) if figure.shown else None,
        "low": _r(figure.low) if figure.shown else None,
        "high": _r(figure.high) if figure.shown else None,
        "n": figure.n if figure.shown else None,
        "reason": figure.reason,
    }


def iq_json(figure: IqFigure) -> dict[str, Any]:
    return {
        "value": _r(figure.value) if figure.shown else None,
        "low": _r(figure.low) if figure.shown else None,
        "high": _r(figure.high) if figure.shown else None,
        "reason": figure.reason,
    }


def component_json(c: Component, weight: float) -> dict[str, Any]:
    shown = c.shown
    return {
        "raw": _r(c.raw) if shown else None,
        "value": _r(c.value) if shown else None,
        "low": _r(c.low) if shown else None,
        "high": _r(c.high) if shown else None,
        "n": c.n if shown else None,
        "weight": weight,
        "reason": c.reason,
    }


def flag_json(flag: ChangeFlag | None) -> dict[str, Any] | None:
    if flag is None:
        return None
    return {
        "quarter": flag.quarter,
        "previous": flag.previous,
        "direction": flag.direction,
        "isq_before": _r(flag.isq_before),
        "isq_after": _r(flag.isq_after),
        "delta": _r(flag.delta),
        "p_adjusted": _p(flag.p_adjusted),
        "components": list(flag.components),
    }


def _distribution_json(d: Distribution | None) -> dict[str, Any] | None:
    if d is None:
        return None
    return {
        "edges_minutes": list(d.edges),
        "counts": list(d.counts),
        "median_minutes": _r(d.median_minutes),
        "p90_minutes": _r(d.p90_minutes),
    }


def to_json(card: Scorecard) -> dict[str, Any]:
    """The scorecard's figures as the API returns them. Hidden figures are null with a
    ``reason``. Comment texts are not served (only whether and how many are visible)."""
    weights = {
        key: round(w, 4) for key, w in used_weights(card.settings.weights, card.isq_weights).items()
    }
    baseline = card.baseline
    return {
        "department": {"code": card.code, "name": card.name},
        "quarter": card.quarter,
        "quarters": list(card.quarters),
        "k": card.settings.k,
        "comment_k": card.settings.comment_k,
        "weights": dict(card.settings.weights),
        # What this quarter's ISQ rests on: the weights used (0 for a component the
        # organisation measured nowhere this quarter) and, when one is left out, why.
        "isq_weights": weights,
        "isq_components": [key for key, w in weights.items() if w > 0],
        "isq_basis": basis_text(card.settings.weights, card.isq_weights),
        "baseline": None
        if baseline is None
        else {
            "version": baseline.version,
            "mu0": _r(baseline.mu0),
            "sigma0": _r(baseline.sigma0),
            "mu0_se": _r(baseline.mu0_se),
            "sigma0_se": _r(baseline.sigma0_se),
            "quarters": list(baseline.quarters),
            "provisional": baseline.provisional,
        },
        "iq": iq_json(card.iq),
        "isq": gated_json(card.isq),
        "components": {c.key: component_json(c, weights[c.key]) for c in card.components},
        "organisation": {
            **{key: _r(value) for key, value in card.org_components.items()},
            "isq": _r(card.org_isq),
        },
        "trend": [
            {
                "quarter": p.quarter,
                "isq": gated_json(p.isq),
                "iq": iq_json(p.iq),
                "organisation_isq": _r(p.org_isq),
            }
            for p in card.trend
        ],
        "trend_marker": None
        if card.trend_marker is None
        else {
            "direction": card.trend_marker.direction,
            "p": _p(card.trend_marker.p),
            "slope_per_quarter": _r(card.trend_marker.slope),
            "quarters": card.trend_marker.quarters,
        },
        "change": flag_json(card.flag),
        "change_test": {"status": card.change_status, "min_respondents": MIN_N_FLAG},
        "dimensions": [
            {"code": d.code, "value": gated_json(d.value), "organisation": _r(d.org_value)}
            for d in card.dimensions
        ],
        "customers": [
            {
                "code": c.code,
                "name": c.name,
                "relationship": gated_json(c.relationship),
                "satisfaction": gated_json(c.satisfaction),
            }
            for c in card.customers
        ],
        "compliance": {
            "share": gated_json(card.compliance.share),
            "organisation": _r(card.compliance.org_share),
            "interactions": card.compliance.interactions,
            "services": [
                {"name": s.name, "share": gated_json(s.share)} for s in card.compliance.services
            ],
            "first_response": _distribution_json(card.compliance.first_response),
            "resolution": _distribution_json(card.compliance.resolution),
            "peak_hours_utc": None
            if card.compliance.peak_hours is None
            else list(card.compliance.peak_hours),
            "reason": card.compliance.reason,
        },
        "responses": [
            {"quarter": r.quarter, "post_interaction": r.post_interaction, "quarterly": r.quarterly}
            for r in card.responses
        ],
        "surveys_sent": card.surveys_sent,
        "response_rate": _r(card.response_rate),
        "comments": {
            "visible": card.comments_reason is None,
            "count": len(card.comments) if card.comments_reason is None else None,
            "reason": card.comments_reason,
        },
        "perception_gap": {
            "self_view": gated_json(card.gap.self_view),
            "customer_view": gated_json(card.gap.customer_view),
            "gap": _r(card.gap.gap),
            "label": card.gap.label,
            "reason": card.gap.reason,
            "practices": [
                {
                    "dimension": row.dimension,
                    "practice": row.practice,
                    "self_view": gated_json(row.self_view),
                    "customer_view": gated_json(row.customer_view),
                    "gap": _r(row.gap),
                    "label": row.label,
                }
                for row in card.gap.practices
            ],
        },
    }


def settings_rows(
    settings: Settings,
    baseline: BaselineInfo | None,
    quarter: str,
    isq_weights: Mapping[str, float] | None = None,
) -> Iterator[list[Any]]:
    """The CSV rows saying what a result was built with: k, the weights, the weights the
    quarter's ISQ used with why a component is left out (``isq_basis``), the baseline (its
    mean and spread, provisional or frozen)."""
    yield ["settings", "k", quarter, settings.k, None, None, None, ""]
    for key, weight in settings.weights.items():
        yield ["settings", f"weight {key}", quarter, weight, None, None, None, ""]
    used = isq_weights or {}
    note = basis_text(settings.weights, used) or ""
    for key, weight in used_weights(settings.weights, used).items():
        yield ["settings", f"isq weight {key}", quarter, round(weight, 4), None, None, None, note]
    if baseline is not None:
        note = _("provisional") if baseline.provisional else _("frozen")
        used = " ".join(baseline.quarters)
        yield ["baseline", baseline.version, used, baseline.mu0, None, None, None, note]
        yield ["baseline", "sigma0", used, baseline.sigma0, None, None, None, note]


def gated_row(
    section: str, item: str, quarter: str, figure: Gated, k: int, comment_k: int
) -> list[Any]:
    """A CSV row of a gated figure: its value, interval and n, or only why it is hidden."""
    if figure.shown:
        return [section, item, quarter, figure.value, figure.low, figure.high, figure.n, ""]
    reason = reason_text(figure.reason, k, comment_k)
    return [section, item, quarter, None, None, None, None, reason]


def iq_row(
    section: str, item: str, quarter: str, figure: IqFigure, k: int, comment_k: int
) -> list[Any]:
    """A CSV row of an IQ: its value and interval, or only why it is hidden."""
    if figure.shown:
        return [section, item, quarter, figure.value, figure.low, figure.high, None, ""]
    reason = reason_text(figure.reason, k, comment_k)
    return [section, item, quarter, None, None, None, None, reason]


def csv_text(rows: Iterable[list[Any]]) -> str:
    """``rows`` under the export's header (section, item, quarter, value, low, high, n, note),
    every cell safe to open in a spreadsheet (``csv_cells.safe_cell``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["section", "item", "quarter", "value", "low", "high", "n", "note"])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()


def _rows(card: Scorecard) -> Iterator[list[Any]]:
    k, ck = card.settings.k, card.settings.comment_k
    names = labels()

    def gated(section: str, item: str, quarter: str, figure: Gated) -> list[Any]:
        return gated_row(section, item, quarter, figure, k, ck)

    q = card.quarter
    yield ["department", card.code, q, None, None, None, None, card.name]
    yield from settings_rows(card.settings, card.baseline, q, card.isq_weights)
    yield iq_row("headline", "IQ", q, card.iq, k, ck)
    yield gated("headline", "ISQ", q, card.isq)
    for c in card.components:
        label = names["components"][c.key]
        if c.shown:
            yield ["component", label, q, c.value, c.low, c.high, c.n, f"raw {c.raw:.2f}"]
        else:
            yield ["component", label, q, None, None, None, None, reason_text(c.reason, k, ck)]
    for key, value in card.org_components.items():
        yield ["organisation", names["components"].get(key, key), q, value, None, None, None, ""]
    yield ["organisation", "ISQ", q, card.org_isq, None, None, None, ""]
    for point in card.trend:
        yield gated("trend ISQ", card.code, point.quarter, point.isq)
        if point.iq.shown:
            yield [
                "trend IQ",
                card.code,
                point.quarter,
                point.iq.value,
                point.iq.low,
                point.iq.high,
                None,
                "",
            ]
    if card.trend_marker is not None:
        m = card.trend_marker
        yield [
            "trend marker",
            names["trend"].get(m.direction, m.direction),
            q,
            m.slope,
            None,
            None,
            m.quarters,
            f"p={m.p:.4f}",
        ]
    if card.flag is not None:
        f = card.flag
        yield [
            "change",
            names["direction"][f.direction],
            q,
            f.delta,
            None,
            None,
            None,
            f"p_adj<{f.p_adjusted:.2f} {' '.join(f.components)}",
        ]
    else:
        text = names["change"].get(card.change_status, "")
        yield ["change", text, q, None, None, None, None, card.change_status]
    for d in card.dimensions:
        yield gated("dimension", names["dimensions"].get(d.code, d.code), q, d.value)
    for c in card.customers:
        yield gated("customer relationship", f"{c.code} {c.name}", q, c.relationship)
        yield gated("customer satisfaction", f"{c.code} {c.name}", q, c.satisfaction)
    comp = card.compliance
    yield gated("compliance", "share", q, comp.share)
    for s in comp.services:
        yield gated("compliance service", s.name, q, s.share)
    yield ["compliance", "interactions", q, comp.interactions, None, None, None, ""]
    for name, dist in (("first response", comp.first_response), ("resolution", comp.resolution)):
        if dist is None:
            continue
        for edge, count in zip([*dist.edges, None], dist.counts, strict=True):
            label = f"<= {edge} min" if edge is not None else f"> {dist.edges[-1]} min"
            yield [f"{name} time", label, q, count, None, None, None, ""]
        yield [f"{name} time", "median minutes", q, dist.median_minutes, None, None, None, ""]
    if comp.peak_hours is not None:
        for hour, count in enumerate(comp.peak_hours):
            yield ["opened by hour (UTC)", f"{hour:02d}:00", q, count, None, None, None, ""]
    below = reason_text(BELOW_K, k, ck)
    for r in card.responses:
        for item, n in (("post-interaction", r.post_interaction), ("quarterly", r.quarterly)):
            why = "" if n is not None else below
            yield ["responses", item, r.quarter, n, None, None, None, why]
    yield ["responses", "surveys sent", q, card.surveys_sent, None, None, None, ""]
    yield ["responses", "response rate", q, card.response_rate, None, None, None, ""]
    gap = card.gap
    yield from _compared_rows(card, "perception gap", "self view", gap)
    for row in gap.practices:
        section, own = f"perception gap: {row.dimension}", f"self view ({row.practice})"
        yield from _compared_rows(card, section, own, row)


def _compared_rows(
    card: Scorecard, section: str, own: str, compared: PerceptionGap | PracticeGap
) -> Iterator[list[Any]]:
    """The self-view (the item named ``own``), the customers' view and, when both are shown,
    the gap with its label: the overall comparison or one dimension's, in ``card``'s quarter."""
    k, ck, q = card.settings.k, card.settings.comment_k, card.quarter
    yield gated_row(section, own, q, compared.self_view, k, ck)
    yield gated_row(section, "customer view", q, compared.customer_view, k, ck)
    if compared.gap is not None:
        yield [section, "gap", q, compared.gap, None, None, None, compared.label or ""]


def to_csv(card: Scorecard) -> str:
    """The scorecard's figures, one per row, safe to open in a spreadsheet."""
    return csv_text(_rows(card))
