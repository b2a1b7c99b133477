"""The suppression list (addresses no mail goes to), transient-bounce counts and the one-click
unsubscribe tokens of survey mail. Verbs taking a session; they flush, never commit."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from email.utils import parseaddr

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.models import Person, SoftBounce, SuppressedAddress, UnsubscribeToken
from survey.models.base import utcnow
from survey.security import new_token, token_hash

REASONS = ("bounce", "complaint", "unsubscribe", "manual")


def bare_address(to_addr: str) -> str:
    """The lower-case address of a ``Name <address>`` header value."""
    return parseaddr(to_addr)[1].strip().lower()


def mail_address(value: str) -> str:
    """The lower-case bare address of ``value`` (``Name <address>`` or an address alone); ""
    when it is no email address (no "@", as ``rfc822; nobody`` in a report)."""
    address = bare_address(value) or value.strip().lower()
    return address if "@" in address else ""


def suppress(
    session: Session, address: str, reason: str, detail: str = "", now: datetime | None = None
) -> SuppressedAddress:
    """Put ``address`` on the list (kept with its first reason if already there). ValueError
    on an unknown reason or an empty address."""
    if reason not in REASONS:
        raise ValueError(f"unknown reason {reason!r}")
    address = mail_address(address)
    if not address:
        raise ValueError("not an email address")
    row = session.get(SuppressedAddress, address)
    if row is None:
        row = SuppressedAddress(
            address=address, reason=reason, detail=detail[:2000], created_at=now or utcnow()
        )
        session.add(row)
        session.flush()
    return row


def unsuppress(session: Session, address: str) -> bool:
    row = session.get(SuppressedAddress, address.strip().lower())
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def suppressed_among(session: Session, addresses: Iterable[str]) -> set[str]:
    """Which of ``addresses`` (lower-case, bare) are suppressed: on the list, or erased
    while on it (kept only as a hash, ``services.erasure``); two queries."""
    from survey.models import ErasedAddress
    from survey.services.erasure import erased_hash

    wanted = {a for a in addresses if a}
    if not wanted:
        return set()
    found = set(
        session.scalars(
            select(SuppressedAddress.address).where(SuppressedAddress.address.in_(wanted))
        )
    )
    by_hash = {erased_hash(a): a for a in wanted - found}
    if by_hash:
        found |= {
            by_hash[h]
            for h in session.scalars(
                select(ErasedAddress.address_hash).where(
                    ErasedAddress.address_hash.in_(list(by_hash)),
                    ErasedAddress.suppressed.is_(True),
                )
            )
        }
    return found


def count_soft_bounce(
    session: Session, address: str, status: str, now: datetime | None = None
) -> int:
    """Count one transient failure for ``address``; returns the count so far."""
    address = address.strip().lower()
    row = session.get(SoftBounce, address)
    if row is None:
        row = SoftBounce(address=address, count=0)
        session.add(row)
    row.count = (row.count or 0) + 1
    row.last_status = status[:20]
    row.last_at = now or utcnow()
    session.flush()
    return row.count


def issue_unsubscribe_tokens(
    session: Session, person_ids: list[int], now: datetime | None = None
) -> list[str]:
    """One fresh token per entry of ``person_ids`` (same order); only hashes are stored."""
    now = now or utcnow()
    tokens = [new_token() for _ in person_ids]
    session.add_all(
        UnsubscribeToken(token_hash=token_hash(t), person_id=p, created_at=now)
        for t, p in zip(tokens, person_ids, strict=True)
    )
    session.flush()
    return tokens


def unsubscribe_person(session: Session, token: str) -> Person | None:
    """The person an unsubscribe token names (None if unknown); changes nothing."""
    row = session.get(UnsubscribeToken, token_hash(token))
    return session.get(Person, row.person_id) if row is not None else None
