"""The outbox dispatcher's steps: claim a batch of due messages, withdraw those that must not
go, issue their unsubscribe links, record each outcome; and the composing of the messages.

Each step is a verb taking a session first and only flushes (``claim_batch``, ``withdraw``,
``issue_unsubscribe_links``, ``record_sent``, ``record_retry``, ``record_failed``,
``record_connection_lost``); who runs them owns the transactions:
``survey/mail/dispatch_job.py`` (``dispatch_once``) commits after each step, so that the
guarantees of the outbox hold (see that module):
- a message leaves ``queued`` only for ``sending`` (a lease, ``claim_batch``) and from there
  only for ``sent`` (``record_sent``), ``failed`` (``record_failed``, ``withdraw``) or back to
  ``queued`` (``record_retry``, ``record_connection_lost``); every change after the claim is
  conditional on the lease still being the worker's;
- several dispatchers share the work: on PostgreSQL each claims a disjoint batch with
  ``FOR UPDATE SKIP LOCKED``; SQLite serialises the claims with its write lock;
- nothing goes that must not: ``withdraw`` fails every claimed message whose person opted out
  or left, whose campaign is closed or cancelled, or whose invitation is answered, expired or
  cancelled (``services.outbox.withdrawal_reasons``);
- no working link stays at rest: ``record_sent`` replaces the link tokens in the stored body
  of each accepted message with a placeholder (``services.outbox.scrub_links``).
"""

from __future__ import annotations

import secrets
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.charset import BASE64, QP, Charset
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import Compat32
from email.utils import format_datetime, formataddr, parseaddr
from typing import Any

from sqlalchemy import and_, bindparam, or_, select, update
from sqlalchemy.orm import Session

from survey.models import Invitation, OutboxMessage
from survey.models.base import utcnow
from survey.services.outbox import NOT_ASCII, address_problem, scrub_links, withdrawal_reasons

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 12
BASE_BACKOFF = timedelta(seconds=30)
MAX_BACKOFF = timedelta(hours=6)


def backoff(attempts: int) -> timedelta:
    """Delay before try number ``attempts + 1``: 30 s, 1 min, 2 min ... capped at 6 h."""
    return min(BASE_BACKOFF * (2 ** max(0, attempts - 1)), MAX_BACKOFF)


