"""Writing mail into the outbox, in the caller's transaction (the transactional outbox)."""

from __future__ import annotations

import re
import secrets
from email.errors import HeaderParseError
from email.header import decode_header, make_header

from sqlalchemy.orm import Session

from survey.models import OutboxMessage

_LINE_BREAKS = re.compile(r"[\r\n\x0b\x0c\x85\u2028\u2029]+")


def header_safe(value: str) -> str:
    """Collapse any line break into a space: a name or subject cannot inject mail headers."""
    return _LINE_BREAKS.sub(" ", value).strip()


def new_message_id(domain: str) -> str:
    """A globally unique Message-ID, fixed when the message is queued."""
    return f"<{secrets.token_hex(16)}@{domain}>"


def enqueue_message(
    session: Session,
    *,
    to_addr: str,
    subject: str,
    body_text: str,
    body_html: str,
    purpose: str,
    domain: str,
    invitation_id: int | None = None,
) -> OutboxMessage:
    """Queue one message for the dispatcher; it is sent only if the caller commits."""
    message = OutboxMessage(
        message_id=new_message_id(domain),
        purpose=purpose,
        invitation_id=invitation_id,
        to_addr=header_safe(to_addr),
        subject=header_safe(subject)[:300],
        body_text=body_text,
        body_html=body_html,
        status="queued",
    )
    session.add(message)
    session.flush()
    return message


def readable_address(value: str) -> str:
    """``=?utf-8?q?In=C3=A8s_Laurent?= <ines@x>`` -> ``Inès Laurent <ines@x>``: the To header
    as a person reads it (encoded words decoded; a malformed one is shown as stored)."""
    try:
        return str(make_header(decode_header(value)))
    except (HeaderParseError, LookupError, UnicodeDecodeError):
        return value
