"""Charts of the scorecards, drawn on ``matplotlib.figure.Figure`` (never pyplot).

Each chart function takes plain data (labels, numbers, ``None`` for a hidden or missing
value) and returns a ``Chart``: the figure, its title and a text alternative that describes
the data in a sentence or two (for ``<desc>``/``alt`` and screen readers). ``to_bytes`` turns
a figure into SVG, PNG or PDF bytes; SVG output is byte-identical for identical input (fixed
hash salt, no date), so it can be cached by the data it draws.

Readability: the Okabe-Ito palette (safe for the common colour-vision deficiencies), and
every distinction also carried by shape, line style or hatching so that a grayscale print
reads the same. Hidden heatmap cells are hatched and labelled, never just left blank.

Default texts (legends, panel titles, the text alternative) are English; every chart takes
``texts`` to replace them (the keys are listed in each docstring) and ``alt_text`` to replace
the generated description, so a caller with translations can pass its own. Numbers drawn
(tick labels, values on bars and cells) are written by ``number`` when a chart is given one
(a ``NumberFormat``: value and decimals to text, e.g. "85,1" for an Italian reader), and the
trend's quarters by ``quarter_label``; without them they read "85.1" and "2026Q1". This
module knows no language: the caller passes the callables.
"""

from __future__ import annotations

import io
import math
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import BoundaryNorm, Normalize, to_rgba_array
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter

