"""A4 report pages drawn with matplotlib: text that wraps, tables that continue on the next
page with their header repeated, charts placed at their own size, and a header and footer on
every page.

Everything is measured in PostScript points (1/72 inch) from the top left corner of the page,
as a reader measures paper: ``Flow`` keeps a cursor ``y`` that moves down as blocks are added
and opens a new page when a block does not fit above the bottom margin. Text is measured with
the font it is drawn in (``text_width``), so a wrapped line never runs into the margin; a word
longer than a whole line is broken between characters rather than cut off.

No pyplot: pages are plain ``Figure`` objects, saved by the caller with ``PdfPages``. Every text
is drawn with ``parse_math=False`` (a "$" in a name or a comment must not start mathtext).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.text import Text
from matplotlib.textpath import text_to_path

#: A4 portrait in points (210 × 297 mm) and the same in inches for ``Figure(figsize=...)``.
PAGE_W, PAGE_H = 210 / 25.4 * 72, 297 / 25.4 * 72
A4_INCHES = (210 / 25.4, 297 / 25.4)
#: Margins in points: the body lies inside them; the header and footer sit in the top and
#: bottom margins, never nearer the edge than ``EDGE``.
MARGIN_X = 54.0
MARGIN_TOP = 64.0
MARGIN_BOTTOM = 60.0
EDGE = 24.0
BODY_W = PAGE_W - 2 * MARGIN_X
#: The smallest text size on paper, in points.
MIN_SIZE = 8.0
LEADING = 1.32  # line height as a multiple of the font size
#: A chart may be drawn this much shorter than its own height to stay on a page that has
#: room (its texts keep their size, only the plot area shrinks).
SHRINK = 0.75
INK = "#1a1a1a"
MUTED = "#555555"
RULE = "#b8b8b8"
ACCENT = "#1f4e79"


@lru_cache(maxsize=4096)
def text_width(text: str, size: float, bold: bool = False) -> float:
    """The width of ``text`` in points when drawn at ``size`` points (bold or not)."""
    if not text:
        return 0.0
    prop = FontProperties(size=size, weight="bold" if bold else "normal")
    width, _height, _descent = text_to_path.get_text_width_height_descent(text, prop, ismath=False)
    return float(width)


def wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """``text`` broken into lines no wider than ``width`` points; explicit newlines kept, an
    empty text gives one empty line, a word wider than a line is split between characters
    (``fitting_start``: a few dozen measurements a line, whatever the word's length)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for word in paragraph.split(" "):
            if not word:
                continue
            candidate = f"{current} {word}" if current else word
            if text_width(candidate, size, bold) <= width:
                current = candidate
                continue
            if current:
                lines.append(current)
            cut = fitting_start(word, width, size, bold)
            while cut < len(word):
                lines.append(word[:cut])
                word = word[cut:]
                cut = fitting_start(word, width, size, bold)
            current = word
        lines.append(current)
    return lines


def fitting_start(word: str, width: float, size: float, bold: bool = False) -> int:
    """How many characters of ``word`` fit in ``width`` points: ``len(word)`` when it all
    fits, else the longest start found no wider, and at least 1 (a character wider than a
    line still takes a line of its own). Lengths are tried doubling from 1, then the gap is
    halved, so no text measured is much more than twice the answer: a respondent's comment of
    one 5,000-character word costs about twenty measurements a line (measuring ever shorter
    starts of the whole rest, one character at a time, took minutes)."""
    fits, over = 0, 1
    while over < len(word) and text_width(word[:over], size, bold) <= width:
        fits, over = over, over * 2
    over = min(over, len(word))
    if over == len(word) and text_width(word, size, bold) <= width:
        return over  # the doubling reached the end: the whole word fits
    while over - fits > 1:
        middle = (fits + over) // 2
        if text_width(word[:middle], size, bold) <= width:
            fits = middle
        else:
            over = middle
    return max(fits, 1)


@dataclass
class Page:
    """One A4 page: the cursor ``y`` (points from the top) of the next block and what is drawn
    on it, kept as drawing steps until ``materialise``, so that a chart met later can still
    lend the page its figure (a page holds at most one chart: ``figure``)."""

    y: float = MARGIN_TOP
    figure: Figure | None = None
    steps: list[Callable[[Figure], object]] = field(default_factory=list)

    def text(
        self,
        x: float,
        y: float,
        text: str,
        size: float = 10,
        *,
        bold: bool = False,
        color: str = INK,
        ha: str = "left",
    ) -> None:
        """``text`` with its baseline at ``y`` points from the top and its ``ha`` edge at
        ``x`` points from the left."""
        self.steps.append(
            lambda fig: fig.text(
                x / PAGE_W,
                1 - y / PAGE_H,
                text,
                fontsize=max(size, MIN_SIZE),
                fontweight="bold" if bold else "normal",
                color=color,
                ha=ha,
                va="baseline",
                parse_math=False,
            )
        )

    def rule(
        self,
        y: float,
        x0: float = MARGIN_X,
        x1: float = PAGE_W - MARGIN_X,
        color: str = RULE,
        width: float = 0.6,
    ) -> None:
        """A horizontal line at ``y`` points from the top."""
        ys = (1 - y / PAGE_H,) * 2
        self.steps.append(
            lambda fig: fig.add_artist(
                Line2D(
                    (x0 / PAGE_W, x1 / PAGE_W),
                    ys,
                    transform=fig.transFigure,
                    color=color,
                    linewidth=width,
                )
            )
        )

    def materialise(self) -> Figure:
        """The page's figure (its chart's, or a new A4 one) with everything drawn on it."""
        figure = self.figure if self.figure is not None else Figure(figsize=A4_INCHES)
        for step in self.steps:
            step(figure)
        return figure


@dataclass(frozen=True)
class Column:
    """A table column: its header, its share of the body width and its alignment."""

    header: str
    share: float
    align: str = "left"


@dataclass
class Flow:
    """Blocks laid out from top to bottom over as many A4 pages as they need."""

    pages: list[Page] = field(default_factory=list)

    @property
    def page(self) -> Page:
        if not self.pages:
            self.new_page()
        return self.pages[-1]

    def new_page(self) -> Page:
        page = Page()
        self.pages.append(page)
        return page

    def room(self) -> float:
        """Points left above the bottom margin on the current page."""
        return PAGE_H - MARGIN_BOTTOM - self.page.y

    def need(self, height: float) -> Page:
        """The current page if ``height`` points still fit on it, else a new page."""
        if self.room() < height and self.page.y > MARGIN_TOP:
            return self.new_page()
        return self.page

    def space(self, points: float) -> None:
        self.page.y = min(self.page.y + points, PAGE_H - MARGIN_BOTTOM)

    def heading(self, text: str, size: float = 14, *, keep: float = 60) -> None:
        """A bold heading, kept on one page with the first ``keep`` points that follow it."""
        lines = wrap(text, BODY_W, size, bold=True)
        page = self.need(len(lines) * size * LEADING + keep)
        if page.y > MARGIN_TOP:
            page.y += size * 1.0
        for line in lines:
            page.y += size * LEADING
            page.text(MARGIN_X, page.y - size * 0.3, line, size, bold=True, color=ACCENT)
        page.y += size * 0.3

    @staticmethod
    def _left(size: float, indent: float, bullet: str) -> float:
        return MARGIN_X + indent + (size * 1.1 if bullet else 0)

    def paragraph_height(
        self,
        text: str,
        size: float = 10,
        *,
        indent: float = 0,
        bold: bool = False,
        bullet: str = "",
    ) -> float:
        """The points ``paragraph`` would take with the same arguments (to keep blocks whole)."""
        x = self._left(size, indent, bullet)
        return len(wrap(text, PAGE_W - MARGIN_X - x, size, bold)) * size * LEADING

    def paragraph(
        self,
        text: str,
        size: float = 10,
        *,
        indent: float = 0,
        bold: bool = False,
        color: str = INK,
        bullet: str = "",
    ) -> None:
        """Wrapped text; a ``bullet`` hangs in the indent of the first line."""
        lead = size * LEADING
        x = self._left(size, indent, bullet)
        for index, line in enumerate(wrap(text, PAGE_W - MARGIN_X - x, size, bold)):
            page = self.need(lead)
            page.y += lead
            if bullet and index == 0:
                page.text(MARGIN_X + indent, page.y, bullet, size, color=color)
            page.text(x, page.y, line, size, bold=bold, color=color)

    def chart(self, figure: Figure, title: str) -> None:
        """A chart drawn on its own figure (constrained layout) placed on a page: ``title`` as
        its heading (the figure's own title is hidden), then the chart at the body's width and
        its own height. It goes on the current page when that page holds no chart yet and has
        room for it at ``SHRINK`` of its height or more, else on a new page (where a chart
        taller than the page is shrunk to fit; its text keeps its size); the figure becomes
        the page's and later blocks flow below it."""
        height = float(figure.get_size_inches()[1]) * 72
        heading = 13 * LEADING + 12
        fits = self.room() >= heading + SHRINK * height + 8
        if not (self.pages and self.page.figure is None and fits):
            self.new_page()
        for text in figure.texts:  # the chart's own title: the heading replaces it
            text.set_visible(False)
            text.set_in_layout(False)
        figure.set_size_inches(*A4_INCHES)
        self.heading(title, 13, keep=0)
        page = self.page
        page.figure = figure
        height = min(height, PAGE_H - MARGIN_BOTTOM - page.y - 8)
        rect = (
            MARGIN_X / PAGE_W,
            1 - (page.y + height) / PAGE_H,
            BODY_W / PAGE_W,
            height / PAGE_H,
        )
        engine = figure.get_layout_engine()
        if engine is not None and "rect" in engine.get():
            engine.set(rect=rect)
        else:  # a chart without a layout engine: move its axes into the rectangle
            for ax in figure.axes:
                x0, y0, w, h = ax.get_position().bounds
                ax.set_position(
                    (rect[0] + x0 * rect[2], rect[1] + y0 * rect[3], w * rect[2], h * rect[3])
                )
        for artist in figure.findobj(Text):
            if artist.get_fontsize() < MIN_SIZE:
                artist.set_fontsize(MIN_SIZE)
        page.y += height + 8

    def table(
        self,
        columns: Sequence[Column],
        rows: Sequence[Sequence[str]],
        size: float = 9,
        *,
        anchor_last_line: bool = False,
        suffixes: Sequence[str] | None = None,
    ) -> None:
        """A table whose cells wrap within their column; rows never split across pages and
        the header row is repeated at the top of every page the table continues on.

        ``anchor_last_line``: the first line of every other column sits on the baseline of
        the first column's last line, so a text extractor reads the first cell's end and the
        figures of the row as one line. ``suffixes`` (one per row, e.g. " (IT)") are kept
        whole at the end of the first cell's last line: a wrapped name never loses its code."""
        lead = size * LEADING
        widths = [c.share * BODY_W for c in columns]
        pad = 6.0

        def cells(row: Sequence[str], bold: bool, suffix: str = "") -> list[list[str]]:
            out = [wrap(str(v), w - pad, size, bold) for v, w in zip(row, widths, strict=True)]
            if suffix:
                first = wrap(str(row[0]), widths[0] - pad - text_width(suffix, size), size)
                out[0] = [*first[:-1], first[-1] + suffix]
            return out

        header = cells([c.header for c in columns], True)
        header_h = max(len(c) for c in header) * lead + 6

        def draw_header(page: Page) -> None:
            top = page.y
            self._row(page, columns, widths, header, size, bold=True, anchor=False)
            page.rule(top + header_h - 1, color=INK, width=0.8)
            page.y = top + header_h

        page = self.need(header_h + 2 * lead)
        draw_header(page)
        for index, row in enumerate(rows):
            body = cells(row, False, suffixes[index] if suffixes else "")
            offset = len(body[0]) - 1 if anchor_last_line else 0
            height = max(len(body[0]), *(offset + len(c) for c in body[1:])) * lead + 5
            if self.room() < height:
                page = self.new_page()
                draw_header(page)
            self._row(page, columns, widths, body, size, bold=False, anchor=anchor_last_line)
            page.y += height
            page.rule(page.y - 1.5)

    def _row(
        self,
        page: Page,
        columns: Sequence[Column],
        widths: Sequence[float],
        body: Sequence[Sequence[str]],
        size: float,
        *,
        bold: bool,
        anchor: bool,
    ) -> None:
        """One row's cells drawn line by line, left to right within a line, so that a text
        extractor reads each visual line of the row whole (the first cell's line, then the
        other cells' lines at the same height)."""
        lead = size * LEADING
        offset = len(body[0]) - 1 if anchor else 0
        lefts = [MARGIN_X + sum(widths[:i]) for i in range(len(widths))]
        placed: dict[int, list[tuple[int, str]]] = {}
        for column, lines in enumerate(body):
            start = 0 if column == 0 else offset
            for index, line in enumerate(lines):
                placed.setdefault(start + index, []).append((column, line))
        for position in sorted(placed):
            for column, line in placed[position]:
                align = columns[column].align
                x = lefts[column] + widths[column] - 6 if align == "right" else lefts[column]
                y = page.y + (position + 1) * lead - 2
                page.text(x, y, line, size, bold=bold, ha=align)

    def finish(
        self, header_left: str, header_right: str, footer_left: str, footer_right: str
    ) -> list[Figure]:
        """Stamp the header and footer on every page; ``footer_right`` is a format string
        with ``{n}`` and ``{total}`` (the page number and count). Returns the figures."""
        total = len(self.pages)
        for number, page in enumerate(self.pages, start=1):
            size = 8.5
            half = BODY_W / 2 - 12
            # Three lines fit above the body: a department's name (at most 120 characters)
            # needs no more; anything longer ends in an ellipsis rather than run into it.
            left = wrap(header_left, half, size, bold=True)
            if len(left) > 3:
                left = [*left[:2], wrap(left[2], half - 8, size, bold=True)[0] + "…"]
            right = wrap(header_right, half, size)[:3]
            for index, line in enumerate(left):
                page.text(MARGIN_X, EDGE + 10 + index * size * 1.2, line, size, bold=True)
            for index, line in enumerate(right):
                page.text(
                    PAGE_W - MARGIN_X,
                    EDGE + 10 + index * size * 1.2,
                    line,
                    size,
                    color=MUTED,
                    ha="right",
                )
            rows = max(len(left), len(right))
            page.rule(EDGE + 10 + (rows - 1) * size * 1.2 + 5)
            foot = PAGE_H - EDGE - 4
            page.rule(foot - 13)
            page.text(MARGIN_X, foot, footer_left, size, color=MUTED)
            page.text(
                PAGE_W - MARGIN_X,
                foot,
                footer_right.format(n=number, total=total),
                size,
                color=MUTED,
                ha="right",
            )
        return [page.materialise() for page in self.pages]
