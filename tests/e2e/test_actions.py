"""Action plans in the browser: a manager records an action from the scorecard and sees it on
the department page beside the figure it targets; a respondent reads "you said, we did" in the
delivered quarterly email and on the thank-you page. Every new page axe-core clean."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from survey.actions import services
from survey.actions.services import ActionInput
from survey.delivery.services.campaigns import create_campaign
from tests.e2e.conftest import DEMO_PASSWORD, Org, check_accessibility, sign_in
from tests.e2e.flows import choose_on_every_scale, cli, html_body, message_to, survey_link

pytestmark = pytest.mark.slow

SUMMARY = "You told us laptop repairs took a week; a spare laptop now waits at the desk."
SUMMARY_IT = "Ci avete detto che le riparazioni dei portatili duravano una settimana."


def test_manager_records_an_action_and_sees_it_on_the_department_page(
    demo_server, new_context, shots, artifacts
) -> None:
    base = demo_server.url
    page = new_context("desktop").new_page()
    sign_in(page, base, "it-manager@demo.example", DEMO_PASSWORD)
    page.goto(f"{base}/scorecards/IT")
    section = page.locator("section.actions-section")
    expect(section.locator("h2")).to_have_text("Action plan")

    section.get_by_role("link", name="Record an action").click()
    expect(page.locator("h1")).to_contain_text("Record an action for Information Technology")
    check_accessibility(page, "action-form", artifacts)
    page.get_by_label("What will you do?").fill("Spare laptops at the service desk")
    page.get_by_label("What it answers").select_option(label="Component: Relationship score (R)")
    page.get_by_label("Owner (name)").fill("Service desk lead")
    page.get_by_label("Due date").fill((datetime.now(UTC).date() + timedelta(days=60)).isoformat())
    page.get_by_label("Status").select_option(label="In progress")
    page.get_by_label("Public summary", exact=True).fill(SUMMARY)
    page.get_by_label("Public summary in Italian").fill(SUMMARY_IT)
    page.get_by_role("button", name="Save").click()

    expect(page.locator(".flash")).to_have_text("The action is saved.")
    row = page.locator("table.actions-list tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Spare laptops at the service desk")
    expect(row).to_contain_text("shown to respondents")
    check_accessibility(page, "action-list", artifacts)
    shots(page, "action-list")

    page.get_by_role("link", name="Scorecard", exact=True).click()
    expect(page).to_have_url(re.compile(r"/scorecards/IT$"))
    mine = page.locator("table.actions-table tbody tr")
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text("Spare laptops at the service desk")
    expect(mine).to_contain_text("Relationship score (R)")
    expect(mine).to_contain_text("In progress")
    # Recorded this quarter: before is the latest released quarter (what the page showed),
    # after waits for this quarter's release; the demo's IT relationship score is shown.
    expect(mine.locator("td").last).to_have_text(
        re.compile(r"^\d+\.\d \(\d{4}Q\d\) → after \d{4}Q\d is released$")
    )
    check_accessibility(page, "department-with-actions", artifacts)
    shots(page, "department-actions")

    page.goto(f"{base}/scorecards/")
    expect(page.locator("#open-actions-heading")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Spare laptops at the service desk")

    # On a phone the new pages fit the screen (wide tables scroll inside their own region),
    # and the action plan does not widen the department page (whose other sections are the
    # phone layout's work, not this one's).
    phone = new_context("phone").new_page()
    sign_in(phone, base, "it-manager@demo.example", DEMO_PASSWORD)
    screen = phone.viewport_size["width"]
    for path in ("/actions/", "/actions/IT/new"):
        phone.goto(f"{base}{path}")
        assert phone.evaluate("document.documentElement.scrollWidth") <= screen, path
    phone.goto(f"{base}/scorecards/IT")
    width = phone.evaluate("document.documentElement.scrollWidth")
    phone.evaluate("document.querySelector('.actions-section').remove()")
    assert width <= max(screen, phone.evaluate("document.documentElement.scrollWidth"))


def test_you_said_we_did_in_the_email_and_on_the_thank_you_page(
    app, runner, session, org: Org, server, smtp_server, new_context, shots, artifacts
) -> None:
    base = server.url
    services.create_action(
        session,
        None,
        org.it,
        ActionInput(
            "Spares", "", "dimension:responsiveness", "", None, None, "in_progress", SUMMARY
        ),
    )
    services.create_action(
        session,
        None,
        org.it,
        ActionInput("Later", "", "component:T", "", None, None, "planned", "Not yet public."),
    )
    now = datetime.now(UTC)
    create_campaign(
        session,
        name="Q",
        quarter="2026Q3",
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(days=14),
        min_group_size=5,
        department_ids=[org.sales.id],
    )
    session.commit()
    assert "opened 1 campaign(s)" in cli(app, runner, "tick", BASE_URL=base)
    assert "sent 3" in cli(app, runner, "send-mail", SMTP_URL=smtp_server.url)

    email = message_to(smtp_server.messages, org.sales_people[0].email)
    phone = new_context("phone").new_page()
    phone.set_content(html_body(email))
    expect(phone.get_by_role("heading", name="You said, we did")).to_be_visible()
    expect(phone.locator("body")).to_contain_text(SUMMARY)
    expect(phone.locator("body")).not_to_contain_text("Not yet public.")
    shots(phone, "email-you-said")
    italian = html_body(message_to(smtp_server.messages, org.sales_people[1].email))
    # No Italian summary was given: the Italian reader gets the default text.
    assert "Avete detto, abbiamo fatto" in italian and SUMMARY in italian

    phone.goto(survey_link(email, base))
    assert choose_on_every_scale(phone, "4", touch=True) == 6
    phone.get_by_role("button", name="Save and continue").tap()
    expect(phone.locator(".progress-text")).to_have_text("Department 2 of 2")
    assert choose_on_every_scale(phone, "5", touch=True) == 6
    phone.get_by_role("button", name="Send my answers").tap()
    phone.wait_for_url(f"{base}/r/thanks**")
    expect(phone.locator("h1")).to_have_text("Thank you!")
    said = phone.locator("section.you-said")
    expect(said.locator("h2")).to_have_text("You said, we did")
    expect(said).to_contain_text("Information Technology")
    expect(said).to_contain_text(SUMMARY)
    expect(said).not_to_contain_text("Not yet public.")
    check_accessibility(phone, "thanks-you-said", artifacts)
    assert phone.evaluate("document.documentElement.scrollWidth") <= phone.viewport_size["width"]
    shots(phone, "thanks-you-said")
