"""Charts of the scorecards (inline SVG, cached by the data they draw) and the PDF export.

Charts are drawn by ``analysis.charts`` from the gated figures of a result noun, so a chart can
only show what the page may show. Inline charts are cached (``chart_cache``) under the SHA-256
of their name, data and language: a second view of an unchanged scorecard draws nothing.

The PDF is several A4 pages written with matplotlib's ``PdfPages``: a summary page with the
headline figures and the components as a table, then the charts, then the tables (customer
departments, service standards, comments when the group is large enough).
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from markupsafe import Markup
from matplotlib.figure import Figure

from analysis import charts
from survey.services import chart_cache
from survey.services.lru import IdentityMemo
from survey.services.scorecard_export import labels, reason_text
from survey.services.scorecards import NO_DATA, Gated, OrgOverview, Scorecard

A4 = (8.27, 11.69)


@dataclass(frozen=True)
class InlineChart:
    """An SVG ready to place in a page, with its title and text alternative."""

    svg: Markup
    title: str
    alt_text: str


def locale_name() -> str:
    """The reader's language, as cache keys name it."""
    locale = get_locale()
    return str(locale) if locale else "en"


def _inline(name: str, payload: Any, draw: Callable[[], charts.Chart | None]) -> InlineChart | None:
    """The chart ``name`` for ``payload``, from the cache or drawn now."""
    key = chart_cache.data_key("inline", name, payload, locale_name())

    def render() -> InlineChart | None:
        chart = draw()
        if chart is None:
            return None
        svg = charts.to_bytes(chart.figure, "svg")
        chart.figure.clear()  # free the artists now rather than at the next garbage collection
        markup = chart_cache.inline_svg(svg, chart.title, chart.alt_text, f"chart-{name}-{key[:8]}")
        return InlineChart(Markup(markup), chart.title, chart.alt_text)  # noqa: S704 - serialised by ElementTree

    return chart_cache.cached(key, render)


def _value(g: Gated) -> float | None:
    return g.value if g.shown else None


# --- drawing (the only place that knows the analysis.charts signatures) ------------------------


def _trend_texts() -> dict[str, str]:
    """Legend texts in the reader's language (the chart cache key includes the locale)."""
    return {
        "value": _("Department"),
        "interval": _("Interval (95%)"),
        "organisation": _("Organisation"),
        "up": _("Significant improvement"),
        "down": _("Significant decline"),
        "partial": _("A component missing this quarter"),
        "no_data": _("No data"),
    }


def _profile_texts() -> dict[str, str]:
    return {
        "value": _("This department"),
        "organisation": _("Organisation"),
        "xlabel": _("Score (0–100)"),
    }


def _heatmap_texts() -> dict[str, str]:
    return {"hidden": _("hidden"), "empty": "—", "colorbar": _("Score (0–100)")}


def _n(value: float) -> str:
    """A number in the reader's language, no decimals (chart descriptions)."""
    return format_decimal(round(value), format="#,##0")


def _compliance_texts() -> dict[str, str]:
    return {
        "first_response": _("Time to first response"),
        "resolution": _("Time to resolution"),
        "peak_hours": _("Requests by opening hour (UTC)"),
        "requests": _("Requests"),
        # {share} is filled in by the chart, after translation
        "share": _("Within the service standard: %(share)s%%", share="{share}"),
    }


def _forest(overview: OrgOverview) -> charts.Chart | None:
    rows = [r for r in overview.ranking if r.iq.shown]
    if not rows:
        return None
    return charts.forest_plot(
        labels=[r.name for r in rows],
        estimates=[r.iq.value for r in rows],
        lows=[r.iq.low for r in rows],
        highs=[r.iq.high for r in rows],
        reference=100.0,
        title=_("Internal service IQ, %(quarter)s", quarter=overview.quarter),
        xlabel=_("IQ (95% interval)"),
    )


