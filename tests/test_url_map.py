"""Walk the app's whole URL map: every admin route works for an admin, is forbidden (403) to
managers and viewers and sends anonymous visitors to sign-in. Every other route must be listed
here with its audience, so that no new route can escape this test."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter, Rule

from survey import create_app
from tests.conftest import csrf_token

# Routes open to everyone (and API routes, which answer to API keys, not sessions).
PUBLIC = {
    "static",
    "main.index",
    "main.health",
    "auth.sign_in",
    "auth.sign_out",
    "auth.forgot",  # answers the same for any address, rate-limited (tests/test_passwords.py)
    "auth.reset",  # needs an emailed single-use token (tests/test_passwords.py)
}
# Any signed-in user, for their own account only.
SIGNED_IN = {"auth.change_password_page", "auth.language_page"}
API_PREFIX = "api."
# Open to anyone holding a one-time link (tested in tests/delivery) or signed in (scorecards).
OTHER_PREFIXES = ("respond.", "scorecards.", "quiz.", "unsubscribe.", "mail_reports.", "actions.")
# (actions.*: administrators and the department's manager, tested in tests/actions/test_pages.py)


def _rules() -> list[Rule]:
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://", "SECRET_KEY": "x"})
    return sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule))


ALL_RULES = _rules()
ADMIN_RULES = [r for r in ALL_RULES if r.endpoint.startswith("admin.")]


def test_every_route_has_a_known_audience() -> None:
    unknown = [
        r.endpoint
        for r in ALL_RULES
        if not r.endpoint.startswith(("admin.", API_PREFIX, *OTHER_PREFIXES))
        and r.endpoint not in PUBLIC | SIGNED_IN
    ]
    assert unknown == [], "classify these routes in tests/test_url_map.py"
    assert len(ADMIN_RULES) >= 1


@pytest.fixture
def objects(session, make_department, make_person, make_user) -> dict[str, Any]:
    """One existing object for every URL argument an admin route may take."""
    from datetime import timedelta

    from survey.delivery.services.campaigns import create_campaign
    from survey.models import Action, OutboxMessage, Service
    from survey.models.base import utcnow
    from survey.quiz.items import install_quiz
    from survey.services.accounts import create_api_key
    from survey.services.questionnaires import install_default_questionnaires

    dept = make_department()
    person = make_person(department=dept)
    service = Service(provider_department_id=dept.id, code="SVC-1", name="Laptop repair")
    session.add(service)
    key, _secret = create_api_key(session, "ticketing")
    questionnaire = install_default_questionnaires(session)["quarterly"]
    quiz = install_quiz(session)
    campaign = create_campaign(
        session,
        name="Q",
        quarter="2026Q1",
        opens_at=utcnow() + timedelta(days=1),
        closes_at=utcnow() + timedelta(days=9),
        min_group_size=5,
    )
    message = OutboxMessage(
        message_id="<x@example.com>",
        purpose="invitation",
        to_addr="a@example.com",
        subject="s",
        body_text="t",
        body_html="h",
        status="failed",
    )
    session.add(message)
    action = Action(department_id=dept.id, title="Plan", target_kind="component", target_code="T")
    session.add(action)
    session.flush()
    from survey.services.invitations import issue_invitation

    invitation, _token = issue_invitation(
        session, person, "quarterly", utcnow() + timedelta(days=9), campaign=campaign
    )
    session.commit()
    user = make_user("viewer")
    return {
        "department_id": dept.id,
        "person_id": person.id,
        "service_id": service.id,
        "user_id": user.id,
        "key_id": key.id,
        "campaign_id": campaign.id,
        "message_id": message.id,
        "invitation_id": invitation.id,
        "questionnaire_id": questionnaire.id,
        "question_id": questionnaire.questions[-1].id,
        "item_id": quiz.questions[-1].id,
        "action_id": action.id,
        "code": dept.code,
    }


def _url(app: Flask, rule: Rule, objects: dict[str, Any]) -> str:
    missing = [a for a in rule.arguments if a not in objects]
    assert not missing, f"{rule.endpoint}: give the URL map test a value for {missing}"
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **{a: objects[a] for a in rule.arguments})


def _call(client, method: str, url: str, token: str | None) -> Any:
    if method == "GET":
        return client.get(url)
    return client.post(url, data={"csrf_token": token} if token else {})


def _methods(rule: Rule) -> list[str]:
    return sorted(m for m in rule.methods or () if m in ("GET", "POST"))


@pytest.mark.parametrize("rule", ADMIN_RULES, ids=lambda r: f"{r.endpoint}")
def test_admin_route_for_every_audience(
    rule: Rule, app, client, objects, make_user, sign_in
) -> None:
    url = _url(app, rule, objects)
    for method in _methods(rule):
        anonymous = _call(client, method, url, csrf_token(client))
        assert anonymous.status_code == 302, (method, url)
        assert "/auth/sign-in" in anonymous.headers["Location"]

    for role in ("manager", "viewer"):
        c = app.test_client()
        user = make_user(role)
        from tests.conftest import post_form

        post_form(c, "/auth/sign-in", {"email": user.email, "password": "correct horse battery"})
        for method in _methods(rule):
            assert _call(c, method, url, csrf_token(c, "/")).status_code == 403, (role, method, url)

    admin = sign_in(make_user("admin"))
    for method in _methods(rule):
        response = _call(admin, method, url, csrf_token(admin, "/"))
        # "Works": a page, a redirect after an action, or the form shown again with errors.
        assert response.status_code in (200, 302, 400, 422), (method, url, response.status_code)
        assert response.status_code < 500


# One past the largest id: PostgreSQL's integer columns, SQLite's INTEGER.
PAST_INT32, PAST_INT64 = 2**31, 2**63
INT_RULES = [
    r for r in ALL_RULES if any(isinstance(c, IntegerConverter) for c in r._converters.values())
]


def _int_url(app: Flask, rule: Rule, number: int) -> str:
    """``rule``'s URL with ``number`` for every ``<int:...>`` argument (any other argument: x)."""
    values = {
        name: number if isinstance(converter, IntegerConverter) else "x"
        for name, converter in rule._converters.items()
    }
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


