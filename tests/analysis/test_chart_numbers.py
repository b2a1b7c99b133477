"""Charts write numbers with the callable they are given (the app passes the reader's
language); without one they keep the locale-neutral "85.1"."""

from __future__ import annotations

from analysis import charts


def _comma(value: float, digits: int) -> str:
    return f"{value:.{digits}f}".replace(".", ",")


def _svg(chart: charts.Chart) -> str:
    return charts.to_bytes(chart.figure, "svg").decode("utf-8")


def test_dimension_values_and_ticks_use_the_given_number_format() -> None:
    args = (["Reliability", "Courtesy"], [85.14, 62.0], [70.0, None], "Dimensions")
    neutral = _svg(charts.dimension_profile(*args, digits=1))
    assert ">85.1<" in neutral and ">62.0<" in neutral and ">85,1<" not in neutral
    local = _svg(charts.dimension_profile(*args, digits=1, number=_comma))
    assert ">85,1<" in local and ">62,0<" in local and ">85.1<" not in local
    # Tick labels are written by the same callable (whole numbers stay whole).
    assert ">100<" in local


def test_trend_quarters_and_heatmap_cells_use_the_given_callables() -> None:
    trend = charts.iq_trend(
        ["2025Q4", "2026Q1"],
        [100.1, 100.4],
        [None, None],
        [None, None],
        [None, None],
        {},
        "Trend",
        ylim=(100.0, 100.5),
        number=_comma,
        quarter_label=lambda q: f"T{q[-1]} {q[:4]}",
    )
    svg = _svg(trend)
    assert ">T1 2026<" in svg and ">2026Q1<" not in svg
    assert ">100,1<" in svg and ">100.1<" not in svg  # tenth-point ticks, decimal comma
    heat = _svg(charts.heatmap(["IT"], ["HR"], [[1234.0]], "Map", vmax=2000.0, number=_comma))
    assert ">1234<" in heat
    marked = _svg(
        charts.heatmap(["IT"], ["HR"], [[1234.0]], "Map", vmax=2000.0, number=lambda v, d: "X")
    )
    assert ">X<" in marked and ">1234<" not in marked  # the cell and the colour bar
