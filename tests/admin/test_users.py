"""User accounts: create, edit role and department, deactivate; no self-demotion."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey.models import User
from tests.admin.conftest import count, fresh
from tests.conftest import PASSWORD, post_form


@pytest.mark.postgres
def test_create_edit_deactivate(admin_client, session, make_department, client) -> None:
    sales = make_department(code="SALES")
    response = post_form(
        admin_client,
        "/admin/users/new",
        {
            "email": "Mia@Example.com",
            "name": "Mia",
            "role": "manager",
            "department": str(sales.id),
            "locale": "it",
        },
    )
    assert response.status_code == 302
    session.rollback()
    mia = session.scalar(select(User).where(User.email == "mia@example.com"))
    assert (mia.role, mia.department_id, mia.active, mia.locale) == (
        "manager",
        sales.id,
        True,
        "it",
    )

    response = post_form(
        admin_client,
        f"/admin/users/{mia.id}",
        {"name": "Mia R.", "role": "viewer", "department": ""},
    )
    assert response.status_code == 302
    mia = fresh(session, User, mia.id)
    assert (mia.name, mia.role, mia.department_id) == ("Mia R.", "viewer", None)

    assert post_form(admin_client, f"/admin/users/{mia.id}/deactivate").status_code == 302
    mia = fresh(session, User, mia.id)
    assert mia.active is False
    assert post_form(admin_client, f"/admin/users/{mia.id}/reactivate").status_code == 302
    assert fresh(session, User, mia.id).active is True


def test_new_user_errors(admin_client, session, make_user) -> None:
    make_user("viewer", email="taken@example.com")
    before = count(session, User)
    cases = [
        ({"email": "TAKEN@example.com", "role": "viewer", "locale": "en"}, "already exists"),
        ({"email": "new@example.com", "role": "manager", "locale": "en"}, "needs a department"),
        ({"email": "new@example.com", "role": "viewer", "locale": "de"}, 'id="locale-error"'),
        ({"email": "new@example.com", "role": "boss", "locale": "en"}, 'id="role-error"'),
        ({"email": "nope", "role": "viewer", "locale": "en"}, 'id="email-error"'),
    ]
    for data, message in cases:
        response = post_form(admin_client, "/admin/users/new", {"department": "", **data})
        assert response.status_code == 422, data
        assert message in response.get_data(as_text=True), data
    assert count(session, User) == before


def test_admin_cannot_demote_or_deactivate_themselves(client, session, make_user, sign_in) -> None:
    me = make_user("admin")
    sign_in(me)
    response = post_form(client, f"/admin/users/{me.id}", {"name": "", "role": "viewer"})
    assert response.status_code == 422
    assert "You cannot remove your own administrator role." in response.get_data(as_text=True)
    assert fresh(session, User, me.id).role == "admin"

    response = post_form(client, f"/admin/users/{me.id}/deactivate")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You cannot deactivate your own account." in page
    assert fresh(session, User, me.id).active is True
    # Still an administrator, still signed in.
    assert client.get("/admin/users").status_code == 200


def test_deactivated_user_is_signed_out(app, session, make_user, admin_client) -> None:
    victim = make_user("viewer")
    version = victim.session_version
    other = app.test_client()
    post_form(other, "/auth/sign-in", {"email": victim.email, "password": PASSWORD})
    assert other.get("/admin/users").status_code == 403  # signed in, not an admin
    assert post_form(admin_client, f"/admin/users/{victim.id}/deactivate").status_code == 302
    assert fresh(session, User, victim.id).session_version == version + 1
    assert other.get("/admin/users").status_code == 302  # signed out: back to sign-in
