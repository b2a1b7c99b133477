"""analysis.charts: every chart gives SVG/PNG/PDF bytes, carries its title and a text
alternative that mentions the data, draws hidden heatmap cells differently, and gives the same
SVG bytes for the same input."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest
from matplotlib.figure import Figure

from analysis import charts
from analysis.charts import Chart

MAGIC = {"svg": b"<svg", "png": b"\x89PNG", "pdf": b"%PDF"}


def _trend() -> Chart:
    return charts.iq_trend(
        quarters=["2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1"],
        values=[96.0, None, 101.0, 104.0, 111.0],
        lows=[90.0, None, 95.0, 99.0, 105.0],
        highs=[102.0, None, 107.0, 110.0, 117.0],
        organisation=[100.0, 100.5, None, 101.0, 102.0],
        markers={"2026Q1": "up"},
        title="IT: internal service IQ by quarter",
        ylabel="IQ",
    )


def _profile() -> Chart:
    return charts.dimension_profile(
        dimensions=["Reliability", "Responsiveness", "Courtesy"],
        values=[72.0, 58.5, 81.0],
        organisation=[65.0, None, 70.0],
        title="IT: dimensions against the organisation",
    )


def _heatmap() -> Chart:
    return charts.heatmap(
        row_labels=["IT", "HR"],
        col_labels=["ENG", "SALES", "FIN"],
        values=[[None, None, 64.0], [50.0, 25.0, 90.0]],
        title="Who serves whom: relationship score, 2026Q1",
        row_title="Provider",
        col_title="Customer",
    )


def _forest() -> Chart:
    return charts.forest_plot(
        labels=["Information technology", "Finance", "Human resources"],
        estimates=[118.0, 101.0, 84.0],
        lows=[109.0, 93.0, 76.0],
        highs=[127.0, 109.0, 92.0],
        reference=100.0,
        title="Internal service IQ, 2026Q1",
        xlabel="IQ (95% interval)",
    )


CHARTS: dict[str, Callable[[], Chart]] = {
    "trend": _trend,
    "profile": _profile,
    "heatmap": _heatmap,
    "forest": _forest,
}


@pytest.fixture(scope="module")
def drawn() -> dict[str, Chart]:
    return {name: draw() for name, draw in CHARTS.items()}


@pytest.fixture(scope="module")
def svgs(drawn: dict[str, Chart]) -> dict[str, bytes]:
    return {name: charts.to_bytes(chart.figure, "svg") for name, chart in drawn.items()}


@pytest.mark.parametrize("name", CHARTS)
def test_chart_object(drawn: dict[str, Chart], name: str) -> None:
    chart = drawn[name]
    assert isinstance(chart.figure, Figure)
    assert chart.title and chart.alt_text
    assert chart.alt == chart.alt_text
    assert chart.alt_text.startswith(chart.title)


@pytest.mark.parametrize("name", CHARTS)
@pytest.mark.parametrize("fmt", ["svg", "png", "pdf"])
def test_bytes_have_the_right_magic(drawn: dict[str, Chart], name: str, fmt: str) -> None:
    data = charts.to_bytes(drawn[name].figure, fmt)
    assert MAGIC[fmt] in data[:400]


@pytest.mark.parametrize("name", CHARTS)
def test_svg_is_valid_and_contains_the_title(
    drawn: dict[str, Chart], svgs: dict[str, bytes], name: str
) -> None:
    svg = svgs[name]
    ET.fromstring(svg)  # well-formed XML
    assert drawn[name].title.encode() in svg
    assert b"<dc:date>" not in svg  # no date: cacheable


@pytest.mark.parametrize("name", CHARTS)
def test_same_input_gives_identical_svg(svgs: dict[str, bytes], name: str) -> None:
    again = charts.to_bytes(CHARTS[name]().figure, "svg")
    assert again == svgs[name]


def test_different_input_gives_different_svg(svgs: dict[str, bytes]) -> None:
    other = charts.dimension_profile(
        dimensions=["Reliability", "Responsiveness", "Courtesy"],
        values=[72.0, 58.5, 80.0],
        organisation=[65.0, None, 70.0],
        title="IT: dimensions against the organisation",
    )
    assert charts.to_bytes(other.figure, "svg") != svgs["profile"]


def test_heatmap_draws_hidden_cells_hatched_and_labelled(svgs: dict[str, bytes]) -> None:
    svg = svgs["heatmap"]
    assert b'id="hidden-cell-0-0"' in svg and b'id="hidden-cell-0-1"' in svg
    assert b'id="hidden-cell-1-0"' not in svg
    assert b"<pattern" in svg  # the hatching
    assert svg.count(b">hidden<") == 2  # each hidden cell labelled
    for value in (b">64<", b">50<", b">25<", b">90<"):
        assert value in svg
    clear = charts.heatmap(["IT"], ["ENG"], [[70.0]], "All shown")
    clear_svg = charts.to_bytes(clear.figure, "svg")
    assert b"<pattern" not in clear_svg and b"hidden-cell" not in clear_svg


def test_alt_texts_describe_the_data(drawn: dict[str, Chart]) -> None:
    trend = drawn["trend"].alt_text
    assert "96 in 2025Q1" in trend and "111 in 2026Q1" in trend
    assert "105 to 117" in trend and "organisation 102" in trend and "up in 2026Q1" in trend
    profile = drawn["profile"].alt_text
    assert "Reliability 72 (organisation 65)" in profile and "Courtesy 81" in profile
    heat = drawn["heatmap"].alt_text
    assert "2 providers by 3 customers" in heat and "4 cells shown, 2 hidden" in heat
    assert "highest 90 (HR for FIN)" in heat and "lowest 25 (HR for SALES)" in heat
    forest = drawn["forest"].alt_text
    assert "3 departments" in forest and "Information technology 118" in forest
    assert "1 with the whole interval above 100" in forest


def test_texts_and_alt_text_can_be_replaced() -> None:
    chart = charts.dimension_profile(
        ["Affidabilità"],
        [70.0],
        [60.0],
        "Dimensioni",
        texts={"organisation": "Organizzazione", "value": "Reparto", "xlabel": "Punteggio"},
        alt_text="Affidabilità 70, organizzazione 60.",
    )
    assert chart.alt_text == "Affidabilità 70, organizzazione 60."
    svg = charts.to_bytes(chart.figure, "svg")
    assert b"Organizzazione" in svg and b"Punteggio" in svg


def test_dollar_signs_are_drawn_literally() -> None:
    chart = charts.forest_plot(["R$D $ team"], [100.0], [None], [None], title="Cost $ and $ time")
    svg = charts.to_bytes(chart.figure, "svg")
    assert b"Cost $ and $ time" in svg and b"R$D $ team" in svg


def test_characters_xml_cannot_hold_are_drawn_as_replacement_characters() -> None:
    """A name or title with a control character, U+FFFE or a lone surrogate still gives SVG
    that an XML parser reads (the pages inline it through one), each such character drawn as
    U+FFFD; a "$" beside them stays literal."""
    odd = "\x01\x0c\x1b\ufffe\ud800"
    forest = charts.forest_plot([f"R$D{odd}"], [100.0], [None], [None], title=f"T{odd}")
    heatmap = charts.heatmap([f"IT{odd}"], [f"HR{odd}"], [[50.0]], title=f"H{odd}")
    for chart, label in ((forest, "R$D"), (heatmap, "IT")):
        texts = "".join(ET.fromstring(charts.to_bytes(chart.figure, "svg")).itertext())
        assert label + "\ufffd" * 5 in texts
        assert not any(c in texts for c in odd)


def test_empty_and_degenerate_inputs() -> None:
    empty_trend = charts.iq_trend(["2026Q1"], [None], [None], [None], [None], {}, "Nothing")
    assert "No values" in empty_trend.alt_text
    charts.to_bytes(empty_trend.figure, "svg")
    empty_forest = charts.forest_plot([], [], [], [], title="Nobody")
    assert "No departments" in empty_forest.alt_text


def test_bad_input_is_rejected(drawn: dict[str, Chart]) -> None:
    with pytest.raises(ValueError):
        charts.to_bytes(drawn["trend"].figure, "gif")
    with pytest.raises(ValueError):
        charts.iq_trend(["2026Q1"], [1.0, 2.0], [None], [None], [None], {}, "Bad")
    with pytest.raises(ValueError):
        charts.heatmap(["A"], ["B", "C"], [[1.0]], "Bad")
    with pytest.raises(ValueError):
        charts.heatmap([], [], [], "Nothing")


def test_palette_is_okabe_ito() -> None:
    assert charts.DEPARTMENT == "#0072B2" and charts.ORGANISATION == "#000000"
    assert set(charts.OKABE_ITO.values()) == {
        "#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
    }  # fmt: skip


@pytest.mark.parametrize("name", CHARTS)
def test_saving_the_same_figure_again_gives_the_same_svg(
    drawn: dict[str, Chart], svgs: dict[str, bytes], name: str
) -> None:
    charts.to_bytes(drawn[name].figure, "png")
    assert charts.to_bytes(drawn[name].figure, "svg") == svgs[name]


def test_large_heatmap_stays_a_page_and_draws_in_linear_time() -> None:
    """200 x 200 departments: the figure keeps a page size, hidden cells go into one mesh and
    no per-cell text is drawn (the page lists the numbers in a table)."""
    import random

    rng = random.Random(3)
    n = 200
    labels = [f"D{i:03d}" for i in range(n)]
    values = [
        [None if rng.random() < 0.5 else rng.uniform(0, 100) for _ in range(n)] for _ in range(n)
    ]
    chart = charts.heatmap(labels, labels, values, "Who serves whom")
    width, height = chart.figure.get_size_inches()
    assert width <= charts.MAX_WIDTH_IN and height <= charts.MAX_HEIGHT_IN
    assert len(chart.figure.axes[0].texts) == 0
    svg = charts.to_bytes(chart.figure, "svg")
    assert svg.startswith(b"<?xml") or b"<svg" in svg[:500]
    assert len(svg) < 2_000_000


def test_heatmap_tells_no_figure_from_a_hidden_one() -> None:
    """A department and itself, or a pair with no answers: "—" on plain gray, no hatching;
    only a figure that exists and is suppressed is hatched and called hidden."""
    chart = charts.heatmap(
        ["IT", "HR"],
        ["IT", "HR", "FIN"],
        [[None, 60.0, None], [None, None, 71.0]],
        "Who serves whom",
        empty=[[True, False, False], [False, True, False]],
    )
    svg = charts.to_bytes(chart.figure, "svg")
    assert b'id="hidden-cell-0-2"' in svg and b'id="hidden-cell-1-0"' in svg
    assert b'id="hidden-cell-0-0"' not in svg and b'id="hidden-cell-1-1"' not in svg
    assert svg.count(b">hidden<") == 2 and svg.count("—".encode()) == 2
    with pytest.raises(ValueError):
        charts.heatmap(["IT"], ["HR"], [[None]], "x", empty=[[True, False]])


def test_heatmap_colours_neighbouring_values_apart() -> None:
    """Scores 71 and 79 in a map ranging 60..90 fall in different colour steps."""
    chart = charts.heatmap(["A", "B", "C"], ["X"], [[61.0], [71.0], [79.0]], "t")
    image = chart.figure.axes[0].images[0]
    colours = {tuple(image.cmap(image.norm(v))) for v in (71.0, 79.0, 61.0)}
    assert len(colours) == 3


def _ylim(values: list[float | None], **kw: object) -> tuple[float, float]:
    chart = charts.iq_trend(
        ["2025Q1", "2025Q2", "2025Q3"],
        values,
        [None] * 3,
        [None] * 3,
        [None] * 3,
        {},
        "t",
        **kw,  # type: ignore[arg-type]
    )
    return chart.figure.axes[0].get_ylim()


def test_trends_share_one_scale_that_widens_only_to_fit() -> None:
    calm = _ylim([98.0, 101.0, 99.0], ylim=(55.0, 145.0))
    wide = _ylim([120.0, 92.0, 127.0], ylim=(55.0, 145.0))
    assert calm == wide == (55.0, 145.0)
    assert _ylim([150.0, 92.0, 127.0], ylim=(55.0, 145.0))[1] >= 150.0
    assert _ylim([98.0, 101.0, 99.0]) != (55.0, 145.0)  # without a scale: autoscaled


def test_trend_draws_every_flag_and_rings_partial_quarters() -> None:
    chart = charts.iq_trend(
        ["2025Q1", "2025Q2", "2025Q3", "2025Q4"],
        [90.0, 110.0, 95.0, 96.0],
        [None] * 4,
        [None] * 4,
        [None] * 4,
        {"2025Q2": "up", "2025Q3": "down"},
        "t",
        partial=["2025Q4"],
    )
    labels = chart.figure.axes[0].get_legend_handles_labels()[1]
    assert "Significant improvement" in " ".join(labels) or any("up" in x.lower() for x in labels)
    assert "Fewer components this quarter" in labels
    collections = chart.figure.axes[0].collections
    offsets = [tuple(c.get_offsets()[0]) for c in collections if len(c.get_offsets()) == 1]
    assert (1.0, 110.0) in offsets and (2.0, 95.0) in offsets and (3.0, 96.0) in offsets
