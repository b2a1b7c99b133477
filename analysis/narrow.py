"""A chart's narrow rendition, for phones: the same figure redrawn about 250 pt wide.

Shown stretched to a phone's column (340 px on a 390 px screen, 1 pt = 1.35 px there),
its smallest text (9 pt) stays above 11 px. The layout is constrained, so the axes shrink
around the texts; tick labels along a crowded axis are thinned (every other one, and so on)
and the legend moves below the plot. The desktop rendition is not touched: this only ever
changes the figure it is given, which must be drawn for the purpose.
"""

from __future__ import annotations

import math

from matplotlib.ticker import FixedFormatter, FixedLocator

from analysis.charts import Chart

#: The narrow rendition's width in inches (72 pt each): 252 pt.
NARROW_WIDTH_IN = 3.5

#: The most x tick labels kept on a narrow chart's axis.
MAX_X_LABELS = 3


def narrow(chart: Chart, width: float = NARROW_WIDTH_IN) -> Chart:
    """``chart`` redrawn ``width`` inches wide (the height kept, at least 2.6 in), x tick
    labels at fixed positions (quarters, times) thinned to at most ``MAX_X_LABELS`` (the last
    one always kept) and legends gathered under the axes in one column (the figure grows to
    hold them). Returns the same chart, changed in place."""
    fig = chart.figure
    _, height = fig.get_size_inches()
    fig.set_size_inches(width, max(height, 2.6))
    handles: list = []
    names: list[str] = []
    size = None
    for ax in fig.axes:
        texts = [t.get_text() for t in ax.get_xticklabels()]
        fixed = isinstance(ax.xaxis.get_major_locator(), FixedLocator)
        if fixed and len(texts) > MAX_X_LABELS and any(texts):
            step = math.ceil(len(texts) / MAX_X_LABELS)
            keep = set(range(len(texts) - 1, -1, -step))
            thinned = [t if i in keep else "" for i, t in enumerate(texts)]
            ax.xaxis.set_major_formatter(FixedFormatter(thinned))
        legend = ax.get_legend()
        if legend is not None:
            if legend.get_texts():
                size = legend.get_texts()[0].get_fontsize()
            more_handles, more_names = ax.get_legend_handles_labels()
            handles += more_handles
            names += more_names
            legend.remove()
    if handles:
        fig.legend(
            handles,
            names,
            loc="outside lower center",
            ncol=1,
            fontsize=size,
            frameon=False,
        )
        # one legend row (9 pt text, about 0.2 in) more for each entry: the axes keep their
        # height
        fig.set_size_inches(width, fig.get_size_inches()[1] + 0.2 * len(names))
    return chart
