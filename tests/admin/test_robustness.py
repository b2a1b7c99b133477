"""Odd input never ends in a server error; what people type is escaped on every page."""

from __future__ import annotations

import pytest

from survey.models import Service
from tests.conftest import post_form

GARBAGE = ["", "x" * 5000, "-1", "1e309", "99999999999999999999999", "nan", "\u0000", "<b>"]


@pytest.fixture
def urls(session, make_department, make_person, make_user) -> list[str]:
    dept = make_department()
    person = make_person(department=dept)
    service = Service(provider_department_id=dept.id, code="S-1", name="S")
    session.add(service)
    session.commit()
    user = make_user("viewer")
    return [
        "/admin/departments/new",
        f"/admin/departments/{dept.id}",
        "/admin/people/new",
        f"/admin/people/{person.id}",
        "/admin/services/new",
        f"/admin/services/{service.id}",
        f"/admin/services/{service.id}/standards",
        "/admin/dependencies",
        "/admin/users/new",
        f"/admin/users/{user.id}",
        "/admin/api-keys/new",
        "/admin/people/import/confirm",
        "/admin/interactions/import/confirm",
    ]


FIELDS = [
    "code",
    "name",
    "parent",
    "email",
    "department",
    "locale",
    "active",
    "opted_out",
    "provider",
    "description",
    "sampling_rate",
    "effective_from",
    "first_response_minutes",
    "resolution_minutes",
    "dep",
    "role",
    "password",
    "payload",
]


@pytest.mark.parametrize("value", GARBAGE)
def test_garbage_is_a_form_error_not_a_crash(admin_client, urls, value) -> None:
    for url in urls:
        response = post_form(admin_client, url, dict.fromkeys(FIELDS, value))
        assert response.status_code in (200, 302, 400, 422), (url, value, response.status_code)


def test_names_are_escaped(admin_client, make_department, make_person) -> None:
    dept = make_department(name="<script>alert(1)</script>")
    make_person(department=dept, name="<img src=x onerror=alert(1)>")
    for url in ("/admin/departments", "/admin/people", "/admin/dependencies"):
        body = admin_client.get(url).get_data(as_text=True)
        assert "<script>alert" not in body and "<img src=x" not in body


@pytest.mark.postgres
@pytest.mark.parametrize(
    "url",
    [
        "/admin/people?q=u%00l",
        "/admin/departments?q=u%00l",
        "/admin/services?q=%00",
        "/admin/users?q=%00",
        "/admin/api-keys?q=%00",
        "/admin/audit?q=%00",
        "/admin/audit.csv?actor=%00",
        "/actions/%00/new",
        "/scorecards/I%00T",
    ],
)
def test_a_nul_in_the_address_is_a_clear_error(admin_client, url) -> None:
    """No stored code or text holds a NUL (every form refuses it), and PostgreSQL refuses one in
    a query: these addresses were server errors there. A NUL in the path is no such page, in a
    query argument a bad request."""
    response = admin_client.get(url)
    assert response.status_code == (400 if "?" in url else 404), url
