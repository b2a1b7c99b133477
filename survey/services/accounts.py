"""Users, sign-in with throttling, and API keys.

Verbs taking a session; they flush, never commit.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from survey.models import ApiKey, SignInThrottle, User, UserSession
from survey.models.auth import ROLES
from survey.models.base import utcnow
from survey.security import (
    DUMMY_HASH,
    hash_secret,
    needs_rehash,
    new_token,
    token_hash,
    verify_secret,
)
from survey.services.lru import Lru
from survey.services.refusals import Message, OrgError

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# ``_l("...")`` marks a text for the message extractor and translates it late.
_l = Message

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


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_email(email: str) -> str:
    """The normalised address, or OrgError on the ``email`` field when it is not one."""
    email = normalise_email(email)
    if len(email) > 254 or not EMAIL.match(email):
        raise OrgError("email", _l("This is not a valid email address."))
    return email


def create_user(
    session: Session,
    email: str,
    password: str,
    role: str,
    name: str = "",
    department_id: int | None = None,
    locale: str | None = None,
) -> User:
    """Add a user with an argon2id password hash. Raises ValueError on a bad role."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    if role == "manager" and department_id is None:
        raise ValueError("a manager needs a department")
    user = User(
        email=normalise_email(email),
        name=name,
        password_hash=hash_secret(password),
        role=role,
        department_id=department_id,
        locale=locale,
    )
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, user: User, password: str) -> None:
    """Change the password and sign the user out everywhere: ``session_version`` goes up and
    every server-side session of the user ends (the caller may start a fresh one)."""
    user.password_hash = hash_secret(password)
    end_all_sessions(session, user)


def start_session(
    session: Session, user: User, lifetime: timedelta, now: datetime | None = None
) -> str:
    """Record a new signed-in browser for ``user``; returns its key (for the cookie, never
    stored). Sessions older than ``lifetime`` (their cookie has expired) are swept here."""
    now = now or utcnow()
    session.execute(delete(UserSession).where(UserSession.created_at < now - lifetime))
    key = new_token()
    session.add(UserSession(key_hash=token_hash(key), user_id=user.id, created_at=now))
    session.flush()
    return key


def session_is_live(
    session: Session,
    user_id: int,
    key: str | None,
    lifetime: timedelta,
    now: datetime | None = None,
) -> bool:
    """True when ``key`` names a session of ``user_id`` that has not ended nor outlived
    ``lifetime``."""
    if not key:
        return False
    created = session.scalar(
        select(UserSession.created_at).where(
            UserSession.key_hash == token_hash(key), UserSession.user_id == user_id
        )
    )
    return created is not None and created >= (now or utcnow()) - lifetime


def end_session(session: Session, key: str | None) -> None:
    """Sign one browser out on the server: its cookie no longer works, even replayed."""
    if key:
        session.execute(delete(UserSession).where(UserSession.key_hash == token_hash(key)))
        session.flush()


def end_all_sessions(session: Session, user: User) -> None:
    """Sign ``user`` out everywhere (password change or reset, deactivation)."""
    user.session_version += 1
    session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    session.flush()


def _throttle_row(session: Session, key: str) -> SignInThrottle | None:
    return session.get(SignInThrottle, key)


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
    same way, so neither timing nor lock-out tells whether an account exists.
    """
    policy = policy or ThrottlePolicy()
    now = now or utcnow()
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


API_KEY_PREFIX = "siq"


def create_api_key(session: Session, name: str) -> tuple[ApiKey, str]:
    """Create a key and return it with its secret text, which is shown once and never stored."""
    prefix = secrets.token_hex(4)
    secret = f"{API_KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(name=name.strip(), prefix=prefix, key_hash=hash_secret(secret))
    session.add(key)
    session.flush()
    return key, secret


def find_api_key(session: Session, secret: str) -> ApiKey | None:
    """The active key matching ``secret``, or None. Updates ``last_used_at``."""
    parts = secret.split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX:
        return None
    key = session.scalar(select(ApiKey).where(ApiKey.prefix == parts[1]))
    if key is None or key.revoked_at is not None or not _key_matches(key.key_hash, secret):
        return None
    key.last_used_at = utcnow()
    session.flush()
    return key


# argon2 is slow on purpose (tens of milliseconds): right for passwords, a tax on an
# integration that sends a key with every call. A process remembers the keys it verified, as
# the SHA-256 of the secret filed under the stored hash, so each key pays for argon2 once per
# process; a changed hash misses, revocation is read from the row on every call, and a wrong
# secret always costs the full verification.
_verified_keys: Lru[bool] = Lru(256)


def _key_matches(stored_hash: str, secret: str) -> bool:
    memo = (stored_hash, hashlib.sha256(secret.encode()).digest())
    if _verified_keys.get(memo):
        return True
    if not verify_secret(stored_hash, secret):
        return False
    _verified_keys.put(memo, True)
    return True


def revoke_api_key(session: Session, key: ApiKey) -> None:
    key.revoked_at = key.revoked_at or utcnow()
    session.flush()


RESET_LIFETIME = timedelta(hours=1)


def issue_password_reset(
    session: Session, user: User, now: datetime | None = None, lifetime: timedelta = RESET_LIFETIME
) -> str:
    """A single-use reset token for ``user`` valid for ``lifetime``; returns the token (only its
    SHA-256 is stored). Earlier unused tokens of the user stop working: only the newest mail
    counts."""
    from survey.models import PasswordReset

    now = now or utcnow()
    session.execute(
        delete(PasswordReset).where(
            PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None)
        )
    )
    token = new_token()
    session.add(
        PasswordReset(
            token_hash=token_hash(token), user_id=user.id, created_at=now, expires_at=now + lifetime
        )
    )
    session.flush()
    return token


def recent_reset(session: Session, user: User, interval: timedelta) -> bool:
    """True when a reset mail was issued for ``user`` less than ``interval`` ago."""
    from survey.models import PasswordReset

    newest = session.scalar(
        select(PasswordReset.created_at)
        .where(PasswordReset.user_id == user.id)
        .order_by(PasswordReset.created_at.desc())
        .limit(1)
    )
    return newest is not None and newest > utcnow() - interval


def reset_target(session: Session, token: str, now: datetime | None = None) -> User | None:
    """The active user a reset token is for, if it is unused and unexpired (changes nothing:
    mail scanners open links)."""
    from survey.models import PasswordReset

    row = session.get(PasswordReset, token_hash(token))
    if row is None or row.used_at is not None or row.expires_at <= (now or utcnow()):
        return None
    user = session.get(User, row.user_id)
    return user if user is not None and user.active else None


def reset_password(
    session: Session, token: str, password: str, now: datetime | None = None
) -> User | None:
    """Set the password through a reset token and use the token up, in one conditional UPDATE
    (two submissions at once: one wins). None when the token is unknown, used or expired.
    Signs the user out everywhere."""
    from survey.models import PasswordReset

    now = now or utcnow()
    user = reset_target(session, token, now)
    if user is None:
        return None
    used = session.execute(
        update(PasswordReset)
        .where(PasswordReset.token_hash == token_hash(token), PasswordReset.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if used != 1:
        return None
    set_password(session, user, password)
    return user


def change_password(session: Session, user: User, current: str, new: str) -> bool:
    """The owner's change: False (nothing changed) unless ``current`` is right. Signs the user
    out everywhere; the caller starts a fresh session for the browser that asked."""
    if not verify_secret(user.password_hash, current):
        return False
    set_password(session, user, new)
    return True
