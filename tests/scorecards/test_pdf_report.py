"""The scorecard PDF as a report on A4: every page A4 portrait with its header and footer, a
title page from one ``ReportFront``, tables continued with their header, long names whole,
the reader's language, and the pages rendered to images (pypdfium2) and looked at: none
mostly blank, the title page's headline where it belongs, nothing drawn in the margins."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from flask.testing import FlaskClient
from PIL import Image
from pypdf import PdfReader

from survey.models import Department
from survey.scorecards.services.pdf_layout import EDGE, MARGIN_X, PAGE_H, PAGE_W
from survey.scorecards.services.scorecard_front import ReportFront, report_front
from survey.scorecards.services.scorecard_pdf import _pdf_pages
from survey.scorecards.services.scorecards import Settings, build_scorecard
from tests.pdf_text import page_texts
from tests.scorecards.conftest import Org

Q = "2026Q1"
QUARTERS = ("2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1")
LONG_NAME = "Regional Procurement, Facilities and Workplace Services Coordination Office"
CUSTOMERS = 36  # more rows than one page holds


@pytest.fixture
def report_org(org: Org) -> Org:
    """IT rated over five quarters by SALES and ENG, with interactions, twelve comments and
    a long table of customer departments (one with a name far longer than 48 characters)."""
    session = org.session
    extra = [Department(code="LONG", name=LONG_NAME)] + [
        Department(code=f"C{i:02d}", name=f"Customer team {i:02d}") for i in range(CUSTOMERS)
    ]
    session.add_all(extra)
    session.commit()
    for d in extra:
        org.departments[d.code] = d
    for step, quarter in enumerate(QUARTERS):
        org.post_interaction("IT", "SALES", quarter, [4, 5, 5, 3, 4, 5, 4][: 5 + step % 3])
        org.quarterly("IT", "SALES", quarter, [4, 4, 5, 3, 4, 4])
        org.quarterly(
            "IT",
            "ENG",
            quarter,
            [{"reliability": 2, "responsiveness": 3, "competence": 4, "courtesy": 4, "tools": 3}]
            * 6,
        )
        org.interactions("IT", quarter, [(30, 200), (90, 300), (10, 600), (20, 100), (5, 50)])
    comments = [f"Comment {i}: answers came quickly, the hand-over was unclear." for i in range(12)]
    # Six people: OPS's two below must be hidden with a row of the smallest (five people),
    # and LONG's row, the one this test reads, should not be that row.
    org.quarterly("IT", "LONG", Q, [3, 4, 4, 3, 4, 3], comments=comments[:5])
    for i in range(CUSTOMERS):
        org.quarterly("IT", f"C{i:02d}", Q, [3 + i % 3] * 5, comments=comments[5 + i : 6 + i])
    org.quarterly("IT", "OPS", Q, [2, 2])  # under k: no row
    return org


def _pdf(client: FlaskClient, lang: str = "en") -> bytes:
    response = client.get(f"/scorecards/IT.pdf?quarter={Q}&lang={lang}")
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/pdf"
    return response.get_data()


@pytest.mark.postgres
def test_every_page_is_a4_portrait_with_header_and_footer(
    admin_client: FlaskClient, report_org: Org, backend: str
) -> None:
    body = _pdf(admin_client)
    reader = PdfReader(io.BytesIO(body))
    total = len(reader.pages)
    assert 5 <= total <= 10, total
    today = datetime.now(UTC).date()
    for number, page in enumerate(reader.pages, start=1):
        box = page.mediabox
        assert abs(float(box.width) - 595.28) < 0.5 and abs(float(box.height) - 841.89) < 0.5
        text = page.extract_text()
        assert "Information Technology" in text, number
        assert "Quarter 2026Q1 · " in text and "baseline" in text, number
        assert f"Page {number} / {total}" in text, number
        assert f"Generated on {today:%B} {today.day}, {today.year}" in text, number


def test_the_title_page_comes_from_one_report_front(app, session, report_org: Org) -> None:
    with app.test_request_context():
        card, _problem = build_scorecard(session, report_org.departments["IT"], Q, Settings())
        front = report_front(card)
        assert front.headline[0].startswith("Internal service IQ: ")
        assert front.headline[1].startswith("ISQ (0–100): ")
        assert front.weakest is not None and front.weakest.startswith("Weakest component: ")
        assert any(line.startswith("Relationship score (R): ") for line in front.summary)
        assert front.priorities == () and front.actions == ()
        title = _page_text(_pdf_pages(card, front)[0])
        assert "No priorities yet." in title and "No actions recorded yet." in title
        filled = ReportFront(
            front.headline,
            front.weakest,
            front.summary,
            priorities=("Answer first requests within the hour",),
            actions=("Weekly review of open requests, due in May",),
        )
        title = _page_text(_pdf_pages(card, filled)[0])
        assert "Answer first requests within the hour" in title
        assert "Weekly review of open requests, due in May" in title
        assert "No priorities yet." not in title and "No actions recorded yet." not in title


def _page_text(figure) -> str:  # type: ignore[no-untyped-def]
    from matplotlib.text import Text

    return "\n".join(t.get_text() for t in figure.findobj(Text) if t.get_visible())


def test_the_customer_table_continues_with_its_header_and_keeps_long_names(
    admin_client: FlaskClient, report_org: Org
) -> None:
    pages = page_texts(_pdf(admin_client))
    with_rows = [p for p in pages if re.search(r"\(C\d\d\) ", p)]
    assert len(with_rows) >= 2, "the customer table should need more than one page"
    for page in with_rows:
        assert "Customer department" in page
    text = "\n".join(pages)
    # Every customer, whole: the long name over several lines, its code on the line of its
    # figures (what a reader's tool extracts as the row).
    words = re.sub(r"\s+", " ", text)
    assert LONG_NAME in words or all(w in words for w in LONG_NAME.split())
    assert re.search(r"\(LONG\) \d+\.\d \[\d+\.\d–\d+\.\d\]", text), "row of LONG not found"
    for i in range(CUSTOMERS):
        assert f"Customer team {i:02d} (C{i:02d})" in text
    # Hidden rows print their reason, never a value (C02: everyone at the top of the scale);
    # a department under k in every column has no row (OPS); comments pass their gate as on
    # the page.
    assert re.search(r"Customer team 02 \(C02\) Hidden", text)
    assert "(OPS)" not in text
    assert "Comment 0: answers came quickly" in text


def test_the_report_is_in_the_readers_language(admin_client: FlaskClient, report_org) -> None:
    pages = page_texts(_pdf(admin_client, "it"))
    total = len(pages)
    assert f"Pagina 1 / {total}" in pages[0]
    assert "Trimestre 2026Q1" in pages[0]
    # Numbers with a decimal comma, as Babel writes them in Italian.
    assert re.search(r"ISQ \(0–100\): \d+,\d \[\d+,\d–\d+,\d\]", pages[0]), pages[0]
    french = page_texts(_pdf(admin_client, "fr"))
    assert f"Page {len(french)} / {len(french)}" in french[-1]
    assert re.search(r"\d+,\d \[\d+,\d–\d+,\d\]", french[0])


def _render(body: bytes, scale: float = 1.0) -> list[np.ndarray]:
    """Each page as a greyscale array (0 black, 255 white), ``scale`` pixels per point."""
    document = pdfium.PdfDocument(body)
    try:
        return [
            np.asarray(document[i].render(scale=scale).to_pil().convert("L"))
            for i in range(len(document))
        ]
    finally:
        document.close()


def test_rendered_pages_are_filled_headed_and_inside_their_margins(
    admin_client: FlaskClient, report_org: Org, tmp_path: Path
) -> None:
    images = _render(_pdf(admin_client))
    for number, image in enumerate(images, start=1):
        Image.fromarray(image).save(tmp_path / f"page-{number}.png")  # to look at on failure
        height, width = image.shape
        assert abs(width - PAGE_W) <= 1 and abs(height - PAGE_H) <= 1
        ink = image < 200
        # Not mostly blank: a page holding only its header and footer is 0.3 % ink, one with
        # five lines of text 1.5 %, a page of table or chart 5 % and more.
        assert ink.mean() > 0.01, (number, ink.mean())
        # Nothing in the margins: the side strips and the strips beyond header and footer
        # stay white (a few points of tolerance for anti-aliasing).
        side = int(MARGIN_X) - 8
        edge = int(EDGE) - 6
        assert not ink[:, :side].any() and not ink[:, -side:].any(), number
        assert not ink[:edge].any() and not ink[-edge:].any(), number
    # The title page: the department's name and the headline in the upper third, dark and
    # large (rows with ink across a good part of the width).
    title = images[0] < 128
    upper = title[: int(PAGE_H / 3)]
    assert upper[:, int(MARGIN_X) : int(PAGE_W / 2)].mean() > 0.03
    assert (title.sum(axis=1) > 60).sum() > 40, "no large headline text on the title page"


def test_the_report_of_a_hidden_department_shows_reasons_only(
    admin_client: FlaskClient, report_org: Org
) -> None:
    report_org.post_interaction("HR", "SALES", Q, [1, 1, 5, 5])
    response = admin_client.get(f"/scorecards/HR.pdf?quarter={Q}")
    pages = page_texts(response.get_data())
    text = "\n".join(pages)
    flat = re.sub(r"\s+", " ", text)
    assert "Internal service IQ: Hidden: too few respondents, or answers too alike" in flat
    assert "50.0" not in text
    images = _render(response.get_data(), 0.5)
    assert len(images) == len(pages) >= 2


def _save(figures) -> bytes:  # type: ignore[no-untyped-def]
    from matplotlib.backends.backend_pdf import PdfPages

    buffer = io.BytesIO()
    with PdfPages(buffer) as pdf:
        for figure in figures:
            pdf.savefig(figure)
    return buffer.getvalue()


def test_a_table_row_reads_as_one_line_whatever_wraps() -> None:
    """A wrapped reason in one column and a figure in the next, a name longer than its column:
    the extracted text keeps each visual line of a row whole, the code beside the figures."""
    from survey.scorecards.services.pdf_layout import Column, Flow

    flow = Flow()
    flow.table(
        (Column("Customer department", 0.46), Column("Score", 0.27), Column("Share", 0.27)),
        [
            ["Finance", "Hidden so that a group under 5 cannot be worked out", "60.0 [50.0–70.0]"],
            [LONG_NAME + " " + LONG_NAME, "71.5 [60.2–80.1]", "No data"],
        ],
        9.5,
        anchor_last_line=True,
        suffixes=[" (FIN)", " (LONG)"],
    )
    text = page_texts(_save(flow.finish("Left", "Right", "Foot", "Page {n} / {total}")))[0]
    lines = text.splitlines()
    assert "Finance (FIN) Hidden so that a group 60.0 [50.0–70.0]" in lines, lines
    assert any(re.fullmatch(r".+ \(LONG\) 71\.5 \[60\.2–80\.1\] No data", line) for line in lines)
    assert LONG_NAME in re.sub(r"\s+", " ", text)


def test_no_text_on_paper_is_smaller_than_8_points(app, session, report_org: Org) -> None:
    """Every text drawn, charts' ticks, legends and labels included, once laid out."""
    from matplotlib.text import Text

    with app.test_request_context():
        card, _problem = build_scorecard(session, report_org.departments["IT"], Q, Settings())
        pages = _pdf_pages(card)
    sizes = []
    for figure in pages:
        figure.draw_without_rendering()
        for text in figure.findobj(Text):
            if text.get_visible() and text.get_text().strip():
                sizes.append((text.get_fontsize(), text.get_text()))
    assert len(sizes) > 200
    small = [s for s in sizes if s[0] < 8]
    assert small == [], small[:5]


