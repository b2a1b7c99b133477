"""CSV and PDF exports: the same gated figures, safe in a spreadsheet, several PDF pages."""

from __future__ import annotations

import csv
import io
import re

import pytest
from matplotlib.text import Text

from survey.scorecards.services.scorecard_pdf import _pdf_pages
from survey.scorecards.services.scorecards import Settings, build_scorecard
from tests.scorecards.conftest import Org

Q = "2026Q1"
FORMULA = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def exported_org(org: Org) -> Org:
    org.departments["IT"].name = '=HYPERLINK("http://evil","x")'
    org.departments["SALES"].name = "@SUM(A1:A9)"
    org.departments["ENG"].name = "-2+3"
    org.session.commit()
    org.post_interaction("IT", "SALES", Q, [4, 5, 5, 3, 4, 2, 5, 5])
    org.quarterly("IT", "SALES", Q, [4, 4, 5, 3, 4, 4])
    org.quarterly("IT", "ENG", Q, [2, 2, 3, 2, 2, 3])
    org.interactions("IT", Q, [(30, 200), (90, 300), (10, 600), (20, 100), (5, 50), (40, 400)])
    org.post_interaction("HR", "SALES", Q, [1, 1, 5, 5])
    return org


def _rows(response) -> list[list[str]]:
    text = response.get_data(as_text=True).lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


@pytest.mark.postgres
def test_csv_is_safe_against_formula_injection(admin_client, exported_org: Org, backend) -> None:
    response = admin_client.get(f"/scorecards/IT.csv?quarter={Q}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _rows(response)
    cells = [cell for row in rows for cell in row]
    for cell in cells:
        if cell.startswith(FORMULA):
            assert _is_number(cell), cell  # a plain negative number is not a formula
    assert '\'=HYPERLINK("http://evil","x")' in cells
    assert "SALES @SUM(A1:A9)" in cells
    assert "ENG -2+3" in cells


def test_csv_holds_the_page_figures(admin_client, exported_org: Org) -> None:
    rows = _rows(admin_client.get(f"/scorecards/IT.csv?quarter={Q}"))
    header, body = rows[0], rows[1:]
    assert header == ["section", "item", "quarter", "value", "low", "high", "n", "note"]
    isq = next(r for r in body if r[0] == "headline" and r[1] == "ISQ")
    assert float(isq[3]) > 0 and float(isq[4]) <= float(isq[3]) <= float(isq[5])
    page = admin_client.get(f"/scorecards/IT?quarter={Q}").get_data(as_text=True)
    assert f"{float(isq[3]):.1f}" in page


def test_csv_hides_gated_figures(admin_client, exported_org: Org) -> None:
    rows = _rows(admin_client.get(f"/scorecards/HR.csv?quarter={Q}"))
    gated_sections = ("headline", "component", "trend ISQ", "customer satisfaction", "dimension")
    for row in rows[1:]:
        if row[0] in gated_sections:
            assert row[3:7] == ["", "", "", ""], row
    isq = next(r for r in rows if r[:2] == ["headline", "ISQ"])
    assert isq[3] == "" and "too few respondents" in isq[7]
    assert not any(cell in ("50.0", "50") for row in rows for cell in row[3:6])


def _pdf_page_count(body: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", body))


@pytest.mark.postgres
def test_pdf_has_several_pages(admin_client, exported_org: Org, backend) -> None:
    response = admin_client.get(f"/scorecards/IT.pdf?quarter={Q}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    body = response.get_data()
    assert body.startswith(b"%PDF")
    assert _pdf_page_count(body) > 1


def _texts(figures) -> str:
    parts = []
    for fig in figures:
        for artist in fig.findobj(Text):
            parts.append(artist.get_text())
        for ax in fig.axes:
            for table in ax.tables:
                parts.extend(cell.get_text().get_text() for cell in table.get_celld().values())
    return "\n".join(parts)


def test_pdf_text_respects_the_gate(app, session, exported_org: Org) -> None:
    with app.test_request_context():
        hr = exported_org.departments["HR"]
        card, _problem = build_scorecard(session, hr, Q, Settings())
        text = _texts(_pdf_pages(card))
        assert "fewer than 5 respondents" in text
        assert "50.0" not in text
        it = exported_org.departments["IT"]
        card, _problem = build_scorecard(session, it, Q, Settings())
        text = _texts(_pdf_pages(card))
        assert f"{card.isq.value:.1f}" in text


def test_pdf_survives_dollars_and_long_comment_lists(admin_client, org: Org) -> None:
    org.departments["IT"].name = "IT $^{x"
    org.session.commit()
    comments = [f"Comment {i}: costs $5 and $x^{{ — " + "long text " * 30 for i in range(30)]
    org.quarterly("IT", "SALES", Q, [4] * 30, comments=comments)
    response = admin_client.get(f"/scorecards/IT.pdf?quarter={Q}")
    assert response.status_code == 200
    assert _pdf_page_count(response.get_data()) >= 5
