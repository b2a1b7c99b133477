"""``Idempotency-Key`` for the JSON API: the first answer to a key is kept, per API key.

A replay with the same body (compared as canonical JSON, so spacing and key order do not
matter) gets the stored answer; with another body it is refused (the view answers 409). A key
sent by one API key is invisible to every other API key.

A key is replayed for at least ``RETAIN_IDEMPOTENCY_HOURS`` (``SURVEY_RETAIN_IDEMPOTENCY_HOURS``,
default 24 hours); the retention purge that ``tick`` runs then deletes it
(``survey/services/retention.py``), and the same key is a new request again.
"""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.models import IdempotencyKey

MAX_KEY = 200


def body_digest(body: object) -> str:
    """SHA-256 (hex) of ``body`` as canonical JSON."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def valid_key(key: str) -> bool:
    """1..MAX_KEY visible ASCII characters."""
    return 0 < len(key) <= MAX_KEY and all(33 <= ord(c) <= 126 for c in key)


def stored_answer(session: Session, api_key_id: int, key: str) -> IdempotencyKey | None:
    return session.scalar(
        select(IdempotencyKey).where(
            IdempotencyKey.api_key_id == api_key_id, IdempotencyKey.key == key
        )
    )


def remember_answer(
    session: Session, api_key_id: int, key: str, digest: str, status: int, answer: object
) -> None:
    """Keep the answer; flushes (a concurrent request with the same key raises IntegrityError
    here or at commit, and the caller then replays what that one stored)."""
    session.add(
        IdempotencyKey(
            api_key_id=api_key_id,
            key=key,
            body_sha256=digest,
            status_code=status,
            response_json=json.dumps(answer, sort_keys=True),
        )
    )
    session.flush()
