"""Processes killed with SIGKILL mid-work leave no half-written response and lose no mail."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from survey.db import database
from survey.mail.dispatch_job import SENT_BATCH, dispatch_once
from survey.mail.smtp import SmtpConnection, SmtpSettings
from survey.models import Invitation, OutboxMessage, Response
from survey.models.base import utcnow
from survey.services.outbox import enqueue_message

ROOT = Path(__file__).resolve().parents[2]


def env_for(db_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "SURVEY_DATABASE_URL": db_url,
        "SURVEY_SECRET_KEY": "crash-test-secret-of-thirty-two-characters-at-least",
        "PYTHONPATH": str(ROOT),
        **extra,
    }


@pytest.mark.postgres
@pytest.mark.slow
def test_killed_submit_leaves_nothing_and_the_link_still_works(
    db_url, session, invite, org, client
) -> None:
    token = invite("post_interaction", org.person(0))
    child = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("crash_submit.py")), token],
        env=env_for(db_url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=str(ROOT),
    )
    assert child.stdout is not None
    line = child.stdout.readline().decode().strip()
    assert line == "stored", child.stderr.read().decode() if child.stderr else ""
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    child.stdout.close()
    if child.stderr:
        child.stderr.close()
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Response)) == 0
    assert session.scalar(select(Invitation.status)) in ("queued", "sent")
    assert client.get(f"/r/{token}").status_code == 200


@pytest.mark.postgres
@pytest.mark.slow
def test_killed_send_mail_loses_nothing(db_url, app, session, smtp_server) -> None:
    for i in range(60):
        enqueue_message(
            session,
            to_addr=f"r{i}@example.com",
            subject=f"s{i}",
            body_text="t",
            body_html="",
            purpose="test",
            domain="example.com",
        )
    session.commit()
    smtp_server.handler.delay = 0.05
    child = subprocess.Popen(
        [str(Path(sys.executable).with_name("flask")), "--app", "wsgi", "survey", "send-mail"],
        env=env_for(
            db_url, SURVEY_SMTP_URL=smtp_server.url, SURVEY_BASE_URL="http://127.0.0.1:5000"
        ),
        cwd=str(ROOT),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while len(smtp_server.messages) < 10 and time.monotonic() < deadline:
        time.sleep(0.02)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    delivered_before = len(smtp_server.messages)
    assert 10 <= delivered_before < 60
    # Another dispatcher takes over once the dead one's lease has expired.
    connection = SmtpConnection(SmtpSettings.from_url(smtp_server.url))
    later = utcnow() + timedelta(minutes=6)
    while dispatch_once(
        database(app).sessionmaker, connection, "x@example.com", "w2", now=later
    ).claimed:
        pass
    connection.close()
    session.rollback()
    assert (
        session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status != "sent")
        )
        == 0
    )
    ids = [m["Message-ID"] for m in smtp_server.messages]
    expected = set(session.scalars(select(OutboxMessage.message_id)))
    assert set(ids) == expected  # nothing lost
    duplicates = len(ids) - len(set(ids))
    # Only messages accepted but not yet recorded when the process died come again (the
    # dispatcher records acceptances in groups of at most SENT_BATCH), with their Message-ID.
    assert duplicates <= SENT_BATCH
