"""Who may do what (issue 6): every rule of the URL map, five audiences (anonymous, viewer,
manager of department A, manager of department B, admin), with URL arguments filled by real
objects of department A and of department B, the direct object references a curious manager
would try: another department's code, its exports, its people, services and users.

``tests/test_url_map.py`` walks the admin routes without arguments for every audience; this
module adds the routes outside the admin area, the admin routes that name an object, the
owner of each object, and what a refused answer may contain (nothing of B's figures or
comments). Separate tests: a quiz result key opens only its own result, and a respondent
link only its own invitation.

The JSON API answers to API keys, never to the signed-in session: every audience gets 401
without a key. Keys are the organisation's (a ticketing tool's), not a person's: with one, every
department's scorecard is served, gated as on the pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.routing import Rule

from survey.models import Interaction, Person
from survey.models.base import utcnow
from survey.quiz.services import start_attempt
from survey.services.invitations import issue_invitation
from tests.conftest import csrf_token
from tests.quiz.conftest import best, worst
from tests.scorecards.conftest import Org, api_get, org  # noqa: F401  (a fixture, reused)
from tests.security.conftest import changed_tables, db_digest
from tests.test_url_map import ALL_RULES

Q = "2026Q1"
A, B = "IT", "HR"
COMMENT = {
    A: "Alpha desk fixed the laptop in one afternoon",
    B: "Bravo desk answered the payroll question twice",
}
AUDIENCES = ("anonymous", "viewer", "manager_a", "manager_b", "admin")
MANAGER = {A: "manager_a", B: "manager_b"}

# Every endpoint and who may reach it. A route missing here fails the first test.
PUBLIC = "public"  # anyone
SIGN_IN = "sign-in page"  # anyone; a signed-in reviewer is sent on (302)
LINK = "link"  # anyone holding the link's token or key (tested below for ownership)
# Anyone holding a token of its own kind (a reset or unsubscribe link): the respondent link
# token of the walk must open nothing there (404); tests/test_passwords.py and
# tests/mail/test_bounces.py use real ones.
OTHER_LINK = "link of another kind"
SIGNED_IN = "signed in"  # any reviewer
OWN = "own department"  # viewers and admins: all; a manager: their own department only
ADMIN = "admin"
API = "api key"  # bearer key only; the session is ignored
PLAN = "action plan"  # admins: all; a manager: their own department only; viewers: none
ACCESS = {
    "static": PUBLIC,
    "main.index": PUBLIC,
    "main.health": PUBLIC,
    "auth.sign_in": SIGN_IN,
    "auth.sign_out": PUBLIC,
    "auth.forgot": PUBLIC,
    "auth.change_password_page": SIGNED_IN,
    "auth.language_page": SIGNED_IN,
    "auth.reset": OTHER_LINK,
    "unsubscribe.unsubscribe": OTHER_LINK,
    "mail_reports.receive_report": API,
    "quiz.start": PUBLIC,
    "quiz.invited": LINK,
    "respond.thanks": PUBLIC,
    "api.openapi": PUBLIC,
    "respond.link": LINK,
    "respond.stop": LINK,
    "quiz.result": LINK,
    "quiz.retake": LINK,
    "scorecards.overview": SIGNED_IN,
    "scorecards.overview_csv": SIGNED_IN,
    "scorecards.department": OWN,
    "scorecards.department_csv": OWN,
    "scorecards.department_pdf": OWN,
    "api.departments": API,
    "api.department_scorecard": API,
    "api.post_interaction": API,
    "api.post_interaction_event": API,
    "api.post_webhook": API,
    "actions.index": PLAN,
    "actions.export": PLAN,
    "actions.new": PLAN,
    "actions.edit": PLAN,
    "actions.status": PLAN,
}
# URL arguments that name something belonging to one department.
OWNED_ARGUMENTS = {"code", "department_id", "person_id", "service_id", "user_id", "action_id"}


def access(rule: Rule) -> str:
    return ADMIN if rule.endpoint.startswith("admin.") else ACCESS[rule.endpoint]


def test_every_route_is_classified() -> None:
    missing = [
        r.endpoint
        for r in ALL_RULES
        if not r.endpoint.startswith("admin.") and r.endpoint not in ACCESS
    ]
    assert missing == [], "say who may reach these routes in ACCESS"
    assert set(ACCESS) <= {r.endpoint for r in ALL_RULES}, "ACCESS names a route that is gone"


def expected(kind: str, audience: str, owner: str | None) -> int | str:
    """The status (or "sign-in" for the redirect to the sign-in page) of a GET."""
    if kind in (PUBLIC, LINK):
        return 200
    if kind == OTHER_LINK:
        return 404
    if kind == SIGN_IN:
        return 200 if audience == "anonymous" else 302
    if kind == API:
        return 401
    if audience == "anonymous":
        return "sign-in"
    if kind == SIGNED_IN:
        return 200
    if kind == ADMIN:
        return 200 if audience == "admin" else 403
    if kind == PLAN:
        if audience == "admin" or (audience.startswith("manager") and owner is None):
            return 200  # a manager's list is their own department's
        return 200 if owner is not None and audience == MANAGER[owner] else 403
    assert kind == OWN
    if audience in ("viewer", "admin"):
        return 200
    return 200 if owner is not None and audience == MANAGER[owner] else 403


@dataclass
class Departments:
    """Departments A and B with figures, comments, people, services and managers."""

    org: Org
    values: dict[str, dict[str, Any]]  # owner -> URL argument -> value
    common: dict[str, Any]  # URL arguments belonging to no department
    clients: dict[str, FlaskClient]
    figures: dict[str, float]  # owner -> the scorecard's ISQ

    def secrets_of(self, owner: str) -> list[str]:
        """Strings of ``owner``'s scorecard that a refused answer must not contain: its name,
        its comment, its ISQ as the page (one decimal) and the exports (two) show it."""
        isq = self.figures[owner]
        return [self.org.departments[owner].name, COMMENT[owner], f"{isq:.1f}", f"{isq:.2f}"]


@pytest.fixture
def departments(
    app: Flask,
    client: FlaskClient,
    session: Session,
    org: Org,  # noqa: F811
    world: dict[str, Any],
    make_person: Any,
    make_user: Any,
    sign_in: Any,
) -> Departments:
    values: dict[str, dict[str, Any]] = {}
    figures: dict[str, float] = {}
    clients = {"anonymous": client}
    for code, overall, rating in ((A, [4, 5, 5, 3, 4, 2], 4), (B, [5, 5, 5, 5, 5, 1, 1], 2)):
        org.post_interaction(code, "SALES", Q, overall)
        org.quarterly(code, "SALES", Q, [rating] * 10, comments=[COMMENT[code]])
        department = org.departments[code]
        manager = make_user("manager", department_id=department.id)
        clients[MANAGER[code]] = sign_in(manager, on=app.test_client())
        values[code] = {
            "code": code,
            "department_id": department.id,
            "person_id": make_person(department=department).id,
            "service_id": org.service(code, 60, 480).id,
            "user_id": manager.id,
            "action_id": _action(session, department.id),
        }
    for code in (A, B):
        body = api_get(client, org, f"/api/v1/departments/{code}/scorecard?quarter={Q}")
        figures[code] = body.get_json()["isq"]["value"]
    clients["viewer"] = sign_in(make_user("viewer"), on=app.test_client())
    clients["admin"] = sign_in(make_user("admin"), on=app.test_client())
    common = {k: v for k, v in world.items() if k not in OWNED_ARGUMENTS}
    return Departments(org, values, common, clients, figures)


def _action(session: Session, department_id: int) -> int:
    from survey.models import Action

    action = Action(
        department_id=department_id, title="Plan", target_kind="component", target_code="T"
    )
    session.add(action)
    session.commit()
    return action.id


def _url(app: Flask, rule: Rule, arguments: dict[str, Any]) -> str:
    from flask import url_for

    missing = [a for a in rule.arguments if a not in arguments]
    assert not missing, f"{rule.endpoint}: give the access matrix a value for {missing}"
    with app.test_request_context():
        return url_for(rule.endpoint, **{a: arguments[a] for a in rule.arguments})


def _cases(rule: Rule) -> list[str | None]:
    """The owners to try: A and B when the URL names a department's object, else none."""
    return [A, B] if set(rule.arguments) & OWNED_ARGUMENTS else [None]


