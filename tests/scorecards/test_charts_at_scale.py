"""The overview's charts of a 200-department organisation stay cheap to draw: a worker's
memory must not jump by a hundred megabytes the first time it draws them."""

from __future__ import annotations

import random
import tracemalloc

import numpy as np

from analysis import charts
from survey.scorecards.services.chart_cache import inline_svg

N = 200


def _labels() -> list[str]:
    return [f"D{i:03d}" for i in range(N)]


def test_a_dense_heatmap_is_saved_without_resampling_the_plot() -> None:
    rng = random.Random(5)
    values = [
        [None if rng.random() < 0.5 else rng.uniform(0, 100) for _ in range(N)] for _ in range(N)
    ]
    chart = charts.heatmap(_labels(), _labels(), values, "Who serves whom")
    tracemalloc.start()
    try:
        svg = charts.to_bytes(chart.figure, "svg")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * 2**20  # was about 120 MB: the image resampled to the whole canvas
    assert b'id="hidden-cells"' in svg  # the hidden cells, one hatched image
    markup = inline_svg(svg, "Who serves whom", "A grid", "heat")
    assert markup.count('image-rendering="pixelated"') == 2  # scores and hidden cells crisp


def test_hidden_cells_of_a_dense_heatmap_are_hatched() -> None:
    hidden = [[True, False], [False, True]]
    image = charts._hatched_cells(np.array(hidden))
    size = charts.HATCH_PIXELS
    assert image.shape == (2 * size, 2 * size, 4)
    assert (image[:size, size:, 3] == 0).all()  # a shown cell stays transparent
    block = image[:size, :size]
    assert (block[..., 3] == 255).all()
    assert len({tuple(p) for p in block.reshape(-1, 4)}) == 2  # fill and hatch line


def test_forest_plot_of_many_departments_draws_few_artists() -> None:
    rng = random.Random(6)
    estimates = [rng.uniform(80, 120) for _ in range(N)]
    chart = charts.forest_plot(
        _labels(), estimates, [e - 5 for e in estimates], [e + 5 for e in estimates], title="IQ"
    )
    assert len(chart.figure.axes[0].collections) == 3  # intervals, caps, estimates
    svg = charts.to_bytes(chart.figure, "svg")
    assert svg.count(b"D199") >= 1