@dataclass
class DispatchReport:
    """What one pass did. ``smtp_down`` is set when the server could not be reached."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    withdrawn: int = 0
    smtp_down: bool = False
    errors: list[str] = field(default_factory=list)


_UTF8_QP = Charset("utf-8")
_UTF8_QP.header_encoding = QP
_UTF8_QP.body_encoding = QP
# Subjects outside ASCII are encoded words in base64: splitting a quoted-printable header
# into lines measures every candidate piece character by character, which cost more than
# the rest of the message.
_UTF8_B64 = Charset("utf-8")
_UTF8_B64.header_encoding = BASE64


@dataclass(frozen=True)
class Letter:
    """The fields of an outbox row that the message is composed from, as plain values (safe to
    hand to another thread: no database access behind them)."""

    to_addr: str
    subject: str
    message_id: str
    created_at: datetime
    body_text: str
    body_html: str | None
    unsubscribe_url: str | None = None

    @classmethod
    def of(cls, message: OutboxMessage, unsubscribe_url: str | None = None) -> Letter:
        return cls(
            to_addr=message.to_addr,
            subject=message.subject,
            message_id=message.message_id,
            created_at=message.created_at,
            body_text=message.body_text,
            body_html=message.body_html,
            unsubscribe_url=unsubscribe_url,
        )


def envelope_sender(mail_from: str) -> str:
    """The bare address of ``SURVEY_MAIL_FROM`` (``Name <address>`` or an address): what
    ``MAIL FROM`` carries; the name goes in the ``From`` header only."""
    return parseaddr(mail_from)[1]


def sender_header(mail_from: str) -> str:
    """The ``From`` header for ``SURVEY_MAIL_FROM``: as given when it is ASCII, else with the
    name encoded (RFC 2047: "Qualità del servizio <...>" in an Italian organisation). The
    address itself must be ASCII (``survey.config`` checks it at start)."""
    if mail_from.isascii():
        return mail_from
    name, address = parseaddr(mail_from)
    return formataddr((name, address), charset="utf-8")


def compose(message: OutboxMessage | Letter, mail_from: str) -> Message:
    """The MIME message (text and HTML alternatives, UTF-8 quoted-printable) for an outbox row.

    Built with the classic ``email.mime`` classes: the same structure as the newer API at a
    quarter of the cost, which matters at hundreds of messages per second. Header values were
    made single-line when the row was queued (``outbox.header_safe``); non-ASCII is encoded.
    """
    # "=_" never occurs in quoted-printable text, so the boundary cannot clash with a part
    # (and the generator need not search the parts for it, with a regular expression built
    # per message).
    email = MIMEMultipart("alternative", boundary=f"=_{secrets.token_hex(12)}")
    email["From"] = sender_header(mail_from)
    name, address = parseaddr(message.to_addr)
    email["To"] = formataddr((name, address), charset="utf-8")
    subject = message.subject
    email["Subject"] = subject if subject.isascii() else Header(subject, _UTF8_B64)
    email["Message-ID"] = message.message_id
    email["Date"] = format_datetime(message.created_at)
    email["Auto-Submitted"] = "auto-generated"
    email["X-Auto-Response-Suppress"] = "All"
    unsubscribe = getattr(message, "unsubscribe_url", None)
    if unsubscribe:
        # RFC 2369 and RFC 8058: mail programs offer an unsubscribe button that POSTs
        # "List-Unsubscribe=One-Click" to the URL, without cookies.
        email["List-Unsubscribe"] = f"<{unsubscribe}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email.attach(MIMEText(message.body_text, "plain", _UTF8_QP))
    if message.body_html:
        email.attach(MIMEText(message.body_html, "html", _UTF8_QP))
    return email


def claim_batch(session: Session, worker: str, limit: int, now: datetime) -> list[int]:
    """Lease up to ``limit`` due messages to ``worker`` (flushes only: the lease protects the
    batch once the caller commits); returns their ids, oldest due first."""
    due = or_(
        and_(OutboxMessage.status == "queued", OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.status == "sending", OutboxMessage.claim_expires_at < now),
    )
    ids = list(
        session.scalars(
            select(OutboxMessage.id)
            .where(due)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if ids:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .values(status="sending", claimed_by=worker, claim_expires_at=now + LEASE),
            execution_options=NO_SYNC,
        )
    return ids


def _mine(message_id: int, worker: str):  # type: ignore[no-untyped-def]
    return and_(
        OutboxMessage.id == message_id,
        OutboxMessage.status == "sending",
        OutboxMessage.claimed_by == worker,
    )


def record_sent(session: Session, messages: list[OutboxMessage], worker: str) -> None:
    """Record accepted ``messages`` (still leased to ``worker``) as sent, their links scrubbed
    and their queued invitations sent; flushes only. A message whose lease was lost is left
    as it is."""
    if not messages:
        return
    session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_([m.id for m in messages]),
            OutboxMessage.status == "sending",
            OutboxMessage.claimed_by == worker,
        )
        .values(
            status="sent",
            sent_at=utcnow(),
            claimed_by=None,
            claim_expires_at=None,
            attempts=OutboxMessage.attempts + 1,
            last_error=None,
        ),
        execution_options=NO_SYNC,
    )
    _scrub(session, messages)
    invitations = [m.invitation_id for m in messages if m.invitation_id is not None]
    if invitations:
        session.execute(
            update(Invitation)
            .where(Invitation.id.in_(invitations), Invitation.status == "queued")
            .values(status="sent"),
            execution_options=NO_SYNC,
        )


def _scrub(session: Session, messages: list[OutboxMessage]) -> None:
    """Replace the link tokens in the stored bodies of accepted ``messages`` (no commit)."""
    table = OutboxMessage.__table__
    rows = []
    for m in messages:
        text, html = scrub_links(m.body_text), scrub_links(m.body_html or "")
        if text != m.body_text or html != (m.body_html or ""):
            rows.append({"mid": m.id, "text": text, "html": html})
    if rows:
        session.execute(
            update(table)
            .where(table.c.id == bindparam("mid"))
            .values(body_text=bindparam("text"), body_html=bindparam("html")),
            rows,
        )


def issue_unsubscribe_links(
    session: Session, messages: list[OutboxMessage], base_url: str | None
) -> dict[int, str]:
    """Message id -> one-click unsubscribe URL for the survey messages among ``messages``
    (none without ``base_url``); flushes the tokens' hashes only, which the caller commits
    before any message is sent (a click must always find its row)."""
    from survey.services.suppression import issue_unsubscribe_tokens

    survey_mail = [m for m in messages if m.invitation_id is not None]
    if base_url is None or not survey_mail:
        return {}
    people = dict(
        session.execute(
            select(Invitation.id, Invitation.person_id).where(
                Invitation.id.in_({m.invitation_id for m in survey_mail})
            )
        ).all()
    )
    named = [m for m in survey_mail if m.invitation_id in people]
    tokens = issue_unsubscribe_tokens(session, [people[m.invitation_id] for m in named])
    root = base_url.rstrip("/")
    return {m.id: f"{root}/unsubscribe/{t}" for m, t in zip(named, tokens, strict=True)}


def withdraw(
    session: Session, messages: dict[int, OutboxMessage], ids: list[int], worker: str
) -> set[int]:
    """Mark the claimed messages that must not go as failed with their reason (flushes only)
    and drop them from ``messages``; returns their ids. The invitation keeps its status (it may
    still be answered through a link sent earlier)."""
    reasons = withdrawal_reasons(session, ids)
    for message_id, reason in reasons.items():
        session.execute(
            update(OutboxMessage)
            .where(_mine(message_id, worker))
            .values(status="failed", claimed_by=None, claim_expires_at=None, last_error=reason),
            execution_options=NO_SYNC,
        )
        messages.pop(message_id, None)
    return set(reasons)


def record_retry(
    session: Session,
    message: OutboxMessage,
    worker: str,
    now: datetime,
    error: str,
    count_attempt: bool = True,
) -> bool:
    """Back to the queue with a later due time (``backoff``); after MAX_ATTEMPTS it fails
    instead. Flushes only. True if it failed."""
    attempts = message.attempts + (1 if count_attempt else 0)
    if attempts >= MAX_ATTEMPTS:
        record_failed(session, message, worker, now, f"gave up after {attempts} tries: {error}")
        return True
    session.execute(
        update(OutboxMessage)
        .where(_mine(message.id, worker))
        .values(
            status="queued",
            attempts=attempts,
            next_attempt_at=now + backoff(attempts),
            claimed_by=None,
            claim_expires_at=None,
            last_error=error[:2000],
        ),
        execution_options=NO_SYNC,
    )
    return False


def record_failed(
    session: Session, message: OutboxMessage, worker: str, now: datetime, error: str
) -> None:
    """A permanent failure: the message ``failed`` with ``error`` (its first 2,000 characters),
    its invitation undeliverable. Flushes only."""
    session.execute(
        update(OutboxMessage)
        .where(_mine(message.id, worker))
        .values(
            status="failed",
            attempts=message.attempts + 1,
            claimed_by=None,
            claim_expires_at=None,
            last_error=error[:2000],
        ),
        execution_options=NO_SYNC,
    )
    if message.invitation_id is not None:
        session.execute(
            update(Invitation)
            .where(
                Invitation.id == message.invitation_id, Invitation.status.in_(("queued", "sent"))
            )
            .values(status="undeliverable"),
            execution_options=NO_SYNC,
        )


# The dispatcher's UPDATEs name rows by id; matching them against loaded objects costs more than
# the statement itself (the session holds a whole batch of message bodies).
NO_SYNC = {"synchronize_session": False}


class _SmtpLines(Compat32):
    """What ``smtplib.SMTP.send_message`` flattens with for these message classes (compat32,
    CRLF line ends), except that a header value of plain ASCII short enough for one line is
    written as it is: the folding machinery would leave it unchanged, at a cost of about a
    tenth of a millisecond per header."""

    def _fold(self, name: str, value: Any, sanitize: bool) -> str:
        limit = self.max_line_length or 78
        if (
            isinstance(value, str)
            and value.isascii()
            and len(name) + 2 + len(value) <= limit
            and "\r" not in value
            and "\n" not in value
        ):
            return f"{name}: {value}{self.linesep}"
        return super()._fold(name, value, sanitize)  # type: ignore[misc]


SMTP_LINES = _SmtpLines(linesep="\r\n")


class Unsendable(Exception):
    """The row cannot become a message on the wire (an address outside ASCII, which needs the
    SMTPUTF8 extension these message classes do not produce): a permanent failure."""


class _Lookahead:
    """The flattened letters in order, composed at most ``AHEAD`` ahead of the one being
    sent. Not more: a composer running far ahead keeps the interpreter lock busy, and the
    sending thread then waits for it after every server reply instead of sending at once."""

    AHEAD = 2

    def __init__(self, executor: ThreadPoolExecutor, letters: list[Letter], mail_from: str):
        self._executor = executor
        self._letters = iter(letters)
        self._mail_from = mail_from
        self._pending: deque[Future[tuple[str, bytes]]] = deque()
        self._top_up()

    def _top_up(self) -> None:
        while len(self._pending) < self.AHEAD:
            letter = next(self._letters, None)
            if letter is None:
                return
            self._pending.append(self._executor.submit(_flat, letter, self._mail_from))

    def __next__(self) -> tuple[str, bytes]:
        """The next letter's recipient and bytes; raises what composing it raised."""
        future = self._pending.popleft()
        self._top_up()
        return future.result()