def test_every_route_for_five_audiences(app: Flask, departments: Departments) -> None:
    """GET every route (the admin ones that name an object) as each audience, with A's and
    B's objects; a refused answer carries nothing of the object's department."""
    problems = []
    checked = 0
    for rule in ALL_RULES:
        kind = access(rule)
        if "GET" not in (rule.methods or ()) or (kind == ADMIN and not rule.arguments):
            continue  # admin pages without an object: tests/test_url_map.py
        for owner in _cases(rule):
            arguments = {**departments.common, **(departments.values[owner] if owner else {})}
            url = _url(app, rule, arguments)
            for audience in AUDIENCES:
                response = departments.clients[audience].get(url)
                body = response.get_data().decode("utf-8", "replace")  # the PDF too
                response.close()  # a static file is streamed from an open file
                checked += 1
                want = expected(kind, audience, owner)
                got: int | str = response.status_code
                if got == 302 and "/auth/sign-in" in response.headers.get("Location", ""):
                    got = "sign-in"
                if got != want:
                    problems.append(f"{audience:9} GET {url}: {got}, expected {want}")
                    continue
                if want != 200 and owner is not None:
                    leaked = [s for s in departments.secrets_of(owner) if s in body]
                    if leaked:
                        problems.append(f"{audience:9} GET {url}: refused but shows {leaked}")
                if want == 200 and rule.endpoint == "scorecards.department":
                    assert owner is not None
                    # Seen in full: the comments (gated at 10 respondents) included.
                    if COMMENT[owner] not in body:
                        problems.append(f"{audience:9} GET {url}: the comment is missing")
    assert checked > 100
    assert problems == [], "\n".join(problems)