def _heatmap(overview: OrgOverview) -> charts.Chart | None:
    h = overview.heatmap
    if not h.providers:
        return None
    title = _("Who serves whom: relationship score, %(quarter)s", quarter=overview.quarter)
    empty = [[why == NO_DATA for why in row] for row in h.reasons]
    cells = [
        (value, p, c)
        for (p, _pn), row in zip(h.providers, h.values, strict=True)
        for (c, _cn), value in zip(h.customers, row, strict=True)
        if value is not None
    ]
    hidden = sum(why not in (None, NO_DATA) for row in h.reasons for why in row)
    alt = _(
        "%(title)s. %(shown)s pairs shown, %(hidden)s hidden to protect small groups, the "
        "others without a figure (no answers, or a department and itself).",
        title=title,
        shown=len(cells),
        hidden=hidden,
    )
    if cells:
        best, worst = max(cells), min(cells)
        alt += " " + _(
            "Highest %(high)s (%(hp)s for %(hc)s), lowest %(low)s (%(lp)s for %(lc)s).",
            high=_n(best[0]),
            hp=best[1],
            hc=best[2],
            low=_n(worst[0]),
            lp=worst[1],
            lc=worst[2],
        )
    return charts.heatmap(
        row_labels=[code for code, _name in h.providers],
        col_labels=[code for code, _name in h.customers],
        values=[list(row) for row in h.values],
        title=title,
        row_title=_("Provider"),
        col_title=_("Customer"),
        empty=empty,
        texts=_heatmap_texts(),
        alt_text=alt,
    )


def _trend(card: Scorecard) -> charts.Chart | None:
    points = [p for p in card.trend if p.isq.shown]
    if not points:
        return None
    use_iq = all(p.iq.shown for p in points)
    baseline = card.baseline

    def org(value: float | None) -> float | None:
        if value is None or not use_iq or baseline is None:
            return value
        return 100.0 + 15.0 * (value - baseline.mu0) / baseline.sigma0

    values = [
        (p.iq.value if use_iq else p.isq.value) if p.isq.shown else None for p in card.trend
    ]
    title = (
        _("%(name)s: internal service IQ by quarter", name=card.name)
        if use_iq
        else _("%(name)s: ISQ by quarter", name=card.name)
    )
    markers = {p.quarter: p.flag.direction for p in card.trend if p.flag is not None}
    partial = [p.quarter for p in card.trend if p.partial]
    return charts.iq_trend(
        quarters=[p.quarter for p in card.trend],
        values=values,
        lows=[(p.iq.low if use_iq else p.isq.low) if p.isq.shown else None for p in card.trend],
        highs=[(p.iq.high if use_iq else p.isq.high) if p.isq.shown else None for p in card.trend],
        organisation=[org(p.org_isq) for p in card.trend],
        markers=markers,
        title=title,
        ylabel=_("IQ") if use_iq else _("ISQ (0–100)"),
        # One scale for every department (it widens only for values beyond it).
        ylim=IQ_AXIS if use_iq else ISQ_AXIS,
        partial=partial,
        texts=_trend_texts(),
        alt_text=_trend_alt(title, [p.quarter for p in card.trend], values, markers, partial),
    )


#: The trend charts' shared y axes: IQ 55-145 (three baseline spreads either side of 100),
#: ISQ 0-100.
IQ_AXIS = (55.0, 145.0)
ISQ_AXIS = (0.0, 100.0)


