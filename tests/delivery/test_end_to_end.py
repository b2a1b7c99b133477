"""The whole path over real parts: API -> tick -> send-mail over SMTP -> the link in the email
-> the survey in the person's language -> one anonymous response -> "already answered"."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from survey.models import Invitation, Response
from survey.models.base import utcnow
from tests.conftest import CSRF_RE
from tests.factories import file_submissions


@pytest.mark.postgres
def test_interaction_to_answer_over_smtp(
    app, client, session, org, api, runner, smtp_server
) -> None:
    person = next(p for p in org.people if p.locale == "it")
    yesterday = utcnow() - timedelta(days=1)
    posted = api.post(
        "/interactions",
        {
            "provider": "IT",
            "requester_email": person.email,
            "service": "IT-LAPTOP",
            "source": "helpdesk",
            "external_ref": "INC-42",
            # Handled yesterday: a request resolved longer ago than SURVEY_LATE_REPORT_DAYS
            # is not surveyed (test_late_reports.py).
            "opened_at": (yesterday - timedelta(hours=2)).isoformat(),
            "resolved_at": yesterday.isoformat(),
        },
    )
    assert posted.status_code == 201
    tick = runner.invoke(args=["survey", "tick"])
    assert tick.exit_code == 0 and "post-interaction invitations 1" in tick.output
    app.config["SMTP_URL"] = smtp_server.url
    sent = runner.invoke(args=["survey", "send-mail"])
    assert sent.exit_code == 0 and "sent 1" in sent.output, sent.output
    (email,) = smtp_server.messages
    assert email["To"].addresses[0].addr_spec == person.email
    text = email.get_body(("plain",)).get_content()
    links = re.findall(r"http://localhost/r/([\w-]+)\?score=4", text)
    assert links, text
    token = links[0]
    assert f"http://localhost/r/{token}/stop" in text  # the opt-out link
    page = client.get(f"/r/{token}?score=4")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and '<html lang="it">' in html
    csrf = CSRF_RE.search(html).group(1)
    done = client.post(f"/r/{token}", data={"csrf_token": csrf, "overall": "4", "comment": "Bene"})
    assert done.status_code == 302
    file_submissions(app)  # as the next page or ``survey`` command would
    session.rollback()
    response = session.scalar(select(Response))
    assert response.contact_person_id is None
    assert response.provider_department_id == org.it.id
    again = client.get(f"/r/{token}")
    assert again.status_code == 410
    client.post(f"/r/{token}", data={"csrf_token": csrf, "overall": "1"})
    file_submissions(app)  # anything the second submit queued would count below
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Response)) == 1
    assert session.scalar(select(Invitation.status)) == "answered"
