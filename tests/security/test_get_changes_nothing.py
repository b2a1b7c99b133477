"""A GET never changes anything (DESIGN.md, "Links": corporate mail scanners open every link).

Every GET route of the URL map is requested as an administrator, as a manager and anonymously,
with real ids, codes, link tokens and quiz keys in its URL; the whole database (every table,
every row) must be the same afterwards, and no request may end in a 5xx.

Nothing is excluded for browser pages: the sign-in throttle is written only by the sign-in POST,
which happens before the first digest. One exception, for the JSON API only: a request with a
valid bearer key stamps that key's ``api_keys.last_used_at`` (the admin's API key page shows it,
so that unused keys can be revoked with confidence). That is machine traffic authenticated by a
secret, not a link a mail scanner opens; the test allows exactly that column to move, nothing else.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from tests.conftest import PASSWORD, post_form
from tests.security.conftest import changed_tables, db_digest
from tests.test_url_map import ALL_RULES, _url

GET_RULES = [r for r in ALL_RULES if "GET" in (r.methods or ())]
# Links as mail scanners and rating buttons open them, and pages with a language switch.
EXTRA_URLS = ["/r/{token}?score=5", "/r/{token}?lang=it", "/quiz?lang=fr", "/quiz/r/{key}?lang=it"]


def _urls(app: Flask, world: dict[str, Any]) -> list[str]:
    urls = [_url(app, rule, world) for rule in GET_RULES]
    return urls + [u.format(**world) for u in EXTRA_URLS]


def _signed_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    response = post_form(client, "/auth/sign-in", {"email": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _api_keys_without_last_use(app: Flask) -> str:
    from survey.db import database

    with database(app).engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM api_keys")).mappings().all()
    return repr(
        sorted(repr(sorted((k, v) for k, v in r.items() if k != "last_used_at")) for r in rows)
    )


def test_every_get_route_changes_nothing(app, world, make_user) -> None:
    admin = make_user("admin")
    manager = make_user("manager", department_id=world["department_id"])
    clients = {
        "admin": _signed_in(app, admin.email),
        "manager": _signed_in(app, manager.email),
        "anonymous": app.test_client(),
    }
    api_auth = {"Authorization": f"Bearer {world['api_secret']}"}
    urls = _urls(app, world)
    assert len(urls) >= 30, "the URL map walk lost routes"

    before = db_digest(app)
    keys_before = _api_keys_without_last_use(app)
    seen: dict[str, set[int]] = {}
    failures = []
    for role, client in clients.items():
        for url in urls:
            headers = api_auth if url.startswith("/api/") and role != "anonymous" else {}
            for method in ("GET", "HEAD"):
                with client.open(url, method=method, headers=headers) as response:
                    status = response.status_code
                seen.setdefault(url, set()).add(status)
                if status >= 500:
                    failures.append(f"{role} {method} {url} -> {status}")
                after = db_digest(app)
                if headers:
                    # Only the key's last-use stamp may move (see the module docstring).
                    after["api_keys"] = before["api_keys"] = ""
                    allowed_keys = _api_keys_without_last_use(app)
                    if allowed_keys != keys_before:
                        failures.append(f"{role} {method} {url} changed api_keys")
                if after != before:
                    failures.append(
                        f"{role} {method} {url} changed {changed_tables(before, after)}"
                    )
                before = db_digest(app)
    assert failures == []
    # The walk reached real pages, not only refusals: the objects behind the URLs exist.
    for path in ("/r/{token}", "/quiz/r/{key}", "/admin/people/{person_id}", "/scorecards/{code}"):
        assert 200 in seen[path.format(**world)], (path, seen[path.format(**world)])
