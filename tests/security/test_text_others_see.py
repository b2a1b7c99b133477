"""Text that one person enters and another later sees: names typed by an administrator drawn
in the charts of the scorecard pages, and a respondent's comment printed in the PDF.

The charts are SVG inlined in the page (``chart_cache.inline_svg`` reads matplotlib's SVG as
XML). A department name may hold characters that a text box accepts but XML cannot (a form
feed or an escape pasted from another document, U+FFFE): the chart must still be drawn. A
comment may be one word as long as the form allows: the PDF must still be made in moments.
"""

from __future__ import annotations

import html as html_lib
import re

import pytest
from flask.testing import FlaskClient

from tests.conftest import csrf_token
from tests.pdf_text import page_texts
from tests.scorecards.conftest import (  # noqa: F401  (fixtures, reused as they are)
    Org,
    _fresh_chart_cache,
    org,
)

Q = "2026Q1"


@pytest.fixture
def rated(org: Org) -> Org:  # noqa: F811
    """IT rated above every gate in ``Q``, with handled requests: every chart of its page."""
    org.post_interaction("IT", "SALES", Q, [4, 5, 5, 3, 4, 2, 5, 4, 1, 2, 3, 4])
    org.quarterly("IT", "SALES", Q, [4, 4, 4, 4, 4])
    org.interactions("IT", Q, [(30, 120)] * 6, hour=9)
    return org


def _svg_texts(page: str) -> str:
    svgs = re.findall(r"<svg\b.*?</svg>", page, flags=re.S)
    assert svgs
    return html_lib.unescape(
        " ".join(t for svg in svgs for t in re.findall(r"<text\b[^>]*>(.*?)</text>", svg, re.S))
    )


# Production runs with warnings as warnings: a glyph missing from the font is a warning there,
# not the error the test settings make of it, and it is not what this test is about.
@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")
@pytest.mark.parametrize("odd", ["\x01", "\x0c", "\x1b", "\ufffe"])
def test_a_name_with_a_character_xml_cannot_hold_is_drawn(
    admin_client: FlaskClient, rated: Org, odd: str
) -> None:
    """A name holding a control character (or U+FFFE) in any of its three languages: the
    department page answers 200 in each, with its charts, the character drawn as U+FFFD.
    Was a 500: the chart's SVG was not well-formed XML."""
    dept = rated.departments["IT"]
    url = f"/admin/departments/{dept.id}"
    names = {"name": f"IT{odd}desk", "name_it": f"Sistemi{odd}IT", "name_fr": f"Info{odd}IT"}
    saved = admin_client.post(
        url, data={"csrf_token": csrf_token(admin_client, url), "code": "IT", **names}
    )
    assert saved.status_code == 302
    for lang, name in (("en", "IT\ufffddesk"), ("it", "Sistemi\ufffdIT"), ("fr", "Info\ufffdIT")):
        page = admin_client.get(f"/scorecards/IT?quarter={Q}&lang={lang}")
        assert page.status_code == 200, lang
        assert name in _svg_texts(page.get_data(as_text=True)), lang


#: Text measurements the PDF of ``rated`` may make with one comment of one 5,000-character
#: word (the longest comment the form takes): the report itself needs a few hundred, and the
#: word, cut into about fifty lines, a few dozen a line.
MEASURE_BUDGET = 5_000


def test_a_comment_of_one_long_word_does_not_stall_the_pdf(
    admin_client: FlaskClient, rated: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A respondent's comment of 5,000 letters without a space, shown to the department's
    readers: its PDF answers 200 with the whole comment, cut into lines, after a bounded
    number of text measurements. Each line was found by measuring ever shorter starts of
    the rest of the word, one character at a time: about 140,000 measurements of up to
    5,000 characters, minutes of a worker (45 s for half the word on the test machine)."""
    from survey.scorecards.services import pdf_layout

    word = "x" * 5000
    rated.post_interaction("IT", "HR", Q, [4] * 12, comment=word)
    measured = pdf_layout.text_width
    calls = 0

    def counted(text: str, size: float, bold: bool = False) -> float:
        nonlocal calls
        calls += 1
        if calls > MEASURE_BUDGET:
            raise AssertionError(f"more than {MEASURE_BUDGET} text measurements")
        return measured(text, size, bold)

    monkeypatch.setattr(pdf_layout, "text_width", counted)
    response = admin_client.get(f"/scorecards/IT.pdf?quarter={Q}")
    assert response.status_code == 200
    assert calls <= MEASURE_BUDGET
    printed = re.sub(r"\s+", "", "".join(page_texts(response.get_data())))
    # The word runs over a page break, where the next page's header and footer come between.
    assert "".join(re.findall("x{2,}", printed)) == word
