"""The PDF export of a department's scorecard: a report on A4 portrait pages, drawn with
matplotlib (``pdf_layout``) and saved with ``PdfPages``.

1. A title page from one ``ReportFront`` (``scorecard_front.report_front``): the headline in
   words, the weakest component, the summary, "What to work on" and the actions.
2. The IQ trend chart, with the answers per quarter.
3. The dimensions chart and table; the service standards, their chart and table.
4. The customer departments' table (continued over pages with its header repeated); the
   self-view beside the customers' view, overall and dimension by dimension.
5. The comments, only when the comment gate lets them through, grouped as on the page
   (by question and score band where each part holds enough people, duplicates folded;
   those whose writers asked to be contacted apart, with the name only).
6. How the figures are calculated: formula, weights, baseline, p-values.

Every page has a header (department, quarter, baseline in use) and a footer (generation date,
"page n / N"). Texts are in the reader's language, numbers formatted by Babel. Only gated
figures reach it, as on the page: a hidden figure prints its reason, never a value.
"""

from __future__ import annotations

import io
from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from matplotlib.figure import Figure

from analysis.charts import fix_layout
from analysis.comment_groups import Band, FoldedComment, NamedComment
from survey.local_format import signed
from survey.local_time import local_today
from survey.scorecards.services import chart_cache
from survey.scorecards.services.isq_basis import basis_text
from survey.scorecards.services.pdf_layout import (
    BODY_W,
    MARGIN_X,
    MUTED,
    Column,
    Flow,
    wrap,
)
from survey.scorecards.services.scorecard_charts import (
    compliance_chart,
    dimensions_chart,
    locale_name,
    trend_chart,
)
from survey.scorecards.services.scorecard_comments import ReadableComments
from survey.scorecards.services.scorecard_export import labels, reason_text
from survey.scorecards.services.scorecard_front import (
    ReportFront,
    figure_text,
    number,
    report_front,
)
from survey.scorecards.services.scorecards import Gated, Scorecard


def _figure_text(g: Gated, card: Scorecard) -> str:
    """A gated figure as the tables print it (one place, so that a test can swap it)."""
    return figure_text(g, card)


def _title_page(flow: Flow, card: Scorecard, front: ReportFront) -> None:
    page = flow.new_page()
    page.y += 14
    page.text(MARGIN_X, page.y, _("Internal service scorecard"), 11, color=MUTED)
    page.y += 10
    for line in wrap(card.name, BODY_W, 24, bold=True):
        page.y += 30
        page.text(MARGIN_X, page.y, line, 24, bold=True)
    page.y += 22
    page.text(
        MARGIN_X, page.y, f"{card.code} · " + _("Quarter: %(q)s", q=card.quarter), 12, color=MUTED
    )
    page.y += 18
    page.rule(page.y, color="#1f4e79", width=1.6)
    page.y += 8
    # The headline: the IQ line large, the rest in words below it.
    iq_line, *rest = front.headline
    flow.paragraph(iq_line, 17, bold=True)
    flow.space(4)
    for line in rest:
        flow.paragraph(line, 11.5)
    if front.weakest:
        flow.space(6)
        flow.paragraph(front.weakest, 11.5, bold=True)
    flow.space(6)
    flow.heading(_("Summary"), 14, keep=40)
    for line in front.summary:
        flow.paragraph(line, 10.5, bullet="•")
    _listed(flow, _("What to work on"), front.priorities, _("No priorities yet."))
    _listed(flow, _("Actions"), front.actions, _("No actions recorded yet."))


def _listed(flow: Flow, heading: str, lines: tuple[str, ...], empty: str) -> None:
    """A heading and its lines as bullets, or the muted ``empty`` sentence when there are none."""
    flow.heading(heading, 14, keep=40)
    for line in lines:
        flow.paragraph(line, 10.5, bullet="•")
    if not lines:
        flow.paragraph(empty, 10.5, color=MUTED)


def _trend(flow: Flow, card: Scorecard) -> None:
    """The trend chart (when a quarter of the trend is shown) and the answers per quarter."""
    chart = trend_chart(card)
    if chart is not None:
        flow.chart(chart.figure, chart.title)
    flow.heading(_("Answers per quarter"), 12, keep=30)
    for r in card.responses:
        flow.paragraph(
            _(
                "%(q)s: %(pi)s answers after a request, %(qs)s quarterly answers",
                q=r.quarter,
                pi=number(r.post_interaction, 0),
                qs=number(r.quarterly, 0),
            ),
            10,
            bullet="•",
        )


def _dimensions(flow: Flow, card: Scorecard) -> None:
    names = labels()["dimensions"]
    chart = dimensions_chart(card)
    if chart is not None:
        flow.chart(chart.figure, chart.title)
    else:
        flow.heading(_("Dimensions"), 14)
    if card.dimensions:
        flow.table(
            (Column(_("Dimension"), 0.5), Column(_("Value [95% interval]"), 0.5)),
            [[names.get(d.code, d.code), _figure_text(d.value, card)] for d in card.dimensions],
            10,
        )
    else:
        flow.paragraph(_("No data"), 10, color=MUTED)


