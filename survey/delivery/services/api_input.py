"""Parsing JSON API bodies into service inputs; every refusal names the offending field."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from survey.delivery.services.interactions import EVENTS, FieldError, InteractionInput
from survey.services.accounts import email_problem, normalise_email
from survey.services.outbox import MISREAD

MAX_DEPTH = 32  # nesting of arrays and objects in a request body

INTERACTION_FIELDS = {
    "provider",
    "requester_email",
    "service",
    "source",
    "external_ref",
    "opened_at",
    "first_response_at",
    "resolved_at",
    "reopened_at",
    "cancelled_at",
    "paused_seconds",
}


class BodyError(ValueError):
    """A request body refused before its fields are read: ``status`` 400 (not JSON) or 422."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _depth_exceeds(value: object, limit: int) -> bool:
    """Whether arrays/objects nest deeper than ``limit``; iterative, so any depth is safe."""
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        children: Any = item.values() if isinstance(item, dict) else item
        if isinstance(item, dict | list):
            if depth + 1 > limit:
                return True
            stack.extend((child, depth + 1) for child in children)
    return False


def load_json_body(raw: bytes) -> object:
    """Parse a request body as JSON. Raises BodyError: 400 when it is not JSON (or not UTF-8),
    422 when arrays or objects nest deeper than MAX_DEPTH levels (the parser itself gives up on
    some thousands of levels; both answer the same 422)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BodyError(400, "the body is not UTF-8 text") from None
    try:
        value = json.loads(text)
    except RecursionError:
        raise BodyError(
            422, f"the body nests arrays or objects deeper than {MAX_DEPTH} levels"
        ) from None
    except ValueError:
        raise BodyError(400, "the body is not valid JSON") from None
    if _depth_exceeds(value, MAX_DEPTH):
        raise BodyError(422, f"the body nests arrays or objects deeper than {MAX_DEPTH} levels")
    return value


def _text(body: dict[str, Any], name: str, required: bool, limit: int) -> str | None:
    value = body.get(name)
    if value is None:
        if required:
            raise FieldError(name, "is required")
        return None
    if not isinstance(value, str):
        raise FieldError(name, "must be a string")
    value = value.strip()
    if required and not value:
        raise FieldError(name, "must not be empty")
    if len(value) > limit:
        raise FieldError(name, f"is longer than {limit} characters")
    if "\x00" in value:
        raise FieldError(name, "must not contain NUL characters")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            # JSON allows "\ud800"; such a lone surrogate cannot be stored or shown.
            raise FieldError(name, "must not contain lone surrogates") from None
    return value or None


def _time(body: dict[str, Any], name: str, required: bool) -> datetime | None:
    raw = _text(body, name, required, 40)
    if raw is None:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise FieldError(name, "must be an ISO 8601 date-time, e.g. 2026-05-04T09:30:00Z") from None
    if value.tzinfo is None:
        raise FieldError(name, "needs a time zone (Z or an offset such as +02:00)")
    if not 2000 <= value.year <= 2100:
        raise FieldError(name, "must lie between the years 2000 and 2100")
    return value


def parse_interaction(body: object) -> InteractionInput:
    """Validate a ``POST /api/v1/interactions`` body (a JSON object)."""
    if not isinstance(body, dict):
        raise FieldError("body", "must be a JSON object")
    unknown = sorted(set(body) - INTERACTION_FIELDS)
    if unknown:
        raise FieldError(str(unknown[0]), "is not a known field")
    email = _text(body, "requester_email", True, 254)
    assert email is not None
    problem = email_problem(normalise_email(email))
    if problem == MISREAD:
        # Stored before the people and users forms refused such addresses: the survey mail
        # would go to the address a mail header reads instead (``accounts.email_problem``).
        raise FieldError(
            "requester_email",
            "cannot receive mail: a mail header reads it as another address",
        )
    if problem is not None:
        raise FieldError("requester_email", "is not an email address")
    provider = _text(body, "provider", True, 20)
    opened_at = _time(body, "opened_at", True)
    assert provider is not None and opened_at is not None
    return InteractionInput(
        provider=provider,
        requester_email=email,
        service=_text(body, "service", False, 40),
        source=_text(body, "source", False, 40),
        external_ref=_text(body, "external_ref", False, 120),
        opened_at=opened_at,
        first_response_at=_time(body, "first_response_at", False),
        resolved_at=_time(body, "resolved_at", False),
        reopened_at=_time(body, "reopened_at", False),
        cancelled_at=_time(body, "cancelled_at", False),
        paused_seconds=_seconds(body, "paused_seconds"),
    )


def _seconds(body: dict[str, Any], name: str) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 12:
        value = int(value.strip())  # CSV files and some tools send numbers as text
    if isinstance(value, bool) or not isinstance(value, int):
        raise FieldError(name, "must be a whole number of seconds")
    if value < 0:
        raise FieldError(name, "must not be negative")
    return value


def parse_event(body: object) -> tuple[str, str, str, datetime]:
    """Validate a ``POST /api/v1/interactions/events`` body: ``source``, ``external_ref``,
    ``event`` (one of EVENTS) and ``at`` (ISO 8601 with a zone). Returns them in that order."""
    if not isinstance(body, dict):
        raise FieldError("body", "must be a JSON object")
    unknown = sorted(set(body) - {"source", "external_ref", "event", "at"})
    if unknown:
        raise FieldError(str(unknown[0]), "is not a known field")
    source = _text(body, "source", True, 40)
    ref = _text(body, "external_ref", True, 120)
    event = _text(body, "event", True, 20)
    at = _time(body, "at", True)
    assert source is not None and ref is not None and event is not None and at is not None
    if event not in EVENTS:
        raise FieldError("event", f"must be one of {', '.join(EVENTS)}")
    return source, ref, event, at
