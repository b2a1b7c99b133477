"""Departments: create, edit, parent cycles, case-insensitive codes, deactivate/reactivate."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey.models import Department
from survey.org.services import OrgError, create_department, update_department
from tests.admin.conftest import count, fresh
from tests.conftest import post_form


@pytest.mark.postgres
def test_create_then_edit_round_trip(admin_client, session, make_department) -> None:
    parent = make_department(code="OPS", name="Operations")
    response = post_form(
        admin_client,
        "/admin/departments/new",
        {"code": " fac ", "name": "Facilities", "parent": str(parent.id)},
    )
    assert response.status_code == 302
    session.rollback()
    created = session.scalar(select(Department).where(Department.code == "FAC"))
    assert created is not None and created.parent_id == parent.id and created.active

    page = admin_client.get(f"/admin/departments/{created.id}").get_data(as_text=True)
    assert 'value="FAC"' in page and "Facilities" in page

    response = post_form(
        admin_client,
        f"/admin/departments/{created.id}",
        {"code": "FACIL", "name": "Facilities & Buildings", "parent": ""},
    )
    assert response.status_code == 302
    changed = fresh(session, Department, created.id)
    assert (changed.code, changed.name, changed.parent_id) == (
        "FACIL",
        "Facilities & Buildings",
        None,
    )
    listing = admin_client.get("/admin/departments?q=buildings").get_data(as_text=True)
    assert "FACIL" in listing and "Facilities &amp; Buildings" in listing


@pytest.mark.postgres
def test_duplicate_code_is_refused_whatever_its_case(admin_client, session, make_department):
    make_department(code="HR", name="Human Resources")
    response = post_form(admin_client, "/admin/departments/new", {"code": "hr", "name": "Other"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Another department already has the code HR." in body
    assert 'value="Other"' in body  # the values are kept
    assert 'class="field has-error"' in body
    assert count(session, Department) == 1


def test_invalid_values_show_errors_next_to_the_fields(admin_client, session) -> None:
    response = post_form(
        admin_client,
        "/admin/departments/new",
        {"code": "x", "name": "", "parent": "424242"},
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'id="code-error"' in body and 'id="name-error"' in body and 'id="parent-error"' in body
    assert count(session, Department) == 0


@pytest.mark.postgres
def test_a_department_cannot_become_its_own_ancestor(admin_client, session, make_department):
    top = make_department(code="TOP")
    middle = make_department(code="MID", parent_id=top.id)
    bottom = make_department(code="BOT", parent_id=middle.id)
    response = post_form(
        admin_client,
        f"/admin/departments/{top.id}",
        {"code": "TOP", "name": top.name, "parent": str(bottom.id)},
    )
    assert response.status_code == 422
    assert "cannot be placed under itself" in response.get_data(as_text=True)
    assert fresh(session, Department, top.id).parent_id is None
    # Itself is not even offered as a choice.
    response = post_form(
        admin_client,
        f"/admin/departments/{top.id}",
        {"code": "TOP", "name": top.name, "parent": str(top.id)},
    )
    assert response.status_code == 422
    assert fresh(session, Department, top.id).parent_id is None


def test_cycle_check_in_the_service(session, make_department) -> None:
    a = create_department(session, "aa", "A")
    b = create_department(session, "BB", "B", parent_id=a.id)
    assert a.code == "AA"
    try:
        update_department(session, a, "AA", "A", b.id)
    except OrgError as error:
        assert error.field == "parent"
    else:
        raise AssertionError("cycle accepted")


def test_deactivate_and_reactivate(admin_client, session, make_department) -> None:
    dept = make_department()
    response = post_form(admin_client, f"/admin/departments/{dept.id}/deactivate")
    assert response.status_code == 302
    assert fresh(session, Department, dept.id).active is False
    page = admin_client.get(f"/admin/departments/{dept.id}").get_data(as_text=True)
    assert "Reactivate" in page
    assert post_form(admin_client, f"/admin/departments/{dept.id}/reactivate").status_code == 302
    assert fresh(session, Department, dept.id).active is True


@pytest.mark.postgres
def test_raced_duplicate_code_becomes_a_form_error(
    admin_client, session, make_department, monkeypatch
) -> None:
    """The uniqueness check passed but another request stored the code first."""
    import survey.org.services as org

    make_department(code="RACE")
    monkeypatch.setattr(org, "_check_department_code", lambda _s, code, _id: code.upper())
    response = post_form(admin_client, "/admin/departments/new", {"code": "race", "name": "R"})
    assert response.status_code == 422
    assert "Another department already has this code." in response.get_data(as_text=True)
