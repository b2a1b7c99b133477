"""Known browsers: the cookie that lets an account's owner sign in while strangers have locked
the account with wrong passwords.

The sign-in throttle (``sign_in``) locks an account after its budget of wrong passwords in a
window, whoever typed them: anyone who knows an address could keep its owner out. A browser
where the account signed in is given an entry in the ``siq_device`` cookie; a later attempt
for that account from that browser is refused only by the browser's own budget
(``device:<nonce>``, as large as the account's) and the address's, while still counted under
the account (``sign_in._budgets``). A stranger's guesses lock only the browsers the account
never signed in on; guesses from a known browser (a copied cookie) lock that browser and,
through the account's count, every unknown one.

An entry is ``nonce.day.tag``: 96 random bits, the day it was issued (days since 1970-01-01,
UTC), and an HMAC-SHA-256 (keyed with the app's secret) of the user's id, their address, their
``session_version``, the nonce and the day (the address too: an erased account's id is given
again on SQLite, and the new account starts at the same ``session_version``). The cookie names
nobody: the tag can be checked, not read. A password change or reset and a deactivation raise
``session_version`` and so end the trust of every browser (the one that changed the password,
or set it through a reset link, gets a new entry: an owner locked out by strangers who resets
can sign in there). An entry older than ``MAX_AGE_DAYS``, a wrong tag, another account's entry
and anything that does not parse count as none. A browser keeps the newest entries of up to
``MAX_ENTRIES`` accounts (a computer shared by colleagues). The cookie is sent to ``/auth``
only (``PATH``): never with a respondent's link or a scorecard.

Pure: no Flask request, no database; the views read and set the cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

COOKIE = "siq_device"
PATH = "/auth"
MAX_AGE_DAYS = 365
MAX_ENTRIES = 5
#: A cookie value longer than this (characters) is not one this module wrote: ignored whole.
MAX_LENGTH = 600
_SEPARATOR = ":"
_TAG_CHARS = 32
#: An entry as ``renewed`` writes it, in ASCII only: a nonce of URL-safe base64, the day in
#: decimal digits, the tag in lowercase hexadecimal (``hmac.compare_digest`` refuses text
#: with other characters rather than say it differs).
_ENTRY = re.compile(rf"([A-Za-z0-9_-]+)\.([0-9]+)\.([0-9a-f]{{{_TAG_CHARS}}})")


class Account(Protocol):
    """What an entry is bound to: a user's id, address (``email``, normalised) and
    ``session_version``."""

    id: int
    email: str
    session_version: int


def _young(day: int, today: int) -> bool:
    """Whether an entry of ``day`` still counts on ``today`` (days since 1970-01-01): issued
    less than ``MAX_AGE_DAYS`` ago, and not after today."""
    return today - MAX_AGE_DAYS < day <= today


def _day(now: datetime) -> int:
    """Whole days since 1970-01-01 of ``now`` (aware; naive is taken as UTC)."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return int(now.timestamp() // 86400)


@dataclass(frozen=True)
class KnownBrowsers:
    """The ``cookie`` a request carried, checked and renewed with ``key`` (bytes derived from
    the app's secret: ``key_from_secret``): None without one, or every value the browser sent
    under the name (a list), since a cookie planted on a narrower path (``/auth/sign-in``) is
    sent before ours and, read alone, would hide the owner's entry."""

    key: bytes
    cookie: str | Sequence[str] | None

    def _tag(self, user: Account, nonce: str, day: int) -> str:
        message = f"device:{user.id}:{user.email}:{user.session_version}:{nonce}:{day}".encode()
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()[:_TAG_CHARS]

    def _entries(self) -> list[tuple[str, int, str]]:
        """The well-formed entries (nonce, day, tag) of every value, each newest first as
        written, once each. A value longer than ``MAX_LENGTH`` is skipped whole; in a value,
        entries past ``MAX_ENTRIES`` and any with another character (``_ENTRY``) are
        skipped."""
        values = [self.cookie] if isinstance(self.cookie, str) else list(self.cookie or ())
        entries: list[tuple[str, int, str]] = []
        for value in values:
            if len(value) > MAX_LENGTH:
                continue
            for part in value.split(_SEPARATOR)[:MAX_ENTRIES]:
                match = _ENTRY.fullmatch(part)
                entry = (match[1], int(match[2]), match[3]) if match else None
                if entry is not None and entry not in entries:
                    entries.append(entry)
        return entries

    def _valid(self, entry: tuple[str, int, str], user: Account, today: int) -> bool:
        nonce, day, tag = entry
        return _young(day, today) and hmac.compare_digest(tag, self._tag(user, nonce, day))

    def nonce_for(self, user: Account | None, now: datetime) -> str | None:
        """The nonce of this browser's valid entry for ``user`` at ``now``; None when there is
        none (or no user)."""
        if user is None:
            return None
        today = _day(now)
        for entry in self._entries():
            if self._valid(entry, user, today):
                return entry[0]
        return None

    def renewed(self, user: Account, now: datetime) -> str:
        """The cookie after ``user`` signed in on this browser at ``now``: a new entry for
        them first, their old one dropped, other accounts' unexpired entries kept after it
        (up to ``MAX_ENTRIES`` in all)."""
        today = _day(now)
        nonce = secrets.token_urlsafe(12)
        kept = [
            entry
            for entry in self._entries()
            if _young(entry[1], today) and not self._valid(entry, user, today)
        ]
        entries = [(nonce, today, self._tag(user, nonce, today)), *kept][:MAX_ENTRIES]
        return _SEPARATOR.join(f"{n}.{d}.{t}" for n, d, t in entries)


def key_from_secret(secret: str | bytes) -> bytes:
    """The entries' HMAC key: derived from the app's secret key, for this use only."""
    raw = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(raw, b"service-iq known browsers", hashlib.sha256).digest()