#: Okabe & Ito (2008), "Color Universal Design": distinguishable with any common colour
#: vision deficiency.
OKABE_ITO: Mapping[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
DEPARTMENT = OKABE_ITO["blue"]
ORGANISATION = OKABE_ITO["black"]
UP = OKABE_ITO["bluish_green"]
DOWN = OKABE_ITO["vermillion"]
HIDDEN_FILL = "#E6E6E6"
#: A heatmap cell with no figure at all (no dependency, a department and itself).
EMPTY_FILL = "#F4F4F4"
HIDDEN_EDGE = "#555555"
# Heatmaps with more cells than this drop the per-cell labels (the page's table has the numbers).
DENSE_CELLS = 900
MAX_WIDTH_IN = 14.0
MAX_HEIGHT_IN = 12.0
#: Sequential colour map for the heatmap: cividis is monotone in lightness (prints to a
#: clean gray ramp) and designed for colour-vision deficiencies.
HEATMAP_CMAP = "cividis"
#: Salt for the ids matplotlib writes into SVG; fixed so the same figure gives the same bytes.
SVG_HASH_SALT = "service-iq-charts"
FORMATS = ("svg", "png", "pdf")

_save_lock = threading.Lock()


@dataclass(frozen=True)
class Chart:
    """A drawn chart: the ``figure``, its ``title`` and ``alt_text``, a sentence describing
    the data for readers who cannot see the picture (``alt`` is the same text)."""

    figure: Figure
    title: str
    alt_text: str

    @property
    def alt(self) -> str:
        return self.alt_text


def to_bytes(figure: Figure, fmt: str, *, dpi: float = 150) -> bytes:
    """The figure as ``fmt`` bytes: "svg" (text kept as text, no date, fixed id salt:
    identical figures give identical bytes), "png" (at ``dpi``) or "pdf" (no creation date).
    Other formats raise ``ValueError``.

    The first call lays the figure out once and then fixes that layout (constrained layout
    would otherwise move things slightly on every save), so saving the same figure again,
    in any format, gives the same picture. Saving holds a lock because matplotlib's SVG
    settings are process-wide."""
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {fmt!r}")
    metadata: dict[str, str | None] = {}
    if fmt == "svg":
        metadata = {"Date": None}
    elif fmt == "pdf":
        metadata = {"CreationDate": None}
    buffer = io.BytesIO()
    with (
        _save_lock,
        mpl.rc_context({"svg.hashsalt": SVG_HASH_SALT, "svg.fonttype": "none"}),
    ):
        fix_layout(figure)
        figure.savefig(buffer, format=fmt, dpi=dpi, metadata=metadata)
    return buffer.getvalue()


def fix_layout(figure: Figure) -> None:
    """Run the figure's layout engine once and fix the result (a figure without one is left
    as it is), then take the engine away. Saving then draws the figure once: with an engine,
    matplotlib draws it twice per save (a pass to lay it out, then the real one). The layout
    measures text as the screen renderer does, whatever the format saved later.

    Images are left out of the layout pass: they sit inside their axes and do not move
    anything, and drawing them there would resample each one to the whole canvas in floating
    point (tens of megabytes for a large heatmap) only to throw the pixels away. The engine
    runs alone, not within a draw: a draw would run it and then draw every artist for
    nothing (a quarter of a scorecard's chart time; the saved bytes are the same)."""
    images = [image for ax in figure.axes for image in ax.images if image.get_visible()]
    for image in images:
        image.set_visible(False)
    try:
        engine = figure.get_layout_engine()
        if engine is not None:
            engine.execute(figure)
    finally:
        for image in images:
            image.set_visible(True)
    # No engine at all, not the "none" placeholder: matplotlib lays out (draws with drawing
    # switched off) before every save of a figure that has any engine, placeholder included.
    with mpl.rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
        figure.set_layout_engine(None)


# --- helpers ---


#: Characters XML 1.0 cannot hold: C0 controls other than tab, line feed and carriage return,
#: lone surrogates, U+FFFE and U+FFFF. matplotlib writes SVG text as it is given, so one of
#: them in a name (a form feed pasted from another document) made the chart's SVG unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _plain(text: str) -> str:
    """Text drawn literally: a "$" in a department name must not start mathtext, and a
    character XML cannot hold (``_NOT_XML``) is drawn as U+FFFD, so the SVG stays
    well-formed (it is read as XML to be inlined in a page). Other text is unchanged."""
    return _NOT_XML.sub("\ufffd", text).replace("$", r"\$")


#: Writes a number with a given count of decimals in the reader's conventions.
NumberFormat = Callable[[float, int], str]


def _num(value: float | None, digits: int = 0, number: NumberFormat | None = None) -> str:
    if value is None:
        return "–"
    return f"{value:.{digits}f}" if number is None else number(float(value), digits)


def _tick_digits(value: float) -> int:
    """Decimals a tick value needs: 0 for whole numbers, else 1 or 2."""
    for digits in (0, 1):
        if abs(value - round(value, digits)) < 1e-9:
            return digits
    return 2


def _number_ticks(axis: object, number: NumberFormat | None) -> None:
    """Tick labels of a numeric ``axis`` written by ``number`` (left to matplotlib without).
    Each value is written once per axis: matplotlib asks for every tick's label many times
    while it lays a chart out, and the reader's number format costs tens of microseconds."""
    if number is None:
        return
    written: dict[float, str] = {}

    def label(value: float, _pos: object) -> str:
        value = float(value)
        if value not in written:
            written[value] = number(value, _tick_digits(value))
        return written[value]

    axis.set_major_formatter(FuncFormatter(label))  # type: ignore[attr-defined]


def _text(texts: Mapping[str, str] | None, defaults: Mapping[str, str], key: str) -> str:
    return (texts or {}).get(key, defaults[key])


def _floats(values: Sequence[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else float(v) for v in values], dtype=float)


def _same_length(**sequences: Sequence[object]) -> int:
    lengths = {name: len(seq) for name, seq in sequences.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"sequences must have the same length, got {lengths}")
    return next(iter(lengths.values()), 0)


#: The smallest text of a chart, in points: shown at its natural size (1 pt = 4/3 px) on a
#: phone, 9 pt is 12 px (the pages ask for at least 11 px). Only a large heatmap's thinned
#: tick labels are smaller.
SMALL_TEXT = 9


def _style(ax: Axes) -> None:
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)


