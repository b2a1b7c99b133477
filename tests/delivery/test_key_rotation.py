"""A ticketing tool's API key replaced (revoked after a leak, or the tool reinstalled): the
tool's new key goes on reporting the requests its old key opened; another tool still cannot."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey.models import ApiKey, Interaction
from survey.services.accounts import create_api_key, revoke_api_key
from tests.delivery.test_api_interactions import body


def _post(client, key: str, path: str, payload):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1{path}", json=payload, headers={"Authorization": f"Bearer {key}"})


def _event(kind: str, at: str) -> dict[str, str]:
    return {"source": "helpdesk", "external_ref": "T-1", "event": kind, "at": at}


@pytest.mark.postgres
def test_the_new_key_of_a_tool_goes_on_with_the_requests_of_its_revoked_key(
    client, session, org
) -> None:
    """Before, every request the old key had opened answered 409 to the new key ("reported
    with another API key"): their resolutions were refused, so they stayed open for good,
    were never surveyed and counted as late against the service standard."""
    opened = _post(
        client, org.api_key, "/interactions", body(resolved_at=..., first_response_at=...)
    )
    assert opened.status_code == 201
    old = session.scalar(select(ApiKey).where(ApiKey.name == "helpdesk"))
    revoke_api_key(session, old)
    _new, new_key = create_api_key(session, "helpdesk (new key)", ["interactions"])
    _other, other_tool = create_api_key(session, "another tool", ["interactions"])
    session.commit()
    assert _post(client, org.api_key, "/interactions", body()).status_code == 401

    first_response = _post(
        client, new_key, "/interactions/events", _event("first_response", "2026-05-04T09:20:00Z")
    )
    assert first_response.status_code == 200, first_response.get_json()
    resolved = _post(client, new_key, "/interactions", body())
    assert resolved.status_code == 200, resolved.get_json()
    assert resolved.get_json()["state"] == "resolved"
    assert resolved.get_json()["id"] == opened.get_json()["id"]

    # The request is the new key's now: another tool is refused as before, and learns nothing.
    stolen = _post(
        client, other_tool, "/interactions/events", _event("cancelled", "2026-05-04T16:00:00Z")
    )
    assert stolen.status_code == 409 and stolen.get_json()["field"] == "external_ref"
    session.rollback()
    stored = session.scalar(select(Interaction).where(Interaction.external_ref == "T-1"))
    assert stored.cancelled_at is None and stored.resolved_at is not None
    assert stored.api_key_id == _new.id


def test_a_live_key_keeps_its_requests(client, session, org) -> None:
    """While the first key is active, another key is refused (the rule the takeover keeps)."""
    assert _post(client, org.api_key, "/interactions", body()).status_code == 201
    _other, other_tool = create_api_key(session, "another tool", ["interactions"])
    session.commit()
    assert _post(client, other_tool, "/interactions", body()).status_code == 409
