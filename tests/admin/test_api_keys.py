"""API keys: shown once, usable as a bearer token, revocable."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from survey.models import ApiKey
from tests.admin.conftest import count, fresh
from tests.conftest import post_form

SECRET_RE = re.compile(r'id="api-key-secret">\s*(siq_[A-Za-z0-9_-]+)\s*<')


@pytest.mark.postgres
def test_key_shown_once_works_and_revokes(admin_client, client, session, make_department):
    make_department(code="IT")
    response = post_form(
        admin_client, "/admin/api-keys/new", {"name": "helpdesk", "scopes": ["scorecards"]}
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    match = SECRET_RE.search(response.get_data(as_text=True))
    assert match, response.get_data(as_text=True)
    secret = match.group(1)
    session.rollback()
    key = session.scalar(select(ApiKey).where(ApiKey.name == "helpdesk"))
    assert key is not None and secret not in key.key_hash

    listing = admin_client.get("/admin/api-keys").get_data(as_text=True)
    assert "helpdesk" in listing and key.prefix in listing and secret not in listing
    assert key.scopes == "scorecards" and "Read departments and scorecards" in listing

    headers = {"Authorization": f"Bearer {secret}"}
    api = client.get("/api/v1/departments", headers=headers)
    assert api.status_code == 200 and api.get_json()["departments"][0]["code"] == "IT"
    assert fresh(session, ApiKey, key.id).last_used_at is not None

    assert post_form(admin_client, f"/admin/api-keys/{key.id}/revoke").status_code == 302
    assert fresh(session, ApiKey, key.id).revoked_at is not None
    assert client.get("/api/v1/departments", headers=headers).status_code == 401
    assert "revoked" in admin_client.get("/admin/api-keys").get_data(as_text=True)


def test_name_errors(admin_client, session) -> None:
    def new(name: str, scopes: tuple[str, ...] = ("interactions",)) -> int:
        data = {"name": name, "scopes": list(scopes)}
        return post_form(admin_client, "/admin/api-keys/new", data).status_code

    assert new("tool") == 200
    response = post_form(
        admin_client, "/admin/api-keys/new", {"name": " tool ", "scopes": ["interactions"]}
    )
    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)
    assert new("") == 422
    assert new("x" * 81) == 422
    # A key that may do nothing, or something unknown, is not made.
    assert new("idle", ()) == 422
    assert new("odd", ("everything",)) == 422
    assert count(session, ApiKey) == 1


def test_scope_choices_are_the_models(admin_client) -> None:
    from forms.admin import api_scope_choices
    from survey.models.auth import API_SCOPES

    assert tuple(c.value for c in api_scope_choices()) == API_SCOPES
    page = admin_client.get("/admin/api-keys/new?lang=it").get_data(as_text=True)
    assert "Che cosa può fare" in page and "Leggere reparti e schede di valutazione" in page
