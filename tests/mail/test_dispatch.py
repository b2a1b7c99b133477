"""The outbox dispatcher against a real SMTP server on loopback."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from survey.db import database
from survey.mail.dispatch import backoff
from survey.mail.dispatch_job import dispatch_once
from survey.mail.runner import run_dispatcher
from survey.mail.smtp import SmtpConnection, SmtpSettings
from survey.models import OutboxMessage
from survey.models.base import utcnow
from survey.services.outbox import enqueue_message

FROM = "Service IQ <siq@example.com>"


def _send(app, server, worker: str = "w1", **kwargs):  # type: ignore[no-untyped-def]
    """One dispatcher pass over a fresh connection, closed afterwards."""
    connection = SmtpConnection(SmtpSettings.from_url(server.url))
    try:
        return dispatch_once(database(app).sessionmaker, connection, FROM, worker, **kwargs)
    finally:
        connection.close()


def _queue(session, n: int, prefix: str = "p") -> list[OutboxMessage]:
    rows = [
        enqueue_message(
            session,
            to_addr=f"{prefix}{i}@example.com",
            subject=f"Survey {i}",
            body_text=f"Hello {i}",
            body_html=f"<p>Hello {i}</p>",
            purpose="test",
            domain="example.com",
        )
        for i in range(n)
    ]
    session.commit()
    return rows


def _statuses(session) -> dict[str, int]:
    session.rollback()  # end the test's read transaction: see what the dispatcher committed
    rows = session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    )
    return dict(rows.all())


@pytest.mark.postgres
def test_messages_arrive_multipart_with_stable_message_id(app, session, smtp_server) -> None:
    queued = _queue(session, 3)
    totals = run_dispatcher(database(app).sessionmaker, smtp_server.url, FROM)
    assert totals.sent == 3
    assert _statuses(session) == {"sent": 3}
    got = {m["Message-ID"]: m for m in smtp_server.messages}
    assert set(got) == {q.message_id for q in queued}
    first = got[queued[0].message_id]
    assert first["To"] == "p0@example.com" and first["Subject"] == "Survey 0"
    assert first.get_body(("plain",)).get_content().strip() == "Hello 0"
    assert "<p>Hello 0</p>" in first.get_body(("html",)).get_content()


def test_one_connection_is_reused(app, session, smtp_server) -> None:
    _queue(session, 5)
    settings = SmtpSettings.from_url(smtp_server.url)
    connection = SmtpConnection(settings)
    opened = []
    original = connection.open

    def counting_open():  # type: ignore[no-untyped-def]
        if connection._smtp is None:
            opened.append(1)
        return original()

    connection.open = counting_open  # type: ignore[method-assign]
    report = dispatch_once(database(app).sessionmaker, connection, FROM, "w1")
    connection.close()
    assert report.sent == 5 and len(opened) == 1


@pytest.mark.postgres
def test_550_fails_that_message_and_the_rest_still_go(app, session, smtp_server) -> None:
    _queue(session, 4)
    smtp_server.handler.refuse_for["p1@example.com"] = "550 No such user"
    report = _send(app, smtp_server, "w1")
    assert (report.sent, report.failed) == (3, 1)
    failed = session.scalar(select(OutboxMessage).where(OutboxMessage.status == "failed"))
    assert failed.to_addr == "p1@example.com" and "550" in failed.last_error


@pytest.mark.parametrize("reply", ["451 Try later", "421 Service shutting down"])
def test_temporary_refusal_is_retried_with_backoff(app, session, smtp_server, reply) -> None:
    _queue(session, 2)
    smtp_server.handler.script.extend([reply])
    before = utcnow()
    report = _send(app, smtp_server, "w1")
    assert report.sent + report.retried == 2 or report.smtp_down
    session.rollback()
    retried = session.scalar(
        select(OutboxMessage).where(OutboxMessage.attempts == 1, OutboxMessage.status == "queued")
    )
    assert retried is not None and retried.next_attempt_at >= before + timedelta(seconds=29)
    # Later, the server accepts: everything is delivered exactly once.
    later = utcnow() + timedelta(hours=1)
    _send(app, smtp_server, "w2", now=later)
    assert _statuses(session) == {"sent": 2}
    assert len({m["Message-ID"] for m in smtp_server.messages}) == len(smtp_server.messages) == 2


@pytest.mark.postgres
def test_smtp_down_loses_nothing_and_delivers_when_back(app, session, smtp_server) -> None:
    _queue(session, 6)
    sessions = database(app).sessionmaker
    smtp_server.stop()
    totals = run_dispatcher(sessions, smtp_server.url, FROM)
    assert totals.smtp_down and totals.sent == 0
    statuses = _statuses(session)
    assert statuses.get("queued") == 6  # all back in the queue, none lost
    smtp_server.start()
    _send(app, smtp_server, "w2", now=utcnow() + timedelta(hours=1))
    assert _statuses(session) == {"sent": 6}
    assert len(smtp_server.messages) == 6


def test_the_loop_waits_out_a_database_outage(app, session, smtp_server) -> None:
    """``send-mail --loop`` goes on when the database is briefly unreachable (restarted)."""
    import os
    import signal
    import threading

    from sqlalchemy.exc import OperationalError

    _queue(session, 3)
    real = database(app).sessionmaker
    failures = iter(range(2))

    def sessions():  # type: ignore[no-untyped-def]
        if next(failures, None) is not None:
            raise OperationalError("SELECT", {}, Exception("connection refused"))
        return real()

    stopper = threading.Timer(1.5, os.kill, (os.getpid(), signal.SIGTERM))
    stopper.start()
    try:
        totals = run_dispatcher(
            sessions,
            smtp_server.url,
            FROM,
            loop=True,
            idle_seconds=0.05,  # type: ignore[arg-type]
        )
    finally:
        stopper.cancel()
    assert sum(e.startswith("database:") for e in totals.errors) == 2
    assert totals.sent == 3 and _statuses(session) == {"sent": 3}


def test_connection_dropped_during_data(app, session, smtp_server) -> None:
    _queue(session, 3)
    smtp_server.handler.script.extend(["250", "drop"])
    report = _send(app, smtp_server, "w1")
    assert report.sent == 1 and report.smtp_down
    _send(app, smtp_server, "w2", now=utcnow() + timedelta(hours=1))
    assert _statuses(session) == {"sent": 3}
    assert len({m["Message-ID"] for m in smtp_server.messages}) == 3


def test_expired_lease_of_a_dead_dispatcher_is_taken_over(app, session, smtp_server) -> None:
    from survey.mail.dispatch import claim_batch

    _queue(session, 2)
    sessions = database(app).sessionmaker
    with sessions() as s:
        assert len(claim_batch(s, "dead-worker", 10, utcnow())) == 2
        s.commit()  # the step only flushes: its runner commits the lease
    # Within the lease nobody else takes them; after it, another dispatcher does.
    conn = SmtpConnection(SmtpSettings.from_url(smtp_server.url))
    assert dispatch_once(sessions, conn, FROM, "w2").claimed == 0
    assert dispatch_once(sessions, conn, FROM, "w2", now=utcnow() + timedelta(minutes=6)).sent == 2
    conn.close()


def test_header_injection_is_neutralised(app, session, smtp_server) -> None:
    enqueue_message(
        session,
        to_addr="x@example.com",
        subject="Hi\r\nBcc: victim@example.com",
        body_text="t",
        body_html="",
        purpose="test",
        domain="example.com",
    )
    session.commit()
    run_dispatcher(database(app).sessionmaker, smtp_server.url, FROM)
    (message,) = smtp_server.messages
    assert message["Bcc"] is None and "Bcc: victim" in message["Subject"]


def test_backoff_grows_and_is_capped() -> None:
    assert backoff(1) == timedelta(seconds=30)
    assert backoff(2) == timedelta(minutes=1)
    assert backoff(30) == timedelta(hours=6)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example.com", ("mail.example.com", 25, False, False, None)),
        ("smtp://u%40x:p%3Aw@h:587?starttls=1", ("h", 587, False, True, "u@x")),
        ("smtps://h", ("h", 465, True, False, None)),
    ],
)
def test_smtp_url_parsing(url, expected) -> None:
    s = SmtpSettings.from_url(url)
    assert (s.host, s.port, s.use_ssl, s.starttls, s.username) == expected


def test_the_smtp_url_switches_read_as_every_on_off_setting() -> None:
    """``starttls`` and ``verify`` take the words of every on/off setting; a typo used to mean
    off, so ``starttls=ture`` sent the relay's password in clear text: now the start-up stops,
    naming the parameter and the setting."""
    from survey.config import ConfigError, load_settings

    on = SmtpSettings.from_url("smtp://u:p@h:587?starttls=ON&verify=yes")
    assert (on.starttls, on.verify_tls) == (True, True)
    off = SmtpSettings.from_url("smtp://u:p@h:587?starttls=off&verify=Off")
    assert (off.starttls, off.verify_tls) == (False, False)
    for query in ("starttls=ture", "verify=flase", "starttls=2"):
        with pytest.raises(ValueError, match=query.split("=")[0]):
            SmtpSettings.from_url(f"smtp://u:p@h:587?{query}")
    env = {"SURVEY_BASE_URL": "https://surveys.example.com"}
    with pytest.raises(ConfigError, match=r"SURVEY_SMTP_URL.*starttls"):
        load_settings("/tmp", {**env, "SURVEY_SMTP_URL": "smtp://u:p@h:587?starttls=ture"})


def test_bad_smtp_url_is_refused() -> None:
    with pytest.raises(ValueError, match="smtp"):
        SmtpSettings.from_url("http://x")


def test_send_mail_without_smtp_keeps_the_outbox(runner, session) -> None:
    _queue(session, 1)
    result = runner.invoke(args=["survey", "send-mail"])
    assert result.exit_code == 0 and "outbox" in result.output
    assert _statuses(session) == {"queued": 1}


def test_flattened_bytes_carry_the_message_with_crlf_line_ends() -> None:
    """The dispatcher composes and flattens messages in a second thread and hands bytes to the
    server: parsed back they give the letter's headers and both bodies, lines end in CRLF."""
    from datetime import UTC, datetime
    from email import message_from_bytes
    from email import policy as email_policy

    from survey.mail.dispatch import Letter, _flat

    letter = Letter(
        to_addr='"Zoë Ünal" <zoe@example.com>',
        subject="Ça va ? Votre avis 😀 " + "long words " * 12,
        message_id="<abc@survey.example>",
        created_at=datetime(2026, 11, 25, 9, 30, tzinfo=UTC),
        body_text="Bonjour,\n.a line starting with a dot\nmerci",
        body_html="<p>Bonjour <b>Zoë</b></p>",
    )
    recipient, data = _flat(letter, FROM)
    assert recipient == "zoe@example.com"
    assert b"\n" not in data.replace(b"\r\n", b"")
    parsed = message_from_bytes(data, policy=email_policy.default)
    assert parsed["To"] == "Zoë Ünal <zoe@example.com>"
    assert parsed["Subject"].strip() == letter.subject.strip()
    assert parsed["Message-ID"] == letter.message_id
    plain = parsed.get_body(("plain",)).get_content()
    assert plain.replace("\r\n", "\n").strip() == letter.body_text
    assert parsed.get_body(("html",)).get_content().strip() == letter.body_html


