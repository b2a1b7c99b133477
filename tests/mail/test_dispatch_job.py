"""Who owns the dispatcher's transactions: its steps (``survey/mail/dispatch.py``) only flush,
the job (``survey/mail/dispatch_job.py``) commits each, the claim before the first message goes;
two dispatchers never send one message twice. Real SMTP, SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from survey.db import database
from survey.mail.dispatch import (
    DispatchReport,
    claim_batch,
    issue_unsubscribe_links,
    record_connection_lost,
    record_failed,
    record_retry,
    record_sent,
    withdraw,
)
from survey.mail.dispatch_job import dispatch_once
from survey.mail.smtp import SmtpConnection, SmtpSettings
from survey.models import Invitation, OutboxMessage, UnsubscribeToken
from survey.models.base import utcnow
from survey.services.outbox import WITHDRAWN_SUPPRESSED, enqueue_message
from survey.services.suppression import suppress
from tests.delivery.conftest import build_org
from tests.delivery.test_campaigns import new_campaign, tick

FROM = "Service IQ <siq@example.com>"
BASE = "http://localhost"


def _state(session) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """What the dispatcher's steps may change, as committed (the test's transaction ended)."""
    session.rollback()
    return {
        "outbox": session.execute(
            select(
                OutboxMessage.id,
                OutboxMessage.status,
                OutboxMessage.attempts,
                OutboxMessage.claimed_by,
                OutboxMessage.last_error,
                OutboxMessage.next_attempt_at,
                OutboxMessage.body_text,
            ).order_by(OutboxMessage.id)
        ).all(),
        "invitations": session.execute(
            select(Invitation.id, Invitation.status).order_by(Invitation.id)
        ).all(),
        "tokens": session.scalar(select(func.count()).select_from(UnsubscribeToken)),
    }


@pytest.mark.postgres
def test_every_step_only_flushes(app, session) -> None:
    """Each step run inside one transaction does its work there; rolled back, nothing of it
    remains: no step commits (the job does)."""
    build_org(session)
    now = utcnow()
    new_campaign(session, now)
    tick(app, now + timedelta(hours=2))  # opens it: twelve survey messages queued
    later = now + timedelta(hours=3)
    session.rollback()
    first = session.scalar(select(OutboxMessage).order_by(OutboxMessage.id).limit(1))
    suppress(session, first.to_addr, "manual")
    session.commit()
    before = _state(session)
    assert {row.status for row in before["outbox"]} == {"queued"} and len(before["outbox"]) == 12
    assert before["tokens"] == 0

    with database(app).sessionmaker() as own:
        ids = claim_batch(own, "w1", 200, later)
        assert len(ids) == 12
        messages = {
            m.id: m for m in own.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids)))
        }
        assert withdraw(own, messages, ids, "w1") == {first.id}
        mine = [messages[i] for i in ids if i in messages]
        assert len(issue_unsubscribe_links(own, mine, BASE)) == 11
        sent, retried, failed, lost, *rest = mine
        record_sent(own, [sent], "w1")
        assert not record_retry(own, retried, "w1", later, "451 try later")
        record_failed(own, failed, "w1", later, "550 no such user")
        in_flight = [lost.id, *(m.id for m in rest)]
        record_connection_lost(own, in_flight, "w1", "gone", DispatchReport())
        # Everything was done, inside this transaction ...
        seen = dict(
            own.execute(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
            ).all()
        )
        assert seen == {"failed": 2, "sent": 1, "queued": 9}
        assert own.scalar(select(func.count()).select_from(UnsubscribeToken)) == 11
        own.rollback()  # ... and none of it was committed by a step.
    assert _state(session) == before


@pytest.mark.postgres
def test_the_job_commits_each_step(app, session, smtp_server) -> None:
    """After a pass, what the steps did is committed: the message withdrawn with its reason,
    the others sent, one unsubscribe token each, no lease left."""
    build_org(session)
    now = utcnow()
    new_campaign(session, now)
    tick(app, now + timedelta(hours=2))
    session.rollback()
    first = session.scalar(select(OutboxMessage).order_by(OutboxMessage.id).limit(1))
    suppress(session, first.to_addr, "manual")
    session.commit()
    connection = SmtpConnection(SmtpSettings.from_url(smtp_server.url))
    try:
        report = dispatch_once(
            database(app).sessionmaker,
            connection,
            FROM,
            "w1",
            now=now + timedelta(hours=3),
            base_url=BASE,
        )
    finally:
        connection.close()
    assert (report.claimed, report.withdrawn, report.sent) == (12, 1, 11)
    after = _state(session)
    assert Counter(row.status for row in after["outbox"]) == {"sent": 11, "failed": 1}
    assert [row.last_error for row in after["outbox"] if row.status == "failed"] == [
        WITHDRAWN_SUPPRESSED
    ]
    assert all(row.claimed_by is None for row in after["outbox"])
    assert after["tokens"] == 11 and len(smtp_server.messages) == 11


def _queue(session, count: int) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    """``count`` plain messages queued and committed."""
    queued = [
        enqueue_message(
            session,
            to_addr=f"p{i}@example.com",
            subject=f"Survey {i}",
            body_text=f"Hello {i}",
            body_html="",
            purpose="test",
            domain="example.com",
        )
        for i in range(count)
    ]
    session.commit()
    return queued


@pytest.mark.postgres
def test_two_dispatchers_never_send_one_message_twice(app, session, smtp_server) -> None:
    """Two dispatchers drain one outbox at once, in small batches, while the server takes a
    little time per message: each message arrives exactly once (on PostgreSQL disjoint claims
    with SKIP LOCKED, on SQLite claims under the write lock). How the work splits between them
    depends on the scheduler (on a loaded machine one may drain it all); that a claimed batch
    is never taken by the other is shown step by step in the next test."""
    queued = _queue(session, 60)
    smtp_server.handler.delay = 0.005
    sessions = database(app).sessionmaker
    start = threading.Barrier(2)
    reports: dict[str, list[DispatchReport]] = {"w1": [], "w2": []}
    errors: list[BaseException] = []

    def drain(worker: str) -> None:
        connection = SmtpConnection(SmtpSettings.from_url(smtp_server.url))
        try:
            start.wait(timeout=30)
            while True:
                report = dispatch_once(sessions, connection, FROM, worker, limit=5)
                reports[worker].append(report)
                if report.claimed == 0:
                    return
        except BaseException as error:  # reported by the test below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=drain, args=(w,)) for w in reports]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    sent = {w: sum(r.sent for r in rs) for w, rs in reports.items()}
    assert sum(sent.values()) == 60, sent
    received = Counter(m["Message-ID"] for m in smtp_server.messages)
    assert set(received) == {q.message_id for q in queued}
    assert set(received.values()) == {1}
    assert {row.status for row in _state(session)["outbox"]} == {"sent"}


@pytest.mark.postgres
def test_the_claim_and_the_unsubscribe_tokens_are_committed_before_the_first_send(
    app, session, smtp_server
) -> None:
    """When the first message goes out, another connection already sees every message of the
    batch leased to this dispatcher and every unsubscribe token stored: a second dispatcher
    cannot take them, and a click on the link finds its row."""
    build_org(session)
    now = utcnow()
    new_campaign(session, now)
    tick(app, now + timedelta(hours=2))
    seen: list[dict[str, Any]] = []

    class Watching(SmtpConnection):
        def send_flat(self, mail_from: str, recipient: str, data: bytes) -> None:
            if not seen:
                with database(app).sessionmaker() as other:
                    seen.append(
                        {
                            "leases": Counter(
                                other.scalars(select(OutboxMessage.claimed_by)).all()
                            ),
                            "tokens": other.scalar(
                                select(func.count()).select_from(UnsubscribeToken)
                            ),
                        }
                    )
                    other.rollback()
            super().send_flat(mail_from, recipient, data)

    connection = Watching(SmtpSettings.from_url(smtp_server.url))
    try:
        report = dispatch_once(
            database(app).sessionmaker,
            connection,
            FROM,
            "w1",
            now=now + timedelta(hours=3),
            base_url=BASE,
        )
    finally:
        connection.close()
    assert report.sent == 12
    assert seen == [{"leases": {"w1": 12}, "tokens": 12}]


@pytest.mark.postgres
def test_a_claimed_batch_is_never_taken_by_another_dispatcher(app, session, smtp_server) -> None:
    """Dispatcher w1 claims five messages and has not sent them yet, first with its claim
    still uncommitted (PostgreSQL: the rows are locked and skipped; SQLite: w1 holds the write
    lock, so w2 is tried only once it is committed), then committed (the lease): w2 drains the
    outbox and sends every other message, never one of w1's."""
    _queue(session, 12)
    sessions = database(app).sessionmaker
    w1 = sessions()
    held = claim_batch(w1, "w1", 5, utcnow())
    if session.get_bind().dialect.name == "postgresql":
        with sessions() as w2:
            other = claim_batch(w2, "w2", 100, utcnow())
            assert len(other) == 7 and not set(other) & set(held)
            w2.rollback()
    w1.commit()
    w1.close()
    connection = SmtpConnection(SmtpSettings.from_url(smtp_server.url))
    try:
        while dispatch_once(sessions, connection, FROM, "w2", limit=3).claimed:
            pass
    finally:
        connection.close()
    assert len(smtp_server.messages) == 7
    rows = _state(session)["outbox"]
    assert {r.id for r in rows if r.status == "sending"} == set(held)
    assert {r.claimed_by for r in rows if r.status == "sending"} == {"w1"}
