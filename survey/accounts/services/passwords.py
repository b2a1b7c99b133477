"""Passwords: the owner's change and the emailed single-use reset (its token, the check that a
mail was sent lately, the link's target and the reset itself).

Verbs taking a session; they flush, never commit. Every change signs the user out everywhere
(``services.accounts.set_password``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from survey.accounts.services.devices import KnownBrowsers
from survey.accounts.services.sign_in import ThrottlePolicy, check_password
from survey.models import User
from survey.models.base import utcnow
from survey.security import new_token, token_hash
from survey.services.accounts import set_password

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


def change_password(
    session: Session,
    user: User,
    current: str,
    new: str,
    address: str,
    policy: ThrottlePolicy | None = None,
    browsers: KnownBrowsers | None = None,
) -> bool:
    """The owner's change: False (nothing changed but the failure counted) unless ``current``
    is right. ``current`` is checked under the sign-in throttle of the account (of the known
    browser, ``browsers``, when the account signed in on it) and of the client ``address``
    (``sign_in.check_password``): SignInLocked while either is locked.
    Signs the user out everywhere; the caller starts a fresh session for the browser that
    asked."""
    if not check_password(session, user, current, address, policy, browsers=browsers):
        return False
    set_password(session, user, new)
    return True
