"""Rate limits of the API keys' routes: failed bearer keys per client address (against key
guessing, each wrong key costing an argon2 check) and a generous budget per API key (against a
runaway tool); over either, a JSON 429 with ``Retry-After``."""

from __future__ import annotations

from typing import Any

import pytest

from survey import create_app
from survey.config import ConfigError, load_settings
from survey.services.accounts import create_api_key

#: Failed bearer keys a minute from one address (docs/operations.md, "Rate limits").
FAILURES_PER_MINUTE = 30


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "RATELIMIT_ENABLED": True}


@pytest.fixture(autouse=True)
def fresh_counters(app) -> None:  # type: ignore[no-untyped-def]
    from survey.extensions import limiter

    limiter.reset()


def _event(ref: str) -> dict[str, Any]:
    return {
        "provider": "IT",
        "requester_email": "p0@example.com",
        "source": "helpdesk",
        "external_ref": ref,
        "opened_at": "2026-05-04T09:00:00Z",
    }


def _assert_throttled(answer: Any) -> None:
    assert answer.status_code == 429, answer.get_data(as_text=True)[:300]
    assert answer.is_json and answer.get_json()["status"] == 429
    assert 0 <= int(answer.headers["Retry-After"]) <= 60


def test_wrong_keys_from_one_address_are_cut_off(client, org) -> None:
    """A guesser gets 401 until the failures' budget of its address is spent, then 429 even
    with a right key; another address, and the right key's own budget, are untouched."""
    guesser = {"REMOTE_ADDR": "10.0.0.66"}
    wrong = {"Authorization": f"Bearer {org.api_key[:-4]}xxxx"}
    statuses = [
        client.get("/api/v1/departments", headers=wrong, environ_base=guesser).status_code
        for _ in range(FAILURES_PER_MINUTE)
    ]
    assert set(statuses) == {401}
    _assert_throttled(client.get("/api/v1/departments", headers=wrong, environ_base=guesser))
    # Without any key at all, too: the address is cut off, not the key it tried.
    _assert_throttled(client.get("/api/v1/departments", environ_base=guesser))
    right = {"Authorization": f"Bearer {org.api_key}"}
    tool = client.post(
        "/api/v1/interactions",
        json=_event("T-1"),
        headers=right,
        environ_base={"REMOTE_ADDR": "10.0.0.7"},
    )
    assert tool.status_code == 201, tool.get_json()


def test_a_right_key_does_not_spend_the_failures_budget(client, org) -> None:
    right = {"Authorization": f"Bearer {org.api_key}"}
    env = {"REMOTE_ADDR": "10.0.0.8"}
    for _ in range(FAILURES_PER_MINUTE + 5):
        assert client.get("/api/v1/departments", headers=right, environ_base=env).status_code == 200


def test_each_api_key_has_its_own_budget(app_config, session, org) -> None:
    """Over ``API_REQUESTS_PER_MINUTE`` a key gets 429 with Retry-After (a tool back-filling
    thousands of requests as fast as it can is told when to go on); another key from the same
    address is still served, and a refused request stored nothing."""
    app = create_app({**app_config, "API_REQUESTS_PER_MINUTE": 12})
    client = app.test_client()
    _key, second = create_api_key(session, "second tool")
    session.commit()
    first = {"Authorization": f"Bearer {org.api_key}"}
    statuses = [
        client.post("/api/v1/interactions", json=_event(f"T-{i}"), headers=first).status_code
        for i in range(12)
    ]
    assert statuses == [201] * 12
    over = client.post("/api/v1/interactions", json=_event("T-over"), headers=first)
    _assert_throttled(over)
    again = client.post("/api/v1/interactions", json=_event("T-over"), headers=first)
    _assert_throttled(again)
    other = client.post(
        "/api/v1/interactions",
        json={**_event("T-over"), "source": "desk-2"},
        headers={"Authorization": f"Bearer {second}"},
    )
    assert other.status_code == 201, other.get_json()
    app.extensions["survey.db"].engine.dispose()


def test_the_mail_relay_route_is_limited_in_json_too(client, org) -> None:
    env = {"REMOTE_ADDR": "10.0.0.67"}
    wrong = {"Authorization": "Bearer siq_nope_nope"}
    for _ in range(FAILURES_PER_MINUTE):
        assert (
            client.post("/mail/reports", data=b"x", headers=wrong, environ_base=env).status_code
            == 401
        )
    _assert_throttled(client.post("/mail/reports", data=b"x", headers=wrong, environ_base=env))


def test_the_per_key_budget_is_a_setting() -> None:
    assert load_settings("/tmp", {})["API_REQUESTS_PER_MINUTE"] == 3000
    env = {"SURVEY_API_REQUESTS_PER_MINUTE": "600"}
    assert load_settings("/tmp", env)["API_REQUESTS_PER_MINUTE"] == 600
    with pytest.raises(ConfigError, match="SURVEY_API_REQUESTS_PER_MINUTE"):
        load_settings("/tmp", {"SURVEY_API_REQUESTS_PER_MINUTE": "5"})


def test_openapi_documents_the_429(client) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if path == "/openapi.json":
                continue
            answer = operation["responses"].get("429")
            assert answer is not None, (method, path)
            assert "Retry-After" in answer["headers"], (method, path)
