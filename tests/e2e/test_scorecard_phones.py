"""Scorecards on a phone (390 px): no page scrolls sideways, in any language, on the overview
and on department pages of the demo organisation; chart text stays at least 11 px as shown;
a department page's charts are drawn for the phone's width and fit it; a department page
starts with its summary and folds the detail; axe-core finds nothing serious. On a desktop
the detail is open and the summary still comes first. The summary's screenshots for the
README come from here (desktop in English, phone in Italian)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DEMO_PASSWORD, check_accessibility, sign_in

pytestmark = pytest.mark.slow

PHONE_WIDTH = 390
MIN_CHART_TEXT_PX = 11.0

#: The page's width as scrolled, and the smallest chart text as shown: a text's font size in
#: SVG units times the ratio of the chart's shown width to its viewBox width.
MEASURE = """() => {
  const sizes = [];
  for (const t of document.querySelectorAll('main svg.chart text')) {
    if (t.getBoundingClientRect().width === 0) continue;
    const svg = t.ownerSVGElement;
    const box = svg.viewBox.baseVal;
    const shown = svg.getBoundingClientRect().width;
    sizes.push(parseFloat(getComputedStyle(t).fontSize) * shown / box.width);
  }
  return {
    width: document.scrollingElement.scrollWidth,
    charts: document.querySelectorAll('main svg.chart').length,
    texts: sizes.length,
    smallest: sizes.length ? Math.min(...sizes) : null,
  };
}"""

OPEN_ALL = "() => document.querySelectorAll('main details').forEach(d => d.open = true)"


def _measure(page: Page) -> dict[str, Any]:
    return page.evaluate(MEASURE)


def _department_codes(page: Page) -> list[str]:
    links = page.locator("main a[href^='/scorecards/']").evaluate_all(
        "links => links.map(a => new URL(a.href).pathname.split('/')[2])"
    )
    return sorted({code for code in links if code and "." not in code})


def _check_width(page: Page, where: str) -> dict[str, Any]:
    seen = _measure(page)
    assert seen["width"] <= PHONE_WIDTH, f"{where} scrolls sideways: {seen}"
    if seen["texts"]:
        assert seen["smallest"] >= MIN_CHART_TEXT_PX, f"{where}: chart text too small {seen}"
    return seen


#: Every shown chart of the page: its shown width, its frame's sideways overflow (scroll
#: width beyond the frame's own width) and its smallest text as shown.
CHARTS = """() => [...document.querySelectorAll('main figure.chart-figure')].flatMap(f => {
  const svg = [...f.querySelectorAll('svg.chart')].find(s => s.getBoundingClientRect().width > 0);
  if (!svg) return [];
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  const sizes = [...svg.querySelectorAll('text')]
    .filter(t => t.getBoundingClientRect().width > 0)
    .map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
  return [{
    id: svg.id || svg.getAttribute('aria-labelledby'),
    shown: svg.getBoundingClientRect().width,
    right: svg.getBoundingClientRect().right,
    viewport: document.documentElement.clientWidth,
    overflow: f.scrollWidth - f.clientWidth,
    smallest: sizes.length ? Math.min(...sizes) : null,
  }];
})"""


def _check_department_charts_fit(page: Page, where: str) -> int:
    """Every chart of an unfolded department page fits the phone: no wider than the
    viewport, nothing to scroll inside its frame, text at least 11 px. Returns how many."""
    shown = page.evaluate(CHARTS)
    for c in shown:
        assert c["shown"] <= c["viewport"] and c["right"] <= c["viewport"], (where, c)
        assert c["overflow"] <= 0, (where, "scrolls inside its frame", c)
        assert c["smallest"] is not None and c["smallest"] >= MIN_CHART_TEXT_PX, (where, c)
    return len(shown)


def _check_department(page: Page, base: str, code: str, lang: str) -> int:
    """A department page on a phone: folded as it arrives with the summary first, no
    sideways scroll folded or unfolded. Returns how many charts it measured."""
    page.goto(f"{base}/scorecards/{code}?lang={lang}")
    where = f"{code} ({lang})"
    # Folded as it arrives: the summary is the first thing after the title and the
    # toolbar, every detail section is closed.
    folds = page.locator("main details.fold")
    assert folds.count() >= 3, where
    expect(page.locator("main details.fold[open]")).to_have_count(0)
    order = page.evaluate(
        "() => [...document.querySelectorAll('main section, main details')]"
        ".map(e => e.className || e.tagName)"
    )
    assert order[0] == "summary", (where, order[:3])
    summary_box = page.locator("main section.summary").bounding_box()
    assert summary_box is not None and summary_box["y"] < 844 * 1.5, where
    _check_width(page, f"{where}, folded")
    # Unfolded, every chart and table is laid out: still no sideways scroll.
    page.evaluate(OPEN_ALL)
    seen = _check_width(page, f"{where}, unfolded")
    return int(seen["charts"])


def test_scorecards_fit_a_phone_in_every_language(demo_server, new_context, shots, artifacts):
    """Every page type in every language: the overview and two department pages (the IT
    department, and another one that differs by language, so three in all) in English,
    Italian and French. The layout does not depend on which department is shown beyond
    its texts, so walking every department in every language proved nothing more."""
    base = demo_server.url
    page = new_context("phone").new_page()
    sign_in(page, base, "viewer@demo.example", DEMO_PASSWORD)
    measured_charts = 0
    for i, lang in enumerate(("en", "it", "fr")):
        page.goto(f"{base}/scorecards/?lang={lang}")
        overview = _check_width(page, f"overview ({lang})")
        assert overview["charts"] >= 1 and overview["texts"] > 0, overview
        measured_charts += overview["charts"]
        codes = [c for c in _department_codes(page) if c != "IT"]
        assert len(codes) >= 5, codes
        for code in ("IT", codes[i * len(codes) // 3]):
            measured_charts += _check_department(page, base, code, lang)
    assert measured_charts > 10


def test_department_charts_fit_a_phone(demo_server, new_context, artifacts) -> None:
    """On a 390 px phone the department page's charts (trend, dimensions, response times)
    are drawn for its width: each fits the viewport, its frame has nothing to scroll
    sideways and its smallest text is at least 11 px as shown. The overview's heatmap (a
    matrix of every department) keeps its scrolling frame and is not measured here."""
    base = demo_server.url
    page = new_context("phone").new_page()
    sign_in(page, base, "it-manager@demo.example", DEMO_PASSWORD)
    page.goto(f"{base}/scorecards/IT?lang=en")
    page.evaluate(OPEN_ALL)
    assert _check_department_charts_fit(page, "IT (en)") >= 3
    narrow = page.locator("main .chart-narrow svg.chart")
    assert narrow.count() >= 3
    for k in range(narrow.count()):
        expect(narrow.nth(k)).to_be_visible()
    check_accessibility(page, "department phone charts", artifacts)


def test_summary_first_on_desktop_and_phone_axe_clean(
    demo_server, new_context, shots, artifacts
) -> None:
    base = demo_server.url
    desktop = new_context("desktop").new_page()
    sign_in(desktop, base, "it-manager@demo.example", DEMO_PASSWORD)
    desktop.goto(f"{base}/scorecards/IT?lang=en")
    summary = desktop.locator("main section.summary")
    expect(summary.get_by_role("heading", name="Summary")).to_be_visible()
    expect(summary.locator(".summary-headline")).to_contain_text("the organisation's baseline")
    # Open on a desktop, the formula folded away in "How is this calculated?".
    expect(desktop.locator("main details.fold:not([open])")).to_have_count(0)
    how = desktop.locator("main details.how-calculated")
    expect(how).not_to_have_attribute("open", "")
    expect(how.locator("summary")).to_have_text("How is this calculated?")
    assert "IQ = 100 + 15" not in desktop.locator("main").inner_text()
    how.locator("summary").click()
    expect(how).to_contain_text("IQ = 100 + 15")
    how.locator("summary").click()
    check_accessibility(desktop, "department desktop", artifacts)
    desktop.evaluate("() => window.scrollTo(0, 0)")
    shots(desktop, "summary-desktop", doc="scorecard-summary-desktop", doc_full_page=False)

    phone = new_context("phone").new_page()
    sign_in(phone, base, "it-manager@demo.example", DEMO_PASSWORD)
    phone.goto(f"{base}/scorecards/IT?lang=it")
    expect(phone.locator("main section.summary #summary-heading")).to_have_text("Riepilogo")
    expect(phone.locator("main section.summary")).to_contain_text("base di riferimento")
    check_accessibility(phone, "department phone (folded)", artifacts)
    phone.evaluate("() => window.scrollTo(0, 0)")
    shots(phone, "summary-phone-it", doc="scorecard-summary-phone-it", doc_full_page=False)
    phone.evaluate(OPEN_ALL)
    check_accessibility(phone, "department phone (unfolded)", artifacts)
    phone.goto(f"{base}/scorecards/?lang=it")
    check_accessibility(phone, "overview phone", artifacts)
