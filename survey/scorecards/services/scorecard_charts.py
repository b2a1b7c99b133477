"""Charts of the scorecards: inline SVG, cached by the data they draw (the PDF export that
reuses them is ``scorecard_pdf``).

Charts are drawn by ``analysis.charts`` from the gated figures of a result noun, so a chart can
only show what the page may show. Inline charts are cached (``chart_cache``) under the SHA-256
of their name, data and language: a second view of an unchanged scorecard draws nothing.

"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from analysis import charts, response_time_chart
from analysis.narrow import narrow
from survey.local_format import decimal, duration, quarter
from survey.scorecards.services import chart_cache
from survey.scorecards.services.compliance_hours import business_calendar
from survey.scorecards.services.scorecard_export import labels
from survey.scorecards.services.scorecards import BELOW_K, NO_DATA, Gated, OrgOverview, Scorecard
from survey.services.lru import IdentityMemo


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


#: The renditions a department page carries of each of its charts: the page's CSS shows the
#: narrow one on narrow screens (style.css, "scorecards on phones"). Part of the page's
#: render-cache digest, so that a page kept before a rendition existed is not served again.
RENDITIONS = ("wide", "narrow")


def _inline_narrow(
    name: str, payload: Any, draw: Callable[[], charts.Chart | None]
) -> InlineChart | None:
    """The narrow rendition of the chart ``name`` (``analysis.narrow``), cached apart from
    the wide one (its key names the rendition)."""
    return _inline(f"{name}-narrow", ["narrow", payload], lambda: _narrow_or_none(draw()))


def _narrow_or_none(chart: charts.Chart | None) -> charts.Chart | None:
    return narrow(chart) if chart is not None else None


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


def _forest(overview: OrgOverview) -> charts.Chart | None:
    rows = [r for r in overview.ranking if r.iq.shown]
    if not rows:
        return None
    title = _("Internal service IQ, %(quarter)s", quarter=overview.quarter)
    return charts.forest_plot(
        labels=[r.name for r in rows],
        estimates=[r.iq.value for r in rows],
        lows=[r.iq.low for r in rows],
        highs=[r.iq.high for r in rows],
        reference=100.0,
        title=title,
        xlabel=_("IQ (95% interval)"),
        number=decimal,
        alt_text=_forest_alt(title, [(r.name, r.iq) for r in rows]),
    )


def _forest_alt(title: str, rows: Sequence[tuple[str, Gated]]) -> str:
    """The ranking chart described in the reader's language (whole numbers, as drawn);
    ``rows`` hold shown IQs only."""

    def row(name: str, iq: Gated) -> str:
        value = _n(iq.value or 0.0)
        if iq.low is None or iq.high is None:
            return f"{name} {value}"
        return _(
            "%(name)s %(value)s (interval %(low)s to %(high)s)",
            name=name,
            value=value,
            low=_n(iq.low),
            high=_n(iq.high),
        )

    best = max(rows, key=lambda r: r[1].value or 0.0)
    worst = min(rows, key=lambda r: r[1].value or 0.0)
    above = sum(1 for _name, iq in rows if iq.low is not None and iq.low > 100.0)
    below = sum(1 for _name, iq in rows if iq.high is not None and iq.high < 100.0)
    return _(
        "%(title)s. %(n)s departments; highest %(high)s; lowest %(low)s; %(above)s with the "
        "whole interval above 100, %(below)s with the whole interval below.",
        title=title,
        n=_n(len(rows)),
        high=row(*best),
        low=row(*worst),
        above=_n(above),
        below=_n(below),
    )


def _heatmap(overview: OrgOverview) -> charts.Chart | None:
    h = overview.heatmap
    if not h.providers:
        return None
    title = _("Who serves whom: relationship score, %(quarter)s", quarter=overview.quarter)
    # Under k people (none included) is drawn as no answers: which it may be.
    empty = [[why in (NO_DATA, BELOW_K) for why in row] for row in h.reasons]
    cells = [
        (value, p, c)
        for (p, _pn), row in zip(h.providers, h.values, strict=True)
        for (c, _cn), value in zip(h.customers, row, strict=True)
        if value is not None
    ]
    hidden = sum(why not in (None, NO_DATA, BELOW_K) for row in h.reasons for why in row)
    alt = _(
        "%(title)s. %(shown)s pairs shown, %(hidden)s hidden to protect small groups, the "
        "others without a figure (fewer than %(k)s people answered, or a department and "
        "itself).",
        k=overview.settings.k,
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
        number=decimal,
    )


def trend_chart(card: Scorecard) -> charts.Chart | None:
    points = [p for p in card.trend if p.isq.shown]
    if not points:
        return None
    use_iq = all(p.iq.shown for p in points)
    baseline = card.baseline

    def org(value: float | None) -> float | None:
        if value is None or not use_iq or baseline is None:
            return value
        return 100.0 + 15.0 * (value - baseline.mu0) / baseline.sigma0

    values = [(p.iq.value if use_iq else p.isq.value) if p.isq.shown else None for p in card.trend]
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
        number=decimal,
        quarter_label=quarter,
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
        text += " " + _("A component is missing in %(quarters)s.", quarters=", ".join(partial))
    return text


def dimensions_chart(card: Scorecard) -> charts.Chart | None:
    rows = [d for d in card.dimensions if d.value.shown]
    if not rows:
        return None
    names = labels()["dimensions"]
    title = _("%(name)s: dimensions against the organisation", name=card.name)
    described = [
        f"{names.get(d.code, d.code)} {decimal(d.value.value, 1)}"
        + (
            ""
            if d.org_value is None
            else " " + _("(organisation %(value)s)", value=decimal(d.org_value, 1))
        )
        for d in rows
    ]
    return charts.dimension_profile(
        dimensions=[names.get(d.code, d.code) for d in rows],
        values=[d.value.value for d in rows],
        organisation=[d.org_value for d in rows],
        title=title,
        alt_text=_(
            "%(title)s. Scores out of 100 by dimension: %(rows)s.",
            title=title,
            rows="; ".join(described),
        ),
        texts=_profile_texts(),
        # One decimal, as the page's table of the same figures.
        number=decimal,
        digits=1,
    )


def _response_time_texts() -> dict[str, str]:
    return {
        "first_response": _("First response"),
        "resolution": _("Resolution"),
        "standard": _("Service standard"),
        "xlabel": _("Time since the request was opened"),
        "ylabel": _("Requests done within (%)"),
    }


def compliance_chart(card: Scorecard) -> charts.Chart | None:
    """One chart of the times to first response and to resolution against the standards
    (``analysis.response_time_chart``), drawn from the gated distributions only. The
    standards are drawn when they count elapsed time (no ``BUSINESS_HOURS``): the times
    drawn are elapsed, and working minutes would not be comparable."""
    comp = card.compliance
    if comp.reason is not None or comp.first_response is None:
        return None
    elapsed = business_calendar() is None
    first = comp.first_response
    resolution = comp.resolution
    title = _("%(name)s: time to answer and resolve", name=card.name)
    alt = [title + "."]
    medians = [(_("Time to first response"), first)]
    if resolution is not None:
        medians.append((_("Time to resolution"), resolution))
    for label, dist in medians:
        alt.append(f"{label}: {_('median %(m)s', m=duration(dist.median_minutes))}.")
    share = _value(comp.share)
    if share is not None:
        alt.append(_("Within the service standard: %(share)s%%", share=_n(share)) + ".")
    return response_time_chart.response_times(
        response_time_chart.Series(
            first.counts,
            first.edges,
            comp.interactions,
            [s.first_response_minutes for s in comp.standards] if elapsed else [],
        ),
        response_time_chart.Series(
            resolution.counts,
            resolution.edges,
            comp.interactions,
            [s.resolution_minutes for s in comp.standards] if elapsed else [],
        )
        if resolution is not None
        else None,
        title,
        duration,
        texts=_response_time_texts(),
        alt_text=" ".join(alt),
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
            "trend", [card.name, card.trend, card.baseline, card.flag], lambda: trend_chart(card)
        ),
        "dimensions": _inline(
            "dimensions", [card.name, card.dimensions], lambda: dimensions_chart(card)
        ),
        "compliance": _inline(
            "compliance", [card.name, card.compliance], lambda: compliance_chart(card)
        ),
        "trend_narrow": _inline_narrow(
            "trend", [card.name, card.trend, card.baseline, card.flag], lambda: trend_chart(card)
        ),
        "dimensions_narrow": _inline_narrow(
            "dimensions", [card.name, card.dimensions], lambda: dimensions_chart(card)
        ),
        "compliance_narrow": _inline_narrow(
            "compliance", [card.name, card.compliance], lambda: compliance_chart(card)
        ),
    }


# --- PDF ---
