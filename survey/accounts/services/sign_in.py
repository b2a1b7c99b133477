"""Signing in: the password check with its throttle per account and per client address; the
password change's check of the current password counts against the same throttle. An attempt
from a browser where the account signed in before (``devices.KnownBrowsers``) is refused by
that browser's budget, not the account's (``_budgets``), so that strangers cannot lock the
owner out.

A verb taking a session; it flushes, never commits. Unknown addresses cost the same argon2
verification and are throttled alike, so neither timing nor lock-out tells whether an account
exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, case, delete, null, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from survey.accounts.services.devices import KnownBrowsers
from survey.models import SignInThrottle, User
from survey.models.base import utcnow
from survey.security import hash_secret, needs_rehash, verify_secret
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


def _count_statement(dialect: str) -> Any:
    """One statement counting an attempt under ``throttle_key`` as a failure, before its password is
    checked, and returning the count and lock after it (parameters ``throttle_key``, ``now``,
    ``window_start``, ``lock_at``, ``limit``).

    The row is inserted at 1, or added to: from 1 again once its window has passed (its first
    failure before ``window_start``) unless it is still locked. The count that reaches
    ``limit`` locks the key until ``lock_at``; a locked key keeps its lock and counts on past
    the limit, so a count above ``limit`` after the statement means the key was locked
    already. One atomic statement: parallel attempts each take their own place in the count
    (none reads a count another is about to raise), and two first failures do not both
    insert the row."""
    table = SignInThrottle.__table__
    when = table.c.first_failure_at.type
    now, window_start = bindparam("now", type_=when), bindparam("window_start", type_=when)
    lock_at, limit = (
        bindparam("lock_at", type_=when),
        bindparam("limit", type_=table.c.failures.type),
    )
    locked = table.c.locked_until > now
    restart = ~locked & (table.c.first_failure_at < window_start)
    counted = case((restart, 1), else_=table.c.failures + 1)
    make_insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = make_insert(table).values(
        key=bindparam("throttle_key"),
        failures=1,
        first_failure_at=now,
        locked_until=case((limit <= 1, lock_at), else_=null()),
    )
    return statement.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={
            "failures": counted,
            "first_failure_at": case((restart, now), else_=table.c.first_failure_at),
            "locked_until": case(
                (locked, table.c.locked_until), (counted >= limit, lock_at), else_=null()
            ),
        },
    ).returning(table.c.failures, table.c.locked_until)


_COUNT = {dialect: _count_statement(dialect) for dialect in ("sqlite", "postgresql")}
# An attempt taken back (refused elsewhere, or its password was right): one fewer, and no
# lock unless the count is still at the limit.
_TAKE_BACK = (
    update(SignInThrottle)
    .where(SignInThrottle.key == bindparam("throttle_key"), SignInThrottle.failures > 0)
    .values(
        failures=SignInThrottle.failures - 1,
        locked_until=case(
            (SignInThrottle.failures - 1 >= bindparam("limit"), SignInThrottle.locked_until),
            else_=null(),
        ),
    )
    .execution_options(synchronize_session=False)
)


@dataclass(frozen=True)
class Budget:
    """A throttle key's most failures per window (``limit``), and whether its lock refuses
    the attempt (``refuses``): the account's lock does not refuse an attempt from a known
    browser, which is counted under the account all the same."""

    limit: int
    refuses: bool = True


def _count_attempt(
    session: Session, budgets: dict[str, Budget], policy: ThrottlePolicy, now: datetime
) -> None:
    """Count one attempt under each key of ``budgets`` before the password is checked. Raises
    SignInLocked, the attempt taken back everywhere, when a key that refuses was locked
    already; the attempt that reaches a key's limit is still checked and locks the key for
    the next ones. Callers take the attempt back (``_take_back``) where it proves not to be a
    failure."""
    window = timedelta(seconds=policy.lock_seconds)
    parameters = {"now": now, "window_start": now - window, "lock_at": now + window}
    statement = _COUNT[session.get_bind().dialect.name]
    connection = session.connection()
    refused: list[datetime] = []
    for key, budget in budgets.items():
        failures, locked_until = connection.execute(
            statement, {**parameters, "throttle_key": key, "limit": budget.limit}
        ).one()
        if budget.refuses and failures > budget.limit and locked_until is not None:
            refused.append(locked_until)
    if refused:
        _take_back(session, budgets)
        raise SignInLocked(max(refused))


def _take_back(session: Session, budgets: dict[str, Budget]) -> None:
    """One attempt fewer under each key of ``budgets`` (see ``_TAKE_BACK``)."""
    connection = session.connection()
    for key, budget in budgets.items():
        connection.execute(_TAKE_BACK, {"throttle_key": key, "limit": budget.limit})


def _budgets(
    account: str, address: str, policy: ThrottlePolicy, device: str | None = None
) -> dict[str, Budget]:
    """The throttle's keys of an attempt, in the order every attempt counts them (one lock
    order for parallel attempts on PostgreSQL).

    - ``account:<address typed>``: ``max_failures``. An attempt from a browser where the
      account signed in before (``device``, its nonce) is counted here too but not refused
      by this lock: a stranger's guesses lock every browser the account never used, not
      its owner's; guesses from a known browser (a copied cookie) lock the account for
      unknown browsers as well as that browser.
    - ``device:<nonce>`` (known browsers only): ``max_failures``, first.
    - ``address:<client address>``: ten times ``max_failures``, so that an office behind one
      address is not locked out by one person's typos.
    """
    budgets = {
        f"account:{account}": Budget(policy.max_failures, refuses=device is None),
        f"address:{address}": Budget(policy.max_failures * ADDRESS_FAILURE_FACTOR),
    }
    if device is None:
        return budgets
    return {f"device:{device}": Budget(policy.max_failures), **budgets}


def _device(browsers: KnownBrowsers | None, user: User | None, now: datetime) -> str | None:
    """The nonce of the known browser the attempt came from, for an active ``user``."""
    if browsers is None or user is None or not user.active:
        return None
    return browsers.nonce_for(user, now)


def check_password(
    session: Session,
    user: User,
    password: str,
    address: str,
    policy: ThrottlePolicy | None = None,
    now: datetime | None = None,
    browsers: KnownBrowsers | None = None,
) -> bool:
    """The signed-in ``user``'s password asked again (before a change): True when it matches.
    Counted against the same budgets as sign-in, per account (or known browser) and per
    client address, so a borrowed session cannot guess the password it does not know. Raises
    SignInLocked while either is locked (a right password included); a success leaves the
    counts as they were."""
    policy = policy or ThrottlePolicy()
    now = now or utcnow()
    budgets = _budgets(user.email, address, policy, _device(browsers, user, now))
    _count_attempt(session, budgets, policy, now)
    if verify_secret(user.password_hash, password):
        _take_back(session, budgets)
        return True
    return False


def authenticate(
    session: Session,
    email: str,
    password: str,
    address: str,
    policy: ThrottlePolicy | None = None,
    now: datetime | None = None,
    browsers: KnownBrowsers | None = None,
) -> User | None:
    """Return the user when the password matches, else None. Raises SignInLocked when the
    account (from a browser the account signed in on before, ``browsers``: that browser) or
    the client address has failed too often inside the lock window.

    Unknown addresses cost the same argon2 verification as known ones and are throttled the
    same way, so neither timing nor lock-out tells whether an account exists. Counts whose
    window and lock have passed are deleted first, so the table holds the last lock window's
    failures only.
    """
    policy = policy or ThrottlePolicy()
    now = now or utcnow()
    _sweep(session, policy, now)
    email = normalise_email(email)
    user = session.scalar(select(User).where(User.email == email))
    device = _device(browsers, user, now)
    budgets = _budgets(email, address, policy, device)
    _count_attempt(session, budgets, policy, now)
    ok = verify_secret(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        return None
    # Not a failure: every key loses this attempt (a stranger's lock on the account stays).
    # From an unknown browser the account's count starts again too. A known browser's does
    # not: the browser gets a new entry (``KnownBrowsers.renewed``), and its old nonce's count
    # only matters to a copy of the cookie, which must not get a new budget.
    _take_back(session, budgets)
    if device is None:
        session.execute(
            delete(SignInThrottle)
            .where(SignInThrottle.key == f"account:{email}")
            .execution_options(synchronize_session=False)
        )
    if needs_rehash(user.password_hash):
        user.password_hash = hash_secret(password)
    user.last_sign_in_at = now
    session.flush()
    return user
