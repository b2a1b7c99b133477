"""Every organisation admin page renders for an administrator, is forbidden to managers and
viewers, and sends anonymous visitors to sign-in."""

from __future__ import annotations

import pytest

from survey.models import Service
from survey.services.accounts import create_api_key

PAGES = [
    "/admin/departments",
    "/admin/departments/new",
    "/admin/departments/{department_id}",
    "/admin/people",
    "/admin/people/new",
    "/admin/people/{person_id}",
    "/admin/people/import",
    "/admin/services",
    "/admin/services/new",
    "/admin/services/{service_id}",
    "/admin/dependencies",
    "/admin/users",
    "/admin/users/new",
    "/admin/users/{user_id}",
    "/admin/api-keys",
    "/admin/api-keys/new",
]


@pytest.fixture
def ids(session, make_department, make_person, make_user) -> dict[str, int]:
    dept = make_department()
    child = make_department(parent_id=dept.id)
    person = make_person(department=child)
    service = Service(provider_department_id=dept.id, code="svc-1", name="Laptop repair")
    session.add(service)
    create_api_key(session, "helpdesk")
    session.commit()
    return {
        "department_id": dept.id,
        "person_id": person.id,
        "service_id": service.id,
        "user_id": make_user("viewer").id,
    }


@pytest.mark.parametrize("page", PAGES)
def test_admin_sees_the_page(admin_client, ids, page) -> None:
    response = admin_client.get(page.format(**ids))
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert 'class="admin-nav"' in body
    assert "<script" not in body


@pytest.mark.parametrize("role", ["viewer", "manager"])
@pytest.mark.parametrize("page", PAGES)
def test_other_roles_are_forbidden(client, make_user, sign_in, ids, role, page) -> None:
    sign_in(make_user(role))
    assert client.get(page.format(**ids)).status_code == 403


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_goes_to_sign_in(client, ids, page) -> None:
    response = client.get(page.format(**ids))
    assert response.status_code == 302
    assert "/auth/sign-in" in response.headers["Location"]


@pytest.mark.parametrize(
    "page",
    [
        "/admin/departments/999999",
        "/admin/people/999999",
        "/admin/services/999999",
        "/admin/users/999999",
    ],
)
def test_unknown_ids_are_404(admin_client, page) -> None:
    assert admin_client.get(page).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/admin/departments/999999/deactivate",
        "/admin/people/999999/reactivate",
        "/admin/services/999999/standards",
        "/admin/users/999999/deactivate",
        "/admin/api-keys/999999/revoke",
    ],
)
def test_unknown_ids_are_404_on_post(admin_client, url) -> None:
    from tests.conftest import post_form

    assert post_form(admin_client, url).status_code == 404


def test_post_without_csrf_token_is_refused(admin_client, make_department) -> None:
    response = admin_client.post("/admin/departments/new", data={"code": "XX", "name": "X"})
    assert response.status_code == 400


@pytest.mark.postgres
def test_lists_paginate_and_search(admin_client, make_department) -> None:
    for n in range(60):
        make_department(code=f"P{n:03d}", name=f"Paged {n}")
    first = admin_client.get("/admin/departments").get_data(as_text=True)
    # SURVEY_PAGE_SIZE (default 25) rows a page: P059 is on the third.
    assert "P000" in first and "P059" not in first and 'rel="next"' in first
    second = admin_client.get("/admin/departments?page=3").get_data(as_text=True)
    assert "P059" in second
    found = admin_client.get("/admin/departments?q=paged 42").get_data(as_text=True)
    assert "P042" in found and "P041" not in found
    # Odd page numbers and wildcard characters are harmless.
    assert admin_client.get("/admin/departments?page=abc&q=%25_").status_code == 200
    assert admin_client.get("/admin/people?page=-3&q=" + "x" * 500).status_code == 200
