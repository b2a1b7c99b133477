"""Bounce and complaint processing: delivery status notifications (RFC 3464
``multipart/report; report-type=delivery-status``) and spam complaints (RFC 5965 abuse
reports, ``report-type=feedback-report``), parsed with the standard ``email`` package and
applied to the suppression list.

- a permanent failure (status 5.x.x, action "failed") suppresses the address (reason bounce);
- a transient one (4.x.x, or action "delayed") is counted (``soft_bounces``), nothing more:
  the outbox already retries;
- a complaint suppresses the recipient of the reported message (reason complaint) and opts
  the people with that address out of surveys.

Reports are read from a mailbox over POP3 (``read_pop3``, ``SURVEY_BOUNCE_POP3_URL``); each
message understood is deleted from the mailbox once its outcome is committed, anything else is
left there for a person to read.
"""

from __future__ import annotations

import poplib
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message
from email.utils import getaddresses
from urllib.parse import unquote, urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from survey.models import Person
from survey.services.fatigue import opt_out
from survey.services.suppression import count_soft_bounce, mail_address, suppress


@dataclass(frozen=True)
class Outcome:
    """One recipient's fate in a report: ``kind`` is permanent, transient or complaint."""

    address: str
    kind: str
    status: str = ""
    diagnostic: str = ""


def _address(value: str | None) -> str:
    """``rfc822; user@example.com`` (or a bare address) -> ``user@example.com``."""
    if not value:
        return ""
    value = str(value)
    if ";" in value:
        value = value.split(";", 1)[1]
    return value.strip().strip("<>").strip().lower()


