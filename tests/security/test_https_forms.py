"""Forms over HTTPS, as a browser sends them. On a secure request the CSRF check also wants a
``Referer`` from this site (a token alone does not prove the form came from one of our pages),
and a browser sends one only if the page that held the form allows it (``Referrer-Policy``).
The client here follows that header like a browser does; the pages must allow a ``Referer``
back to this site, and never to another one (link tokens are in our paths)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import CSRF_RE, PASSWORD

SITE = "https://survey.example.org"


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {
        **app_config,
        "BASE_URL": SITE,
        "SESSION_COOKIE_SECURE": True,
        "REMEMBER_COOKIE_SECURE": True,
    }


def _referer(page_url: str, policy: str, target: str) -> dict[str, str]:
    """The Referer a browser sends from ``page_url`` to ``target`` under ``policy`` (the
    policies a page may name; see the Referrer Policy specification)."""
    same_origin = target.startswith(SITE + "/")
    sent = {
        "no-referrer": None,
        "same-origin": page_url if same_origin else None,
        "strict-origin": SITE + "/",
        "strict-origin-when-cross-origin": page_url if same_origin else SITE + "/",
        "no-referrer-when-downgrade": page_url,
    }[policy]
    return {"Referer": sent} if sent else {}


def _submit(client: FlaskClient, path: str, data: dict[str, str]) -> Any:
    page = client.get(SITE + path)
    match = CSRF_RE.search(page.get_data(as_text=True))
    assert match is not None
    policy = page.headers["Referrer-Policy"]
    assert _referer(SITE + path, policy, "https://elsewhere.example/") == {}  # nothing leaves
    headers = _referer(SITE + path, policy, SITE + path)
    return client.post(SITE + path, data={**data, "csrf_token": match.group(1)}, headers=headers)


def test_a_browser_can_sign_in_over_https(app: Flask, make_user: Any) -> None:
    user = make_user("admin")
    client = app.test_client()
    signed_in = _submit(client, "/auth/sign-in", {"email": user.email, "password": PASSWORD})
    assert signed_in.status_code == 302, signed_in.get_data(as_text=True)[:3000]
    assert client.get(SITE + "/admin/").status_code == 200


def test_a_forged_post_from_another_site_is_still_refused(app: Flask, make_user: Any) -> None:
    user = make_user("admin")
    client = app.test_client()
    page = client.get(SITE + "/auth/sign-in")
    match = CSRF_RE.search(page.get_data(as_text=True))
    assert match is not None
    forged = client.post(
        SITE + "/auth/sign-in",
        data={"email": user.email, "password": PASSWORD, "csrf_token": match.group(1)},
        headers={"Referer": "https://elsewhere.example/page"},
    )
    assert forged.status_code == 400


def _sign_in_with(app: Flask, email: str, headers: dict[str, str], site: str = SITE) -> Any:
    """A sign-in over HTTPS at ``site`` with a valid token and exactly the site headers
    ``headers``."""
    client = app.test_client()
    page = client.get(site + "/auth/sign-in")
    match = CSRF_RE.search(page.get_data(as_text=True))
    assert match is not None
    return client.post(
        site + "/auth/sign-in",
        data={"email": email, "password": PASSWORD, "csrf_token": match.group(1)},
        headers=headers,
    )


def test_a_network_that_strips_the_referer_does_not_break_forms(app: Flask, make_user) -> None:
    """Some proxies and privacy tools drop ``Referer``; a browser's ``Origin`` on a POST
    still names the site the form came from."""
    user = make_user("admin")
    assert _sign_in_with(app, user.email, {"Origin": SITE}).status_code == 302


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://elsewhere.example"},
        {"Origin": "https://elsewhere.example", "Referer": SITE + "/auth/sign-in"},
        {"Origin": "http://survey.example.org"},  # the site's name, not its secure origin
        {"Origin": SITE + ".evil.example"},
        {"Origin": "null"},
        {"Origin": ""},
        {},
        {"Referer": "https://elsewhere.example/"},
        # Headers no browser sends, which a URL parser refuses to read: a 400, not a 500.
        {"Origin": "https://[survey.example.org"},
        {"Origin": SITE + ":99999"},
        {"Referer": "https://[survey.example.org/auth/sign-in"},
        {"Referer": SITE + ":99999/auth/sign-in"},
    ],
)
def test_a_post_that_does_not_come_from_the_site_is_refused(
    app: Flask, make_user, headers: dict[str, str]
) -> None:
    user = make_user("admin")
    assert _sign_in_with(app, user.email, headers).status_code == 400


def test_a_host_with_its_default_port_is_the_same_site(app: Flask, make_user) -> None:
    """A proxy that passes the public host on as ``host:443``: the request's host drops the
    default port, so the browser's ``Origin`` (never with a default port) still matches; and
    an ``Origin`` that writes the default port is the same site."""
    user = make_user("admin")
    assert _sign_in_with(app, user.email, {"Origin": SITE}, site=SITE + ":443").status_code == 302
    assert _sign_in_with(app, user.email, {"Origin": SITE + ":443"}).status_code == 302
