"""One chart of how fast a department answers and resolves requests, against its service
standards: the cumulative share of requests first answered (and resolved) within each time,
on a logarithmic time axis, with the promised times drawn as vertical lines.

Pure: plain numbers in, a ``analysis.charts.Chart`` (a matplotlib ``Figure``, never pyplot)
out. Texts and time labels come translated from the caller. Sized to be read on a phone:
the figure is 5 inches wide (480 CSS pixels of SVG) and no text is smaller than 12 points
(16 px at full size), so text stays at 11 px or more down to a 330 px wide column.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from analysis.charts import DEPARTMENT, OKABE_ITO, Chart, _figure, _plain, _style, _title

#: The smallest text drawn, in points (see the module docstring).
MIN_FONT_PT = 12.0
WIDTH_IN = 5.0
HEIGHT_IN = 4.4

TEXTS: Mapping[str, str] = {
    "first_response": "First response",
    "resolution": "Resolution",
    "standard": "Standard",
    "xlabel": "Time since the request was opened",
    "ylabel": "Requests done within (%)",
}

RESOLUTION = OKABE_ITO["vermillion"]


@dataclass(frozen=True)
class Series:
    """One measure: ``counts`` per duration bucket (one more than ``edges``, upper bounds in
    minutes, the last bucket open) out of ``total`` requests (those not yet done count as
    beyond every edge), and the promised times in minutes (``standards``, several when the
    department's services promise different times)."""

    counts: Sequence[int]
    edges: Sequence[int]
    total: int
    standards: Sequence[float] = ()

    def cumulative(self) -> list[float]:
        """The percentage (0..100) of ``total`` done within each edge."""
        if len(self.counts) != len(self.edges) + 1:
            raise ValueError("need one more count than edges")
        if self.total <= 0:
            return [0.0 for _edge in self.edges]
        running = np.cumsum(np.asarray(self.counts[:-1], dtype=float))
        return [float(100.0 * v / self.total) for v in running]


def response_times(
    first_response: Series | None,
    resolution: Series | None,
    title: str,
    time_label: Callable[[float], str],
    *,
    texts: Mapping[str, str] | None = None,
    alt_text: str | None = None,
) -> Chart:
    """The chart (see the module docstring). ``time_label`` turns minutes into a label in
    the reader's language ("4 h", "3 g"); ``texts`` overrides ``TEXTS`` (``standard``
    names the dotted lines in the legend; each line is labelled with its time above the
    plot, in the colour of its measure). A missing series is left out; with
    neither, the axes say so. Edges must be positive."""
    words = {**TEXTS, **(texts or {})}
    fig = _figure(WIDTH_IN, HEIGHT_IN)
    ax = fig.subplots()
    _style(ax)
    drawn = [
        (key, series, colour, style)
        for key, series, colour, style in (
            ("first_response", first_response, DEPARTMENT, "-"),
            ("resolution", resolution, RESOLUTION, "--"),
        )
        if series is not None and series.edges
    ]
    ticks: set[float] = set()
    for key, series, colour, style in drawn:
        if any(edge <= 0 for edge in series.edges):
            raise ValueError("edges must be positive minutes")
        shares = series.cumulative()
        ax.plot(
            list(series.edges),
            shares,
            linestyle=style,
            marker="o" if key == "first_response" else "s",
            markersize=7,
            linewidth=2.2,
            color=colour,
            label=_plain(words[key]),
        )
        ticks.update(float(edge) for edge in series.edges)
        standards = sorted(set(series.standards))
        for standard in standards:
            ax.axvline(
                standard,
                color=colour,
                linestyle=":",
                linewidth=2.2,
            )
            ax.annotate(
                _plain(time_label(standard)),
                xy=(standard, 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=MIN_FONT_PT,
                color=colour,
                fontweight="bold",
            )
    if drawn:
        low = min(min(s.edges) for _k, s, _c, _st in drawn)
        high = max(max([*s.edges, *s.standards]) for _k, s, _c, _st in drawn)
        ax.set_xscale("log")
        ax.set_xlim(low / 1.6, high * 1.6)
        marks = sorted(ticks)
        ax.set_xticks(marks, [_plain(time_label(m)) for m in marks], fontsize=MIN_FONT_PT)
        ax.minorticks_off()
        ax.set_ylim(0, 104)
        ax.set_yticks([0, 25, 50, 75, 100], ["0", "25", "50", "75", "100"], fontsize=MIN_FONT_PT)
        ax.set_xlabel(_plain(words["xlabel"]), fontsize=MIN_FONT_PT)
        ax.set_ylabel(_plain(words["ylabel"]), fontsize=MIN_FONT_PT)
        ax.grid(color="#DDDDDD", linewidth=0.6)
        ax.set_axisbelow(True)
        if any(s.standards for _k, s, _c, _st in drawn):
            # One entry for every dotted line: its colour says which measure it promises.
            ax.plot(
                [],
                [],
                color="#555555",
                linestyle=":",
                linewidth=2.2,
                label=_plain(words["standard"]),
            )
        # Inside the axes (lower right: the curves climb to the top there), so that the chart
        # keeps its legend wherever its axes are placed (the PDF lends them to an A4 page).
        ax.legend(
            loc="lower right",
            ncols=1,
            fontsize=MIN_FONT_PT,
            frameon=False,
            handlelength=1.6,
            columnspacing=1.0,
        )
    else:
        ax.axis("off")
    # A long department name wraps rather than running off a 5 inch figure.
    _title(fig, "\n".join(textwrap.wrap(title, 48)) or title)
    if alt_text is None:
        alt_text = title
    return Chart(fig, title, alt_text)
