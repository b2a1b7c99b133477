"""Ready-made mappings from ticketing tools' webhook payloads to interaction reports.

``POST /api/v1/webhooks/<mapping>`` takes the payload as the tool sends it; the mapping turns
it into an ``InteractionInput`` (a snapshot of the request) that ``record_interaction`` merges
by the lifecycle rules. Query parameters ``provider`` and ``service`` override the department
and service codes read from the payload (tools rarely know the survey's codes).

Two generic shapes (field paths are documented in docs/operations.md, "Wiring a ticketing
tool"):

- ``issue-tracker``: ``{"webhookEvent", "timestamp" (epoch ms), "issue": {"key", "fields":
  {"project": {"key"}, "components": [{"name"}], "reporter": {"emailAddress"}, "created",
  "resolutiondate", "resolution": {"name"}, "status": {"statusCategory": {"key"}}}}}``.
  A resolution named like a cancellation (won't do, cancelled, duplicate, declined, ...)
  cancels; a status not "done" in an update after resolution reopens.
- ``helpdesk``: ``{"event", "occurred_at", "ticket": {"id", "status", "group", "service",
  "requester": {"email"}, "created_at", "first_reply_at", "solved_at", "on_hold_seconds"}}``.
  Status ``solved``/``closed`` resolves, ``cancelled``/``deleted`` cancels, ``open`` after a
  resolution reopens; ``on_hold_seconds`` is paused time (it does not count for standards).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from survey.delivery.services.api_input import parse_interaction
from survey.delivery.services.interactions import FieldError, InteractionInput

CANCEL_WORDS = ("won't do", "wont do", "cancel", "duplicate", "declined", "rejected", "invalid")


def _get(payload: Any, path: str) -> Any:
    """``payload["a"]["b"]`` for ``"a.b"``; None where a step is missing or not an object."""
    value = payload
    for step in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(step)
    return value


def _epoch_ms(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not 946_684_800_000 <= value <= 4_102_444_800_000:  # years 2000..2100
        raise FieldError("timestamp", "must be milliseconds since 1970 within 2000..2100")
    return datetime.fromtimestamp(value / 1000, UTC).isoformat()


def _first_name(items: Any) -> Any:
    if isinstance(items, list) and items and isinstance(items[0], dict):
        return items[0].get("name")
    return None


def issue_tracker(payload: Any, provider: str | None, service: str | None) -> InteractionInput:
    """Map the ``issue-tracker`` shape (see the module docstring)."""
    if not isinstance(payload, dict) or not isinstance(payload.get("issue"), dict):
        raise FieldError("issue", "is required (an object)")
    fields = _get(payload, "issue.fields")
    if not isinstance(fields, dict):
        raise FieldError("issue.fields", "is required (an object)")
    at = _epoch_ms(payload.get("timestamp"))
    done = _get(fields, "status.statusCategory.key") == "done"
    resolution = _get(fields, "resolution.name")
    cancelled = isinstance(resolution, str) and any(
        word in resolution.lower() for word in CANCEL_WORDS
    )
    resolved_at = fields.get("resolutiondate")
    body = {
        "source": "issue-tracker",
        "external_ref": _get(payload, "issue.key"),
        "provider": provider or _get(fields, "project.key"),
        "service": service or _first_name(fields.get("components")),
        "requester_email": _get(fields, "reporter.emailAddress"),
        "opened_at": fields.get("created"),
        "resolved_at": None if cancelled or not done else resolved_at,
        "cancelled_at": (resolved_at or at) if cancelled else None,
        "reopened_at": at if not done and payload.get("webhookEvent") != "issue_created" else None,
    }
    return parse_interaction({k: v for k, v in body.items() if v is not None})


def helpdesk(payload: Any, provider: str | None, service: str | None) -> InteractionInput:
    """Map the ``helpdesk`` shape (see the module docstring)."""
    ticket = payload.get("ticket") if isinstance(payload, dict) else None
    if not isinstance(ticket, dict):
        raise FieldError("ticket", "is required (an object)")
    status = str(ticket.get("status") or "").lower()
    at = payload.get("occurred_at")
    ref = ticket.get("id")
    body = {
        "source": "helpdesk",
        "external_ref": str(ref) if isinstance(ref, int | str) and ref != "" else None,
        "provider": provider or ticket.get("group"),
        "service": service or ticket.get("service"),
        "requester_email": _get(ticket, "requester.email"),
        "opened_at": ticket.get("created_at"),
        "first_response_at": ticket.get("first_reply_at"),
        "resolved_at": ticket.get("solved_at") if status in ("solved", "closed") else None,
        "cancelled_at": at if status in ("cancelled", "deleted") else None,
        "reopened_at": at
        if status == "open" and payload.get("event") != "ticket.created"
        else None,
        "paused_seconds": ticket.get("on_hold_seconds"),
    }
    return parse_interaction({k: v for k, v in body.items() if v is not None})


MAPPINGS: dict[str, Callable[[Any, str | None, str | None], InteractionInput]] = {
    "issue-tracker": issue_tracker,
    "helpdesk": helpdesk,
}
