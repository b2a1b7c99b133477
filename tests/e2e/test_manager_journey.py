"""The manager's journey across a quarter, in the browser: the IT manager signs in and lands on
their scorecard, reads the summary and what to work on, records an action answering the first
priority; the quarter then happens (colleagues answer their emailed links, the administrator
closes the campaign, which releases the quarter); the manager opens the new quarter's page and
finds the action beside its target with the figure before and after, and marks it done.

The organisation is the demo's, built as of a day in the third quarter of 2026 (history up to
the second quarter, the third quarter's campaign open), so that the campaign's quarter has
ended by the real clock and closing it releases it. Every page visited is axe-core clean."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import APIRequestContext, Page, expect
from sqlalchemy import select, update

from survey.demo import build_demo
from survey.models import Action, Campaign, Department, Invitation, OutboxMessage, Person
from tests.e2e.conftest import DEMO_PASSWORD, check_accessibility, sign_in
from tests.e2e.flows import choose_on_every_scale

pytestmark = pytest.mark.slow

AS_OF = date(2026, 8, 10)  # the demo's "today": its present is 2026Q3
BEFORE_QUARTER, NEXT_QUARTER = "2026Q2", "2026Q3"
TITLE = "Answer every first request within the working day"
BEFORE_AFTER = re.compile(r"^(\d+\.\d) \((\d{4}Q\d)\) → (\d+\.\d) \((\d{4}Q\d)\)$")
RESPONDENTS = 12  # colleagues of four departments answering the quarterly survey


def _answer(page: Page, url: str, value: str) -> None:
    """Answer every section of a quarterly link with ``value`` on every scale and send it."""
    page.goto(url)
    for _section in range(15):
        assert choose_on_every_scale(page, value) >= 1, page.locator("main").inner_text()
        send = page.locator("button[name=action][value=submit]")
        if send.count():
            send.click()
            break
        with page.expect_navigation():  # the next section is a new page: wait for it
            page.locator("button[name=action][value=next]").click()
    page.wait_for_url(re.compile(r"/r/thanks"))


HIDDEN = re.compile(r'<input type="hidden" name="([\w-]+)" value="([^"]*)">')
RADIO = re.compile(r'name="([\w-]+)"(?: required)? type="radio" value="([^"]+)"')


def _answer_over_http(request: APIRequestContext, url: str, value: str) -> None:
    """The same as ``_answer``, as the form's plain HTTP requests to the server (each
    section's page read, its hidden fields sent back, ``value`` on every scale or the
    scale's first choice): the colleagues after the first answer without a browser, which
    spends about 50 ms a click."""
    page = request.get(url)
    for _section in range(15):
        html = page.text()
        assert page.ok and "</form>" in html, (page.status, html[:400])
        choices: dict[str, list[str]] = {}
        for name, choice in RADIO.findall(html):
            choices.setdefault(name, []).append(choice)
        assert choices, html[:800]
        form = dict(HIDDEN.findall(html))
        form.update({name: value if value in c else c[0] for name, c in choices.items()})
        form["action"] = "submit" if 'value="submit"' in html else "next"
        page = request.post(url, form=form)
        if form["action"] == "submit":
            break
    assert page.ok and page.url.split("?")[0].endswith("/r/thanks"), (page.status, page.url)


def test_from_priorities_to_an_action_seen_on_the_next_quarters_page(
    app, session, server, new_context, artifacts
) -> None:
    base = server.url
    now = datetime(AS_OF.year, AS_OF.month, AS_OF.day, 9, tzinfo=UTC)
    with app.app_context():  # the present's emails are rendered from templates
        build_demo(
            session,
            seed=1,
            admin_password=DEMO_PASSWORD,
            today=AS_OF,
            now=now,
            base_url=base,
            actions=False,
        )
        session.commit()
    campaign = session.scalars(
        select(Campaign).where(Campaign.quarter == NEXT_QUARTER, Campaign.status == "open")
    ).one()
    # The quarter is running while the test plays it: its campaign closes in a week, and so
    # do its links (the demo opened them on AS_OF, by now long past).
    closes = datetime.now(UTC) + timedelta(days=7)
    campaign.closes_at = closes
    session.execute(
        update(Invitation).where(Invitation.campaign_id == campaign.id).values(expires_at=closes)
    )
    session.commit()

    # 1. Sign in: the manager lands on their department's page, the summary first.
    page = new_context("desktop").new_page()
    sign_in(page, base, "it-manager@demo.example", DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/scorecards/IT$"))
    expect(page.locator("main")).to_contain_text(BEFORE_QUARTER)

    # 2. What to work on: the first priority, its practice and why.
    priorities = page.locator("section.priorities")
    expect(priorities.get_by_role("heading", name="What to work on")).to_be_visible()
    first = priorities.locator("ol.priority-list > li").first
    dimension = first.locator("h3").inner_text().strip()
    assert dimension in (
        "Reliability",
        "Responsiveness",
        "Competence",
        "Courtesy",
        "Tools and information",
    ), dimension
    expect(first).to_contain_text("Practice: ")
    check_accessibility(page, "journey: scorecard with priorities", artifacts)

    # 3. Record an action answering it, from the scorecard.
    page.locator("section.actions-section").get_by_role("link", name="Record an action").click()
    page.get_by_label("What will you do?", exact=True).fill(TITLE)
    page.get_by_label("What it answers").select_option(label=f"Dimension: {dimension}")
    page.get_by_label("Owner (name)").fill("Service desk lead")
    page.get_by_label("Due date").fill((datetime.now(UTC).date() + timedelta(days=30)).isoformat())
    page.get_by_label("Status").select_option(label="In progress")
    page.get_by_label("Public summary", exact=True).fill(
        "First requests are now answered the same day."
    )
    check_accessibility(page, "journey: action form", artifacts)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash")).to_have_text("The action is saved.")

    # The demo's clock is the third quarter's: the action is dated to that day, as if
    # recorded then (the server's clock is the real one).
    session.execute(update(Action).where(Action.title == TITLE).values(created_at=now))
    session.commit()
    page.goto(f"{base}/scorecards/IT")
    row = page.locator("table.actions-table tbody tr").filter(has_text=TITLE)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(dimension)
    # Not released yet: before is the quarter the page showed, after waits for the release.
    expect(row.locator("td").last).to_have_text(
        re.compile(rf"^\d+\.\d \({BEFORE_QUARTER}\) → after {NEXT_QUARTER} is released$")
    )

    # 4. The quarter happens: colleagues of four departments answer their emailed links.
    people = session.execute(
        select(OutboxMessage.body_text, Department.code)
        .join(Invitation, Invitation.id == OutboxMessage.invitation_id)
        .join(Person, Person.id == Invitation.person_id)
        .join(Department, Department.id == Person.department_id)
        .where(
            OutboxMessage.purpose == "invitation:quarterly",
            Invitation.campaign_id == campaign.id,
            Department.code.in_(("HR", "FIN", "FAC", "LEGAL")),
        )
        .order_by(Department.code, OutboxMessage.id)
    ).all()
    by_department: dict[str, list[str]] = {}
    for body, code in people:
        link = re.search(r"https?://[^/\s]+(/r/[\w-]+)\s", body)
        assert link is not None, body
        by_department.setdefault(code, []).append(link.group(1))
    respondent = new_context("desktop")
    answered = 0
    for n in range(RESPONDENTS // len(by_department)):
        for code in sorted(by_department):
            url, value = base + by_department[code][n], "5" if n % 3 else "4"
            if answered == 0:  # the first in the browser, clicking as a person does
                _answer(respondent.new_page(), url, value)
            else:
                _answer_over_http(respondent.request, url, value)
            answered += 1
    assert answered == RESPONDENTS

    # 5. The administrator closes the campaign: the quarter (ended by the clock) is released.
    admin = new_context("desktop").new_page()
    sign_in(admin, base, "admin@demo.example", DEMO_PASSWORD)
    admin.goto(f"{base}/admin/campaigns/{campaign.id}")
    admin.get_by_role("button", name="Close the campaign now").click()
    expect(admin.locator("#close-effects")).to_contain_text("still unanswered")
    admin.get_by_role("button", name="Yes, close the campaign").click()
    expect(admin.locator(".flash")).to_contain_text("Campaign closed")
    session.rollback()  # a new snapshot: the request committed in its own transaction
    assert session.get(Campaign, campaign.id).status == "closed"

    # 6. The next quarter's page: the action beside its target, before and after.
    page.goto(f"{base}/scorecards/IT")
    expect(page.locator("main")).to_contain_text(NEXT_QUARTER)
    row = page.locator("table.actions-table tbody tr").filter(has_text=TITLE)
    seen = BEFORE_AFTER.match(row.locator("td").last.inner_text().strip())
    assert seen is not None, row.inner_text()
    assert (seen.group(2), seen.group(4)) == (BEFORE_QUARTER, NEXT_QUARTER)
    assert float(seen.group(3)) > float(seen.group(1))  # the colleagues answered 4 and 5
    check_accessibility(page, "journey: the next quarter's page", artifacts)

    # 7. Done: the status moves on the page.
    page.goto(f"{base}/actions/?department=IT")
    listed = page.locator("table.actions-list tbody tr").filter(has_text=TITLE)
    listed.get_by_label(f"Status of {TITLE}").select_option(label="Done")
    with page.expect_navigation():  # the change is a form post: the list comes back as a new page
        listed.get_by_role("button", name="Change").click()
    check_accessibility(page, "journey: the action list", artifacts)
    page.goto(f"{base}/scorecards/IT")
    row = page.locator("table.actions-table tbody tr").filter(has_text=TITLE)
    expect(row).to_contain_text("Done")