def _flat(letter: Letter, mail_from: str) -> tuple[str, bytes]:
    """The envelope recipient and the message as SMTP sends it (CRLF line ends)."""
    recipient = parseaddr(letter.to_addr)[1]
    problem = address_problem(recipient)
    if problem == NOT_ASCII:
        raise Unsendable(f"the address {recipient!r} is not plain ASCII")
    if problem is not None:
        raise Unsendable(f"the address {recipient!r} cannot be read back from a mail header")
    if not envelope_sender(mail_from).isascii():
        raise Unsendable(f"the sender's address {envelope_sender(mail_from)!r} is not plain ASCII")
    try:
        return recipient, compose(letter, mail_from).as_bytes(policy=SMTP_LINES)
    except (UnicodeError, ValueError) as error:
        raise Unsendable(str(error)) from error


def _is_mine(message: OutboxMessage | None, worker: str) -> bool:
    return message is not None and message.claimed_by == worker


def record_connection_lost(
    session: Session,
    ids: list[int],
    worker: str,
    error: str,
    report: DispatchReport,
    cause: str = "connection",
) -> None:
    """The server went away, or refuses every message alike (``cause``, written before the
    error): the message in flight (``ids[0]``) is retried later with backoff, the rest of the
    batch goes straight back to the queue untouched. Flushes only."""
    connection_error = f"{cause}: {error}"
    report.smtp_down = True
    report.errors.append(connection_error)
    now = utcnow()
    first, rest = ids[0], ids[1:]
    message = session.get(OutboxMessage, first)
    if message is not None:
        if record_retry(session, message, worker, now, connection_error):
            report.failed += 1
        else:
            report.retried += 1
    if rest:
        session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id.in_(rest),
                OutboxMessage.claimed_by == worker,
                OutboxMessage.status == "sending",
            )
            .values(status="queued", claimed_by=None, claim_expires_at=None),
            execution_options=NO_SYNC,
        )
