"""API faults: hostile bodies get a 4xx naming the problem, never a 500; idempotency keys and
references are scoped to the API key; figures are never cached."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey.models import Interaction
from survey.services.accounts import create_api_key
from survey.services.csv_lines import field_limit
from tests.delivery.test_admin_delivery import upload
from tests.delivery.test_api_interactions import body


def count(session) -> int:  # type: ignore[no-untyped-def]
    session.rollback()
    return session.scalar(select(func.count()).select_from(Interaction))


@pytest.mark.parametrize("depth", [33, 1_000, 5_000, 100_000])
@pytest.mark.parametrize("shape", ["array", "object", "field"])
def test_deep_nesting_answers_422_naming_the_body(client, org, session, depth, shape) -> None:
    if shape == "array":
        raw = "[" * depth + "]" * depth
    elif shape == "object":
        raw = '{"a":' * depth + "1" + "}" * depth
    else:
        raw = '{"provider":' + '{"a":[' * depth + "1" + "]}" * depth + "}"
    response = client.post(
        "/api/v1/interactions",
        data=raw,
        headers={"Authorization": f"Bearer {org.api_key}", "Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.get_data()[:200]
    assert response.get_json()["field"] == "body"
    assert "deeper than 32 levels" in response.get_json()["error"]
    assert count(session) == 0


def test_shallow_nesting_is_still_a_field_error(api) -> None:
    response = api.post("/interactions", body(provider=[[{"a": 1}]]))
    assert response.status_code == 422 and response.get_json()["field"] == "provider"


def test_csv_value_over_the_field_limit_answers_422(admin_client, session, org) -> None:
    email = org.person(0).email
    huge = "x" * (field_limit() + 10)
    text = (
        "provider,requester_email,opened_at,source,external_ref\n"
        f"IT,{email},2026-01-05T09:00:00Z,desk,A1\n"
        f'IT,{email},2026-01-05T09:00:00Z,desk,"{huge}"\n'
    )
    response = upload(admin_client, text)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Line 3" in html and f"longer than {field_limit()} characters" in html
    assert count(session) == 0


def test_people_csv_value_over_the_field_limit_is_named(admin_client, org) -> None:
    import io

    from tests.conftest import csrf_token

    huge = "y" * (field_limit() + 1)
    text = f'email,name,department\na@example.com,"{huge}",IT\n'
    response = admin_client.post(
        "/admin/people/import",
        data={
            "csrf_token": csrf_token(admin_client, "/admin/people/import"),
            "file": (io.BytesIO(text.encode()), "people.csv"),
        },
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"longer than {field_limit()} characters" in html


@pytest.mark.postgres
def test_idempotency_key_replay_and_conflict(api, client, session, org) -> None:
    headers = {"Authorization": f"Bearer {org.api_key}", "Idempotency-Key": "abc-1"}
    first = client.post("/api/v1/interactions", json=body(), headers=headers)
    assert first.status_code == 201
    again = client.post("/api/v1/interactions", json=body(), headers=headers)
    assert again.status_code == 201 and again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    other = client.post("/api/v1/interactions", json=body(external_ref="T-2"), headers=headers)
    assert other.status_code == 409 and other.get_json()["field"] == "Idempotency-Key"
    assert count(session) == 1
    bad = client.post(
        "/api/v1/interactions",
        json=body(),
        headers={**headers, "Idempotency-Key": "x" * 201},
    )
    assert bad.status_code == 422 and bad.get_json()["field"] == "Idempotency-Key"


@pytest.mark.postgres
def test_replays_are_scoped_to_the_api_key(client, session, org) -> None:
    _key, second = create_api_key(session, "second tool")
    session.commit()
    mine = {"Authorization": f"Bearer {org.api_key}", "Idempotency-Key": "same-key"}
    theirs = {"Authorization": f"Bearer {second}", "Idempotency-Key": "same-key"}
    first = client.post("/api/v1/interactions", json=body(), headers=mine)
    assert first.status_code == 201
    # Same idempotency key, same body, another API key: not a replay of the first answer,
    # and the reference belongs to the first key, so it is refused without its details.
    stolen = client.post("/api/v1/interactions", json=body(), headers=theirs)
    assert stolen.status_code == 409 and "Idempotent-Replayed" not in stolen.headers
    assert str(first.get_json()["id"]) not in stolen.get_data(as_text=True)
    assert stolen.get_json()["field"] == "external_ref"
    no_key = client.post(
        "/api/v1/interactions", json=body(), headers={"Authorization": f"Bearer {second}"}
    )
    assert no_key.status_code == 409
    event = client.post(
        "/api/v1/interactions/events",
        json={
            "source": "helpdesk",
            "external_ref": "T-1",
            "event": "cancelled",
            "at": "2026-05-04T16:00:00Z",
        },
        headers={"Authorization": f"Bearer {second}"},
    )
    assert event.status_code == 409
    # The second key's own idempotency key is its own.
    own = client.post("/api/v1/interactions", json=body(external_ref="T-9"), headers=theirs)
    assert own.status_code == 201
    assert count(session) == 2
    stored = session.scalar(select(Interaction).where(Interaction.external_ref == "T-1"))
    assert stored.cancelled_at is None


def test_figures_are_not_cached(api, org) -> None:
    departments = api.get("/departments")
    assert departments.status_code == 200
    assert departments.headers["Cache-Control"] == "no-store"
    card = api.get("/departments/IT/scorecard")
    assert card.status_code == 200
    assert card.headers["Cache-Control"] == "no-store"


def test_new_write_routes_need_a_key(client, org) -> None:
    for url in ("/api/v1/interactions/events", "/api/v1/webhooks/helpdesk"):
        response = client.post(url, json={})
        assert response.status_code == 401 and response.get_json()["field"] == "Authorization"