def _figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def _title(fig: Figure, title: str) -> None:
    fig.suptitle(_plain(title), fontsize=12, fontweight="bold")


# --- IQ trend ---

TREND_TEXTS: Mapping[str, str] = {
    "value": "Department",
    "interval": "95% interval",
    "organisation": "Organisation",
    "up": "Significant improvement",
    "down": "Significant decline",
    "no_data": "No data",
    "partial": "Fewer components this quarter",
}


def iq_trend(
    quarters: Sequence[str],
    values: Sequence[float | None],
    lows: Sequence[float | None],
    highs: Sequence[float | None],
    organisation: Sequence[float | None],
    markers: Mapping[str, str],
    title: str,
    ylabel: str = "IQ",
    *,
    reference: float | None = None,
    ylim: tuple[float, float] | None = None,
    partial: Sequence[str] = (),
    texts: Mapping[str, str] | None = None,
    alt_text: str | None = None,
    number: NumberFormat | None = None,
    quarter_label: Callable[[str], str] | None = None,
) -> Chart:
    """A department's IQ (or ISQ) by quarter with its interval band and the organisation line.

    ``quarters`` label the x axis (oldest first); ``values``, ``lows``, ``highs`` and
    ``organisation`` hold one number per quarter or ``None`` (hidden or no data: a gap in
    the line and the band). ``markers`` maps a quarter to "up" or "down" for a significant
    change (drawn as a triangle pointing that way). ``reference`` draws a horizontal line
    (e.g. 100 on the IQ scale). ``ylim`` fixes the y axis (the same for every department, so
    that a small wobble does not look like a collapse); it widens to fit the data. ``partial``
    names quarters whose value rests on fewer components than the others (drawn with an open
    ring around the point). ``texts`` keys: value, interval, organisation, up, down, partial,
    no_data. ``number`` writes the y tick labels and ``quarter_label`` the quarters under
    the x axis (module docstring). All sequences must have the same length (``ValueError``
    otherwise).
    """
    n = _same_length(
        quarters=quarters, values=values, lows=lows, highs=highs, organisation=organisation
    )
    x = np.arange(n)
    y, lo, hi, org = _floats(values), _floats(lows), _floats(highs), _floats(organisation)
    fig = _figure(7.0, 3.8)
    ax = fig.add_subplot()
    _style(ax)
    band = ~np.isnan(lo) & ~np.isnan(hi)
    if band.any():
        ax.fill_between(
            x,
            np.where(band, lo, np.nan),
            np.where(band, hi, np.nan),
            where=band,
            color=DEPARTMENT,
            alpha=0.2,
            linewidth=0,
            label=_text(texts, TREND_TEXTS, "interval"),
        )
    if (~np.isnan(org)).any():
        ax.plot(
            x,
            org,
            color=ORGANISATION,
            linestyle="--",
            marker="s",
            markersize=4,
            linewidth=1.2,
            label=_text(texts, TREND_TEXTS, "organisation"),
        )
    if (~np.isnan(y)).any():
        ax.plot(
            x,
            y,
            color=DEPARTMENT,
            marker="o",
            markersize=6,
            linewidth=2,
            label=_text(texts, TREND_TEXTS, "value"),
        )
    else:
        ax.text(
            0.5,
            0.5,
            _plain(_text(texts, TREND_TEXTS, "no_data")),
            transform=ax.transAxes,
            ha="center",
            va="center",
        )
    position = {q: i for i, q in enumerate(quarters)}
    for direction, marker, colour in (("up", "^", UP), ("down", "v", DOWN)):
        points = [position[q] for q, d in markers.items() if d == direction and q in position]
        points = [i for i in points if not math.isnan(y[i])]
        if points:
            ax.scatter(
                points,
                y[points],
                marker=marker,
                s=160,
                color=colour,
                edgecolors="black",
                linewidths=1,
                zorder=5,
                label=_text(texts, TREND_TEXTS, direction),
            )
    rings = [position[q] for q in partial if q in position and not math.isnan(y[position[q]])]
    if rings:
        ax.scatter(
            rings,
            y[rings],
            marker="o",
            s=260,
            facecolors="none",
            edgecolors=OKABE_ITO["orange"],
            linewidths=2,
            zorder=6,
            label=_text(texts, TREND_TEXTS, "partial"),
        )
    if reference is not None:
        ax.axhline(reference, color="#777777", linewidth=0.8, linestyle=":")
    if ylim is not None:
        finite = np.concatenate([a[~np.isnan(a)] for a in (y, lo, hi, org)] + [np.array(ylim)])
        ax.set_ylim(min(ylim[0], float(finite.min())), max(ylim[1], float(finite.max())))
    ax.set_xticks(x, [_plain(quarter_label(q) if quarter_label else q) for q in quarters])
    _number_ticks(ax.yaxis, number)
    ax.set_xlim(-0.5, max(n - 0.5, 0.5))
    ax.set_ylabel(_plain(ylabel))
    ax.grid(axis="y", color="#DDDDDD", linewidth=0.6)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="best", fontsize=SMALL_TEXT, frameon=False)
    _title(fig, title)
    return Chart(fig, title, alt_text or _trend_alt(title, quarters, y, lo, hi, org, markers))