def _trend_alt(
    title: str,
    quarters: Sequence[str],
    values: Sequence[float | None],
    markers: dict[str, str],
    partial: Sequence[str],
) -> str:
    """The trend chart described in the reader's language."""
    shown = [(q, v) for q, v in zip(quarters, values, strict=True) if v is not None]
    if not shown:
        return _("%(title)s. No values to show.", title=title)
    (q1, first), (q2, last) = shown[0], shown[-1]
    (ql, low), (qh, high) = min(shown, key=lambda x: x[1]), max(shown, key=lambda x: x[1])
    text = _(
        "%(title)s. %(first)s in %(q1)s, %(last)s in %(q2)s; lowest %(low)s in %(ql)s, "
        "highest %(high)s in %(qh)s.",
        title=title,
        first=_n(first),
        q1=q1,
        last=_n(last),
        q2=q2,
        low=_n(low),
        ql=ql,
        high=_n(high),
        qh=qh,
    )
    ups = [q for q, d in sorted(markers.items()) if d == "up"]
    downs = [q for q, d in sorted(markers.items()) if d == "down"]
    if ups:
        text += " " + _("Significant improvement in %(quarters)s.", quarters=", ".join(ups))
    if downs:
        text += " " + _("Significant decline in %(quarters)s.", quarters=", ".join(downs))
    if partial:
        text += " " + _(
            "A component is missing in %(quarters)s.", quarters=", ".join(partial)
        )
    return text


def _dimensions(card: Scorecard) -> charts.Chart | None:
    rows = [d for d in card.dimensions if d.value.shown]
    if not rows:
        return None
    names = labels()["dimensions"]
    return charts.dimension_profile(
        dimensions=[names.get(d.code, d.code) for d in rows],
        values=[d.value.value for d in rows],
        organisation=[d.org_value for d in rows],
        title=_("%(name)s: dimensions against the organisation", name=card.name),
        texts=_profile_texts(),
    )


def _compliance(card: Scorecard) -> charts.Chart | None:
    comp = card.compliance
    if comp.reason is not None or comp.first_response is None:
        return None
    return charts.compliance(
        first_response=list(comp.first_response.counts),
        resolution=list(comp.resolution.counts) if comp.resolution else [],
        first_response_edges=list(comp.first_response.edges),
        resolution_edges=list(comp.resolution.edges) if comp.resolution else [],
        peak_hours=list(comp.peak_hours or []),
        share=_value(comp.share),
        title=_("%(name)s: time to answer and resolve", name=card.name),
        texts=_compliance_texts(),
    )


# --- pages ---


# The digests of a few recent overviews' data, by object: an overview is cached and reused
# while its figures stay the same, and hashing a 200-department heatmap on every view would
# cost more than the rest of a warm page.
_overview_digests: IdentityMemo[dict[str, str]] = IdentityMemo(8)


def overview_digests(overview: OrgOverview) -> dict[str, str]:
    """SHA-256 digests of what the overview's charts draw (``forest``, ``heatmap``) and of
    everything its page shows (``page``), computed once per overview object."""

    def make() -> dict[str, str]:
        digests = {
            "forest": chart_cache.data_key(overview.ranking, overview.quarter),
            "heatmap": chart_cache.data_key(overview.heatmap, overview.quarter),
        }
        digests["page"] = chart_cache.data_key(
            digests["forest"],
            digests["heatmap"],
            overview.quarter,
            overview.quarters,
            overview.settings,
            overview.baseline,
            overview.hidden,
            overview.movers,
            overview.org_isq,
        )
        return digests

    return _overview_digests.get_or_make((overview,), None, make)


def overview_charts(overview: OrgOverview) -> dict[str, InlineChart | None]:
    digests = overview_digests(overview)
    return {
        "forest": _inline("forest", digests["forest"], lambda: _forest(overview)),
        "heatmap": _inline("heatmap", digests["heatmap"], lambda: _heatmap(overview)),
    }


def scorecard_charts(card: Scorecard) -> dict[str, InlineChart | None]:
    return {
        "trend": _inline(
            "trend", [card.name, card.trend, card.baseline, card.flag], lambda: _trend(card)
        ),
        "dimensions": _inline(
            "dimensions", [card.name, card.dimensions], lambda: _dimensions(card)
        ),
        "compliance": _inline(
            "compliance", [card.name, card.compliance], lambda: _compliance(card)
        ),
    }


# --- PDF ---


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
    for draw in (_trend, _dimensions):
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
    chart = _compliance(card)
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
