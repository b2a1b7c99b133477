"""POST /api/v1/interactions: idempotent, and every refusal is a 4xx JSON naming the field."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey.models import Interaction


def body(**changes):  # type: ignore[no-untyped-def]
    base = {
        "provider": "it",
        "requester_email": "P0@Example.com",
        "service": "IT-LAPTOP",
        "source": "helpdesk",
        "external_ref": "T-1",
        "opened_at": "2026-05-04T09:00:00Z",
        "first_response_at": "2026-05-04T09:20:00+00:00",
        "resolved_at": "2026-05-04T15:00:00Z",
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not ...}


def count(session) -> int:  # type: ignore[no-untyped-def]
    session.rollback()
    return session.scalar(select(func.count()).select_from(Interaction))


@pytest.mark.postgres
def test_created_then_repeat_returns_the_first(api, session, org) -> None:
    first = api.post("/interactions", body())
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["created"] is True and first.get_json()["survey"] == "pending"
    again = api.post("/interactions", body(opened_at="2026-05-05T09:00:00Z"))
    assert again.status_code == 200
    assert again.get_json()["id"] == first.get_json()["id"] and again.get_json()["created"] is False
    assert count(session) == 1
    stored = session.scalar(select(Interaction))
    assert stored.requester.email == "p0@example.com" and stored.service.code == "IT-LAPTOP"


@pytest.mark.parametrize(
    ("changes", "field", "status"),
    [
        ({"provider": "NOPE"}, "provider", 422),
        ({"provider": ...}, "provider", 422),
        ({"requester_email": "nobody@example.com"}, "requester_email", 422),
        ({"requester_email": "not an email"}, "requester_email", 422),
        ({"service": "HR-PAYROLL"}, "service", 422),
        ({"opened_at": "yesterday"}, "opened_at", 422),
        ({"opened_at": "2026-05-04T09:00:00"}, "opened_at", 422),
        ({"opened_at": ...}, "opened_at", 422),
        ({"first_response_at": "2026-05-04T08:00:00Z"}, "first_response_at", 422),
        ({"resolved_at": "2099-01-01T00:00:00Z"}, "resolved_at", 422),
        ({"source": ...}, "source", 422),
        ({"external_ref": "x" * 121}, "external_ref", 422),
        ({"provider": 12}, "provider", 422),
        ({"colour": "blue"}, "colour", 422),
        ({"requester_email": "a\x00@example.com"}, "requester_email", 422),
    ],
)
def test_bad_fields_are_named(api, session, changes, field, status) -> None:
    response = api.post("/interactions", body(**changes))
    assert response.status_code == status
    assert response.get_json()["field"] == field
    assert count(session) == 0


def test_not_json(client, org) -> None:
    headers = {"Authorization": f"Bearer {org.api_key}"}
    r = client.post("/api/v1/interactions", data="provider=IT", headers=headers)
    assert r.status_code == 415 and r.get_json()["field"] == "Content-Type"
    r = client.post(
        "/api/v1/interactions", data="{nope", headers=headers, content_type="application/json"
    )
    assert r.status_code == 400 and r.get_json()["field"] == "body"
    r = client.post("/api/v1/interactions", json=[1, 2], headers=headers)
    assert r.status_code == 422 and r.get_json()["field"] == "body"


def test_without_key(client, org) -> None:
    response = client.post("/api/v1/interactions", json=body())
    assert response.status_code == 401 and response.get_json()["field"] == "Authorization"


def test_openapi_document_describes_the_api(client, org) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    post = doc["paths"]["/interactions"]["post"]
    assert {"200", "201", "401", "415", "422"} <= set(post["responses"])
    schema = doc["components"]["schemas"]["InteractionIn"]
    assert set(schema["required"]) == {"provider", "requester_email", "opened_at"}


@pytest.mark.postgres
@pytest.mark.parametrize("paused", [-1, 10**12, 2**63])
def test_a_repeat_checks_the_paused_time_as_a_new_request_does(api, session, org, paused) -> None:
    """Out of 0..MAX_PAUSED_SECONDS, a repeat of a known request is refused like a new one
    (it was stored, or a server error past the database's integers) and changes nothing."""
    assert api.post("/interactions", body(paused_seconds=600)).status_code == 201
    fresh = api.post("/interactions", body(external_ref="T-2", paused_seconds=paused))
    again = api.post("/interactions", body(paused_seconds=paused))
    for response in (fresh, again):
        assert response.status_code == 422, response.status_code
        assert response.get_json()["field"] == "paused_seconds"
    assert count(session) == 1
    assert session.scalar(select(Interaction)).paused_seconds == 600