def _trend_alt(
    title: str,
    quarters: Sequence[str],
    y: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    org: np.ndarray,
    markers: Mapping[str, str],
) -> str:
    shown = [i for i in range(len(quarters)) if not math.isnan(y[i])]
    if not shown:
        return f"{title}. No values to show for {len(quarters)} quarters."
    first, last = shown[0], shown[-1]
    parts = [
        f"{title}. Line chart over {len(quarters)} quarters: "
        f"{_num(y[first])} in {quarters[first]}, {_num(y[last])} in {quarters[last]}"
    ]
    if not math.isnan(lo[last]) and not math.isnan(hi[last]):
        parts[0] += f" (95% interval {_num(lo[last])} to {_num(hi[last])})"
    low_i = min(shown, key=lambda i: y[i])
    high_i = max(shown, key=lambda i: y[i])
    parts.append(
        f"lowest {_num(y[low_i])} in {quarters[low_i]}, highest {_num(y[high_i])} in "
        f"{quarters[high_i]}"
    )
    if not math.isnan(org[last]):
        parts.append(f"organisation {_num(org[last])} in {quarters[last]}")
    flagged = [f"{d} in {q}" for q, d in sorted(markers.items()) if q in quarters]
    if flagged:
        parts.append("significant changes: " + ", ".join(flagged))
    return "; ".join(parts) + "."


# --- dimension profile ---

PROFILE_TEXTS: Mapping[str, str] = {
    "value": "This department",
    "organisation": "Organisation",
    "xlabel": "Score (0–100)",
}


