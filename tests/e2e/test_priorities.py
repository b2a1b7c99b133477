"""The IT manager of the demo organisation reads "What to work on" on their scorecard: two or
three priorities, each with why, its importance and the quiz practice's tips; in Italian too;
axe-clean at desktop and phone widths, and no sideways scroll on a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DEMO_PASSWORD, check_accessibility, sign_in

pytestmark = pytest.mark.slow


def test_manager_reads_the_priorities(demo_server, new_context, shots, artifacts) -> None:
    base = demo_server.url
    page = new_context("desktop").new_page()
    sign_in(page, base, "it-manager@demo.example", DEMO_PASSWORD)
    page.goto(f"{base}/scorecards/IT")
    section = page.locator("section.priorities")
    expect(section.get_by_role("heading", name="What to work on")).to_be_visible()
    items = section.locator("ol.priority-list > li")
    count = items.count()
    assert 2 <= count <= 3, count
    first = items.first
    expect(first.locator("h3")).to_have_text(
        re.compile(r"^(Reliability|Responsiveness|Competence|Courtesy|Tools and information)$")
    )
    expect(first).to_contain_text(re.compile(r"Your customers weigh it (most|second most)|rank"))
    expect(first).to_contain_text(re.compile(r"Importance: \d+% of what the dimensions explain"))
    expect(first).to_contain_text("Practice: ")
    expect(first).to_contain_text("Try this week: ")
    assert first.locator(".practice li").count() >= 1  # the practice's tips
    expect(section).to_contain_text(re.compile(r"From the quarterly answers of \d+ people"))
    section.scroll_into_view_if_needed()
    shots(page, "priorities-desktop")
    check_accessibility(page, "priorities (desktop)", artifacts)

    phone = new_context("phone").new_page()
    sign_in(phone, base, "it-manager@demo.example", DEMO_PASSWORD)
    phone.goto(f"{base}/scorecards/IT?lang=it")
    section = phone.locator("section.priorities")
    expect(section.get_by_role("heading", name="Su cosa lavorare")).to_be_visible()
    expect(section).to_contain_text("Da provare questa settimana: ")
    wide = phone.evaluate(
        "() => [...document.querySelectorAll('section.priorities *')]"
        ".filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).length"
    )
    assert wide == 0, wide
    section.scroll_into_view_if_needed()
    shots(phone, "priorities-phone-it")
    check_accessibility(phone, "priorities (phone, it)", artifacts)
