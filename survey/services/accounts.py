"""Users, their server-side sessions and passwords, API keys and the email check: the account
verbs the rest shares (the Flask-Login user loader in ``survey/access.py``, the API's bearer
keys, the CLI, the demo, the organisation's people). Signing in with its throttle and the
password change and reset belong to the accounts journey (``survey/accounts/services/``).

Verbs taking a session; they flush, never commit.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from survey.models import ApiKey, PasswordReset, User, UserSession
from survey.models.auth import API_SCOPES, ROLES
from survey.models.base import utcnow
from survey.security import (
    NO_PASSWORD,
    hash_secret,
    new_token,
    token_hash,
    verify_secret,
)
from survey.services.lru import Lru
from survey.services.outbox import MISREAD, address_problem
from survey.services.refusals import Message, OrgError

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# ``_l("...")`` marks a text for the message extractor and translates it late.
_l = Message


def normalise_email(email: str) -> str:
    return email.strip().lower()


#: Why ``email_problem`` refuses an address.
INVALID = "invalid"


def email_problem(email: str) -> str | None:
    """Why the normalised ``email`` cannot be stored as someone's address, or None:

    - ``INVALID``: longer than 254 characters, or not ``local@domain.tld`` (no blank, one "@");
    - ``outbox.MISREAD``: a mail header reads it as another address or none
      (``ann(x)@example.com`` is mailed to ``ann@example.com``, ``a,b@example.com`` is two),
      so mail would go to someone else (``outbox.address_problem``, the dispatcher's check).

    An address outside plain ASCII (``outbox.NOT_ASCII``, ``zoë@example.com``) is accepted,
    as the people import accepts it with a warning: the person exists and their requests are
    recorded; mail to them fails at the dispatcher and shows in the outbox."""
    if len(email) > 254 or not EMAIL.match(email):
        return INVALID
    if address_problem(email) == MISREAD:
        return MISREAD
    return None


def check_email(email: str) -> str:
    """The normalised address, or OrgError on the ``email`` field when ``email_problem``
    refuses it (the people and users forms and services; the API's requester address)."""
    email = normalise_email(email)
    problem = email_problem(email)
    if problem == MISREAD:
        raise OrgError(
            "email",
            _l(
                "This address cannot receive mail: a mail header would read it as another "
                "address. Remove brackets, commas, quotes and similar characters."
            ),
        )
    if problem is not None:
        raise OrgError("email", _l("This is not a valid email address."))
    return email


def sign_in_address_problem(email: str) -> str | None:
    """Why the sign-in form would refuse ``email`` (its ``Email`` check: an address with a
    dotted domain that is no special-use name such as ``corp.local`` or ``example.test``), or
    None when it accepts it. An account under a refused address could never sign in, nor ask
    for a reset link, so the command line creates none (the admin form has the same check)."""
    import email_validator

    try:
        email_validator.validate_email(
            email.strip(), check_deliverability=False, allow_smtputf8=True, allow_empty_local=False
        )
    except email_validator.EmailNotValidError as error:
        return str(error)
    return None


def create_user(
    session: Session,
    email: str,
    password: str | None,
    role: str,
    name: str = "",
    department_id: int | None = None,
    locale: str | None = None,
) -> User:
    """Add a user with an argon2id password hash. Raises ValueError on a bad role.
    ``password`` None: no password works until the owner chooses one through an emailed
    link (``account_mail.queue_set_password``); ``has_password`` is then False."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    if role == "manager" and department_id is None:
        raise ValueError("a manager needs a department")
    user = User(
        email=normalise_email(email),
        name=name,
        password_hash=NO_PASSWORD if password is None else hash_secret(password),
        role=role,
        department_id=department_id,
        locale=locale,
    )
    session.add(user)
    session.flush()
    return user


def has_password(user: User) -> bool:
    """False while the owner of an account created without one has not chosen it."""
    return user.password_hash != NO_PASSWORD


def set_password(session: Session, user: User, password: str) -> None:
    """Change the password and sign the user out everywhere: ``session_version`` goes up,
    every server-side session of the user ends (the caller may start a fresh one) and every
    reset link not yet used stops working."""
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


def end_all_sessions(session: Session, user: User, now: datetime | None = None) -> None:
    """Sign ``user`` out everywhere (password change or reset, deactivation), and close the
    way back in: every reset link of the user not yet used expires at ``now``. A link mailed
    before the change (read by someone else, kept through a deactivation) then opens nothing;
    its row stays, so the request page's one mail per interval still counts it."""
    now = now or utcnow()
    user.session_version += 1
    session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    session.execute(
        update(PasswordReset)
        .where(
            PasswordReset.user_id == user.id,
            PasswordReset.used_at.is_(None),
            PasswordReset.expires_at > now,
        )
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    )
    session.flush()


API_KEY_PREFIX = "siq"


def create_api_key(
    session: Session, name: str, scopes: Iterable[str] = API_SCOPES
) -> tuple[ApiKey, str]:
    """Create a key allowed ``scopes`` (of ``models.auth.API_SCOPES``; ValueError on another or
    on none) and return it with its secret text, which is shown once and never stored."""
    given = set(scopes)
    chosen = [scope for scope in API_SCOPES if scope in given]
    if given - set(API_SCOPES) or not chosen:
        raise ValueError(f"API key scopes must be some of {API_SCOPES}, got {sorted(given)}")
    prefix = secrets.token_hex(4)
    secret = f"{API_KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(
        name=name.strip(), prefix=prefix, key_hash=hash_secret(secret), scopes=" ".join(chosen)
    )
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
