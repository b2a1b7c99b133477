"""The people import as a sync: "this file is the whole directory" deactivates the active
people it leaves out (listed first, counted after), their queued mail withdrawn, nothing
erased; more than half of the active people only with a second box ticked; audited."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from survey.models import AuditEntry, Dependency, Person
from survey.org import people_import
from survey.org.people_import import parse_people_csv
from survey.services.outbox import WITHDRAWN_LEFT, withdrawal_reasons
from tests.admin.test_people_import import payload_of
from tests.conftest import csrf_token, post_form
from tests.factories import quarterly_mail

URL = "/admin/people/import"


def upload(client, data: bytes, whole: bool = True):  # type: ignore[no-untyped-def]
    fields = {"csrf_token": csrf_token(client), "file": FileStorage(io.BytesIO(data), "p.csv")}
    if whole:
        fields["whole_directory"] = "y"
    boundary, body = encode_multipart(fields)
    return client.post(URL, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def people(session) -> dict[str, Person]:  # type: ignore[no-untyped-def]
    session.rollback()
    session.expire_all()
    return {p.email: p for p in session.scalars(select(Person))}


FOUR = b"email,name,department\n" + b"".join(
    b"p%d@example.com,Person %d,IT\n" % (n, n) for n in range(4)
)


@pytest.mark.postgres
def test_the_sync_lists_the_leavers_then_deactivates_them(admin_client, session, staff) -> None:
    preview = upload(admin_client, FOUR)
    assert preview.status_code == 200, preview.get_data(as_text=True)[:2000]
    body = preview.get_data(as_text=True)
    assert "1 of the 5 active people are not in it and will be deactivated" in body
    assert "People to deactivate (1)" in body and "p4@example.com" in body
    assert "gone@example.com" not in body  # already inactive: not a leaver
    assert "Import and deactivate 1 people" in body
    assert people(session)["p4@example.com"].active  # a preview changes nothing

    response = post_form(admin_client, URL + "/confirm", {"payload": payload_of(preview)})
    assert response.status_code == 302
    stored = people(session)
    assert not stored["p4@example.com"].active
    assert all(stored[f"p{n}@example.com"].active for n in range(4))
    assert len(stored) == 6  # never erased
    page = admin_client.get("/admin/people").get_data(as_text=True)
    assert "Imported: 0 new, 0 updated, 1 deactivated." in page
    entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.action, e.target_kind, e.target_label) for e in entries[-2:]] == [
        ("deactivate", "person", "p4@example.com"),
        ("import", "people", "CSV import: 0 new, 0 updated, 1 deactivated"),
    ]


def test_without_the_option_nobody_is_deactivated(admin_client, session, staff) -> None:
    preview = upload(admin_client, FOUR, whole=False)
    assert "People to deactivate" not in preview.get_data(as_text=True)
    post_form(admin_client, URL + "/confirm", {"payload": payload_of(preview)})
    assert people(session)["p4@example.com"].active


def test_the_option_travels_signed(admin_client, session, staff) -> None:
    """The confirmation reads the option from the signed payload, not from the form."""
    preview = upload(admin_client, FOUR, whole=False)
    response = post_form(
        admin_client,
        URL + "/confirm",
        {"payload": payload_of(preview), "whole_directory": "y", "confirm_many": "y"},
    )
    assert response.status_code == 302
    assert people(session)["p4@example.com"].active


def test_a_leavers_queued_mail_is_withdrawn(
    app, admin_client, session, staff, make_department
) -> None:
    hr = make_department(code="HR", name="HR")
    session.add(Dependency(customer_department_id=staff.id, provider_department_id=hr.id))
    session.commit()
    mail = quarterly_mail(app, session, staff)
    leaving = next(m for to, m in mail.items() if "p4@example.com" in to)
    staying = next(m for to, m in mail.items() if "p0@example.com" in to)
    assert withdrawal_reasons(session, [leaving.id, staying.id]) == {}
    preview = upload(admin_client, FOUR)
    post_form(admin_client, URL + "/confirm", {"payload": payload_of(preview)})
    session.rollback()
    assert withdrawal_reasons(session, [leaving.id, staying.id]) == {leaving.id: WITHDRAWN_LEFT}


TWO = b"email,name,department\np0@example.com,Person 0,IT\np1@example.com,Person 1,IT\n"


@pytest.mark.postgres
def test_more_than_half_needs_the_second_box(admin_client, session, staff) -> None:
    preview = upload(admin_client, TWO)  # 3 of 5 active people would leave
    body = preview.get_data(as_text=True)
    assert "it would deactivate 3 of the 5 active people, more than half of them" in body
    assert 'name="confirm_many"' in body
    payload = payload_of(preview)

    refused = post_form(admin_client, URL + "/confirm", {"payload": payload})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Nothing was imported" in text and payload in text  # the page can be sent again
    assert all(p.active for e, p in people(session).items() if e != "gone@example.com")

    done = post_form(admin_client, URL + "/confirm", {"payload": payload, "confirm_many": "y"})
    assert done.status_code == 302
    stored = people(session)
    assert [e for e, p in sorted(stored.items()) if p.active] == [
        "p0@example.com",
        "p1@example.com",
    ]


def test_half_exactly_needs_no_second_box(session, staff) -> None:
    """5 active, a file of 3 of them (2 leave, 40 %) then a file keeping 2 (3 leave, 60 %)."""
    three = TWO + b"p2@example.com,Person 2,IT\n"
    preview = parse_people_csv(session, three, whole_directory=True)
    assert [p.email for p in preview.leavers] == ["p3@example.com", "p4@example.com"]
    assert not preview.many_leavers
    assert parse_people_csv(session, TWO, whole_directory=True).many_leavers


def test_the_service_refuses_many_leavers_unconfirmed(session, staff) -> None:
    preview = parse_people_csv(session, TWO, whole_directory=True)
    with pytest.raises(people_import.TooManyLeavers):
        people_import.apply_import(session, preview)
    session.rollback()
    result = people_import.apply_import(session, preview, many_confirmed=True)
    assert sorted(p.email for p in result.deactivated) == [f"p{n}@example.com" for n in (2, 3, 4)]


def test_a_row_made_inactive_is_an_update_not_a_leaver(session, staff) -> None:
    data = FOUR + b"p4@example.com,Person 4,IT\n"
    data = data.replace(b"email,name,department\n", b"email,name,department,active\n")
    data = data.replace(b"p4@example.com,Person 4,IT\n", b"p4@example.com,Person 4,IT,no\n")
    preview = parse_people_csv(session, data, whole_directory=True)
    assert preview.leavers == [] and [r.email for r in preview.updates] == ["p4@example.com"]


def test_the_leavers_list_is_capped_with_its_count(admin_client, session, staff, monkeypatch):  # type: ignore[no-untyped-def]
    from survey.org.admin import people as people_page

    monkeypatch.setattr(people_page, "PREVIEW_ROWS", 1)
    body = upload(admin_client, TWO).get_data(as_text=True)
    assert "People to deactivate (3)" in body
    assert "Only the first 1 are listed." in body
    assert "p2@example.com" in body and "p4@example.com" not in body


def test_cli_sync_and_its_guard(runner, session, staff, tmp_path) -> None:
    path = tmp_path / "two.csv"
    path.write_bytes(TWO)
    refused = runner.invoke(args=["survey", "import-people", str(path), "--whole-directory"])
    assert refused.exit_code == 1 and "3 of 5 active people" in refused.output
    assert people(session)["p4@example.com"].active
    done = runner.invoke(
        args=["survey", "import-people", str(path), "--whole-directory", "--confirm-many"]
    )
    assert done.exit_code == 0, done.output
    assert "Imported: 0 new, 0 updated, 3 deactivated." in done.output
    assert not people(session)["p4@example.com"].active


def test_the_pages_speak_italian_and_french(admin_client, session, staff) -> None:
    it = admin_client.get(URL + "?lang=it").get_data(as_text=True)
    fr = admin_client.get(URL + "?lang=fr").get_data(as_text=True)
    assert "Questo file è l'intero elenco" in it
    assert "Ce fichier est l'annuaire complet" in fr