def dimension_profile(
    dimensions: Sequence[str],
    values: Sequence[float | None],
    organisation: Sequence[float | None],
    title: str,
    *,
    texts: Mapping[str, str] | None = None,
    alt_text: str | None = None,
    number: NumberFormat | None = None,
    digits: int = 0,
) -> Chart:
    """The department's score per quarterly dimension (0..100) as horizontal bars, with the
    organisation's score as a black diamond on each bar (``None``: no value, no bar or no
    diamond for that dimension), each bar labelled with its value to ``digits`` decimals.
    ``texts`` keys: value, organisation, xlabel. ``number`` writes the numbers (module
    docstring). Sequences must have the same length."""
    n = _same_length(dimensions=dimensions, values=values, organisation=organisation)
    y = np.arange(n)
    own, org = _floats(values), _floats(organisation)
    fig = _figure(7.0, max(2.4, 0.55 * n + 1.3))
    ax = fig.add_subplot()
    _style(ax)
    ax.barh(
        y,
        np.nan_to_num(own),
        color=DEPARTMENT,
        edgecolor="black",
        linewidth=0.6,
        height=0.6,
        label=_text(texts, PROFILE_TEXTS, "value"),
    )
    for i, v in enumerate(own):
        if not math.isnan(v):
            ax.text(
                min(v, 100.0) + 1.5, i, _num(v, digits, number), va="center", fontsize=SMALL_TEXT
            )
    has_org = ~np.isnan(org)
    if has_org.any():
        ax.scatter(
            org[has_org],
            y[has_org],
            marker="D",
            s=50,
            color=ORGANISATION,
            edgecolors="white",
            linewidths=1,
            zorder=5,
            label=_text(texts, PROFILE_TEXTS, "organisation"),
        )
    ax.set_yticks(y, [_plain(d) for d in dimensions])
    ax.invert_yaxis()
    ax.set_xlim(0, 108)
    _number_ticks(ax.xaxis, number)
    ax.set_xlabel(_plain(_text(texts, PROFILE_TEXTS, "xlabel")))
    ax.grid(axis="x", color="#DDDDDD", linewidth=0.6)
    ax.set_axisbelow(True)
    if n:
        ax.legend(loc="lower right", fontsize=SMALL_TEXT, frameon=True)
    _title(fig, title)
    if alt_text is None:
        rows = [
            f"{d} {_num(v)}" + ("" if math.isnan(o) else f" (organisation {_num(o)})")
            for d, v, o in zip(dimensions, own, org, strict=True)
        ]
        alt_text = f"{title}. Scores out of 100 by dimension: " + "; ".join(rows) + "."
        if not rows:
            alt_text = f"{title}. No dimension scores to show."
    return Chart(fig, title, alt_text)


# --- heatmap ---

HEATMAP_TEXTS: Mapping[str, str] = {
    "hidden": "hidden",
    "empty": "—",
    "colorbar": "Score (0–100)",
}


