"""Writing mail into the outbox, in the caller's transaction (the transactional outbox), and
the rules every message passes again right before it is sent.

Two promises are kept here rather than where mail is queued, because they can change between
queueing and sending:

- *withdrawal*: a survey message whose person has opted out or left, whose campaign is closed
  or cancelled, or whose invitation is no longer open (answered, expired, or cancelled with its
  request) is never sent (``withdrawal_reasons``; the dispatcher asks right before each batch,
  the outbox's "Retry" asks too);
- *no working link at rest*: a link token exists in plain text only inside the body of a
  message not yet sent (the database keeps only its hash). Once the mail server accepted the
  message, ``scrub_links`` replaces every token in the stored body with a placeholder.
  Rendering the link at send time instead would need the token stored somewhere readable
  until then, which is the very thing to avoid; scrubbing after the send keeps the plain token
  in exactly one place for the shortest time.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.utils import formataddr, parseaddr

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.models import Campaign, Invitation, OutboxMessage, Person, User

_LINE_BREAKS = re.compile(r"[\r\n\x0b\x0c\x85\u2028\u2029]+")

# Reasons a message is withdrawn (status ``failed`` with this ``last_error``). The opt-out text
# is the one ``services.fatigue.opt_out`` writes when it withdraws queued mail itself.
WITHDRAWN_OPTED_OUT = "withdrawn: the person opted out of surveys"
WITHDRAWN_CAMPAIGN_CLOSED = "withdrawn: the campaign is closed"
WITHDRAWN_CAMPAIGN_CANCELLED = "withdrawn: the campaign was cancelled"
WITHDRAWN_SUPPRESSED = "withdrawn: the address is on the suppression list"
WITHDRAWN_LEFT = "withdrawn: the person is no longer active"
WITHDRAWN_ACCOUNT_OFF = "withdrawn: the account was deactivated or removed"
#: Mail to an account rather than to a person of the directory (a password link, a release
#: notice): withdrawn once the account is off (``purpose`` starts with one of these).
_ACCOUNT_MAIL = ("account:", "release:")
# An invitation that stopped being open while its mail waited (the relay down or slow, a
# message handed back after a temporary refusal): the mail would ask for nothing.
WITHDRAWN_INVITATION = {
    "answered": "withdrawn: the survey was answered before this mail left",
    "expired": "withdrawn: the link expired before this mail left",
    "cancelled": "withdrawn: the invitation was cancelled (its request was cancelled)",
}

# A token in a link: 22 URL-safe characters (128 bits, ``security.new_token``) after a path
# that carries one (respondent links ``/r/<token>``, quiz invitations ``/quiz/i/<token>``,
# password resets ``/auth/reset/<token>``).
_LINK_TOKEN = re.compile(r"(/r/|/quiz/i/|/auth/reset/)[A-Za-z0-9_-]{22}(?![A-Za-z0-9_-])")
LINK_PLACEHOLDER = "link-removed"  # shorter than a token: no pattern mistakes it for one


def scrub_links(body: str) -> str:
    """``body`` with every link token replaced by ``LINK_PLACEHOLDER`` (idempotent). The text
    around it stays, so an administrator can still read what was sent."""
    return _LINK_TOKEN.sub(lambda m: m.group(1) + LINK_PLACEHOLDER, body)


def withdrawal_reasons(session: Session, message_ids: Iterable[int]) -> dict[int, str]:
    """Of ``message_ids``, the ones that must not be sent now, with the reason: the address is
    on the suppression list (any mail), the invitation's person opted out or left (inactive),
    its campaign is closed or cancelled, or the invitation itself is no longer open: answered
    (a reminder queued before the answer), expired (the mail waited longer than its link
    lasts) or cancelled (its request cancelled while the mail was being handed to the relay,
    which then refused it for now); or, for mail to an account (a password link, a release
    notice), the account was deactivated or removed since it was queued. Two queries for the whole
    list, a third when it holds account mail."""
    from survey.services.suppression import bare_address, suppressed_among

    ids = list(message_ids)
    if not ids:
        return {}
    reasons: dict[int, str] = {}
    addresses, account_mail = {}, {}
    for i, to_addr, purpose in session.execute(
        select(OutboxMessage.id, OutboxMessage.to_addr, OutboxMessage.purpose).where(
            OutboxMessage.id.in_(ids)
        )
    ):
        addresses[i] = bare_address(to_addr)
        if purpose.startswith(_ACCOUNT_MAIL):
            account_mail[i] = addresses[i]
    suppressed = suppressed_among(session, addresses.values())
    for message_id, address in addresses.items():
        if address in suppressed:
            reasons[message_id] = WITHDRAWN_SUPPRESSED
    if account_mail:
        # Account addresses are stored lower-case (``accounts.normalise_email``).
        active = set(
            session.scalars(
                select(User.email).where(User.email.in_(set(account_mail.values())), User.active)
            )
        )
        for message_id, address in account_mail.items():
            if message_id not in reasons and address not in active:
                reasons[message_id] = WITHDRAWN_ACCOUNT_OFF
    rows = session.execute(
        select(
            OutboxMessage.id, Person.opted_out, Person.active, Campaign.status, Invitation.status
        )
        .join(Invitation, Invitation.id == OutboxMessage.invitation_id)
        .join(Person, Person.id == Invitation.person_id)
        .outerjoin(Campaign, Campaign.id == Invitation.campaign_id)
        .where(OutboxMessage.id.in_(ids))
    )
    for message_id, opted_out, active, campaign_status, invitation_status in rows:
        if message_id in reasons:
            continue
        if opted_out:
            reasons[message_id] = WITHDRAWN_OPTED_OUT
        elif not active:
            reasons[message_id] = WITHDRAWN_LEFT
        elif campaign_status == "closed":
            reasons[message_id] = WITHDRAWN_CAMPAIGN_CLOSED
        elif campaign_status == "cancelled":
            reasons[message_id] = WITHDRAWN_CAMPAIGN_CANCELLED
        elif invitation_status in WITHDRAWN_INVITATION:
            reasons[message_id] = WITHDRAWN_INVITATION[invitation_status]
    return reasons


def header_safe(value: str) -> str:
    """Collapse any line break into a space: a name or subject cannot inject mail headers."""
    return _LINE_BREAKS.sub(" ", value).strip()


# Why mail cannot go to an address (``address_problem``).
NOT_ASCII = "not_ascii"
MISREAD = "misread"


def address_problem(address: str) -> str | None:
    """Why this service cannot mail the bare ``address`` as written, or None when it can:

    - ``NOT_ASCII``: a character outside plain ASCII (``zoë@...``, ``...@exämple.com``); the
      envelope would need the SMTPUTF8 extension, which the dispatcher does not use;
    - ``MISREAD``: a mail header reads it as another address or none (``ann(x)@example.com``
      is ``ann@example.com`` with a comment, ``ann,x@example.com`` two addresses), so the
      envelope would carry that other one.

    The one check of both sides: the dispatcher refuses a message for it
    (``mail.dispatch``), the people import reports it at the address's line."""
    if not address.isascii():
        return NOT_ASCII
    if not address or parseaddr(formataddr(("", address)))[1] != address:
        return MISREAD
    return None


def recipient(name: str, email: str) -> str:
    """The ``To`` of a message to ``email`` for ``name`` (made single-line, encoded when it is
    not ASCII). An address outside ASCII (``hélène@...``, which an import accepts) is kept as
    written instead of refused: ``formataddr`` raises on it, and one such person would then
    fail the whole batch being queued (a campaign's opening, for everyone). The dispatcher
    marks that one message failed with the reason, and the outbox shows it; the name is then
    quoted rather than encoded, so that the outbox shows it as written."""
    name = header_safe(name)
    if email.isascii():
        return formataddr((name, email))
    if not name:
        return email
    quoted = name.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{quoted}" <{email}>'


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