def test_an_address_outside_ascii_fails_alone_with_a_clear_error(app, session, smtp_server) -> None:
    """An internationalised address (the API accepts any address with an @) cannot be sent by
    these message classes: it is marked failed with the reason, and the rest of the batch is
    sent; the dispatcher does not stop on it."""
    _queue(session, 2)
    odd = enqueue_message(
        session,
        to_addr="Zoë <zoë@exämple.com>",
        subject="Survey",
        body_text="Hello",
        body_html="",
        purpose="test",
        domain="example.com",
    )
    session.commit()
    report = _send(app, smtp_server)
    assert (report.sent, report.failed) == (2, 1)
    assert _statuses(session) == {"sent": 2, "failed": 1}
    error = session.scalar(select(OutboxMessage.last_error).where(OutboxMessage.id == odd.id))
    assert "not plain ASCII" in (error or "")
    assert len(smtp_server.messages) == 2


@pytest.mark.parametrize(
    "subject",
    [
        "Survey",
        "A plain subject that is far too long to fit on one header line of seventy-eight",
        "Qualità del servizio — com'è andata?",
        "Ends with spaces   ",
    ],
)
def test_headers_are_written_as_the_folding_machinery_would(subject: str) -> None:
    """The dispatcher's flattening policy writes short plain-ASCII header values directly;
    the bytes must be exactly what compat32's folding produces, and the multipart boundary
    (set up front) must be one quoted-printable text cannot contain."""
    from datetime import UTC, datetime
    from email.policy import compat32

    from survey.mail.dispatch import SMTP_LINES, Letter, compose

    letter = Letter(
        to_addr='"Zoë Ünal" <zoe@example.com>' if "à" in subject else "ada@example.com",
        subject=subject,
        message_id="<abc@survey.example>",
        created_at=datetime(2026, 11, 25, 9, 30, tzinfo=UTC),
        body_text="Bonjour =_ and =\n" * 3,
        body_html="<p>Bonjour</p>",
    )
    message = compose(letter, FROM)
    assert message.get_boundary().startswith("=_")
    folded = message.as_bytes(policy=compat32.clone(linesep="\r\n"))
    assert message.as_bytes(policy=SMTP_LINES) == folded
    body = folded.split(b"\r\n\r\n", 1)[1]
    assert body.count(message.get_boundary().encode()) == 3  # two parts and the end