def heatmap(
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    values: Sequence[Sequence[float | None]],
    title: str,
    row_title: str = "",
    col_title: str = "",
    *,
    vmin: float = 0.0,
    vmax: float = 100.0,
    empty: Sequence[Sequence[bool]] | None = None,
    texts: Mapping[str, str] | None = None,
    alt_text: str | None = None,
    number: NumberFormat | None = None,
) -> Chart:
    """Who serves whom: one cell per (row, column) pair, e.g. provider × customer department.

    ``values[r][c]`` is the score on ``vmin``..``vmax`` or ``None``. A ``None`` cell marked in
    ``empty`` has no figure at all (a department and itself, a pair with no dependency or no
    answers): plain light gray with "—". Any other ``None`` cell has a figure that is
    suppressed (anonymity gate, remainder rule): hatched gray labelled ``texts["hidden"]``, so a
    reader never mistakes either for a low score. Shown cells carry their value as text and a
    colour from a binned scale (5-point steps over the range shown, 10-point ones when it
    spans more than 40, so that neighbouring values differ visibly; cividis is readable with
    any common colour-vision deficiency).
    ``texts`` keys: hidden, empty, colorbar; ``number`` writes the cells' and the colour
    bar's numbers (module docstring). ``values`` (and ``empty``) must have one row per
    row label and one entry per column label, and there must be at least one of each
    (``ValueError`` otherwise).
    """
    rows, cols = len(row_labels), len(col_labels)
    if rows == 0 or cols == 0:
        raise ValueError("a heatmap needs at least one row and one column")
    if len(values) != rows or any(len(r) != cols for r in values):
        raise ValueError("values must have one row per row label and one cell per column")
    grid = np.array([_floats(r) for r in values], dtype=float).reshape(rows, cols)
    if empty is not None and (len(empty) != rows or any(len(r) != cols for r in empty)):
        raise ValueError("empty must have the shape of values")
    blank = np.zeros((rows, cols), dtype=bool) if empty is None else np.array(empty, dtype=bool)
    blank &= np.isnan(grid)
    hidden = np.isnan(grid) & ~blank
    dense = rows * cols > DENSE_CELLS
    # Cells shrink as the organisation grows, so the figure stays a readable page size
    # (a 200 x 200 map at the small-map cell size would be a poster of gigapixels).
    fig = _figure(
        min(MAX_WIDTH_IN, max(4.5, 0.7 * cols + 2.8)),
        min(MAX_HEIGHT_IN, max(3.0, 0.5 * rows + 1.8)),
    )
    ax = fig.add_subplot()
    shown = grid[~np.isnan(grid)]
    span = float(shown.max() - shown.min()) if shown.size else vmax - vmin
    step = 5.0 if span <= 40 else 10.0
    low = max(vmin, math.floor(float(shown.min()) / step) * step) if shown.size else vmin
    high = min(vmax, (math.floor(float(shown.max()) / step) + 1) * step) if shown.size else vmax
    if high - low < 2 * step:
        low, high = max(vmin, low - step), min(vmax, high + step)
    edges = np.arange(low, high + 0.001, step)
    cmap = mpl.colormaps[HEATMAP_CMAP].resampled(max(len(edges) - 1, 1))
    norm = BoundaryNorm(edges, cmap.N) if len(edges) > 1 else Normalize(vmin=vmin, vmax=vmax)
    # Dense maps embed their pixels as they are ("none"): resampling a 200 x 200 grid to the
    # output resolution would build a float image of the whole plot (tens of megabytes).
    image = ax.imshow(
        np.ma.masked_invalid(grid),
        cmap=cmap,
        norm=norm,
        aspect="auto",
        interpolation="none" if dense else "nearest",
    )
    hidden_label = _plain(_text(texts, HEATMAP_TEXTS, "hidden"))
    empty_label = _plain(_text(texts, HEATMAP_TEXTS, "empty"))
    if blank.any():
        ax.imshow(
            np.where(blank[..., None], to_rgba_array(EMPTY_FILL)[0], 0.0),
            aspect="auto",
            interpolation="none" if dense else "nearest",
            extent=(-0.5, cols - 0.5, rows - 0.5, -0.5),
            gid="empty-cells",
        )
    if dense:
        # One small image for every hidden cell, hatched in its pixels, and no per-cell text:
        # drawing cost and memory stay linear in the number of cells.
        ax.imshow(
            _hatched_cells(hidden),
            aspect="auto",
            interpolation="none",
            extent=(-0.5, cols - 0.5, rows - 0.5, -0.5),
            gid="hidden-cells",
        )
    for r in range(rows if not dense else 0):
        for c in range(cols):
            if blank[r, c]:
                ax.text(c, r, empty_label, ha="center", va="center", fontsize=9, color="#555555")
            elif hidden[r, c]:
                ax.add_patch(
                    Rectangle(
                        (c - 0.5, r - 0.5),
                        1,
                        1,
                        facecolor=HIDDEN_FILL,
                        edgecolor=HIDDEN_EDGE,
                        hatch="///",
                        linewidth=0.5,
                        gid=f"hidden-cell-{r}-{c}",
                    )
                )
                ax.text(
                    c,
                    r,
                    hidden_label,
                    ha="center",
                    va="center",
                    fontsize=SMALL_TEXT,
                    color="black",
                    backgroundcolor=HIDDEN_FILL,
                )
            else:
                red, green, blue, _alpha = cmap(norm(grid[r, c]))
                luminance = 0.299 * red + 0.587 * green + 0.114 * blue
                ax.text(
                    c,
                    r,
                    _num(grid[r, c], 0, number),
                    ha="center",
                    va="center",
                    fontsize=9,
                    color="black" if luminance > 0.5 else "white",
                )
    if dense:
        _sparse_ticks(ax, row_labels, col_labels)
        _finish_heatmap(fig, ax, image, rows, cols, row_title, col_title, texts, title, number)
        if alt_text is None:
            alt_text = _heatmap_alt(title, row_labels, col_labels, grid, row_title, col_title)
        return Chart(fig, title, alt_text)
    ax.set_xticks(np.arange(cols), [_plain(label) for label in col_labels], rotation=45, ha="right")
    ax.set_yticks(np.arange(rows), [_plain(label) for label in row_labels])
    ax.set_xlim(-0.5, cols - 0.5)
    ax.set_ylim(rows - 0.5, -0.5)
    if row_title:
        ax.set_ylabel(_plain(row_title))
    if col_title:
        ax.set_xlabel(_plain(col_title))
    colorbar = fig.colorbar(image, ax=ax, shrink=0.8)
    colorbar.set_label(_plain(_text(texts, HEATMAP_TEXTS, "colorbar")))
    _number_ticks(colorbar.ax.yaxis, number)
    _title(fig, title)
    if alt_text is None:
        alt_text = _heatmap_alt(title, row_labels, col_labels, grid, row_title, col_title)
    return Chart(fig, title, alt_text)


