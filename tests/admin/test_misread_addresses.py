"""One address check (``accounts.check_email``): the people and users services refuse an
address a mail header reads as another one (``outbox.address_problem``'s MISREAD) on the
``email`` field, accept one outside plain ASCII as the people import does, and rows stored
before the check still open, save (once corrected) and switch off without an error page."""

from __future__ import annotations

from html import unescape

import pytest
from sqlalchemy import select

from survey.accounts.services.users import check_new_user_email
from survey.models import Person, User
from survey.org.services import create_person, update_person
from survey.services.refusals import OrgError
from tests import factories
from tests.admin.conftest import fresh
from tests.conftest import post_form

MISREAD = ["ann(x)@example.com", "a,b@example.com", "<a>@example.com", "a;b@example.com"]


@pytest.mark.parametrize("address", MISREAD)
def test_the_services_refuse_a_misread_address(session, make_department, address) -> None:
    sales = make_department(code="SALES")
    with pytest.raises(OrgError) as refused:
        create_person(session, address, "Ann", sales.id)
    assert refused.value.field == "email" and "another address" in str(refused.value.message)
    with pytest.raises(OrgError) as refused:
        check_new_user_email(session, address)
    assert refused.value.field == "email" and "another address" in str(refused.value.message)


def test_an_address_outside_ascii_is_accepted_as_the_import_does(session, make_department) -> None:
    person = create_person(session, "Zoë@Example.com", "Zoë", make_department(code="SALES").id)
    assert person.email == "zoë@example.com"


def test_an_account_needs_an_address_its_password_link_can_reach(admin_client, session) -> None:
    """A new account's first mail is its set-password link, which the dispatcher cannot send
    to an address outside ASCII: the account could never be used. Refused at its field."""
    with pytest.raises(OrgError) as refused:
        check_new_user_email(session, "hélène@example.com")
    assert refused.value.field == "email" and "plain ASCII" in str(refused.value.message)
    page = post_form(
        admin_client,
        "/admin/users/new",
        {"email": "hélène@example.com", "name": "Hélène", "role": "viewer", "department": ""},
    )
    html = unescape(page.get_data(as_text=True))
    assert page.status_code == 422 and "plain ASCII" in html and 'value="Hélène"' in html
    session.rollback()
    assert session.scalar(select(User).where(User.email == "hélène@example.com")) is None


@pytest.mark.postgres
def test_a_stored_misread_person_keeps_working(admin_client, session, make_department) -> None:
    sales = make_department(code="SALES")
    ann = factories.person(session, email="ann(x)@example.com", department_row=sales)
    with pytest.raises(OrgError) as refused:
        update_person(session, ann, ann.email, "Ann", sales.id, "en", True, False)
    assert refused.value.field == "email"
    session.rollback()

    page = admin_client.get(f"/admin/people/{ann.id}")
    assert page.status_code == 200 and "ann(x)@example.com" in unescape(page.get_data(as_text=True))
    form = {"email": ann.email, "name": "Ann", "department": str(sales.id), "locale": "it"}
    kept = post_form(admin_client, f"/admin/people/{ann.id}", {**form, "active": "y"})
    assert kept.status_code == 422
    assert 'id="email-error"' in kept.get_data(as_text=True)
    assert fresh(session, Person, ann.id).locale == "en"  # nothing stored
    fixed = post_form(
        admin_client, f"/admin/people/{ann.id}", {**form, "email": "ann@example.com", "active": "y"}
    )
    assert fixed.status_code == 302
    assert (fresh(session, Person, ann.id).email, fresh(session, Person, ann.id).locale) == (
        "ann@example.com",
        "it",
    )
    other = factories.person(session, email="b,c@example.com", department_row=sales)
    assert post_form(admin_client, f"/admin/people/{other.id}/deactivate").status_code == 302
    assert fresh(session, Person, other.id).active is False


def test_a_stored_misread_user_can_be_edited(admin_client, session) -> None:
    old = User(email="mia(x)@example.com", name="Mia", password_hash="x", role="viewer")
    session.add(old)
    session.commit()
    assert admin_client.get(f"/admin/users/{old.id}").status_code == 200
    saved = post_form(
        admin_client, f"/admin/users/{old.id}", {"name": "Mia R", "role": "viewer", "locale": "en"}
    )
    assert saved.status_code == 302
    assert session.scalar(select(User.name).where(User.id == old.id)) == "Mia R"


def test_the_people_page_warns_about_an_address_outside_ascii(admin_client, make_department):  # type: ignore[no-untyped-def]
    sales = make_department(code="SALES")
    form = {"email": "zoë@example.com", "name": "Zoë", "department": str(sales.id), "locale": "en"}
    saved = post_form(admin_client, "/admin/people/new", {**form, "active": "y"})
    assert saved.status_code == 302
    page = unescape(admin_client.get("/admin/people").get_data(as_text=True))
    assert "zoë@example.com added. Mail cannot reach this address from this server" in page
    plain = post_form(
        admin_client, "/admin/people/new", {**form, "email": "zoe@example.com", "active": "y"}
    )
    assert plain.status_code == 302
    assert "Mail cannot reach" not in admin_client.get("/admin/people").get_data(as_text=True)
