"""API keys guard the JSON API; errors are JSON naming the field."""

from __future__ import annotations

from survey.models import ApiKey
from survey.services.accounts import create_api_key, revoke_api_key


def test_departments_need_a_key(client, session, make_department) -> None:
    make_department(code="IT", name="Information Technology")
    response = client.get("/api/v1/departments")
    assert response.status_code == 401
    assert response.get_json()["field"] == "Authorization"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_departments_with_a_key(client, session, make_department) -> None:
    make_department(code="IT", name="Information Technology")
    _key, secret = create_api_key(session, "helpdesk")
    session.commit()
    response = client.get("/api/v1/departments", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    assert {"code": "IT", "name": "Information Technology", "parent": None} in response.get_json()[
        "departments"
    ]


def test_key_is_stored_hashed_and_revocation_works(client, session) -> None:
    key, secret = create_api_key(session, "helpdesk")
    session.commit()
    stored = session.get(ApiKey, key.id)
    assert secret not in stored.key_hash and stored.key_hash.startswith("$argon2id$")
    revoke_api_key(session, stored)
    session.commit()
    response = client.get("/api/v1/departments", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401


def test_malformed_keys_are_rejected(client) -> None:
    for header in ("Bearer", "Bearer siq_x", "Basic abc", "Bearer siq_zz_\x00"):
        assert (
            client.get("/api/v1/departments", headers={"Authorization": header}).status_code == 401
        )


def test_a_verified_key_is_remembered_but_revocation_and_wrong_secrets_still_count(
    client, session, monkeypatch
) -> None:
    """argon2 runs once per key and process: the second call with the same key skips it; a
    secret one character off is still verified (and refused), and revoking works at once."""
    from survey.services import accounts

    key, secret = create_api_key(session, "helpdesk")
    session.commit()
    calls: list[str] = []
    real_verify = accounts.verify_secret

    def counting(stored: str, given: str) -> bool:
        calls.append(given)
        return real_verify(stored, given)

    monkeypatch.setattr(accounts, "verify_secret", counting)
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/departments", headers=headers).status_code == 200
    assert client.get("/api/v1/departments", headers=headers).status_code == 200
    assert calls == [secret]
    wrong = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    for _ in range(2):
        reply = client.get("/api/v1/departments", headers={"Authorization": f"Bearer {wrong}"})
        assert reply.status_code == 401
    assert calls == [secret, wrong, wrong]
    revoke_api_key(session, session.get(ApiKey, key.id))
    session.commit()
    assert client.get("/api/v1/departments", headers=headers).status_code == 401