HATCH_PIXELS = 4  # pixels per cell side in the hidden-cell image of a dense heatmap


def _hatched_cells(hidden: np.ndarray) -> np.ndarray:
    """An RGBA image (uint8) with ``HATCH_PIXELS`` pixels per cell: hidden cells gray with a
    darker rising diagonal ("///"), every other cell transparent."""
    rows, cols = hidden.shape
    size = HATCH_PIXELS
    mask = np.repeat(np.repeat(hidden, size, axis=0), size, axis=1)
    y, x = np.indices(mask.shape)
    line = (x + y) % size == 0
    image = np.zeros((rows * size, cols * size, 4), dtype=np.uint8)
    fill = np.array(to_rgba_array(HIDDEN_FILL)[0] * 255, dtype=np.uint8)
    edge = np.array(to_rgba_array(HIDDEN_EDGE)[0] * 255, dtype=np.uint8)
    image[mask & ~line] = fill
    image[mask & line] = edge
    return image


def _sparse_ticks(ax: Axes, row_labels: Sequence[str], col_labels: Sequence[str]) -> None:
    """At most about 40 labels per axis, evenly spaced, in a small font."""
    for count, labels, setter in (
        (len(col_labels), col_labels, ax.set_xticks),
        (len(row_labels), row_labels, ax.set_yticks),
    ):
        step = max(1, math.ceil(count / 40))
        positions = np.arange(0, count, step)
        setter(positions, [_plain(labels[i]) for i in positions], fontsize=6)
    for label in ax.get_xticklabels():
        label.set_rotation(90)


def _finish_heatmap(
    fig: Figure,
    ax: Axes,
    image: object,
    rows: int,
    cols: int,
    row_title: str,
    col_title: str,
    texts: Mapping[str, str] | None,
    title: str,
    number: NumberFormat | None = None,
) -> None:
    ax.set_xlim(-0.5, cols - 0.5)
    ax.set_ylim(rows - 0.5, -0.5)
    if row_title:
        ax.set_ylabel(_plain(row_title))
    if col_title:
        ax.set_xlabel(_plain(col_title))
    colorbar = fig.colorbar(image, ax=ax, shrink=0.8)  # type: ignore[arg-type]
    colorbar.set_label(_plain(_text(texts, HEATMAP_TEXTS, "colorbar")))
    _number_ticks(colorbar.ax.yaxis, number)
    _title(fig, title)