def _compliance(flow: Flow, card: Scorecard) -> None:
    comp = card.compliance
    chart = compliance_chart(card)
    if chart is not None:
        flow.chart(chart.figure, chart.title)
        flow.heading(_("Service standards"), 12, keep=40)
    else:
        flow.heading(_("Service standards"), 14)
    rows = [[_("All services"), _figure_text(comp.share, card)]] + [
        [s.name, _figure_text(s.share, card)] for s in comp.services
    ]
    flow.table(
        (Column(_("Service"), 0.5), Column(_("Within the promised times (%)"), 0.5)), rows, 10
    )


def _customers(flow: Flow, card: Scorecard) -> None:
    flow.heading(_("How each customer department rates it"), 14)
    if not card.customers:
        flow.paragraph(_("No data"), 10, color=MUTED)
        return
    flow.table(
        (
            Column(_("Customer department"), 0.46),
            Column(_("Relationship score (0–100)"), 0.27),
            Column(_("Satisfied after a request (%)"), 0.27),
        ),
        [
            [c.name, _figure_text(c.relationship, card), _figure_text(c.satisfaction, card)]
            for c in card.customers
        ],
        9.5,
        anchor_last_line=True,
        suffixes=[f" ({c.code})" for c in card.customers],
    )


def _perception(flow: Flow, card: Scorecard) -> None:
    """The self-view beside the customers' view, overall and dimension by dimension (the
    rows only while the self-view is shown, as on the page). No member and fewer than k
    read alike (hidden), as on the page: which would tell whether a member took the quiz."""
    gap, names = card.gap, labels()
    flow.heading(_("Self-view and customers' view"), 14)
    flow.paragraph(
        _("The team's own view (quiz): %(value)s", value=_figure_text(gap.self_view, card)), 10
    )
    flow.paragraph(
        _(
            "Customers' view (relationship score): %(value)s",
            value=_figure_text(gap.customer_view, card),
        ),
        10,
    )
    if gap.gap is not None:
        flow.paragraph(
            _(
                "Gap: %(gap)s · %(label)s",
                gap=signed(gap.gap),
                label=names["gap_short"].get(gap.label, gap.label),
            ),
            10,
        )
    if not gap.practices:
        return
    flow.table(
        (
            Column(_("Dimension"), 0.34),
            Column(_("The team's own view"), 0.22),
            Column(_("Customers' view"), 0.22),
            Column(_("Gap"), 0.22),
        ),
        [
            [
                names["dimensions"].get(row.dimension, row.dimension),
                _figure_text(row.self_view, card),
                _figure_text(row.customer_view, card),
                "–"
                if row.gap is None
                else f"{signed(row.gap)} · {names['gap_short'].get(row.label, row.label)}",
            ]
            for row in gap.practices
        ],
        9.5,
    )


def band_label(band: Band) -> str:
    """A score band as the page names it ("Overall score 4 to 5")."""
    if band.low is None:
        return _("No overall score")
    if band.low == band.high:
        return _("Overall score %(score)s", score=band.low)
    return _("Overall score %(low)s to %(high)s", low=band.low, high=band.high)


def _comment(flow: Flow, text: str, attributed_to: str | None, note: str | None) -> None:
    """One comment and its notes (how many say it, who asked to be contacted), kept on one
    page when they fit on one."""
    notes = [
        line
        for line in (
            note,
            attributed_to
            and _("%(name)s would like to be contacted about this comment.", name=attributed_to),
        )
        if line
    ]
    flow.need(
        flow.paragraph_height(text, 10, bullet="•")
        + sum(flow.paragraph_height(line, 9, indent=11) for line in notes)
    )
    flow.paragraph(text, 10, bullet="•")
    for line in notes:
        flow.paragraph(line, 9, indent=11, color=MUTED)
    flow.space(3)


def _folded(flow: Flow, c: FoldedComment) -> None:
    """One folded comment: its text and, when several responses say it, how many."""
    count = _("%(count)s responses say this", count=c.count) if c.count > 1 else None
    _comment(flow, c.text, None, count)


def _withheld(comment_k: int) -> str:
    return _(
        "The other comments appear once at least %(k)s people who did not ask to be "
        "contacted have answered.",
        k=comment_k,
    )


def _named(flow: Flow, attributed: tuple[NamedComment, ...]) -> None:
    """The comments whose writers asked to be contacted, under a heading of their own (never
    under a question or a score band), each with the name only."""
    if attributed:
        flow.heading(_("Asked to be contacted"), 11, keep=24)
    for c in attributed:
        _comment(flow, c.text, c.name, None)


