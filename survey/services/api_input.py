"""Parsing JSON API bodies into service inputs; every refusal names the offending field."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from survey.services.interactions import FieldError, InteractionInput

INTERACTION_FIELDS = {
    "provider",
    "requester_email",
    "service",
    "source",
    "external_ref",
    "opened_at",
    "first_response_at",
    "resolved_at",
}


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
    if "@" not in email or any(c.isspace() for c in email):
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
    )
