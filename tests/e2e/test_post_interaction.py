"""Journey 2: a help desk reports a handled request through the API, ``tick`` decides to
survey the requester and the email goes out over SMTP; the requester clicks "4" in the email,
adds a comment and sends."""

from __future__ import annotations

import json
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from survey.models import Answer, Question, Response
from tests.e2e.conftest import Org
from tests.e2e.flows import cli, html_body, message_to, survey_link
from tests.factories import file_submissions

pytestmark = pytest.mark.slow


def _report_request(base_url: str, api_key: str, requester: str) -> dict[str, object]:
    now = datetime.now(UTC)
    body = {
        "provider": "IT",
        "requester_email": requester,
        "service": "IT-LAPTOP",
        "source": "helpdesk",
        "external_ref": "INC-4242",
        "opened_at": (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "first_response_at": (now - timedelta(hours=23)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "resolved_at": (now - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    request = urllib.request.Request(
        f"{base_url}/api/v1/interactions",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201
        return dict(json.load(response))


def test_requester_clicks_4_in_the_email_and_adds_a_comment(
    app, runner, session, org: Org, server, smtp_server, new_context, shots
) -> None:
    requester = org.eng_people[0]
    _report_request(server.url, org.api_key, requester.email)
    ticked = cli(app, runner, "tick", BASE_URL=server.url)
    assert "post-interaction invitations 1" in ticked, ticked
    sent = cli(app, runner, "send-mail", SMTP_URL=smtp_server.url)
    assert "sent 1" in sent, sent
    email = message_to(smtp_server.messages, requester.email)
    link = survey_link(email, server.url)

    # The email as a mail client shows it: five rating buttons.
    page = new_context("desktop").new_page()
    page.set_content(html_body(email))
    expect(page.get_by_role("link", name="4 out of 5")).to_be_visible()
    shots(page, "email", doc="post-interaction-email")
    page.get_by_role("link", name="4 out of 5").click()
    page.wait_for_url(f"{link}?score=4")

    # The form opens with "4" already chosen; nothing is recorded until it is sent.
    expect(page.locator("h1")).to_have_text("How did Information Technology handle your request?")
    overall = page.locator("input[name=overall][value='4']")
    expect(overall).to_be_checked()
    session.rollback()
    file_submissions(app)  # as the next page would: nothing was queued either
    assert session.scalar(select(Response)) is None
    shots(page, "form-with-4", doc="post-interaction-form")
    page.get_by_label("Anything you would like them to keep doing").fill(
        "Fixed within the hour, thank you. A heads-up before the reinstall would help."
    )
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_url(f"{server.url}/r/thanks**")
    expect(page.locator("h1")).to_have_text("Thank you!")
    shots(page, "thank-you")

    session.rollback()
    file_submissions(app)  # as the next page would
    response = session.scalar(select(Response))
    assert response is not None and response.kind == "post_interaction"
    assert response.provider_department_id == org.it.id
    assert response.contact_person_id is None
    answers = {
        code: (value, text)
        for code, value, text in session.execute(
            select(Question.code, Answer.value, Answer.text)
            .join(Answer, Answer.question_id == Question.id)
            .where(Answer.response_id == response.id)
        )
    }
    assert answers["overall"] == (4, None)
    assert answers["comment"][1] is not None and "heads-up" in answers["comment"][1]
    reopened = page.goto(link)
    assert reopened is not None and reopened.status == 410
