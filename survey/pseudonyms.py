"""Keyed pseudonyms of respondents: how the scorecards count people without storing who
answered.

A pseudonym is ``HMAC-SHA256(key, "person:provider:quarter")`` cut to 32 hex digits: the same
person rating the same provider in the same quarter always gets the same one, so a second
post-interaction answer is recognised and the person is counted once; different providers or
quarters give unrelated pseudonyms, so marks cannot be joined across them. The key never
enters the database: ``SURVEY_PSEUDONYM_KEY`` if set, otherwise derived from
``SURVEY_SECRET_KEY``. Changing the key in the middle of a quarter makes people who answer
again count twice within that quarter (``docs/anonymity.md``).
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from flask import current_app

#: The key without any secret (debug and tests only; the demo outside an app).
DEVELOPMENT_KEY = b"service-iq development pseudonyms"


def pseudonym(key: bytes, person_id: int, provider_id: int, quarter: str) -> str:
    """The pseudonym of ``person_id`` for ``provider_id`` in ``quarter`` (32 hex digits)."""
    message = f"{person_id}:{provider_id}:{quarter}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def app_key() -> bytes:
    """The running application's pseudonym key (see the module docstring)."""
    config = current_app.config
    explicit = config.get("PSEUDONYM_KEY")
    if explicit:
        return str(explicit).encode()
    secret = config.get("SECRET_KEY")
    if not secret:
        return DEVELOPMENT_KEY
    return _derived_key(secret if isinstance(secret, bytes) else str(secret).encode())


@lru_cache(maxsize=8)
def _derived_key(secret: bytes) -> bytes:
    """The pseudonym key derived from the secret key ``secret``: computed once per process
    and secret (every submit asks), not once per submit."""
    return hmac.new(secret, b"respondent pseudonyms", hashlib.sha256).digest()
