"""Deliverability: one-click unsubscribe headers and endpoint (RFC 8058), the suppression list
honoured by the dispatcher, and bounce/complaint reports (RFC 3464 DSNs, an abuse report) read
from a real POP3 server on loopback. Real SMTP, SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from survey.db import database
from survey.mail.bounces import parse_report
from survey.mail.dispatch_job import dispatch_once
from survey.mail.smtp import SmtpConnection, SmtpSettings
from survey.models import OutboxMessage, Person, SoftBounce, SuppressedAddress, UnsubscribeToken
from survey.models.base import utcnow
from survey.services.outbox import WITHDRAWN_SUPPRESSED, enqueue_message
from survey.services.suppression import suppress
from tests.delivery.conftest import build_org
from tests.delivery.test_campaigns import new_campaign, tick
from tests.pop3 import Pop3Box

FROM = "Service IQ <siq@example.com>"
SAMPLES = Path(__file__).parent / "samples"
BASE = "http://localhost"


def sample(name: str) -> bytes:
    return (SAMPLES / f"{name}.eml").read_bytes()


@pytest.fixture
def org(session):  # type: ignore[no-untyped-def]
    return build_org(session)


def _dispatch(app, server, base_url: str | None = BASE):  # type: ignore[no-untyped-def]
    connection = SmtpConnection(SmtpSettings.from_url(server.url))
    try:
        return dispatch_once(
            database(app).sessionmaker,
            connection,
            FROM,
            "w1",
            now=utcnow() + timedelta(hours=3),
            base_url=base_url,
        )
    finally:
        connection.close()


def _survey_mail(app, session, smtp_server):  # type: ignore[no-untyped-def]
    new_campaign(session, utcnow())
    tick(app, utcnow() + timedelta(hours=2))
    report = _dispatch(app, smtp_server)
    assert report.sent == 12
    return smtp_server.messages


def test_reports_are_parsed() -> None:
    [perm] = parse_report(sample("permanent_failure"))
    assert (perm.address, perm.kind, perm.status) == ("gone@example.org", "permanent", "5.1.1")
    [delay] = parse_report(sample("transient_delay"))
    assert (delay.address, delay.kind, delay.status) == ("busy@example.org", "transient", "4.4.1")
    [complaint] = parse_report(sample("complaint_arf"))
    assert (complaint.address, complaint.kind) == ("cross@example.org", "complaint")
    assert parse_report(b"From: a@example.org\r\nSubject: out of office\r\n\r\nAway.\r\n") == []


@pytest.mark.postgres
def test_every_survey_mail_has_one_click_unsubscribe(app, session, org, smtp_server) -> None:
    received = _survey_mail(app, session, smtp_server)
    assert len(received) == 12
    urls = set()
    for mail in received:
        assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        match = re.fullmatch(
            r"<(http://localhost/unsubscribe/[A-Za-z0-9_-]{22})>", mail["List-Unsubscribe"]
        )
        assert match
        urls.add(match.group(1))
    assert len(urls) == 12  # one per message
    session.rollback()
    assert len(session.scalars(select(UnsubscribeToken)).all()) == 12


@pytest.mark.postgres
def test_one_click_post_without_cookies_opts_out_and_get_changes_nothing(
    app, session, org, smtp_server
) -> None:
    received = _survey_mail(app, session, smtp_server)
    mail = next(m for m in received if org.person(3).email in m["To"])
    path = re.search(r"http://localhost(/unsubscribe/\S+)>", mail["List-Unsubscribe"]).group(1)
    bare = app.test_client(use_cookies=False)
    page = bare.get(path)
    assert page.status_code == 200 and "Stop receiving survey emails?" in page.get_data(
        as_text=True
    )
    session.rollback()
    assert session.get(Person, org.person(3).id).opted_out is False
    # What a mail program sends: a form body, no cookie, no CSRF token.
    done = bare.post(path, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    session.rollback()
    session.expire_all()
    assert session.get(Person, org.person(3).id).opted_out is True
    assert bare.post("/unsubscribe/" + "x" * 22).status_code == 404


@pytest.mark.postgres
def test_suppressed_address_gets_no_mail_of_any_kind(app, session, org, smtp_server) -> None:
    suppress(session, org.person(0).email.upper(), "manual", "asked by phone")
    enqueue_message(
        session,
        to_addr=f"Someone <{org.person(0).email}>",
        subject="Account",
        body_text="t",
        body_html="<p>t</p>",
        purpose="account:password_reset",
        domain="example.com",
    )
    session.commit()
    report = _dispatch(app, smtp_server)
    assert report.withdrawn == 1 and smtp_server.messages == []
    session.rollback()
    message = session.scalars(select(OutboxMessage)).one()
    assert (message.status, message.last_error) == ("failed", WITHDRAWN_SUPPRESSED)


@pytest.mark.postgres
def test_process_bounces_over_pop3(app, runner, session, make_person) -> None:
    cross = make_person(email="cross@example.org")
    ordinary = b"From: a@example.org\r\nTo: siq@example.com\r\nSubject: Thanks\r\n\r\nThanks!\r\n"
    box = Pop3Box(
        [sample("permanent_failure"), sample("transient_delay"), ordinary, sample("complaint_arf")]
    ).start()
    try:
        app.config["BOUNCE_POP3_URL"] = box.url
        result = runner.invoke(args=["survey", "process-bounces"])
        assert result.exit_code == 0, result.output
        assert "read 4, ignored 1, suppressed 2, transient 1, complaints 1" in result.output
        assert box.messages == [ordinary]  # understood reports deleted, the rest kept
        assert {"USER", "PASS", "STAT", "RETR", "DELE", "QUIT"} <= set(box.log)
    finally:
        box.stop()
    session.rollback()
    session.expire_all()
    reasons = dict(
        session.execute(select(SuppressedAddress.address, SuppressedAddress.reason)).all()
    )
    assert reasons == {"gone@example.org": "bounce", "cross@example.org": "complaint"}
    soft = session.get(SoftBounce, "busy@example.org")
    assert soft is not None and soft.count == 1 and soft.last_status == "4.4.1"
    assert session.get(Person, cross.id).opted_out is True


def test_process_bounces_needs_the_setting_and_a_reachable_box(app, runner) -> None:
    app.config["BOUNCE_POP3_URL"] = None
    assert "SURVEY_BOUNCE_POP3_URL" in runner.invoke(args=["survey", "process-bounces"]).output
    app.config["BOUNCE_POP3_URL"] = "imap://x@localhost"
    assert "pop3://" in runner.invoke(args=["survey", "process-bounces"]).output
    box = Pop3Box([], password="right").start()
    try:
        app.config["BOUNCE_POP3_URL"] = box.url.replace(":right@", ":wrong@")
        result = runner.invoke(args=["survey", "process-bounces"])
        assert result.exit_code == 1 and "refused" in result.output
    finally:
        box.stop()


def test_admin_sees_and_edits_the_suppression_list(admin_client, session) -> None:
    from tests.conftest import post_form

    suppress(session, "gone@example.org", "bounce", "5.1.1 user unknown")
    session.commit()
    page = admin_client.get("/admin/outbox/suppressed").get_data(as_text=True)
    assert "gone@example.org" in page and "Permanent failure" in page
    added = post_form(
        admin_client, "/admin/outbox/suppressed", {"email": "Ask@Example.org", "detail": "phone"}
    )
    assert added.status_code == 302
    bad = post_form(admin_client, "/admin/outbox/suppressed", {"email": "not an address"})
    assert bad.status_code == 422
    removed = post_form(
        admin_client, "/admin/outbox/suppressed/remove", {"email": "gone@example.org"}
    )
    assert removed.status_code == 302
    session.rollback()
    reasons = dict(
        session.execute(select(SuppressedAddress.address, SuppressedAddress.reason)).all()
    )
    assert reasons == {"ask@example.org": "manual"}
    from tests.admin.test_audit import entries

    logged = [(e.action, e.target_label, e.changes) for e in entries(session, "address")]
    assert logged == [
        ("suppress", "ask@example.org", {"reason": [None, "manual"], "detail": [None, "phone"]}),
        ("unsuppress", "gone@example.org", {}),
    ]
    assert admin_client.get("/admin/outbox?lang=fr").status_code == 200


@pytest.mark.postgres
def test_webhook_applies_a_posted_report_with_an_api_key(app, client, session, org) -> None:
    headers = {"Authorization": f"Bearer {org.api_key}", "Content-Type": "message/rfc822"}
    refused = client.post("/mail/reports", data=sample("permanent_failure"))
    assert refused.status_code == 401
    wrong = client.post(
        "/mail/reports",
        data=sample("permanent_failure"),
        headers={**headers, "Authorization": "Bearer siq_nope_nope"},
    )
    assert wrong.status_code == 401
    ok = client.post("/mail/reports", data=sample("permanent_failure"), headers=headers)
    assert ok.status_code == 200 and ok.get_json()["suppressed"] == ["gone@example.org"]
    delayed = client.post("/mail/reports", data=sample("transient_delay"), headers=headers)
    assert delayed.get_json() == {
        "suppressed": [],
        "transient": 1,
        "complaints": 0,
        "not_applied": [],
    }
    junk = client.post("/mail/reports", data=b"Subject: hi\r\n\r\nhello\r\n", headers=headers)
    assert junk.status_code == 422 and junk.get_json()["field"] == "body"
    session.rollback()
    reasons = dict(
        session.execute(select(SuppressedAddress.address, SuppressedAddress.reason)).all()
    )
    assert reasons == {"gone@example.org": "bounce"}
    assert session.get(SoftBounce, "busy@example.org").count == 1


NOT_AN_ADDRESS_DSN = (
    b"Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n"
    b"--b\r\nContent-Type: message/delivery-status\r\n\r\n"
    b"Reporting-MTA: dns; mx.example.org\r\n\r\n"
    b"Final-Recipient: rfc822; nobody\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
    b"Final-Recipient: rfc822; later\r\nAction: delayed\r\nStatus: 4.4.1\r\n\r\n"
    b"Final-Recipient: rfc822; gone@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
    b"--b--\r\n"
)
NOT_AN_ADDRESS_ARF = (
    b"Content-Type: multipart/report; report-type=feedback-report; boundary=b\r\n\r\n"
    b"--b\r\nContent-Type: message/feedback-report\r\n\r\n"
    b"Feedback-Type: abuse\r\nOriginal-Rcpt-To: nobody\r\n\r\n--b--\r\n"
)


def test_a_reported_recipient_that_is_no_address_is_not_applied(client, session, org) -> None:
    """A report naming ``rfc822; nobody`` (no "@") suppresses and counts nothing for it, the
    answer says so, and the report's other recipients are applied (it was a server error)."""
    headers = {"Authorization": f"Bearer {org.api_key}"}
    bounce = client.post("/mail/reports", data=NOT_AN_ADDRESS_DSN, headers=headers)
    assert bounce.status_code == 200
    assert bounce.get_json() == {
        "suppressed": ["gone@example.org"],
        "transient": 0,
        "complaints": 0,
        "not_applied": ["later", "nobody"],
    }
    complaint = client.post("/mail/reports", data=NOT_AN_ADDRESS_ARF, headers=headers)
    assert complaint.status_code == 200
    assert complaint.get_json() == {
        "suppressed": [],
        "transient": 0,
        "complaints": 0,
        "not_applied": ["nobody"],
    }
    session.rollback()
    assert session.scalars(select(SuppressedAddress.address)).all() == ["gone@example.org"]
    assert session.scalars(select(SoftBounce)).all() == []
