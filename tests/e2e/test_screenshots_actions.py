"""The demo organisation's action plans as a newcomer sees them after `make run` (the demo
built by its command, with its present): what to work on and the action plan on the IT
manager's department page, the list of actions, and "you said, we did" in a quarterly
invitation email and, in Italian on a phone, on the thank-you page after answering it.

Each page is checked (what it must show, axe-core, no sideways scrolling on a phone) and
photographed; the shots named with ``doc`` go to docs/screenshots/ with
``SURVEY_UPDATE_SCREENSHOTS=1`` (the README's "Screenshots").
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from survey.models import Department, Invitation, OutboxMessage, Person
from tests.e2e.conftest import DEMO_PASSWORD, Shots, check_accessibility, sign_in
from tests.e2e.flows import choose_on_every_scale, cli

pytestmark = pytest.mark.slow

BEFORE_AFTER = re.compile(r"^\d+\.\d \((\d{4}Q\d)\) → \d+\.\d \((\d{4}Q\d)\)$")


def section_shot(shots: Shots, page: Page, section: Locator, step: str, doc: str) -> Path:
    """The whole page as a step, and the one ``section`` (with a margin) for the docs."""
    section.scroll_into_view_if_needed()
    path = shots(page, step)
    box = section.bounding_box()
    assert box is not None and box["height"] > 40, (step, box)
    clip = path.with_suffix(".section.png")
    margin = 16
    page.screenshot(
        path=str(clip),
        full_page=True,
        animations="disabled",
        caret="hide",
        clip={
            "x": max(box["x"] - margin, 0),
            "y": max(box["y"] + page.evaluate("window.scrollY") - margin, 0),
            "width": min(box["width"] + 2 * margin, page.viewport_size["width"]),
            "height": box["height"] + 2 * margin,
        },
    )
    shots.docs[doc] = clip
    return clip


def fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], (page.url, width)


def test_the_it_manager_reads_priorities_and_the_demo_action_plan(
    app, runner, server, new_context, shots, artifacts
) -> None:
    base = server.url
    assert "actions in the departments' action plans" in cli(app, runner, "demo", BASE_URL=base)
    page = new_context("desktop").new_page()
    sign_in(page, base, "it-manager@demo.example", DEMO_PASSWORD)
    page.goto(f"{base}/scorecards/IT")

    priorities = page.locator("section.priorities")
    expect(priorities.get_by_role("heading", name="What to work on")).to_be_visible()
    assert 2 <= priorities.locator("ol.priority-list > li").count() <= 3
    section_shot(shots, page, priorities, "priorities", "scorecard-priorities")

    plan = page.locator("section.actions-section")
    rows = plan.locator("table.actions-table tbody tr")
    expect(rows).to_have_count(3)
    desk = rows.filter(has_text="Open one service desk with a self-service portal")
    expect(desk).to_contain_text("Responsiveness")
    expect(desk).to_contain_text("Done")
    expect(desk.locator("td").last).to_have_text(BEFORE_AFTER)
    before, after = BEFORE_AFTER.match(desk.locator("td").last.inner_text()).groups()
    assert before < after
    guides = rows.filter(has_text="Short guides for the twenty most asked tasks")
    expect(guides).to_contain_text("In progress")
    review = rows.filter(has_text="Monthly review of open requests with Engineering")
    expect(review).to_contain_text("Customer department Engineering")
    check_accessibility(page, "department page with the demo's actions", artifacts)
    section_shot(shots, page, plan, "action-plan", "scorecard-action-plan")

    # Every department's actions, the overdue one marked, for the administrator.
    admin = new_context("desktop").new_page()
    sign_in(admin, base, "admin@demo.example", DEMO_PASSWORD)
    admin.goto(f"{base}/actions/")
    listed = admin.locator("table.actions-list tbody tr")
    expect(listed).to_have_count(7)
    overdue = listed.filter(has_text="Cover for the payroll desk during absences")
    expect(overdue.locator(".badge.off")).to_have_text("overdue")
    check_accessibility(admin, "action list", artifacts)
    shots(admin, "actions-list", doc="actions-list")

    # On a phone the demo's plan scrolls inside its own frame, never the page (the folded
    # detail, where the plan sits, opened).
    phone = new_context("phone").new_page()
    sign_in(phone, base, "admin@demo.example", DEMO_PASSWORD)
    for path in ("/scorecards/IT", "/scorecards/HR", "/actions/"):
        phone.goto(f"{base}{path}")
        phone.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        expect(phone.locator("table.actions-table, table.actions-list")).to_be_visible()
        fits(phone)


def test_you_said_we_did_in_the_invitation_email_and_on_an_italian_phone(
    app, runner, session, server, new_context, shots, artifacts
) -> None:
    base = server.url
    cli(app, runner, "demo", BASE_URL=base)
    hr = session.scalar(select(Department.id).where(Department.code == "HR"))
    messages = session.execute(
        select(OutboxMessage, Person.locale)
        .join(Invitation, Invitation.id == OutboxMessage.invitation_id)
        .join(Person, Person.id == Invitation.person_id)
        .where(OutboxMessage.purpose == "invitation:quarterly", Person.department_id == hr)
        .order_by(OutboxMessage.id)
    ).all()
    english = next(m for m, locale in messages if locale == "en")
    italian = next(m for m, locale in messages if locale == "it")

    # The email of a person in HR, who rates IT and Facilities among others.
    mail = new_context("desktop").new_page()
    mail.set_viewport_size({"width": 720, "height": 900})
    mail.set_content(english.body_html)
    said = mail.get_by_role("heading", name="You said, we did")
    expect(said).to_be_visible()
    body = mail.locator("body")
    expect(body).to_contain_text("One service desk now takes every request")
    expect(body).to_contain_text("Every repair request is now looked at")
    expect(body).not_to_contain_text("Hire two HR generalists")  # internal, and HR's own
    shots(mail, "email-you-said", doc="email-you-said")

    # An Italian colleague answers on a phone; the thank-you page lists the same actions.
    link = re.search(r"https?://[^/\s]+(/r/[\w-]+)\s", italian.body_text)
    assert link is not None, italian.body_text
    phone = new_context("phone", locale="it-IT").new_page()
    phone.goto(base + link.group(1))
    for _section in range(12):
        assert choose_on_every_scale(phone, "4", touch=True) >= 1
        send = phone.locator("button[name=action][value=submit]")
        if send.count():
            send.tap()
            break
        phone.locator("button[name=action][value=next]").tap()
        expect(phone.locator(".progress-text")).to_be_visible()
    phone.wait_for_url(f"{base}/r/thanks**")
    section = phone.locator("section.you-said")
    expect(section.locator("h2")).to_have_text("Avete detto, abbiamo fatto")
    expect(section).to_contain_text("Sistemi informativi")  # IT's Italian name
    # The demo's summaries in Italian (survey/demo/actions.py), not the English ones.
    expect(section).to_contain_text("un unico service desk accoglie ogni richiesta")
    expect(section).not_to_contain_text("One service desk now takes every request")
    expect(section).not_to_contain_text("Hire two HR generalists")
    fits(phone)
    check_accessibility(phone, "thank-you page with you said, we did (it)", artifacts)
    shots(phone, "thanks-you-said-it", doc="respondent-you-said-phone-it")
