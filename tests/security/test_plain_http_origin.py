"""A cross-site form post over plain http. Behind a proxy that ends TLS but that the app is
not told of (``SURVEY_PROXY_FIX_FOR`` 0), every request reaches the app as http, so the site
check of secure requests never ran: a page on another site that got hold of a form's token
(a shared screen, a proxy log) could post it, and only the token stood in the way. A browser
names the page's site in ``Origin`` on every form post; over http that header must now be
this host or the public address (``BASE_URL``)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.conftest import CSRF_RE, PASSWORD

PUBLIC = "https://survey.example.org"


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "BASE_URL": PUBLIC}


def _sign_in(app: Flask, email: str, headers: dict[str, str], host: str) -> int:
    """A sign-in sent over plain http to ``host`` with a valid token and ``headers``."""
    client = app.test_client()
    page = client.get(f"http://{host}/auth/sign-in")
    match = CSRF_RE.search(page.get_data(as_text=True))
    assert match is not None
    return client.post(
        f"http://{host}/auth/sign-in",
        data={"email": email, "password": PASSWORD, "csrf_token": match.group(1)},
        headers=headers,
    ).status_code


@pytest.mark.parametrize(
    "origin",
    [
        "https://elsewhere.example",
        "http://elsewhere.example",
        PUBLIC + ".evil.example",
        "https://survey.example.org:8443",
        "null",
        "https://[survey.example.org",  # unreadable: refused, not a server error
    ],
)
def test_a_post_from_another_site_is_refused_over_http(
    app: Flask, make_user: Any, origin: str
) -> None:
    user = make_user("admin")
    assert _sign_in(app, user.email, {"Origin": origin}, "survey.example.org") == 400
    # Behind a proxy that rewrites the host as well.
    assert _sign_in(app, user.email, {"Origin": origin}, "127.0.0.1:8000") == 400


@pytest.mark.parametrize(
    ("origin", "host"),
    [
        (PUBLIC, "survey.example.org"),  # the proxy passes the public host on, as http
        (PUBLIC, "127.0.0.1:8000"),  # the proxy names the app's own address
        ("http://127.0.0.1:5000", "127.0.0.1:5000"),  # a local run: the page's own host
    ],
)
def test_our_own_pages_still_post(app: Flask, make_user: Any, origin: str, host: str) -> None:
    user = make_user("admin")
    assert _sign_in(app, user.email, {"Origin": origin}, host) == 302


def test_without_an_origin_the_token_decides(app: Flask, make_user: Any) -> None:
    """Not a browser's form post (a script with a token it fetched itself), or an old
    browser: refusing it would add nothing the token does not already check."""
    user = make_user("admin")
    assert _sign_in(app, user.email, {}, "survey.example.org") == 302
