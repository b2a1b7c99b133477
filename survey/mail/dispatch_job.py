"""The outbox dispatcher as a job: it owns the transactions of sending the outbox.

``dispatch_once`` claims one batch and sends it over one reused SMTP connection, running the
steps of ``survey/mail/dispatch.py`` (each only flushes) and committing after each, so that:
- nothing is lost: the claim (a lease) is committed before any message of the batch is sent,
  so two dispatchers never send the same message; a dispatcher that dies leaves a lease that
  expires and is claimed again;
- a duplicate is possible only when the process dies between the server's acceptance and the
  database update: accepted messages are recorded (``record_sent``) and committed in groups of
  up to ``SENT_BATCH``, at least every ``SENT_DELAY`` seconds, and a copy sent again carries
  the same Message-ID;
- a refusal that is the relay's rather than the message's (a refused sign-in or sender, which
  every message would get) is handled as a relay that is down: the batch goes back to the
  queue, no message fails;
- withdrawals are committed right after the claim, and the unsubscribe tokens' hashes before
  any message carrying them is sent; each failure or retry is committed as it happens.
``survey/mail/runner.py`` (``run_dispatcher``: once, or in a loop until stopped) calls it for
``flask survey send-mail`` and the dev worker.
"""

from __future__ import annotations

import smtplib
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from survey.mail.dispatch import (
    DispatchReport,
    Letter,
    Unsendable,
    _is_mine,
    _Lookahead,
    claim_batch,
    envelope_sender,
    issue_unsubscribe_links,
    record_connection_lost,
    record_failed,
    record_retry,
    record_sent,
    withdraw,
)
from survey.mail.smtp import SmtpConnection
from survey.models import OutboxMessage
from survey.models.base import utcnow

# Accepted messages are recorded as sent in small groups: one commit per message would cap the
# rate well below what the SMTP connection allows. A crash loses at most this many records,
# and those messages are sent again with the same Message-ID (receivers drop the copy).
SENT_BATCH = 25
SENT_DELAY = 0.2  # seconds
# SMTPException derives from OSError: the order of the checks in dispatch_once matters.
CONNECTION_ERRORS = (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError)


def _smtp_code(error: smtplib.SMTPException) -> int | None:
    """The reply code of a refusal (the highest of several recipients'), None without one."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in error.recipients.values()]
        return max(codes) if codes else None
    if isinstance(error, smtplib.SMTPResponseException):
        return int(error.smtp_code)
    return None


def _relay_refuses_us(error: smtplib.SMTPException) -> bool:
    """Whether ``error`` refuses the sending session rather than the message: a refused
    sign-in, greeting or sender (530 authentication required, 535, 550/553/554 sender not
    allowed). Every message of the batch shares the sender, so each would get the same
    answer until the relay or the settings are fixed; like a relay that is down, that fails
    no message. A 552 to MAIL FROM is the one sender refusal about the message itself (the
    size the client announced is over the relay's limit)."""
    if isinstance(error, smtplib.SMTPAuthenticationError | smtplib.SMTPHeloError):
        return True
    return isinstance(error, smtplib.SMTPSenderRefused) and error.smtp_code != 552


def _record_sent(session: Session, accepted: list[OutboxMessage], worker: str) -> None:
    """Record and commit the accepted messages not yet recorded; empties ``accepted``."""
    if accepted:
        record_sent(session, accepted, worker)
        session.commit()
        accepted.clear()


def dispatch_once(
    sessions: sessionmaker[Session],
    connection: SmtpConnection,
    mail_from: str,
    worker: str,
    limit: int = 200,
    now: datetime | None = None,
    base_url: str | None = None,
) -> DispatchReport:
    """Claim one batch of at most ``limit`` messages due at ``now`` (default: the present,
    UTC) and try to send it. Never raises for SMTP trouble: the report says.

    With ``base_url``, every survey message (one with an invitation) carries one-click
    unsubscribe headers with a fresh token naming its person (stored hashed)."""
    report = DispatchReport()
    now = now or utcnow()
    with sessions() as session:
        ids = claim_batch(session, worker, limit, now)
        session.commit()
        report.claimed = len(ids)
        messages = (
            {
                m.id: m
                for m in session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids)))
            }
            if ids
            else {}
        )
        withdrawn = withdraw(session, messages, ids, worker)
        if withdrawn:
            session.commit()
        report.withdrawn = len(withdrawn)
        accepted: list[OutboxMessage] = []  # sent, not yet recorded
        recorded_at = time.monotonic()
        mine = [(i, m) for i, m in enumerate(ids) if _is_mine(messages.get(m), worker)]
        # Messages are composed a little ahead in a second thread while this one waits for
        # the server's replies (socket waits release the interpreter lock).
        composer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="compose")
        links = issue_unsubscribe_links(session, [messages[m] for _i, m in mine], base_url)
        if links:
            session.commit()
        envelope = envelope_sender(mail_from)
        composed = _Lookahead(
            composer, [Letter.of(messages[m], links.get(m)) for _i, m in mine], mail_from
        )
        for position, message_id in mine:
            message = messages[message_id]
            if len(accepted) >= SENT_BATCH or time.monotonic() - recorded_at > SENT_DELAY:
                _record_sent(session, accepted, worker)
                recorded_at = time.monotonic()
            try:
                recipient, data = next(composed)
                connection.send_flat(envelope, recipient, data)
            except Unsendable as error:
                text = f"cannot be sent: {error}"
                report.errors.append(text)
                record_failed(session, message, worker, utcnow(), text)
                session.commit()
                report.failed += 1
            except smtplib.SMTPException as error:
                _record_sent(session, accepted, worker)
                code = _smtp_code(error)
                text = f"{code or ''} {error}".strip()
                report.errors.append(text)
                if _relay_refuses_us(error):
                    record_connection_lost(
                        session, ids[position:], worker, text, report, cause="relay refused us"
                    )
                    session.commit()
                    break
                if code is not None and 500 <= code < 600:
                    record_failed(session, message, worker, utcnow(), text)
                    report.failed += 1
                elif isinstance(error, CONNECTION_ERRORS) or code is None:
                    record_connection_lost(session, ids[position:], worker, text, report)
                    session.commit()
                    break
                elif record_retry(session, message, worker, utcnow(), text):
                    report.failed += 1
                else:
                    report.retried += 1
                session.commit()
            except (TimeoutError, OSError) as error:
                _record_sent(session, accepted, worker)
                record_connection_lost(session, ids[position:], worker, str(error), report)
                session.commit()
                break
            else:
                accepted.append(message)
                report.sent += 1
        composer.shutdown(wait=True, cancel_futures=True)
        _record_sent(session, accepted, worker)
    return report