def _heatmap_alt(
    title: str,
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    grid: np.ndarray,
    row_title: str,
    col_title: str,
) -> str:
    rows, cols = grid.shape
    shown = [(r, c) for r in range(rows) for c in range(cols) if not math.isnan(grid[r, c])]
    hidden = rows * cols - len(shown)
    what = f"{rows} {row_title.lower() or 'row'}s by {cols} {col_title.lower() or 'column'}s"
    text = f"{title}. Grid of {what}: {len(shown)} cells shown, {hidden} hidden or without data"
    if shown:
        best = max(shown, key=lambda rc: grid[rc])
        worst = min(shown, key=lambda rc: grid[rc])
        text += (
            f"; highest {_num(grid[best])} ({row_labels[best[0]]} for {col_labels[best[1]]}), "
            f"lowest {_num(grid[worst])} ({row_labels[worst[0]]} for {col_labels[worst[1]]})"
        )
    return text + "."


# --- forest plot ---


def forest_plot(
    labels: Sequence[str],
    estimates: Sequence[float | None],
    lows: Sequence[float | None],
    highs: Sequence[float | None],
    reference: float | None = 100.0,
    title: str = "",
    xlabel: str = "IQ (95% interval)",
    *,
    alt_text: str | None = None,
    number: NumberFormat | None = None,
) -> Chart:
    """Every department's estimate with its interval, one row each, in the given order
    (top first), with a dotted vertical line at ``reference`` (100, the baseline average on
    the IQ scale; ``None`` for none). A ``None`` bound draws the point alone; a ``None``
    estimate leaves its row empty. ``number`` writes the x tick labels (module docstring).
    Sequences must have the same length."""
    n = _same_length(labels=labels, estimates=estimates, lows=lows, highs=highs)
    y = np.arange(n)
    est, lo, hi = _floats(estimates), _floats(lows), _floats(highs)
    fig = _figure(7.0, max(2.4, 0.38 * n + 1.4))
    ax = fig.add_subplot()
    _style(ax)
    # Every interval in one collection and every end cap in another: two artists whatever
    # the number of departments (one per row made a 200-department plot slow to draw).
    bounded = ~(np.isnan(lo) | np.isnan(hi))
    if bounded.any():
        rows = y[bounded]
        ax.hlines(rows, lo[bounded], hi[bounded], color=DEPARTMENT, linewidth=2)
        ax.vlines(
            np.concatenate([lo[bounded], hi[bounded]]),
            np.concatenate([rows, rows]) - 0.15,
            np.concatenate([rows, rows]) + 0.15,
            color=DEPARTMENT,
            linewidth=1.2,
        )
    ax.scatter(est, y, marker="s", s=40, color="black", zorder=5)
    if reference is not None:
        ax.axvline(reference, color="#777777", linewidth=1, linestyle=":")
    ax.set_yticks(y, [_plain(label) for label in labels])
    ax.set_ylim(max(n, 1) - 0.5, -0.5)
    ax.set_xlabel(_plain(xlabel))
    _number_ticks(ax.xaxis, number)
    ax.grid(axis="x", color="#DDDDDD", linewidth=0.6)
    ax.set_axisbelow(True)
    _title(fig, title)
    if alt_text is None:
        alt_text = _forest_alt(title, labels, est, lo, hi, reference)
    return Chart(fig, title, alt_text)


def _forest_alt(
    title: str,
    labels: Sequence[str],
    est: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    reference: float | None,
) -> str:
    if np.isnan(est).all():
        return f"{title}. No departments to show."

    def row(i: int) -> str:
        interval = (
            ""
            if math.isnan(lo[i]) or math.isnan(hi[i])
            else f", interval {_num(lo[i])} to {_num(hi[i])}"
        )
        return f"{labels[i]} {_num(est[i])}{interval}"

    best, worst = int(np.nanargmax(est)), int(np.nanargmin(est))
    text = f"{title}. {len(labels)} departments; highest {row(best)}; lowest {row(worst)}"
    if reference is not None:
        above = int(np.sum(lo > reference))
        below = int(np.sum(hi < reference))
        text += (
            f"; {above} with the whole interval above {_num(reference)}, "
            f"{below} with the whole interval below"
        )
    return text + "."
