"""Every form route refuses a request without a valid CSRF token, even from a signed-in
administrator, and stores nothing.

All routes accepting POST/PUT/PATCH/DELETE outside ``/api/`` are walked (the JSON API uses
bearer keys and no cookies, so a cross-site form cannot borrow its credentials). Most routes are
guarded globally by Flask-WTF (400, "This form has expired"); the respondent link, its opt-out
and the quiz check the token themselves and show the form again with the answers kept and a
400. Either way the database must be unchanged.

The one-click unsubscribe POST (RFC 8058) is left out on purpose: mail programs send it without
cookies, so no token can exist; it is authorised by the unguessable token in its URL and can
only opt that person out (``tests/mail/test_bounces.py``). The bounce webhook, like the JSON
API, answers to bearer keys and reads no cookies.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask

from tests.factories import best_answer
from tests.security.conftest import changed_tables, db_digest
from tests.test_url_map import ALL_RULES, _url

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
NO_COOKIE_ROUTES = ("api.", "unsubscribe.", "mail_reports.")
FORM_RULES = [
    r
    for r in ALL_RULES
    if (r.methods or set()) & UNSAFE and not r.endpoint.startswith(NO_COOKIE_ROUTES)
]
# Plausible fields, so that a route that forgot the check would have something to store.
PAYLOAD = {
    "name": "Forged",
    "code": "FORGED",
    "email": "forged@example.com",
    "password": "correct horse battery",
    "role": "admin",
    "overall": "5",
    "comment": "forged",
    "action": "submit",
    "confirm": "y",
}


def _payload(app: Flask) -> dict[str, str]:
    from survey.quiz.services import active_quiz, item_keys, live_items

    with app.app_context():
        from survey.db import get_session

        quiz = active_quiz(get_session())
        assert quiz is not None
        answers = {k.code: str(best_answer(k)) for k in item_keys(live_items(quiz))}
    return {**PAYLOAD, **answers}


def test_the_walk_covers_every_form_route() -> None:
    endpoints = {r.endpoint for r in FORM_RULES}
    assert {"respond.link", "respond.stop", "quiz.start", "quiz.retake"} <= endpoints
    assert {"auth.sign_in", "auth.sign_out", "admin.user_new"} <= endpoints
    assert len(FORM_RULES) >= 30


@pytest.mark.parametrize("token", [None, "forged-token"], ids=["missing", "forged"])
def test_every_form_route_refuses_a_request_without_csrf(
    app, world, admin_client, token: str | None
) -> None:
    data = _payload(app)
    if token:
        data["csrf_token"] = token
    before = db_digest(app)
    failures = []
    for rule in FORM_RULES:
        url = _url(app, rule, world)
        for method in sorted((rule.methods or set()) & UNSAFE):
            response = admin_client.open(url, method=method, data=data)
            if response.status_code != 400:
                failures.append(f"{method} {url} -> {response.status_code}")
            after = db_digest(app)
            if after != before:
                failures.append(f"{method} {url} changed {changed_tables(before, after)}")
                before = after
    assert failures == []
    # The refused sign-out did not sign the administrator out.
    assert admin_client.get("/admin/").status_code == 200


def test_a_refused_answer_keeps_the_answers(app, world, client) -> None:
    before = db_digest(app)
    response = client.post(f"/r/{world['token']}", data={"overall": "4"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "could not accept it yet" in html
    assert re.search(r'<input[^>]*value="4"[^>]*checked|<input[^>]*checked[^>]*value="4"', html)
    assert db_digest(app) == before


def test_the_digest_sees_a_form_that_was_accepted(app, world, admin_client) -> None:
    """Control: with a valid token the same kind of request does store something, so the
    refusals above are the CSRF check at work, not a blind digest."""
    from tests.conftest import post_form

    before = db_digest(app)
    response = post_form(
        admin_client, "/admin/departments/new", {"code": "NEWD", "name": "New department"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    assert "departments" in changed_tables(before, db_digest(app))