def test_a_department_with_a_long_name_keeps_it_whole(
    admin_client: FlaskClient, report_org: Org
) -> None:
    """A provider named with 120 characters (the longest a name can be): its title page and
    every header carry the whole name, wrapped, and nothing reaches into the margins."""
    name = ("Shared Services for Regional Procurement, Facilities, Travel and Workplace " * 2)[:120]
    report_org.departments["HR"].name = name
    report_org.session.commit()
    report_org.quarterly("HR", "SALES", Q, [4, 4, 5, 3, 4, 4])
    body = admin_client.get(f"/scorecards/HR.pdf?quarter={Q}").get_data()
    pages = page_texts(body)
    for text in pages:
        assert name.strip() in re.sub(r"\s+", " ", text), text[:300]
    for number, image in enumerate(_render(body), start=1):
        ink = image < 200
        side, edge = int(MARGIN_X) - 8, int(EDGE) - 6
        assert not ink[:, :side].any() and not ink[:, -side:].any(), number
        assert not ink[:edge].any() and not ink[-edge:].any(), number


def test_comments_print_grouped_and_folded_as_on_the_page(
    admin_client: FlaskClient, report_org: Org
) -> None:
    """The same words written by three people print once with their count; no comment
    carries a week; nothing a page would hide is printed."""
    report_org.quarterly("IT", "C01", Q, [4, 4, 4], comments=["Same words, thrice."] * 3)
    text = re.sub(r"\s+", " ", "\n".join(page_texts(_pdf(admin_client))))
    assert text.count("Same words, thrice.") == 1
    assert "3 responses say this" in text
    assert not re.search(r"\d{4}-W\d\d", text) and "Week " not in text
    assert text.count("Comment 0: answers came quickly") == 1
    italian = re.sub(r"\s+", " ", "\n".join(page_texts(_pdf(admin_client, "it"))))
    assert "Same words, thrice." in italian and "3 responses say this" not in italian


