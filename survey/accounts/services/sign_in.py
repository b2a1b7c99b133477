"""Signing in: the password check with its throttle per account and per client address; the
password change's check of the current password counts against the same throttle.

A verb taking a session; it flushes, never commits. Unknown addresses cost the same argon2
verification and are throttled alike, so neither timing nor lock-out tells whether an account
exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from survey.models import SignInThrottle, User
from survey.models.base import utcnow
from survey.security import DUMMY_HASH, hash_secret, needs_rehash, verify_secret
from survey.services.accounts import normalise_email

# An office behind one address must not be locked out by one person's typos: the per-address
# budget is much larger than the per-account one.
ADDRESS_FAILURE_FACTOR = 10


class SignInLocked(Exception):
    """Too many failed sign-ins for this account or address; ``until`` says when to retry."""

    def __init__(self, until: datetime) -> None:
        super().__init__(until.isoformat())
        self.until = until


@dataclass(frozen=True)
class ThrottlePolicy:
    max_failures: int = 5
    lock_seconds: int = 900


def _throttle_row(session: Session, key: str) -> SignInThrottle | None:
    return session.get(SignInThrottle, key)


def _sweep(session: Session, policy: ThrottlePolicy, now: datetime) -> None:
    """Delete the counts whose window and lock have both passed: they would start again from
    zero anyway, and kept they would pile up (a row for every address ever mistyped)."""
    window_start = now - timedelta(seconds=policy.lock_seconds)
    session.execute(
        delete(SignInThrottle)
        .where(
            SignInThrottle.first_failure_at < window_start,
            or_(SignInThrottle.locked_until.is_(None), SignInThrottle.locked_until <= now),
        )
        .execution_options(synchronize_session=False)
    )


def _check_lock(row: SignInThrottle | None, now: datetime) -> None:
    if row is not None and row.locked_until is not None and row.locked_until > now:
        raise SignInLocked(row.locked_until)


def _record_failure(
    session: Session, key: str, limit: int, policy: ThrottlePolicy, now: datetime
) -> None:
    row = _throttle_row(session, key)
    window = timedelta(seconds=policy.lock_seconds)
    if row is None:
        row = SignInThrottle(key=key, failures=0, first_failure_at=now)
        session.add(row)
    elif row.first_failure_at + window < now:
        row.failures, row.first_failure_at, row.locked_until = 0, now, None
    row.failures += 1
    if row.failures >= limit:
        row.locked_until = now + window
    session.flush()


def check_password(
    session: Session,
    user: User,
    password: str,
    address: str,
    policy: ThrottlePolicy | None = None,
    now: datetime | None = None,
) -> bool:
    """The signed-in ``user``'s password asked again (before a change): True when it matches.
    Counted against the same budgets as sign-in, per account and per client address, so a
    borrowed session cannot guess the password it does not know. Raises SignInLocked while
    either is locked (a right password included); a success leaves the counts as they are."""
    policy = policy or ThrottlePolicy()
    now = now or utcnow()
    account_key, address_key = f"account:{user.email}", f"address:{address}"
    _check_lock(_throttle_row(session, account_key), now)
    _check_lock(_throttle_row(session, address_key), now)
    if verify_secret(user.password_hash, password):
        return True
    _record_failure(session, account_key, policy.max_failures, policy, now)
    _record_failure(session, address_key, policy.max_failures * ADDRESS_FAILURE_FACTOR, policy, now)
    return False


def authenticate(
    session: Session,
    email: str,
    password: str,
    address: str,
    policy: ThrottlePolicy | None = None,
    now: datetime | None = None,
) -> User | None:
    """Return the user when the password matches, else None. Raises SignInLocked when the
    account or the client address has failed too often inside the lock window.

    Unknown addresses cost the same argon2 verification as known ones and are throttled the
    same way, so neither timing nor lock-out tells whether an account exists. Counts whose
    window and lock have passed are deleted first, so the table holds the last lock window's
    failures only.
    """
    policy = policy or ThrottlePolicy()
    now = now or utcnow()
    _sweep(session, policy, now)
    email = normalise_email(email)
    account_key, address_key = f"account:{email}", f"address:{address}"
    _check_lock(_throttle_row(session, account_key), now)
    _check_lock(_throttle_row(session, address_key), now)
    user = session.scalar(select(User).where(User.email == email))
    ok = verify_secret(user.password_hash if user else DUMMY_HASH, password)
    if not ok or user is None or not user.active:
        _record_failure(session, account_key, policy.max_failures, policy, now)
        _record_failure(
            session, address_key, policy.max_failures * ADDRESS_FAILURE_FACTOR, policy, now
        )
        return None
    for key in (account_key,):
        row = _throttle_row(session, key)
        if row is not None:
            session.delete(row)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_secret(password)
    user.last_sign_in_at = now
    session.flush()
    return user