def _recipient_blocks(part: Message) -> list[Message]:
    """The per-recipient field groups of a ``message/delivery-status`` part (the first group
    is the per-message one). The parser presents each group as a sub-message."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return payload[1:]
    # Some parsers leave the part as text: split the groups on blank lines.
    text = str(payload)
    groups = [g for g in text.replace("\r\n", "\n").split("\n\n") if g.strip()]
    return [message_from_bytes(g.encode("utf-8", "replace")) for g in groups[1:]]


def parse_report(raw: bytes) -> list[Outcome]:
    """What a received message reports: one outcome per recipient for a DSN, one complaint
    for an abuse report, nothing for anything else (an ordinary reply, an auto-reply)."""
    message = message_from_bytes(raw, policy=policy.default)
    if message.get_content_type() != "multipart/report":
        return []
    report_type = (message.get_param("report-type") or "").lower()
    outcomes: list[Outcome] = []
    for part in message.walk():
        kind = part.get_content_type()
        if report_type == "delivery-status" and kind in (
            "message/delivery-status",
            "message/global-delivery-status",
        ):
            for block in _recipient_blocks(part):
                address = _address(block.get("Final-Recipient")) or _address(
                    block.get("Original-Recipient")
                )
                action = str(block.get("Action", "")).strip().lower()
                status = str(block.get("Status", "")).strip()
                if not address:
                    continue
                if action == "failed" and status.startswith("5"):
                    verdict = "permanent"
                elif action == "delayed" or status.startswith("4") or action == "failed":
                    verdict = "transient"
                else:
                    continue  # delivered, relayed, expanded
                outcomes.append(
                    Outcome(address, verdict, status, str(block.get("Diagnostic-Code", ""))[:500])
                )
        elif report_type == "feedback-report" and kind == "message/feedback-report":
            outcomes.extend(_complaints(message, part))
    return outcomes


def _complaints(report: Message, part: Message) -> Iterator[Outcome]:
    fields = _feedback_fields(part)
    address = _address(fields.get("Original-Rcpt-To"))
    if not address:
        # The reported message itself (message/rfc822 or text/rfc822-headers) names it.
        for sub in report.walk():
            if sub.get_content_type() in ("message/rfc822", "text/rfc822-headers"):
                inner = sub.get_payload()
                headers = (
                    inner[0]
                    if isinstance(inner, list)
                    else message_from_bytes(str(inner).encode("utf-8", "replace"))
                )
                found = getaddresses(headers.get_all("To", []))
                if found:
                    address = found[0][1].lower()
                    break
    if address:
        yield Outcome(address, "complaint", "", str(fields.get("Feedback-Type", "abuse")))


def _feedback_fields(part: Message) -> Message:
    payload = part.get_payload()
    if isinstance(payload, list) and payload:
        return payload[0]
    return message_from_bytes(str(payload).encode("utf-8", "replace"))


@dataclass
class BounceReport:
    """What one pass over a mailbox did."""

    read: int = 0
    ignored: int = 0
    suppressed: list[str] = field(default_factory=list)
    not_applied: list[str] = field(default_factory=list)  # recipients that are no address
    transient: int = 0
    complaints: int = 0


def apply_outcomes(session: Session, outcomes: list[Outcome], report: BounceReport) -> None:
    """Record ``outcomes`` (flush, no commit). A recipient that is no email address (a
    report may name ``rfc822; nobody``) is listed in ``report.not_applied`` and changes
    nothing: no mail of ours went to it."""
    for outcome in outcomes:
        if not mail_address(outcome.address):
            report.not_applied.append(outcome.address)
        elif outcome.kind == "permanent":
            suppress(session, outcome.address, "bounce", f"{outcome.status} {outcome.diagnostic}")
            report.suppressed.append(outcome.address)
        elif outcome.kind == "complaint":
            suppress(session, outcome.address, "complaint", outcome.diagnostic)
            report.suppressed.append(outcome.address)
            report.complaints += 1
            for person in session.scalars(
                select(Person).where(Person.email == outcome.address, Person.opted_out.is_(False))
            ):
                opt_out(session, person)
        else:
            count_soft_bounce(session, outcome.address, outcome.status)
            report.transient += 1


@dataclass(frozen=True)
class Pop3Settings:
    host: str
    port: int
    use_ssl: bool
    username: str
    password: str
    timeout: float = 30.0

    @classmethod
    def from_url(cls, url: str) -> Pop3Settings:
        """``pop3://user:pass@host:110`` or ``pop3s://user:pass@host:995``; ValueError when
        the URL is not one of those or lacks a user."""
        parts = urlsplit(url)
        if parts.scheme not in ("pop3", "pop3s"):
            raise ValueError(f"POP3 URL must start with pop3:// or pop3s://, got {parts.scheme!r}")
        if not parts.hostname or not parts.username:
            raise ValueError("POP3 URL needs a user and a host")
        use_ssl = parts.scheme == "pop3s"
        return cls(
            host=parts.hostname,
            port=parts.port or (995 if use_ssl else 110),
            use_ssl=use_ssl,
            username=unquote(parts.username),
            password=unquote(parts.password or ""),
        )


def read_pop3(sessions: sessionmaker[Session], url: str) -> BounceReport:
    """Read every message of the mailbox, apply the reports, delete those understood. Each
    message's outcome is committed before it is marked for deletion; the deletions happen at
    QUIT, so a connection lost midway deletes nothing and the next pass sees the same
    messages again (recording them twice is harmless: suppression is idempotent, a transient
    count may grow by one)."""
    settings = Pop3Settings.from_url(url)
    report = BounceReport()
    box: poplib.POP3
    if settings.use_ssl:
        box = poplib.POP3_SSL(settings.host, settings.port, timeout=settings.timeout)
    else:
        box = poplib.POP3(settings.host, settings.port, timeout=settings.timeout)
    try:
        box.user(settings.username)
        box.pass_(settings.password)
        count, _size = box.stat()
        for number in range(1, count + 1):
            _response, lines, _octets = box.retr(number)
            report.read += 1
            outcomes = parse_report(b"\r\n".join(lines))
            if not outcomes:
                report.ignored += 1
                continue
            with sessions() as session:
                apply_outcomes(session, outcomes, report)
                session.commit()
            box.dele(number)
        box.quit()
    except BaseException:
        box.close()
        raise
    return report