def test_comment_sections_print_their_question_and_band(app, session, report_org: Org) -> None:
    """Where the reading splits comments (every part holding enough people), the report
    heads each part with its question and score band, as the page does; the named comments
    follow under a heading of their own."""
    from analysis.comment_groups import (
        Band,
        CommentReading,
        CommentSection,
        FoldedComment,
        NamedComment,
    )
    from survey.scorecards.services.scorecard_comments import ReadableComments

    high, low = Band(4, 5), Band(1, 3)
    reading = CommentReading(
        groups=("7",),
        bands=(low, high),
        group=None,
        band=None,
        sections=(
            CommentSection("7", low, (FoldedComment("Slow hand-over.", 2),)),
            CommentSection("7", high, (FoldedComment("Quick and kind.", 1),)),
        ),
        refused=False,
        attributed=(NamedComment("Call me, please.", "Member SALES-3"),),
    )
    with app.test_request_context():
        card, _problem = build_scorecard(session, report_org.departments["IT"], Q, Settings())
        pages = _pdf_pages(card, None, None, ReadableComments(reading, {"7": "Quarterly survey"}))
        text = re.sub(r"\s+", " ", "\n".join(_page_text(p) for p in pages))
    assert "Quarterly survey · Overall score 1 to 3" in text
    assert "Quarterly survey · Overall score 4 to 5" in text
    assert (
        text.index("Slow hand-over.")
        < text.index("Overall score 4 to 5")
        < text.index("Quick and kind.")
    )
    assert "Slow hand-over. 2 responses say this" in text
    assert (
        text.index("Quick and kind.")
        < text.index("Asked to be contacted")
        < text.index("Call me, please. Member SALES-3 would like to be contacted")
    )