@pytest.mark.postgres
def test_an_id_past_the_database_range_is_not_found(app, make_user, sign_in) -> None:
    """Every ``<int:...>`` route, given an id the database cannot hold, answers 404 (the
    app's id converter), where the database used to fail on it (a server error); the largest
    id both databases hold reaches the view and gets the view's own 404."""
    assert len(INT_RULES) >= 20, [r.rule for r in INT_RULES]
    admin = sign_in(make_user("admin"))
    token = csrf_token(admin, "/")
    for rule in INT_RULES:
        for method in _methods(rule):
            for number in (PAST_INT32, PAST_INT64, PAST_INT64 * 10**6):
                response = _call(admin, method, _int_url(app, rule, number), token)
                assert response.status_code == 404, (method, rule.rule, response.status_code)
    largest = admin.get(f"/admin/people/{PAST_INT32 - 1}")
    assert largest.status_code == 404  # the view's: no such person
    urls = app.url_map.bind("localhost")
    assert urls.match(f"/admin/people/{PAST_INT32 - 1}") == (
        "admin.person_edit",
        {"person_id": PAST_INT32 - 1},
    )
    with pytest.raises(NotFound):
        urls.match(f"/admin/people/{PAST_INT32}")


def test_a_manager_gets_not_found_for_an_action_past_the_range(make_user, sign_in) -> None:
    manager = sign_in(make_user("manager"))
    assert manager.get(f"/actions/{PAST_INT64}/edit").status_code == 404
    token = csrf_token(manager, "/")
    status = manager.post(f"/actions/{PAST_INT64}/status", data={"csrf_token": token})
    assert status.status_code == 404