def test_a_manager_sees_the_overview_and_exports_of_their_department_only(
    app: Flask, departments: Departments
) -> None:
    """Manager of A: the overview links A's page only; A's CSV and PDF in full; B's page,
    CSV and PDF refused with the plain error page. The API with a session only: 401."""
    manager = departments.clients[MANAGER[A]]
    overview = manager.get(f"/scorecards/?quarter={Q}").get_data(as_text=True)
    assert f'href="/scorecards/{A}?' in overview and f'href="/scorecards/{B}?' not in overview
    viewer = departments.clients["viewer"]
    everyone = viewer.get(f"/scorecards/?quarter={Q}").get_data(as_text=True)
    assert f'href="/scorecards/{A}?' in everyone and f'href="/scorecards/{B}?' in everyone
    csv = manager.get(f"/scorecards/{A}.csv?quarter={Q}")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    rows = csv.get_data(as_text=True).splitlines()
    isq = [row for row in rows if row.startswith("headline,ISQ,")]
    assert isq and float(isq[0].split(",")[3]) == pytest.approx(departments.figures[A], abs=0.006)
    pdf = manager.get(f"/scorecards/{A}.pdf?quarter={Q}")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    for suffix in ("", ".csv", ".pdf"):
        refused = manager.get(f"/scorecards/{B}{suffix}?quarter={Q}")
        assert refused.status_code == 403
        assert refused.mimetype == "text/html"  # the error page, no export
        assert not [s for s in departments.secrets_of(B) if s in refused.get_data(as_text=True)]
    # The API answers to keys, never to a session, whoever is signed in.
    for audience in AUDIENCES:
        response = departments.clients[audience].get(f"/api/v1/departments/{B}/scorecard")
        assert response.status_code == 401, audience
        assert response.is_json and "WWW-Authenticate" in response.headers
        assert not [s for s in departments.secrets_of(B) if s in response.get_data(as_text=True)]
    for code in (A, B):
        body = api_get(
            app.test_client(), departments.org, f"/api/v1/departments/{code}/scorecard?quarter={Q}"
        )
        assert body.status_code == 200 and body.get_json()["department"]["code"] == code


