"""People: create, edit (language, opt-out), search, deactivate/reactivate."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey.models import Person
from tests.admin.conftest import count, fresh
from tests.conftest import post_form


@pytest.mark.postgres
def test_create_edit_round_trip(admin_client, session, make_department) -> None:
    sales = make_department(code="SALES", name="Sales")
    it = make_department(code="IT", name="Information Technology")
    response = post_form(
        admin_client,
        "/admin/people/new",
        {
            "email": "Ada.Lovelace@Example.com",
            "name": "Ada Lovelace",
            "department": str(sales.id),
            "locale": "it",
            "active": "y",
        },
    )
    assert response.status_code == 302
    session.rollback()
    ada = session.scalar(select(Person).where(Person.email == "ada.lovelace@example.com"))
    assert ada is not None
    assert (ada.locale, ada.active, ada.opted_out, ada.department_id) == (
        "it",
        True,
        False,
        sales.id,
    )

    response = post_form(
        admin_client,
        f"/admin/people/{ada.id}",
        {
            "email": "ada@example.com",
            "name": "Ada King",
            "department": str(it.id),
            "locale": "fr",
            "active": "y",
            "opted_out": "y",
        },
    )
    assert response.status_code == 302
    ada = fresh(session, Person, ada.id)
    assert (ada.email, ada.name, ada.department_id, ada.locale, ada.opted_out) == (
        "ada@example.com",
        "Ada King",
        it.id,
        "fr",
        True,
    )
    for query in ("king", "ADA@", "information"):
        assert "Ada King" in admin_client.get(f"/admin/people?q={query}").get_data(as_text=True)
    assert "Ada King" not in admin_client.get("/admin/people?q=sales").get_data(as_text=True)


def test_duplicate_email_and_bad_values(admin_client, session, make_person) -> None:
    existing = make_person(email="taken@example.com")
    response = post_form(
        admin_client,
        "/admin/people/new",
        {
            "email": "TAKEN@example.com",
            "name": "Someone",
            "department": str(existing.department_id),
            "locale": "en",
        },
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Another person already has this email address." in body
    assert 'value="Someone"' in body
    response = post_form(
        admin_client,
        "/admin/people/new",
        {"email": "not-an-email", "name": "X", "department": "abc", "locale": "de"},
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    for field in ("email", "department", "locale"):
        assert f'id="{field}-error"' in body
    assert count(session, Person) == 1


def test_deactivate_and_reactivate(admin_client, session, make_person) -> None:
    person = make_person()
    assert post_form(admin_client, f"/admin/people/{person.id}/deactivate").status_code == 302
    assert fresh(session, Person, person.id).active is False
    listing = admin_client.get("/admin/people").get_data(as_text=True)
    assert "inactive" in listing
    assert post_form(admin_client, f"/admin/people/{person.id}/reactivate").status_code == 302
    assert fresh(session, Person, person.id).active is True
