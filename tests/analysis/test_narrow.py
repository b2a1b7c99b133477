"""The narrow rendition of a chart (phones): 3.5 in wide, crowded quarter labels thinned,
the legend under the axes, no text smaller than the wide chart's smallest, the data drawn
unchanged."""

from __future__ import annotations

import re

from analysis import charts
from analysis.narrow import MAX_X_LABELS, NARROW_WIDTH_IN, narrow

QUARTERS = [f"{2024 + i // 4}Q{i % 4 + 1}" for i in range(8)]


def _trend() -> charts.Chart:
    return charts.iq_trend(
        QUARTERS,
        [100.0 + i for i in range(8)],
        [95.0 + i for i in range(8)],
        [105.0 + i for i in range(8)],
        [100.0] * 8,
        {QUARTERS[3]: "up"},
        "IQ trend",
        reference=100,
    )


def _font_sizes(svg: bytes) -> list[float]:
    return [float(m) for m in re.findall(rb"font[^;\"]*?([0-9.]+)px", svg)]


def test_the_narrow_trend_is_narrow_with_fewer_quarter_labels_and_the_same_texts() -> None:
    wide = _trend()
    wide_svg = charts.to_bytes(wide.figure, "svg")
    chart = narrow(_trend())
    assert chart.figure.get_size_inches()[0] == NARROW_WIDTH_IN
    svg = charts.to_bytes(chart.figure, "svg")
    width_pt = float(re.search(rb'width="([0-9.]+)pt"', svg)[1])  # type: ignore[index]
    assert width_pt == NARROW_WIDTH_IN * 72
    shown = [t.get_text() for t in chart.figure.axes[0].get_xticklabels() if t.get_text()]
    assert 1 < len(shown) <= MAX_X_LABELS and shown[-1] == QUARTERS[-1]
    # The legend moved from the axes to the figure, every entry kept.
    assert chart.figure.axes[0].get_legend() is None
    assert len(chart.figure.legends) == 1
    assert {t.get_text() for t in chart.figure.legends[0].get_texts()} >= {
        "Department",
        "Organisation",
        "95% interval",
        "Significant improvement",
    }
    assert min(_font_sizes(svg)) >= min(_font_sizes(wide_svg))
    assert chart.alt_text == wide.alt_text


def test_a_numeric_axis_keeps_its_ticks_without_warning() -> None:
    chart = narrow(
        charts.dimension_profile(["Speed", "Care", "Skill"], [70.0, None, 60.0], [65.0] * 3, "D")
    )
    svg = charts.to_bytes(chart.figure, "svg")
    assert b"100" in svg and b"50" in svg  # the 0..100 score ticks are all there
    assert chart.figure.get_size_inches()[0] == NARROW_WIDTH_IN
