"""The chart of times to first response and to resolution against the service standards:
shares worked out by hand, readable text sizes, the standards drawn where they are."""

from __future__ import annotations

import pytest
from matplotlib.lines import Line2D
from matplotlib.text import Text

from analysis import charts
from analysis.response_time_chart import MIN_FONT_PT, WIDTH_IN, Series, response_times


def _label(minutes: float) -> str:
    return f"{minutes / 60:g} h" if minutes < 2880 else f"{minutes / 1440:g} d"


def _chart(**kw):  # type: ignore[no-untyped-def]
    first = Series([3, 5, 2, 1, 0, 1], [60, 240, 480, 1440, 4320], 12, [60])
    resolution = Series([1, 4, 3, 2, 1, 0], [240, 1440, 4320, 10080, 20160], 12, [480])
    return response_times(first, resolution, "IT: time to answer and resolve", _label, **kw)


def test_cumulative_shares_by_hand() -> None:
    # 12 requests: 3 within 1 h, 8 within 4 h, 10 within 8 h, 11 within a day and within
    # 3 days; one later. Requests never answered count against every edge.
    series = Series([3, 5, 2, 1, 0, 1], [60, 240, 480, 1440, 4320], 12)
    assert series.cumulative() == pytest.approx([25.0, 200 / 3, 250 / 3, 275 / 3, 275 / 3])
    unanswered = Series([1, 1, 0], [60, 240], 4)  # two of four not answered yet
    assert unanswered.cumulative() == pytest.approx([25.0, 50.0])
    with pytest.raises(ValueError, match="one more count"):
        Series([1, 2], [60, 120], 3).cumulative()


def test_the_lines_and_the_standards() -> None:
    chart = _chart()
    ax = chart.figure.axes[0]
    lines = [line for line in ax.get_lines() if len(line.get_xdata()) > 2]
    assert [list(line.get_xdata()) for line in lines] == [
        [60, 240, 480, 1440, 4320],
        [240, 1440, 4320, 10080, 20160],
    ]
    assert list(lines[0].get_ydata()) == pytest.approx([25.0, 200 / 3, 250 / 3, 275 / 3, 275 / 3])
    # The standards as vertical lines at 1 h and 8 h, each labelled with its time.
    verticals = sorted(
        line.get_xdata()[0]
        for line in ax.get_lines()
        if len(line.get_xdata()) == 2 and line.get_xdata()[0] == line.get_xdata()[1]
    )
    assert verticals == [60, 480]
    labels = {t.get_text() for t in ax.texts}
    assert {"1 h", "8 h"} <= labels
    assert ax.get_xscale() == "log"
    svg = charts.to_bytes(chart.figure, "svg").decode()
    assert "Service" not in svg and "Standard" in svg and "First response" in svg


def test_text_is_readable_at_a_phone_width() -> None:
    chart = _chart(texts={"standard": "Service standard"})
    fig = chart.figure
    charts.to_bytes(fig, "svg")  # lays the figure out
    sizes = [
        t.get_fontsize() for t in fig.findobj(Text) if t.get_text().strip() and t.get_visible()
    ]
    assert sizes and min(sizes) >= MIN_FONT_PT
    # The SVG is drawn at its width in CSS pixels (1 pt = 4/3 px) and scaled to the column:
    # at 330 px, the smallest text is still at least 11 px.
    figure_px = WIDTH_IN * 72 * 4 / 3
    assert min(sizes) * 4 / 3 * 330 / figure_px >= 11
    assert fig.get_size_inches()[0] == WIDTH_IN


def test_missing_parts() -> None:
    only_first = response_times(Series([1, 1], [60], 2, []), None, "T", _label)
    ax = only_first.figure.axes[0]
    assert len([line for line in ax.get_lines() if isinstance(line, Line2D)]) >= 1
    empty = response_times(None, None, "Nothing", _label, alt_text="Nothing to show.")
    assert not empty.figure.axes[0].axison and empty.alt_text == "Nothing to show."
    with pytest.raises(ValueError, match="positive"):
        response_times(Series([1, 1], [0], 2), None, "Bad", _label)
