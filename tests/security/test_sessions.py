"""Sessions end on the server: a cookie kept from before sign-out (or a password change) is
worthless when replayed; the cookie's binding to its browser reads the real client address,
never a client-supplied X-Forwarded-For."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from survey import create_app
from survey.models import UserSession
from survey.models.base import utcnow
from survey.services.accounts import set_password
from tests.conftest import PASSWORD, post_form


def _cookie(client) -> str:  # type: ignore[no-untyped-def]
    cookie = client.get_cookie("siq_session")
    assert cookie is not None
    return cookie.value


def _replay(app, value: str, **environ: str):  # type: ignore[no-untyped-def]
    """A fresh browser presenting a copy of ``value`` as its session cookie."""
    other = app.test_client()
    other.set_cookie("siq_session", value)
    return other.get("/admin/", environ_base=environ)


@pytest.mark.postgres
def test_cookie_replayed_after_sign_out_gets_the_sign_in_page(
    app, client, make_user, sign_in, session
) -> None:
    sign_in(make_user("admin"))
    kept = _cookie(client)
    assert _replay(app, kept).status_code == 200  # the copy works while signed in
    post_form(client, "/auth/sign-out", {})
    replayed = _replay(app, kept)
    assert replayed.status_code == 302
    assert replayed.headers["Location"].startswith("/auth/sign-in")
    session.rollback()
    assert session.scalar(select(func.count()).select_from(UserSession)) == 0


def test_sign_out_ends_only_that_browser(app, client, make_user, sign_in) -> None:
    user = make_user("admin")
    sign_in(user)
    other = app.test_client()
    sign_in(user, on=other)
    post_form(client, "/auth/sign-out", {})
    assert other.get("/admin/").status_code == 200
    assert client.get("/admin/").status_code == 302


@pytest.mark.postgres
def test_password_change_ends_every_session(app, client, make_user, sign_in, session) -> None:
    user = make_user("admin")
    sign_in(user)
    kept = _cookie(client)
    set_password(session, session.merge(user), "a brand new long password")
    session.commit()
    assert _replay(app, kept).status_code == 302
    assert session.scalar(select(func.count()).select_from(UserSession)) == 0


def test_expired_server_session_is_refused(app, client, make_user, sign_in, session) -> None:
    sign_in(make_user("admin"))
    session.execute(UserSession.__table__.update().values(created_at=utcnow() - timedelta(hours=9)))
    session.commit()
    assert client.get("/admin/").status_code == 302


def test_forwarded_for_cannot_impersonate_the_victims_address(app, make_user, sign_in) -> None:
    victim = app.test_client()
    victim.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    sign_in(make_user("admin"), on=victim)
    assert victim.get("/admin/").status_code == 200
    # A thief elsewhere claims the victim's address in the header: still refused.
    stolen = _replay(
        app, _cookie(victim), REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.7"
    )
    assert stolen.status_code == 302
    # And the victim, whose proxy-less requests carry some header, stays signed in.
    kept = victim.get("/admin/", headers={"X-Forwarded-For": "203.0.113.9"})
    assert kept.status_code == 200


def test_sign_in_throttle_ignores_forwarded_for(client, make_user, app) -> None:
    user = make_user("viewer")
    app.config["SIGNIN_MAX_FAILURES"] = 2
    client.environ_base["REMOTE_ADDR"] = "198.51.100.8"
    for i in range(20):
        post_form(
            client,
            "/auth/sign-in",
            {"email": f"nobody{i}@example.com", "password": "wrong"},
            headers={"X-Forwarded-For": f"192.0.2.{i}"},
        )
    # The address (not the header's rotating values) is locked: 2 x 10 failures.
    response = post_form(client, "/auth/sign-in", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 429


def test_trusted_proxy_count_makes_forwarded_for_the_client_address(app_config) -> None:
    app = create_app({**app_config, "PROXY_FIX_FOR": 1})
    client = app.test_client()

    @app.get("/_whoami")
    def whoami() -> str:  # pragma: no cover - called below
        from flask import request

        return str(request.remote_addr)

    seen = client.get("/_whoami", headers={"X-Forwarded-For": "192.0.2.55"}).get_data(as_text=True)
    assert seen == "192.0.2.55"