def _comments(flow: Flow, card: Scorecard, readable: ReadableComments | None) -> None:
    """The comments as the page groups them (by question and score band where every part
    holds enough people, duplicates folded, the named ones apart); the plain list without a
    reading."""
    k, ck = card.settings.k, card.settings.comment_k
    flow.heading(_("Comments"), 14, keep=30)
    if card.comments_reason is not None or not card.comments:
        flow.paragraph(
            reason_text(card.comments_reason, k, ck)
            if card.comments_reason
            else _("No comments this quarter."),
            10,
            color=MUTED,
        )
        return
    if readable is None:
        for c in card.comments:
            _comment(flow, c.text, c.attributed_to, None)
        return
    if readable.reading.withheld:
        flow.paragraph(_withheld(ck), 10, color=MUTED)
    for section in readable.reading.sections:
        names = [readable.labels.get(section.group, section.group)] if section.group else []
        names += [band_label(section.band)] if section.band else []
        if names:
            flow.heading(" · ".join(names), 11, keep=24)
        for c in section.comments:
            _folded(flow, c)
    _named(flow, readable.reading.attributed)


def _method(flow: Flow, card: Scorecard) -> None:
    names = labels()
    flow.heading(_("How is this calculated?"), 14, keep=50)
    lines = [
        _(
            "The ISQ (0–100) is the weighted mean of the three components on the first page; "
            "the IQ places it against the organisation's baseline, where 100 is the baseline's "
            "average and 15 points one spread."
        )
    ]
    if card.baseline is not None:
        b = card.baseline
        lines.append(
            _(
                "IQ = 100 + 15 × (ISQ − %(mu)s) / %(sigma)s, baseline %(version)s from "
                "%(quarters)s.",
                mu=number(b.mu0),
                sigma=number(b.sigma0),
                version=b.version,
                quarters=", ".join(b.quarters),
            )
        )
    weights = card.settings.weights
    lines.append(
        _(
            "ISQ weights: T %(t)s, R %(r)s, C %(c)s. Figures need at least %(k)s respondents.",
            t=number(weights.get("T", 0), 2),
            r=number(weights.get("R", 0), 2),
            c=number(weights.get("C", 0), 2),
            k=card.settings.k,
        )
    )
    basis = basis_text(weights, card.isq_weights)
    if basis:
        lines.append(basis)
    if card.trend_marker is not None:
        lines.append(
            _(
                "Trend: %(d)s (%(s)s ISQ points per quarter, p = %(p)s)",
                d=names["trend"][card.trend_marker.direction],
                s=("+" if card.trend_marker.slope >= 0 else "") + number(card.trend_marker.slope),
                p=number(card.trend_marker.p, 3),
            )
        )
    if card.flag is not None:
        lines.append(
            _(
                "Change since the previous quarter: ISQ %(before)s → %(after)s "
                "(adjusted p < %(p)s)",
                before=number(card.flag.isq_before),
                after=number(card.flag.isq_after),
                p=number(card.flag.p_adjusted, 2),
            )
        )
    lines.append(_("The scoring method is explained in plain words in docs/scoring.md."))
    for line in lines:
        flow.paragraph(line, 9.5, bullet="•")


def _header_right(card: Scorecard) -> str:
    b = card.baseline
    if b is None:
        return _("Quarter %(q)s · no baseline yet", q=card.quarter)
    if b.provisional:
        return _("Quarter %(q)s · provisional baseline", q=card.quarter)
    return _("Quarter %(q)s · baseline %(v)s", q=card.quarter, v=b.version)


def _pdf_pages(
    card: Scorecard,
    front: ReportFront | None = None,
    generated: date | None = None,
    comments: ReadableComments | None = None,
) -> list[Figure]:
    """The report's pages as A4 figures (see the module docstring)."""
    flow = Flow()
    _title_page(flow, card, front if front is not None else report_front(card))
    _trend(flow, card)
    _dimensions(flow, card)
    _compliance(flow, card)
    _customers(flow, card)
    _perception(flow, card)
    _comments(flow, card, comments)
    _method(flow, card)
    day = generated or local_today()
    return flow.finish(
        card.name,
        _header_right(card),
        _("Generated on %(date)s", date=format_date(day, format="long")),
        _("Page %(n)s / %(total)s", n="{n}", total="{total}"),
    )


def to_pdf(
    card: Scorecard, front: ReportFront | None = None, comments: ReadableComments | None = None
) -> bytes:
    """The scorecard as an A4 report (cached by its figures, the front, the grouped
    comments, the language and the day it is generated on, which its footer prints).
    ``comments``: the page's unfiltered reading (None: the plain list)."""
    today = local_today()
    front = front if front is not None else report_front(card)
    key = chart_cache.data_key("pdf-a4", (card, front, comments), locale_name(), today.isoformat())

    def render() -> bytes:
        # Imported on first export: the PDF backend weighs about 10 MB in every worker.
        from matplotlib.backends.backend_pdf import PdfPages

        buffer = io.BytesIO()
        with PdfPages(
            buffer, metadata={"Title": f"{card.name} {card.quarter}", "Creator": "Service IQ"}
        ) as pdf:
            for page in _pdf_pages(card, front, today, comments):
                fix_layout(page)  # a chart's page: laid out once, not again while saved
                pdf.savefig(page)
                page.clear()
        return buffer.getvalue()

    return chart_cache.cached(key, render)
