"""Sign-in's ``next=`` sends the user on only to a local path of this site (no open redirect).

Each target is tried both ways a browser can carry it: in the sign-in page's ``?next=`` (which
fills the form's hidden field) and posted directly in the form.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from survey.accounts.views import safe_next
from tests.conftest import PASSWORD, csrf_token

EXTERNAL = [
    "//evil.example",
    "///evil.example",
    "////evil.example/path",
    "https://evil.example",
    "http://evil.example/admin",
    "HTTPS://evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "\\/evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "%2F%2Fevil.example",
    "%2f%2fevil.example",
    "/%09/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\nLocation: https://evil.example",
    " //evil.example",
    "https:evil.example",
    "evil.example",
    "@evil.example",
    "/\x00/evil.example",
    "/\u3000/evil.example",
]
LOCAL = ["/admin", "/admin/people?page=2", "/scorecards/IT#trend"]


@pytest.mark.parametrize("target", EXTERNAL)
def test_safe_next_refuses_external_targets(target: str) -> None:
    # Allowed only if it stays a local path once a browser has decoded it.
    result = safe_next(target)
    assert result is None or _is_local(result), target


@pytest.mark.parametrize("target", LOCAL)
def test_safe_next_keeps_local_paths(target: str) -> None:
    assert safe_next(target) == target


def _is_local(location: str) -> bool:
    """A browser stays on this site: a path starting with one "/", no scheme, no host."""
    cleaned = location.replace("\\", "/").lstrip("\x00\t\n\r \u3000")
    parts = urlsplit(cleaned)
    return (
        cleaned.startswith("/")
        and not cleaned.startswith("//")
        and not parts.scheme
        and not parts.netloc
        and not any(ord(c) < 32 or c in "\u3000" for c in location)
    )


def _sign_in(client, admin, next_value: str, via_query: bool):  # type: ignore[no-untyped-def]
    data = {"email": admin.email, "password": PASSWORD, "csrf_token": csrf_token(client)}
    if via_query:
        from urllib.parse import quote

        return client.post(f"/auth/sign-in?next={quote(next_value, safe='')}", data=data)
    return client.post("/auth/sign-in", data={**data, "next": next_value})


def test_sign_in_never_redirects_off_site(app, make_user) -> None:
    admin = make_user("admin")
    failures = []
    # Every target through the form; a few through ?next= too (each sign-in costs an argon2).
    tries = [(t, False) for t in EXTERNAL] + [(t, True) for t in EXTERNAL[:: len(EXTERNAL) // 6]]
    for target, via_query in tries:
        client = app.test_client()
        response = _sign_in(client, admin, target, via_query)
        location = response.headers.get("Location", "")
        if response.status_code != 302 or not _is_local(location):
            failures.append((target, via_query, response.status_code, location))
    assert failures == []


def test_sign_in_follows_a_local_next(app, make_user) -> None:
    admin = make_user("admin")
    client = app.test_client()
    page = client.get("/auth/sign-in?next=/admin/people")
    assert 'value="/admin/people"' in page.get_data(as_text=True)
    response = _sign_in(client, admin, "/admin/people", via_query=False)
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/people"
