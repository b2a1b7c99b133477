"""Journey 1: an administrator opens a quarterly campaign for one department, ``tick`` sends
the invitations over real SMTP, and a respondent answers on a phone in two sittings.

The app runs under gunicorn here (the production server); the CLI runs against the same
SQLite file.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from survey.models import Invitation, Response
from tests.conftest import LiveServer
from tests.e2e.conftest import Org, sign_in
from tests.e2e.flows import (
    choose_on_every_scale,
    cli,
    html_body,
    message_to,
    survey_link,
)
from tests.factories import file_submissions

pytestmark = pytest.mark.slow


@pytest.fixture
def gunicorn(db_url: str) -> Iterator[LiveServer]:
    """The production server on the test's database; one worker keeps the start-up short."""
    server = LiveServer(db_url, workers=1, threads=4)
    yield server
    server.stop()


def test_quarterly_campaign_from_admin_to_thank_you_on_a_phone(
    app, runner, session, org: Org, make_user, gunicorn, smtp_server, new_context, shots
) -> None:
    base = gunicorn.url
    admin = make_user("admin", email="admin@example.com")
    today = datetime.now(UTC).date()

    # The administrator signs in and creates a campaign for Sales only.
    desk = new_context("desktop").new_page()
    sign_in(desk, base, admin.email)
    desk.goto(f"{base}/admin/campaigns/new")
    desk.get_by_label("Name").fill("Autumn relationship survey")
    quarter = desk.get_by_label("Quarter rated").input_value()
    desk.get_by_label("Opens on").fill(today.isoformat())
    desk.get_by_label("Closes on").fill((today + timedelta(days=21)).isoformat())
    desk.get_by_label("Sales (SALES)").check()
    desk.get_by_role("button", name="Show who it reaches").click()
    expect(desk.locator("#reach")).to_contain_text("will invite 3 people")
    shots(desk, "admin-new-campaign", doc="admin-new-campaign")
    desk.get_by_role("button", name="Create campaign").click()
    expect(desk.locator("h1")).to_have_text("Autumn relationship survey")
    expect(desk.locator(".lead .badge")).to_have_text("not yet open")

    # The scheduler opens it: one invitation per person of Sales, mailed over SMTP.
    ticked = cli(app, runner, "tick", BASE_URL=base)
    assert "opened 1 campaign(s) (3 invitations)" in ticked, ticked
    desk.reload()
    expect(desk.locator(".lead .badge")).to_have_text("open")
    expect(desk.locator(".stats .stat").first).to_contain_text("3")
    shots(desk, "admin-campaign-open", doc="admin-campaign-open")
    sent = cli(app, runner, "send-mail", SMTP_URL=smtp_server.url)
    assert "sent 3" in sent, sent
    respondent = org.sales_people[0]
    email = message_to(smtp_server.messages, respondent.email)
    link = survey_link(email, base)

    # On a phone the respondent opens the email and taps "Start the survey".
    phone = new_context("phone").new_page()
    phone.set_content(html_body(email))
    shots(phone, "email", doc="respondent-email-phone")
    phone.get_by_role("link", name="Start the survey").tap()
    phone.wait_for_url(link)
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    expect(phone.locator("h1")).to_have_text("How well does Human Resources serve you?")
    expect(phone.locator(".progress-text")).to_have_text("Department 1 of 2")
    assert quarter in phone.locator("main").inner_text()
    shots(phone, "section-1", doc="respondent-quarterly-phone", doc_full_page=False)

    # First provider: every scale answered with a tap, a comment, then "Save and continue".
    assert choose_on_every_scale(phone, "4", touch=True) == 6
    phone.get_by_label("One thing they could do").fill("Answer payroll questions by chat.")
    phone.get_by_role("button", name="Save and continue").tap()
    expect(phone.locator("h1")).to_have_text("How well does Information Technology serve you?")
    expect(phone.locator(".progress-text")).to_have_text("Department 2 of 2")
    shots(phone, "section-2-then-leaves")
    phone.context.close()  # leaves: the browser session is gone, only the emailed link remains

    # Later, from the same email: the survey resumes at the second provider.
    again = new_context("phone").new_page()
    again.goto(link)
    expect(again.locator(".progress-text")).to_have_text("Department 2 of 2")
    expect(again.locator("ol.sections li").first).to_contain_text("saved")
    expect(again.locator("ol.sections li").nth(1)).to_have_attribute("aria-current", "step")
    shots(again, "comes-back", doc="respondent-resume-phone", doc_full_page=False)
    assert choose_on_every_scale(again, "5", touch=True) == 6
    again.get_by_role("button", name="Send my answers").tap()
    again.wait_for_url(f"{base}/r/thanks**")
    expect(again.locator("h1")).to_have_text("Thank you!")
    shots(again, "thank-you", doc="respondent-thanks-phone")

    # The link is used up: a second visit says so, and nothing more is recorded.
    reopened = again.goto(link)
    assert reopened is not None and reopened.status == 410
    expect(again.locator("h1")).to_have_text("This survey has already been answered")
    shots(again, "already-answered", doc="respondent-already-answered-phone")

    session.rollback()
    file_submissions(app)  # as the next page would (gunicorn's process, the same database)
    responses = session.scalars(select(Response)).all()
    assert sorted(r.provider_department_id for r in responses) == sorted([org.it.id, org.hr.id])
    assert {r.customer_department_id for r in responses} == {org.sales.id}
    assert all(r.contact_person_id is None for r in responses)
    invitation = session.scalar(select(Invitation).where(Invitation.person_id == respondent.id))
    assert invitation is not None and invitation.status == "answered"
