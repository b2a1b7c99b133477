"""Erasure of one person's identifying data (``flask survey erase-person EMAIL``).

Decided per table (docs/operations.md, "Erasure"):

- ``people``: the row stays as a blank placeholder (address ``erased-<random>@erased.invalid``,
  no name, inactive, opted out). Deleting it could let a new person reuse its id on SQLite,
  and respondent pseudonyms are keyed by person id: the newcomer's answers would merge with
  the erased person's marks. Nothing in it names anybody.
- ``invitations`` with their link tokens and drafts, ``unsubscribe_tokens``: deleted.
- ``outbox``: every message to the address or of one of the person's invitations, deleted.
- ``interactions`` they requested: detached from them (requester cleared), kept for
  compliance, as retention does (``services.retention``); one still waiting for its survey
  decision is skipped (``erased``).
- ``responses``: unchanged. A comment they asked to be contacted about keeps pointing at the
  blank placeholder, so it stays a named comment (listed apart, with no name now) and out of
  every comment group and count: cleared, it came back as an anonymous comment filed under
  the score band of their answer, which a reader who had seen it named could put the name to
  (attack 29). Answers, score cells and respondent marks are anonymous and stay: every
  figure is unchanged.
- ``users`` with the same address: deleted with their sessions and reset links (the only
  active administrator is refused: the organisation would be locked out).
- ``suppressed_addresses``, ``soft_bounces``, ``sign_in_throttle``: rows of the address
  deleted. Whether it was suppressed is kept in ``erased_addresses`` under a hash
  (``models.privacy.ErasedAddress``), which the suppression check reads: an erased person
  who had bounced or complained is not mailed again, even after a re-import.
- ``audit_entries``: kept, but every text naming the address or the person's names (actor,
  target, before and after values) becomes "(erased)" (``services.audit.forget``).
- Quiz attempts hold no person (only a keyed pseudonym of the member): unchanged.

Running it again for the same address finds the hash and reports "already erased"; an address
that was never known is refused.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.orm import Session

from survey.models import (
    ErasedAddress,
    Interaction,
    Invitation,
    InvitationDraft,
    InvitationToken,
    OutboxMessage,
    PasswordReset,
    Person,
    Response,
    SignInThrottle,
    SoftBounce,
    SuppressedAddress,
    UnsubscribeToken,
    User,
    UserSession,
)
from survey.models.base import utcnow
from survey.services.audit import Target, forget, record

ERASED_DOMAIN = "erased.invalid"


class ErasureError(ValueError):
    """The address is unknown, or erasing it is refused; the message says which."""


def erased_hash(address: str) -> str:
    """The SHA-256 kept for an erased address (lower-cased, trimmed)."""
    return hashlib.sha256(f"erased:{address.strip().lower()}".encode()).hexdigest()


def erased_since(session: Session, addresses: Iterable[str], start: date) -> set[str]:
    """Which of ``addresses`` (lower-case) were erased on or after the UTC day ``start``: a
    person imported again after their erasure is a new id, so respondent marks and quiz
    member keys would count them as a second person in the quarters their first self may have
    answered about. Every path that creates invitations leaves them out of any quarter that
    began by the erasure (``fatigue.skip_reason``, ``campaigns.open_campaign``,
    ``quiz.send_quiz_invitations``): ``start`` is that quarter's first day. One query per 500
    addresses."""
    by_hash = {erased_hash(a): a for a in addresses if a}
    since = datetime.combine(start, time(0), tzinfo=UTC)
    hashes = list(by_hash)
    found: set[str] = set()
    for first in range(0, len(hashes), 500):
        found.update(
            by_hash[h]
            for h in session.scalars(
                select(ErasedAddress.address_hash).where(
                    ErasedAddress.address_hash.in_(hashes[first : first + 500]),
                    ErasedAddress.erased_at >= since,
                )
            )
        )
    return found


def is_placeholder(address: str) -> bool:
    return address.endswith("@" + ERASED_DOMAIN)


@dataclass
class ErasureReport:
    already_erased: bool = False
    people: int = 0
    users: int = 0
    invitations: int = 0
    outbox: int = 0
    interactions: int = 0
    contacts: int = 0
    audit_entries: int = 0
    suppressed: bool = False

    def describe(self) -> str:
        if self.already_erased:
            return "already erased: nothing left to remove"
        return (
            f"erased: {self.people} person record(s) blanked, {self.users} account(s) deleted, "
            f"{self.invitations} invitation(s), {self.outbox} message(s) deleted, "
            f"{self.interactions} request(s) detached, {self.contacts} named comment(s) "
            "left without a name"
            + ("; the address stays suppressed (as a hash)" if self.suppressed else "")
        )


def erase_person(
    session: Session, email: str, *, actor: User | None, now: datetime | None = None
) -> ErasureReport:
    """Erase everything identifying the person (and account) with ``email``; see the module
    docstring. Raises ErasureError for an address never known here or when the account is
    the only active administrator. Flushes; the caller commits."""
    address = email.strip().lower()
    if not address or "@" not in address or is_placeholder(address):
        raise ErasureError(f"{email!r} is not an email address of a person")
    now = now or utcnow()
    digest = erased_hash(address)
    people = list(session.scalars(select(Person).where(Person.email == address)))
    users = list(session.scalars(select(User).where(User.email == address)))
    suppressed_row = session.get(SuppressedAddress, address)
    previous = session.get(ErasedAddress, digest)
    if not people and not users and suppressed_row is None:
        if previous is not None:
            return ErasureReport(already_erased=True, suppressed=previous.suppressed)
        raise ErasureError(f"no person, account or suppressed address {address}")
    for user in users:
        if user.role == "admin" and user.active:
            others = session.scalar(
                select(func.count())
                .select_from(User)
                .where(User.role == "admin", User.active.is_(True), User.id != user.id)
            )
            if not others:
                raise ErasureError(
                    f"{address} is the only active administrator: create another one first"
                )
    report = ErasureReport()
    sync = {"synchronize_session": False}
    person_ids = [p.id for p in people]
    # Requests first: on PostgreSQL this waits for a survey decision being made for one of
    # them right now, so that its invitation and mail, committed meanwhile, are seen below.
    report.interactions = session.execute(
        update(Interaction)
        .where(Interaction.requester_person_id.in_(person_ids))
        .values(
            requester_person_id=None,
            skip_reason=case(
                (Interaction.survey_decision == "pending", "erased"),
                else_=Interaction.skip_reason,
            ),
            survey_decision=case(
                (Interaction.survey_decision == "pending", "skipped"),
                else_=Interaction.survey_decision,
            ),
        )
        .execution_options(**sync)
    ).rowcount
    invitation_ids = list(
        session.scalars(select(Invitation.id).where(Invitation.person_id.in_(person_ids)))
    )
    report.invitations = len(invitation_ids)
    report.outbox = session.execute(
        delete(OutboxMessage)
        .where(
            (func.lower(OutboxMessage.to_addr) == address)
            | func.lower(OutboxMessage.to_addr).endswith(f"<{address}>", autoescape=True)
            | OutboxMessage.invitation_id.in_(invitation_ids)
        )
        .execution_options(**sync)
    ).rowcount
    for model, column in (
        (InvitationDraft, InvitationDraft.invitation_id),
        (InvitationToken, InvitationToken.invitation_id),
        (Invitation, Invitation.id),
    ):
        session.execute(delete(model).where(column.in_(invitation_ids)).execution_options(**sync))
    session.execute(
        delete(UnsubscribeToken)
        .where(UnsubscribeToken.person_id.in_(person_ids))
        .execution_options(**sync)
    )
    # Left pointing at the placeholder (module docstring): counted, not cleared.
    report.contacts = int(
        session.scalar(
            select(func.count())
            .select_from(Response)
            .where(Response.contact_person_id.in_(person_ids))
        )
        or 0
    )
    # The audit log keeps that things were done, not to whom: entries naming them are scrubbed.
    report.audit_entries = forget(
        session, [address, *(p.name for p in people), *(u.name for u in users)]
    )
    for person in people:
        person.email = f"erased-{secrets.token_hex(8)}@{ERASED_DOMAIN}"
        person.name = ""
        person.active = False
        person.opted_out = True
    report.people = len(people)
    user_ids = [u.id for u in users]
    for model, column in (
        (UserSession, UserSession.user_id),
        (PasswordReset, PasswordReset.user_id),
    ):
        session.execute(delete(model).where(column.in_(user_ids)).execution_options(**sync))
    session.execute(delete(User).where(User.id.in_(user_ids)).execution_options(**sync))
    report.users = len(users)
    report.suppressed = suppressed_row is not None or bool(previous and previous.suppressed)
    session.execute(
        delete(SuppressedAddress)
        .where(SuppressedAddress.address == address)
        .execution_options(**sync)
    )
    session.execute(
        delete(SoftBounce).where(SoftBounce.address == address).execution_options(**sync)
    )
    session.execute(
        delete(SignInThrottle)
        .where(SignInThrottle.key.in_((address, f"account:{address}")))
        .execution_options(**sync)
    )
    if previous is None:
        session.add(ErasedAddress(address_hash=digest, suppressed=report.suppressed, erased_at=now))
    else:
        previous.suppressed = report.suppressed
        previous.erased_at = now
    session.flush()
    if actor is not None and actor.id in user_ids:
        actor = None  # erased their own account: recorded without it, as the account is gone
    record(
        session,
        actor,
        "person.erase",
        Target("person", None, "(erased)"),
        {
            "people": report.people,
            "users": report.users,
            "invitations": report.invitations,
            "outbox": report.outbox,
            "interactions": report.interactions,
            "suppressed": report.suppressed,
        },
    )
    return report