def test_send_mail_with_the_smtp_server_down_exits_with_an_error(app, runner, session) -> None:
    """The README's cron recipe runs ``send-mail`` every minute: with the relay unreachable it
    said "sent 0, retried 1" and exited 0, so nothing told the operator that no mail left.
    It now exits 1 naming the SMTP server; the message stays queued for the next run."""
    from tests.smtp import free_port

    _queue(session, 1)
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{free_port()}"  # nothing listens there
    result = runner.invoke(args=["survey", "send-mail"])
    assert result.exit_code == 1
    assert "Error: the SMTP server could not be used" in result.output
    assert "retried on the next run" in result.output
    assert _statuses(session) == {"queued": 1}


def test_send_mail_cut_short_after_some_mail_left_is_no_error(
    app, runner, session, smtp_server
) -> None:
    """A relay that ends the session after so many messages is not down: what left is sent,
    the rest goes on the next run, and cron hears of no error."""
    _queue(session, 3)
    smtp_server.handler.script.extend(["250", "drop"])
    app.config["SMTP_URL"] = smtp_server.url
    result = runner.invoke(args=["survey", "send-mail"])
    assert result.exit_code == 0, result.output
    assert "went away after 1 message(s)" in result.output
    assert _statuses(session) == {"sent": 1, "queued": 2}


