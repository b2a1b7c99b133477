"""The PDF export of a department's scorecard: several A4 pages written with matplotlib's
``PdfPages``: a summary page with the headline figures and the components as a table, then the
charts (``scorecard_charts``), then the tables (customer departments, service standards,
comments when the group is large enough). Only gated figures reach it, as on the page.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence

from flask_babel import gettext as _
from matplotlib.figure import Figure

from survey.services import chart_cache
from survey.services.scorecard_charts import (
    compliance_chart,
    dimensions_chart,
    locale_name,
    trend_chart,
)
from survey.services.scorecard_export import labels, reason_text
from survey.services.scorecards import Gated, Scorecard

A4 = (8.27, 11.69)


def _num(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _figure_text(g: Gated, card: Scorecard) -> str:
    if g.shown:
        interval = f" [{_num(g.low)}–{_num(g.high)}]" if g.low is not None else ""
        return f"{_num(g.value)}{interval}"
    return reason_text(g.reason, card.settings.k, card.settings.comment_k)


LINES_PER_PAGE = 38
ROWS_PER_PAGE = 36


def _page(title: str) -> Figure:
    fig = Figure(figsize=A4)
    # parse_math=False everywhere: a "$" in a name or comment must not start mathtext.
    fig.text(0.08, 0.94, title, fontsize=16, weight="bold", va="top", parse_math=False)
    return fig


def _text_pages(title: str, lines: Sequence[str]) -> list[Figure]:
    """Wrapped lines on as many A4 pages as they need."""
    wrapped = [part for line in lines for part in (textwrap.wrap(line, 95) or [""])]
    pages = []
    for start in range(0, max(len(wrapped), 1), LINES_PER_PAGE):
        fig = _page(title)
        for index, part in enumerate(wrapped[start : start + LINES_PER_PAGE]):
            fig.text(0.08, 0.89 - 0.022 * index, part, fontsize=10, va="top", parse_math=False)
        pages.append(fig)
    return pages


def _table_pages(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[Figure]:
    """A table drawn with ``Axes.table``, continued on further pages when long."""
    pages = []
    for start in range(0, max(len(rows), 1), ROWS_PER_PAGE):
        fig = _page(title)
        ax = fig.add_axes((0.06, 0.08, 0.88, 0.82))
        ax.axis("off")
        chunk = rows[start : start + ROWS_PER_PAGE]
        if chunk:
            table = ax.table(
                cellText=[
                    [textwrap.shorten(str(c), 48, placeholder="…") for c in row] for row in chunk
                ],
                colLabels=list(header),
                loc="upper center",
                cellLoc="left",
            )
            table.auto_set_font_size(False)
            table.set_fontsize(8)
            table.scale(1, 1.3)
            for cell in table.get_celld().values():
                cell.get_text().set_parse_math(False)
        else:
            ax.text(0, 1, _("No data"), va="top")
        pages.append(fig)
    return pages


def _summary(card: Scorecard) -> list[Figure]:
    names = labels()
    iq = card.iq
    iq_text = (
        f"{_num(iq.value, 0)} [{_num(iq.low, 0)}–{_num(iq.high, 0)}]"
        if iq.shown
        else reason_text(iq.reason, card.settings.k, card.settings.comment_k)
    )
    lines = [
        _("Quarter: %(q)s", q=card.quarter),
        _("Internal service IQ: %(v)s", v=iq_text),
        _("ISQ (0–100): %(v)s", v=_figure_text(card.isq, card))
        + (
            "  " + _("Organisation: %(v)s", v=_num(card.org_isq))
            if card.org_isq is not None
            else ""
        ),
    ]
    if card.trend_marker is not None:
        lines.append(
            _(
                "Trend: %(d)s (%(s)s ISQ points per quarter, p = %(p)s)",
                d=names["trend"][card.trend_marker.direction],
                s=f"{card.trend_marker.slope:+.1f}",
                p=f"{card.trend_marker.p:.3f}",
            )
        )
    if card.flag is not None:
        lines.append(
            _(
                "Since the previous quarter: %(d)s, ISQ %(a)s → %(b)s",
                d=names["direction"][card.flag.direction],
                a=_num(card.flag.isq_before),
                b=_num(card.flag.isq_after),
            )
        )
    lines.append("")
    for c in card.components:
        value = (
            f"{_num(c.value)} [{_num(c.low)}–{_num(c.high)}], n = {c.n}"
            if c.shown
            else reason_text(c.reason, card.settings.k, card.settings.comment_k)
        )
        lines.append(f"{names['components'][c.key]}: {value}")
    lines.append("")
    if card.baseline is not None:
        b = card.baseline
        lines.append(
            _(
                "IQ = 100 + 15 × (ISQ − %(mu)s) / %(sigma)s, baseline %(version)s from "
                "%(quarters)s.",
                mu=_num(b.mu0),
                sigma=_num(b.sigma0),
                version=b.version,
                quarters=", ".join(b.quarters),
            )
        )
    weights = card.settings.weights
    lines.append(
        _(
            "ISQ weights: T %(t)s, R %(r)s, C %(c)s. Figures need at least %(k)s respondents.",
            t=weights.get("T", 0),
            r=weights.get("R", 0),
            c=weights.get("C", 0),
            k=card.settings.k,
        )
    )
    lines.append("")
    for r in card.responses:
        lines.append(
            _(
                "%(q)s: %(pi)s answers after a request, %(qs)s quarterly answers",
                q=r.quarter,
                pi=r.post_interaction,
                qs=r.quarterly,
            )
        )
    return _text_pages(f"{card.name} ({card.code})", lines)


def _pdf_pages(card: Scorecard) -> list[Figure]:
    names = labels()
    k, ck = card.settings.k, card.settings.comment_k
    pages = _summary(card)
    for draw in (trend_chart, dimensions_chart):
        chart = draw(card)
        if chart is not None:
            pages.append(chart.figure)
    pages.extend(
        _table_pages(
            _("How each customer department rates it"),
            [
                _("Customer department"),
                _("Relationship score (0–100)"),
                _("Satisfied after a request (%)"),
            ],
            [
                [
                    f"{c.name} ({c.code})",
                    _figure_text(c.relationship, card),
                    _figure_text(c.satisfaction, card),
                ]
                for c in card.customers
            ],
        )
    )
    comp = card.compliance
    rows = [[_("All services"), _figure_text(comp.share, card)]] + [
        [s.name, _figure_text(s.share, card)] for s in comp.services
    ]
    rows += [
        [names["dimensions"].get(d.code, d.code), _figure_text(d.value, card)]
        for d in card.dimensions
    ]
    pages.extend(
        _table_pages(
            _("Service standards and dimensions"), [_("Item"), _("Value [95% interval]")], rows
        )
    )
    chart = compliance_chart(card)
    if chart is not None:
        pages.append(chart.figure)
    if card.comments_reason is None and card.comments:
        lines = []
        for c in card.comments:
            lines.append("• " + c.text)
            if c.attributed_to:
                lines.append(
                    "   "
                    + _(
                        "%(name)s would like to be contacted about this comment.",
                        name=c.attributed_to,
                    )
                )
        pages.extend(_text_pages(_("Comments"), lines))
    else:
        pages.extend(
            _text_pages(
                _("Comments"),
                [
                    reason_text(card.comments_reason, k, ck)
                    if card.comments_reason
                    else _("No comments this quarter.")
                ],
            )
        )
    return pages


def to_pdf(card: Scorecard) -> bytes:
    """A multi-page PDF of the scorecard (cached by its figures and the language)."""
    key = chart_cache.data_key("pdf", card, locale_name())

    def render() -> bytes:
        # Imported on first export: the PDF backend weighs about 10 MB in every worker.
        from matplotlib.backends.backend_pdf import PdfPages

        buffer = io.BytesIO()
        with PdfPages(
            buffer, metadata={"Title": f"{card.name} {card.quarter}", "Creator": "Service IQ"}
        ) as pdf:
            for page in _pdf_pages(card):
                pdf.savefig(page)
                page.clear()
        return buffer.getvalue()

    return chart_cache.cached(key, render)
