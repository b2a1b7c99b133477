"""Journey 5: the respondent flows with JavaScript disabled in the browser (a locked-
down corporate phone, a text-mode browser): plain forms must be enough."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, expect
from sqlalchemy import func, select

from survey.models import Invitation, Response
from tests.e2e.conftest import Org
from tests.e2e.flows import choose_on_every_scale
from tests.factories import (
    file_submissions,
    open_campaign,
    post_interaction_link,
    quarterly_link,
)

pytestmark = pytest.mark.slow


def without_javascript(new_context, device: str) -> BrowserContext:
    context = new_context(device, java_script_enabled=False)
    probe = context.new_page()
    probe.set_content("<p id=probe>off</p><script>probe.textContent = 'on'</script>")
    expect(probe.locator("#probe")).to_have_text("off")  # scripts really do not run
    probe.close()
    return context


def test_quarterly_survey_without_javascript(session, org: Org, server, new_context, shots) -> None:
    token = quarterly_link(session, org.sales_people[0], open_campaign(session))
    link = f"{server.url}/r/{token}"
    page = without_javascript(new_context, "phone").new_page()
    page.goto(link)
    expect(page.locator(".progress-text")).to_have_text("Department 1 of 2")
    shots(page, "section-1")
    choose_on_every_scale(page, "3", touch=True)
    page.get_by_role("button", name="Save and continue").tap()
    expect(page.locator(".progress-text")).to_have_text("Department 2 of 2")

    # Sending with the second section empty is refused, with the reason shown.
    page.get_by_role("button", name="Send my answers").tap()
    expect(page.get_by_role("alert").first).to_be_visible()
    expect(page.locator(".progress-text")).to_have_text("Department 2 of 2")
    shots(page, "refused-incomplete")

    # Part of the second section (its required overall rating included: "Save and finish
    # later" validates what is there), then "Save and finish later".
    questions = page.locator("form fieldset.question")
    questions.first.locator("input[value='2'] + label").tap()
    questions.last.locator("input[value='3'] + label").tap()
    page.get_by_role("button", name="Save and finish later").tap()
    expect(page.locator("h1")).to_have_text("Your answers are saved")
    shots(page, "saved")

    # Back through the link: the second section kept its answers; "Back" shows the first.
    page.goto(link)
    expect(page.locator(".progress-text")).to_have_text("Department 2 of 2")
    expect(questions.first.locator("input[value='2']")).to_be_checked()
    page.get_by_role("button", name="Back").tap()
    expect(page.locator(".progress-text")).to_have_text("Department 1 of 2")
    expect(questions.first.locator("input[value='3']")).to_be_checked()
    page.get_by_role("button", name="Save and continue").tap()
    choose_on_every_scale(page, "4", touch=True)
    page.get_by_role("button", name="Send my answers").tap()
    expect(page.locator("h1")).to_have_text("Thank you!")
    shots(page, "thank-you")
    reopened = page.goto(link)
    assert reopened is not None and reopened.status == 410
    session.rollback()
    file_submissions(server.app)  # as the next page would
    assert session.scalar(select(func.count()).select_from(Response)) == 2
    assert session.scalar(select(Invitation.status)) == "answered"


def test_post_interaction_survey_without_javascript(
    session, org: Org, server, new_context, shots
) -> None:
    token = post_interaction_link(session, org.eng_people[1], org.it, org.laptop)
    page = without_javascript(new_context, "phone").new_page()
    page.goto(f"{server.url}/r/{token}?score=2")
    expect(page.locator("input[name=overall][value='2']")).to_be_checked()

    # Cleared by mistake: the required rating is asked for, nothing is recorded.
    page.goto(f"{server.url}/r/{token}")
    page.get_by_role("button", name="Send my answers").tap()
    expect(page.get_by_role("alert").first).to_be_visible()
    shots(page, "missing-rating")
    session.rollback()
    file_submissions(server.app)  # as the next page would: nothing was queued either
    assert session.scalar(select(func.count()).select_from(Response)) == 0

    choose_on_every_scale(page, "2", touch=True)
    page.get_by_label("Anything you would like them to keep doing").fill("Slow to start.")
    page.get_by_role("button", name="Send my answers").tap()
    expect(page.locator("h1")).to_have_text("Thank you!")
    shots(page, "thank-you")
    session.rollback()
    file_submissions(server.app)  # as the next page would
    assert session.scalar(select(func.count()).select_from(Response)) == 1
