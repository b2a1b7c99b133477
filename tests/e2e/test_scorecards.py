"""Journey 4: the IT manager of the demo organisation signs in, opens their department's
scorecard, changes quarter, downloads the PDF and the CSV, and cannot open another
department's scorecard (and so its comments), its CSV or its PDF."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DEMO_PASSWORD, sign_in

pytestmark = pytest.mark.slow


def download(page: Page, link_name: str, folder: Path) -> tuple[str, bytes]:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    done = info.value
    assert done.failure() is None, done.failure()
    target = folder / done.suggested_filename
    done.save_as(target)
    return done.suggested_filename, target.read_bytes()


def choose_quarter(page: Page, quarter: str) -> None:
    page.get_by_label("Quarter", exact=True).select_option(quarter)
    with page.expect_navigation():
        page.get_by_role("button", name="Show").click()


def test_manager_reviews_own_scorecard_and_nothing_else(
    demo_server, new_context, shots, artifacts
) -> None:
    base = demo_server.url
    page = new_context("desktop").new_page()
    sign_in(page, base, "it-manager@demo.example", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Scorecards").click()
    expect(page).to_have_url(re.compile(r"/scorecards/$"))
    quarters = page.locator("select#quarter option").all_inner_texts()  # newest first
    assert len(quarters) >= 3, quarters
    current, complete, earlier = quarters[:3]
    shots(page, "overview-current-quarter")

    # The overview of the last complete quarter: every department named, only IT a link.
    choose_quarter(page, complete)
    expect(page).to_have_url(re.compile(rf"/scorecards/\?quarter={complete}$"))
    own = page.locator("main").get_by_role("link", name="Information Technology", exact=True)
    expect(own.first).to_be_visible()
    expect(page.locator("main")).to_contain_text("Human Resources")
    expect(page.locator("main a[href^='/scorecards/HR']")).to_have_count(0)  # named, no link
    shots(page, "overview", doc="scorecards-overview", doc_full_page=False)

    # Their own department, in that quarter.
    own.first.click()
    expect(page).to_have_url(re.compile(rf"/scorecards/IT\?quarter={complete}$"))
    heading = page.locator("h1")
    expect(heading).to_contain_text("Information Technology")
    expect(heading).to_contain_text(complete)
    expect(page.locator(".headline .stat").first).to_contain_text(re.compile(r"\d"))
    shots(page, "department", doc="scorecard-department", doc_full_page=False)

    # Another quarter, chosen in the form.
    choose_quarter(page, earlier)
    expect(page).to_have_url(re.compile(rf"/scorecards/IT\?quarter={earlier}$"))
    expect(heading).to_contain_text(earlier)
    shots(page, "earlier-quarter")

    # The exports of that quarter.
    name, pdf = download(page, "Download PDF", artifacts)
    assert name == f"scorecard-IT-{earlier}.pdf" and pdf.startswith(b"%PDF-"), name
    name, raw = download(page, "Download CSV", artifacts)
    assert name == f"scorecard-IT-{earlier}.csv", name
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) > 3 and any("IT" in cell for row in rows for cell in row), rows[:5]

    # Another department: its page (with its comments) and its exports are refused.
    refused = page.goto(f"{base}/scorecards/HR")
    assert refused is not None and refused.status == 403
    expect(page.locator("#comments-heading")).to_have_count(0)
    expect(page.locator("blockquote")).to_have_count(0)
    shots(page, "other-department-refused")
    for path in ("/scorecards/HR.csv", "/scorecards/HR.pdf", f"/scorecards/FIN?quarter={current}"):
        assert page.request.get(f"{base}{path}").status == 403, path