def test_the_loop_says_when_the_smtp_server_goes_away_and_comes_back(
    app, session, smtp_server
) -> None:
    """``send-mail --loop`` runs as a service: while the relay is down it backs off, and its
    log says so once (not on every pass), and again once mail goes through."""
    import os
    import signal

    _queue(session, 2)
    smtp_server.stop()
    lines: list[str] = []

    def say(line: str) -> None:
        lines.append(line)
        if "unavailable" in line:
            smtp_server.start()  # the relay comes back
        else:
            os.kill(os.getpid(), signal.SIGTERM)  # stop the loop once it said so

    totals = run_dispatcher(
        database(app).sessionmaker,
        smtp_server.url,
        FROM,
        loop=True,
        idle_seconds=0.01,  # type: ignore[arg-type]
        say=say,
    )
    assert len(lines) == 2
    assert lines[0].startswith("SMTP server unavailable, retrying with back-off: connection:")
    assert lines[1] == "SMTP server available again"
    assert totals.smtp_down


@pytest.mark.postgres
def test_a_sender_named_in_the_organisations_language_is_sent(app, session, smtp_server) -> None:
    """``SURVEY_MAIL_FROM`` names the sender, and an Italian or French organisation names it
    in its language ("Qualità del servizio <...>"): every message then failed for good with
    "cannot be sent: the address ... is not plain ASCII", the recipient's address blamed for
    the sender's name. The name is now encoded in the header (RFC 2047) and the envelope
    carries the bare address."""
    from email.utils import parseaddr

    sender = "Qualité du service <siq@example.com>"
    _queue(session, 2)
    totals = run_dispatcher(database(app).sessionmaker, smtp_server.url, sender)
    assert (totals.sent, totals.failed) == (2, 0), totals.errors
    assert _statuses(session) == {"sent": 2}
    received = smtp_server.messages[0]
    assert parseaddr(str(received["From"])) == ("Qualité du service", "siq@example.com")
    assert smtp_server.handler.senders == ["siq@example.com"] * 2


@pytest.mark.postgres
def test_a_relay_refusing_the_sender_fails_no_message(app, session, smtp_server) -> None:
    """A relay that refuses this service's sender (MAIL FROM answered 553: the address is not
    allowed to send through it, a setting to fix) or its login (535: a wrong or expired
    password) refuses every message alike. Each was recorded as failed for good, the whole
    outbox lost to one setting; now the pass stops as when the server is down, the messages
    stay queued, and they leave once the setting is fixed."""
    _queue(session, 3)
    smtp_server.handler.refuse_sender = "553 5.7.1 Sender address rejected: not owned by user"
    totals = run_dispatcher(database(app).sessionmaker, smtp_server.url, FROM)
    assert totals.smtp_down and (totals.sent, totals.failed) == (0, 0), totals.errors
    assert "553" in totals.errors[-1]
    assert _statuses(session) == {"queued": 3}
    smtp_server.handler.refuse_sender = ""
    _send(app, smtp_server, "w2", now=utcnow() + timedelta(hours=1))
    assert _statuses(session) == {"sent": 3}


def test_a_refused_login_fails_no_message(app, session) -> None:
    """The relay's login refused (535) is the setting's fault, not the messages'."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    from tests.smtp import Recorder, free_port

    port = free_port()
    controller = Controller(
        Recorder(),
        hostname="127.0.0.1",
        port=port,
        authenticator=lambda *args: AuthResult(success=False, handled=False),
        auth_require_tls=False,
    )
    controller.start()
    try:
        _queue(session, 2)
        url = f"smtp://siq:expired@127.0.0.1:{port}"
        totals = run_dispatcher(database(app).sessionmaker, url, FROM)
    finally:
        controller.stop()
    assert totals.smtp_down and (totals.sent, totals.failed) == (0, 0), totals.errors
    assert "535" in totals.errors[-1]
    assert _statuses(session) == {"queued": 2}
