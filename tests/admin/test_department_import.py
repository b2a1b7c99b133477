"""Departments CSV import: preview, confirm (all or nothing), codes in any case, parents in
any order, loops refused, line-numbered errors, the audit entry, roles and the templates."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from survey.models import AuditEntry, Department
from survey.org.department_import import parse_departments_csv
from tests.admin.conftest import count
from tests.admin.test_people_import import payload_of
from tests.conftest import csrf_token, post_form

URL = "/admin/departments/import"


def upload(client, data: bytes):  # type: ignore[no-untyped-def]
    boundary, body = encode_multipart(
        {"csrf_token": csrf_token(client), "file": FileStorage(io.BytesIO(data), "d.csv")}
    )
    return client.post(URL, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def confirm(client, preview):  # type: ignore[no-untyped-def]
    return post_form(client, URL + "/confirm", {"payload": payload_of(preview)})


def departments(session) -> dict[str, Department]:  # type: ignore[no-untyped-def]
    session.rollback()
    session.expire_all()
    return {d.code: d for d in session.scalars(select(Department))}


# A child before its parent, a parent named in lower case, a known code in lower case with a
# translation, and Windows line ends with a byte order mark and semicolons.
GOOD = (
    "\ufeffCode;Name;name_it;name_fr;parent;active\r\n"
    "ops-desk;Operations desk;Sportello operativo;Guichet des opérations;ops;\r\n"
    "OPS;Operations;Operazioni;Opérations;;yes\r\n"
    "hr;Human Resources;Risorse umane;;;no\r\n"
).encode()


@pytest.mark.postgres
def test_preview_then_confirm_creates_and_updates(admin_client, session, make_department) -> None:
    hr = make_department(code="HR", name="HR", names={"fr": "Ressources humaines"})
    preview = upload(admin_client, GOOD)
    assert preview.status_code == 200, preview.get_data(as_text=True)[:2000]
    body = preview.get_data(as_text=True)
    assert "New departments (2)" in body and "Updated departments (1)" in body
    assert "Sportello operativo" in body
    assert count(session, Department) == 1  # a preview stores nothing

    response = confirm(admin_client, preview)
    assert response.status_code == 302
    stored = departments(session)
    assert set(stored) == {"HR", "OPS", "OPS-DESK"}
    assert stored["OPS-DESK"].parent_id == stored["OPS"].id
    assert stored["OPS"].parent_id is None and stored["OPS"].active
    assert stored["OPS-DESK"].names == {"it": "Sportello operativo", "fr": "Guichet des opérations"}
    assert stored["HR"].id == hr.id
    assert (stored["HR"].name, stored["HR"].active) == ("Human Resources", False)
    # A blank translation keeps the stored one.
    assert stored["HR"].names == {"it": "Risorse umane", "fr": "Ressources humaines"}
    assert "Imported: 2 new, 1 updated." in admin_client.get("/admin/departments").get_data(
        as_text=True
    )
    entry = session.scalar(select(AuditEntry).where(AuditEntry.target_kind == "departments"))
    assert entry is not None and entry.action == "import"
    assert entry.changes == {"created": [None, 2], "updated": [None, 1]}


BAD = (
    b"code,name,parent,active\n"  # line 1
    b"FIN,Finance,,\n"  # line 2
    b"x,Too short,,\n"  # line 3: a code of one character
    b"LEG,,,\n"  # line 4: no name
    b"fin,Finance again,,\n"  # line 5: FIN again, in another case
    b"PAY,Payroll,NOPE,\n"  # line 6: unknown parent
    b"AUD,Audit,,maybe\n"  # line 7: unknown active value
    b"TAX,Tax,FIN,\n"  # line 8: fine
)


@pytest.mark.postgres
def test_bad_file_reports_every_error_and_stores_nothing(admin_client, session) -> None:
    response = upload(admin_client, BAD)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Line 3: x is not a valid code" in body
    assert "Line 4: The name is missing." in body
    assert "Line 5: The code FIN appears twice in the file: lines 2 and 5." in body
    assert "Line 6: Unknown parent department NOPE." in body
    assert "Line 7: Unknown active value maybe: use yes or no." in body
    assert "Line 8" not in body and 'name="payload"' not in body
    assert count(session, Department) == 0


def test_a_loop_of_parents_is_refused_at_each_of_its_lines(session, make_department) -> None:
    make_department(code="TOP", name="Top")
    data = b"code,name,parent\nA1,A,B1\nB1,B,A1\nC1,C,TOP\n"
    preview = parse_departments_csv(session, data)
    assert [(e.line, str(e.message)) for e in preview.errors] == [
        (2, "A1 would be placed under itself: A1 > B1 > A1."),
        (3, "B1 would be placed under itself: B1 > A1 > B1."),
    ]
    assert preview.rows == []


def test_a_loop_through_a_stored_department_is_refused(session, make_department) -> None:
    """The file moves ``TOP`` under ``LEAF``, which is stored under ``TOP`` and not in it."""
    top = make_department(code="TOP", name="Top")
    make_department(code="LEAF", name="Leaf", parent=top)
    preview = parse_departments_csv(session, b"code,name,parent\ntop,Top,leaf\n")
    assert [(e.line, str(e.message)) for e in preview.errors] == [
        (2, "TOP would be placed under itself: TOP > LEAF > TOP."),
    ]


def test_moving_a_department_under_its_former_child(admin_client, session, make_department) -> None:
    """Parents before children: the former child becomes top-level first."""
    top = make_department(code="TOP", name="Top")
    make_department(code="LEAF", name="Leaf", parent=top)
    preview = upload(admin_client, b"code,name,parent\nTOP,Top,LEAF\nLEAF,Leaf,\n")
    assert preview.status_code == 200, preview.get_data(as_text=True)[:2000]
    assert confirm(admin_client, preview).status_code == 302
    stored = departments(session)
    assert stored["TOP"].parent_id == stored["LEAF"].id and stored["LEAF"].parent_id is None


def test_without_a_parent_column_parents_stay(session, make_department) -> None:
    top = make_department(code="TOP", name="Top")
    make_department(code="LEAF", name="Leaf", parent=top)
    preview = parse_departments_csv(session, b"code,name\nLEAF,Leaf\n")
    assert preview.errors == [] and preview.unchanged == 1


def test_a_department_renamed_meanwhile_is_caught(admin_client, session, make_department) -> None:
    fin = make_department(code="FIN", name="Finance")
    preview = upload(admin_client, b"code,name,parent\nTAX,Tax,FIN\n")
    fin.code = "FINANCE"  # renamed between the preview and the confirmation
    session.commit()
    response = confirm(admin_client, preview)
    assert response.status_code == 422
    assert "Unknown parent department FIN." in response.get_data(as_text=True)
    assert set(departments(session)) == {"FINANCE"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"\xff\xfec\x00o\x00", "not UTF-8"),
        (b"name\nFinance\n", "it lacks code"),
        (b"code,name\n", "has a header but no rows"),
        (b"code,name\nFIN,Finance,extra\n", "2 columns"),
        (b"code,name\nFIN," + b"n" * 121 + b"\n", "longer than 120 characters"),
    ],
)
def test_file_problems_are_explained(admin_client, session, data, message) -> None:
    response = upload(admin_client, data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(session, Department) == 0


def test_a_tampered_payload_is_refused(admin_client, session) -> None:
    preview = upload(admin_client, b"code,name\nFIN,Finance\n")
    payload = payload_of(preview)
    tampered = payload[:-3] + ("AAA" if not payload.endswith("AAA") else "BBB")
    response = post_form(admin_client, URL + "/confirm", {"payload": tampered})
    assert response.status_code == 400
    assert count(session, Department) == 0
    # A department file's signature does not open the people import.
    people = post_form(admin_client, "/admin/people/import/confirm", {"payload": payload})
    assert people.status_code == 400
    assert post_form(admin_client, URL + "/confirm", {"payload": payload}).status_code == 302
    assert count(session, Department) == 1


def test_csrf_is_required(admin_client, session) -> None:
    boundary, body = encode_multipart(
        {"file": FileStorage(io.BytesIO(b"code,name\nFIN,Finance\n"), "d.csv")}
    )
    response = admin_client.post(
        URL, data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code in (400, 422)
    assert count(session, Department) == 0


@pytest.mark.parametrize("role", ["manager", "viewer"])
def test_only_administrators(client, make_user, make_department, sign_in, role) -> None:
    sign_in(make_user(role, department_id=make_department().id))
    assert client.get(URL).status_code == 403
    assert client.get("/admin/departments/import/template.csv").status_code == 403


def test_the_departments_page_links_the_import_and_the_templates_download(admin_client) -> None:
    page = admin_client.get("/admin/departments").get_data(as_text=True)
    assert URL in page
    form = admin_client.get(URL).get_data(as_text=True)
    assert "/admin/departments/import/template.csv" in form
    template = admin_client.get("/admin/departments/import/template.csv")
    assert template.mimetype == "text/csv"
    assert template.get_data(as_text=True) == "code,name,name_it,name_fr,parent,active\r\n"
    people = admin_client.get("/admin/people/import/template.csv").get_data(as_text=True)
    assert people == "email,name,department,locale,active\r\n"
    assert "/admin/people/import/template.csv" in admin_client.get("/admin/people/import").get_data(
        as_text=True
    )


def test_the_pages_speak_italian_and_french(admin_client) -> None:
    it = admin_client.get(URL + "?lang=it").get_data(as_text=True)
    fr = admin_client.get(URL + "?lang=fr").get_data(as_text=True)
    assert "Importa reparti" in it
    assert "Importer des départements" in fr