def test_admin_actions_on_another_departments_objects_are_refused(
    app: Flask, departments: Departments
) -> None:
    """POST to every admin route naming an object, as the manager of A on B's objects (and
    on A's own: the admin area is not theirs either): 403, nothing changes."""
    manager = departments.clients[MANAGER[A]]
    token = csrf_token(manager, "/")
    before = db_digest(app)
    tried = 0
    for rule in ALL_RULES:
        if not rule.endpoint.startswith("admin.") or "POST" not in (rule.methods or ()):
            continue
        for owner in _cases(rule):
            if owner is None:
                continue
            url = _url(app, rule, {**departments.common, **departments.values[owner]})
            response = manager.post(url, data={"csrf_token": token, "name": "Taken over"})
            assert response.status_code == 403, url
            tried += 1
    assert tried >= 10
    assert changed_tables(before, db_digest(app)) == []


def test_one_quiz_key_never_opens_another_result(
    app: Flask,
    client: FlaskClient,
    session: Session,
    org: Org,  # noqa: F811
    quiz: Any,
    keys: Any,
) -> None:
    key_a, _ = start_attempt(session, quiz, best(keys), department_code=A)
    key_b, _ = start_attempt(session, quiz, worst(keys), department_code=B)
    session.commit()
    names = {key_a: org.departments[A].name, key_b: org.departments[B].name}
    pages = {}
    for key, other in ((key_a, key_b), (key_b, key_a)):
        page = client.get(f"/quiz/r/{key}?lang=en").get_data(as_text=True)
        assert names[key] in page and names[other] not in page
        assert other not in page  # no link to the other result
        pages[key] = page
        retake = client.get(f"/quiz/r/{key}/retake?lang=en").get_data(as_text=True)
        own = A if key == key_a else B
        # The taker's department rides along: preselected, or carried to its step.
        carried = re.findall(r'<option selected value="(\w+)"', retake) or re.findall(
            r'<input type="hidden" name="department" value="(\w+)"', retake
        )
        assert carried == [own]
    assert pages[key_a] != pages[key_b]
    # A key one character off, cut short or extended opens nothing.
    flipped = key_a[:-1] + ("A" if key_a[-1] != "A" else "B")
    for wrong in (
        flipped,
        key_a[:-1],
        key_a + "x",
        key_a.upper() if key_a.upper() != key_a else key_a.lower(),
    ):
        response = client.get(f"/quiz/r/{wrong}")
        assert response.status_code == 404, wrong
        assert names[key_a] not in response.get_data(as_text=True)


def test_a_link_only_ever_shows_its_own_invitation(
    app: Flask,
    client: FlaskClient,
    session: Session,
    org: Org,  # noqa: F811
    make_person: Any,
) -> None:
    """Two people, two requests handled by two departments: each link shows its own, and
    opting out through one link opts out only its person."""
    people, tokens = {}, {}
    for code, customer, provider in ((A, "SALES", "FIN"), (B, "ENG", "OPS")):
        person = make_person(department=org.departments[customer], name=f"Person of {code}")
        interaction = Interaction(
            provider_department_id=org.id(provider),
            requester_person_id=person.id,
            opened_at=utcnow(),
            survey_decision="invited",
        )
        session.add(interaction)
        session.flush()
        _invitation, tokens[code] = issue_invitation(
            session,
            person,
            "post_interaction",
            utcnow() + timedelta(days=14),
            interaction=interaction,
        )
        people[code] = (person, org.departments[provider].name)
    session.commit()
    for mine, theirs in ((A, B), (B, A)):
        page = client.get(f"/r/{tokens[mine]}?lang=en").get_data(as_text=True)
        assert people[mine][1] in page and people[theirs][1] not in page
        for detail in (people[theirs][0].name, people[theirs][0].email, tokens[theirs]):
            assert detail not in page
    response = client.post(
        f"/r/{tokens[A]}/stop", data={"csrf_token": csrf_token(client, f"/r/{tokens[A]}/stop")}
    )
    assert response.status_code == 200
    session.expire_all()
    opted = set(session.scalars(select(Person.email).where(Person.opted_out.is_(True))))
    assert opted == {people[A][0].email}
