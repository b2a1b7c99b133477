"""Ready-made webhook mappings, tested against recorded sample payloads of the two generic
shapes (tests/delivery/webhooks/*.json)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from survey.models import Interaction

SAMPLES = Path(__file__).parent / "webhooks"


def sample(name: str) -> dict:  # type: ignore[type-arg]
    return json.loads((SAMPLES / f"{name}.json").read_text())


def stored(session, ref: str) -> Interaction:  # type: ignore[no-untyped-def]
    session.rollback()
    return session.scalar(select(Interaction).where(Interaction.external_ref == ref))


@pytest.mark.postgres
def test_issue_tracker_lifecycle(api, session, org) -> None:
    created = api.post("/webhooks/issue-tracker", sample("issue-tracker-created"))
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["state"] == "open" and created.get_json()["source"] == "issue-tracker"
    interaction = stored(session, "OPS-142")
    assert interaction.provider_department_id == org.it.id
    assert interaction.service_id == org.laptop.id
    assert interaction.requester.email == "p0@example.com"
    assert interaction.opened_at == datetime(2026, 5, 4, 9, tzinfo=UTC)
    resolved = api.post("/webhooks/issue-tracker", sample("issue-tracker-resolved"))
    assert resolved.status_code == 200 and resolved.get_json()["state"] == "resolved"
    assert stored(session, "OPS-142").resolved_at == datetime(2026, 5, 4, 15, tzinfo=UTC)
    # The same delivery again (tools retry) changes nothing.
    assert api.post("/webhooks/issue-tracker", sample("issue-tracker-resolved")).status_code == 200
    reopened = api.post("/webhooks/issue-tracker", sample("issue-tracker-reopened"))
    assert reopened.get_json()["state"] == "open"
    interaction = stored(session, "OPS-142")
    assert interaction.resolved_at is None and interaction.reopen_count == 1
    # A stale "created" delivery arriving late does not reopen or change anything.
    assert api.post("/webhooks/issue-tracker", sample("issue-tracker-created")).status_code == 200
    assert stored(session, "OPS-142").reopen_count == 1


def test_issue_tracker_cancellation_resolution(api, session) -> None:
    response = api.post("/webhooks/issue-tracker", sample("issue-tracker-wont-do"))
    assert response.status_code == 201 and response.get_json()["state"] == "cancelled"
    interaction = stored(session, "OPS-143")
    assert interaction.resolved_at is None
    assert interaction.cancelled_at == datetime(2026, 5, 4, 17, tzinfo=UTC)
    assert (interaction.survey_decision, interaction.skip_reason) == ("skipped", "cancelled")


@pytest.mark.postgres
def test_helpdesk_lifecycle(api, session, org) -> None:
    created = api.post("/webhooks/helpdesk", sample("helpdesk-created"))
    assert created.status_code == 201, created.get_json()
    solved = api.post("/webhooks/helpdesk", sample("helpdesk-solved"))
    assert solved.status_code == 200 and solved.get_json()["state"] == "resolved"
    interaction = stored(session, "4711")
    assert interaction.provider_department_id == org.hr.id
    assert interaction.first_response_at == datetime(2026, 5, 4, 9, 45, tzinfo=UTC)
    assert interaction.resolved_at == datetime(2026, 5, 5, 16, 30, tzinfo=UTC)
    assert interaction.paused_seconds == 7200
    cancelled = api.post("/webhooks/helpdesk", sample("helpdesk-cancelled"))
    assert cancelled.status_code == 201 and cancelled.get_json()["state"] == "cancelled"


def test_query_overrides_and_refusals(api, session, org) -> None:
    payload = sample("helpdesk-created")
    payload["ticket"]["group"] = "Identity team"  # the tool's own group name
    missing = api.post("/webhooks/helpdesk", payload)
    assert missing.status_code == 422 and missing.get_json()["field"] == "provider"
    fixed = api.post("/webhooks/helpdesk?provider=HR", payload)
    assert fixed.status_code == 201
    assert stored(session, "4711").provider_department_id == org.hr.id
    unknown = api.post("/webhooks/chat-tool", payload)
    assert unknown.status_code == 404 and unknown.get_json()["field"] == "mapping"
    for broken, field in (([], "ticket"), ({"ticket": "x"}, "ticket"), ({"issue": {}}, "issue")):
        mapping = "issue-tracker" if "issue" in str(broken) else "helpdesk"
        answer = api.post(f"/webhooks/{mapping}", broken)
        assert answer.status_code == 422 and answer.get_json()["field"].startswith(field)
    bad_time = sample("issue-tracker-created")
    bad_time["timestamp"] = 10**20
    assert api.post("/webhooks/issue-tracker", bad_time).get_json()["field"] == "timestamp"


def test_idempotency_key_covers_the_query(api, client, org) -> None:
    payload = sample("helpdesk-created")
    payload["ticket"]["group"] = "Identity team"
    headers = {"Authorization": f"Bearer {org.api_key}", "Idempotency-Key": "hook-1"}
    first = client.post("/api/v1/webhooks/helpdesk?provider=HR", json=payload, headers=headers)
    assert first.status_code == 201
    replay = client.post("/api/v1/webhooks/helpdesk?provider=HR", json=payload, headers=headers)
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    other = client.post("/api/v1/webhooks/helpdesk?provider=IT", json=payload, headers=headers)
    assert other.status_code == 409 and other.get_json()["field"] == "Idempotency-Key"


def test_a_repeat_delivery_with_an_impossible_on_hold_time_changes_nothing(
    api, session, org
) -> None:
    assert api.post("/webhooks/helpdesk", sample("helpdesk-solved")).status_code == 201
    payload = sample("helpdesk-solved")
    payload["ticket"]["on_hold_seconds"] = 2**63
    refused = api.post("/webhooks/helpdesk", payload)
    assert refused.status_code == 422 and refused.get_json()["field"] == "paused_seconds"
    assert stored(session, "4711").paused_seconds == 7200
