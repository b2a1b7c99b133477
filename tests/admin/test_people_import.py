"""People CSV import: preview, confirm (all or nothing), line-numbered errors, BOM and
semicolons, a tampered payload, and the CLI command."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from survey.models import Person
from survey.org.people_import import MAX_BYTES, MAX_ROWS, parse_people_csv
from tests.admin.conftest import count
from tests.conftest import csrf_token, post_form

PAYLOAD_RE = re.compile(r'name="payload"[^>]*value="([^"]+)"')


@pytest.fixture
def departments(make_department):  # type: ignore[no-untyped-def]
    return make_department(code="IT", name="IT"), make_department(code="HR", name="HR")


def upload(client, data: bytes, name: str = "people.csv"):  # type: ignore[no-untyped-def]
    # Encoded in memory: the test client spools large bodies to a temporary file it never
    # closes, which pytest reports as a ResourceWarning.
    boundary, body = encode_multipart(
        {"csrf_token": csrf_token(client), "file": FileStorage(io.BytesIO(data), name)}
    )
    return client.post(
        "/admin/people/import",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def payload_of(response) -> str:  # type: ignore[no-untyped-def]
    match = PAYLOAD_RE.search(response.get_data(as_text=True))
    assert match, response.get_data(as_text=True)[:2000]
    return match.group(1)


GOOD = (
    b"email,name,department,locale,active\n"
    b"ann@example.com,Ann Smith,IT,it,yes\n"
    b"bob@example.com,Bob Jones,hr,,\n"
    b"known@example.com,Known Person (renamed),HR,fr,no\n"
)


@pytest.mark.postgres
def test_preview_then_confirm_creates_and_updates(
    admin_client, session, departments, make_person
) -> None:
    it, hr = departments
    known = make_person(email="known@example.com", department=it, name="Known Person")
    preview = upload(admin_client, GOOD)
    assert preview.status_code == 200
    body = preview.get_data(as_text=True)
    assert "ann@example.com" in body and "bob@example.com" in body
    assert "New people (2)" in body and "Updated people (1)" in body
    assert count(session, Person) == 1  # a preview stores nothing

    response = post_form(
        admin_client, "/admin/people/import/confirm", {"payload": payload_of(preview)}
    )
    assert response.status_code == 302
    session.rollback()
    people = {p.email: p for p in session.scalars(select(Person))}
    assert set(people) == {"ann@example.com", "bob@example.com", "known@example.com"}
    assert (people["ann@example.com"].locale, people["ann@example.com"].department_id) == (
        "it",
        it.id,
    )
    assert people["bob@example.com"].locale == "en" and people["bob@example.com"].active
    updated = people["known@example.com"]
    assert updated.id == known.id
    assert (updated.name, updated.department_id, updated.locale, updated.active) == (
        "Known Person (renamed)",
        hr.id,
        "fr",
        False,
    )
    flashed = admin_client.get("/admin/people").get_data(as_text=True)
    assert "Imported: 2 new, 1 updated." in flashed


BAD = (
    b"email,name,department\n"  # line 1
    b"dup@example.com,First,IT\n"  # line 2
    b"carl@example.com,Carl,NOPE\n"  # line 3: unknown department
    b"dora@example.com,Dora,HR\n"  # line 4
    b"not-an-email,Eve,IT\n"  # line 5: bad email
    b"DUP@example.com,Second,HR\n"  # line 6: duplicate of line 2
)


@pytest.mark.postgres
def test_bad_file_reports_every_error_and_stores_nothing(
    admin_client, session, departments
) -> None:
    response = upload(admin_client, BAD)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Line 3: Unknown department code NOPE." in body
    assert "Line 5: not-an-email is not a valid email address." in body
    assert "Line 6: dup@example.com appears twice in the file: lines 2 and 6." in body
    assert 'name="payload"' not in body
    assert count(session, Person) == 0


def test_every_error_with_its_line_in_the_service(session, departments) -> None:
    preview = parse_people_csv(session, BAD)
    assert [(e.line, str(e.message)) for e in preview.errors] == [
        (3, "Unknown department code NOPE."),
        (5, "not-an-email is not a valid email address."),
        (6, "dup@example.com appears twice in the file: lines 2 and 6."),
    ]
    assert preview.rows == []


def test_bom_and_semicolons_are_accepted(admin_client, session, departments) -> None:
    data = "\ufeffEmail;Name;Department\r\nzoë@example.com;Zoë Ångström;IT\r\n".encode()
    preview = upload(admin_client, data)
    assert preview.status_code == 200, preview.get_data(as_text=True)
    assert "Zoë Ångström" in preview.get_data(as_text=True)
    response = post_form(
        admin_client, "/admin/people/import/confirm", {"payload": payload_of(preview)}
    )
    assert response.status_code == 302
    session.rollback()
    person = session.scalar(select(Person))
    assert (person.email, person.name) == ("zoë@example.com", "Zoë Ångström")


def test_line_numbers_count_blank_and_multiline_rows(session, departments) -> None:
    data = (
        b'email,name,department\n\nok@example.com,"Two\nlines",IT\n'
        b"bad,X,IT\n"  # line 5
    )
    preview = parse_people_csv(session, data)
    assert [(e.line, str(e.message)) for e in preview.errors] == [
        (5, "bad is not a valid email address.")
    ]


def test_tampered_payload_is_refused(admin_client, session, departments) -> None:
    preview = upload(admin_client, GOOD)
    payload = payload_of(preview)
    tampered = payload[:-3] + ("AAA" if not payload.endswith("AAA") else "BBB")
    response = post_form(admin_client, "/admin/people/import/confirm", {"payload": tampered})
    assert response.status_code == 400
    assert "could not be verified" in response.get_data(as_text=True)
    # A payload signed with another key is refused too.
    from itsdangerous import URLSafeTimedSerializer

    forged = URLSafeTimedSerializer("guessed", salt="admin.people-import").dumps(
        {"csv": GOOD.decode(), "by": 1}
    )
    response = post_form(admin_client, "/admin/people/import/confirm", {"payload": forged})
    assert response.status_code == 400
    assert post_form(admin_client, "/admin/people/import/confirm").status_code == 400
    assert count(session, Person) == 0


def test_changes_between_preview_and_confirm_are_caught(
    admin_client, session, departments, make_person
) -> None:
    preview = upload(admin_client, GOOD)
    payload = payload_of(preview)
    make_person(email="ann@example.com")  # added by someone else meanwhile: becomes an update
    _it, hr = departments
    hr.code = "HRX"  # renamed meanwhile: the rows naming HR are now errors
    session.commit()
    response = post_form(admin_client, "/admin/people/import/confirm", {"payload": payload})
    assert response.status_code == 422
    assert "Unknown department code HR." in response.get_data(as_text=True)
    assert count(session, Person) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"\xff\xfeb\x00a\x00d\x00", "not UTF-8"),
        (b"mail,name\nx@example.com,X\n", "it lacks email, department"),
        (b"email,name,department\n", "has a header but no rows"),
        (b"email,name,department\na@example.com,A,IT,extra\n", "3 columns"),
        (b"email,name,department,locale,active\na@example.com,A,IT,de,maybe\n", "use en, it"),
        (b"x" * (MAX_BYTES + 1), "larger than 2 MB"),
    ],
)
def test_file_problems_are_explained(admin_client, session, departments, data, message) -> None:
    response = upload(admin_client, data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(session, Person) == 0


def test_too_many_rows(session, departments) -> None:
    rows = "".join(f"p{n}@example.com,P{n},IT\n" for n in range(MAX_ROWS + 1))
    preview = parse_people_csv(session, ("email,name,department\n" + rows).encode())
    assert [(e.line, str(e.message)) for e in preview.errors] == [
        (MAX_ROWS + 2, f"The file has more than {MAX_ROWS} rows.")
    ]


def test_a_large_file_survives_the_round_trip(admin_client, session, departments) -> None:
    """The signed file rides in a form field larger than Werkzeug's default field limit."""
    import secrets

    rows = "".join(
        f"{secrets.token_hex(12)}@example.com,{secrets.token_hex(16)},IT\n" for _ in range(12_000)
    )
    data = ("email,name,department\n" + rows).encode()
    assert len(data) < MAX_BYTES
    preview = upload(admin_client, data)
    assert preview.status_code == 200
    payload = payload_of(preview)
    assert len(payload) > 500_000
    response = post_form(admin_client, "/admin/people/import/confirm", {"payload": payload})
    assert response.status_code == 302
    assert count(session, Person) == 12_000


def test_cli_import_people(runner, session, departments, tmp_path) -> None:
    good = tmp_path / "people.csv"
    good.write_bytes(GOOD.replace(b"known@", b"kim@"))
    result = runner.invoke(args=["survey", "import-people", str(good)])
    assert result.exit_code == 0, result.output
    assert "Imported: 3 new, 0 updated." in result.output
    assert count(session, Person) == 3

    bad = tmp_path / "bad.csv"
    bad.write_bytes(BAD)
    result = runner.invoke(args=["survey", "import-people", str(bad)])
    assert result.exit_code == 1
    assert "line 3: Unknown department code NOPE." in result.output
    assert "Nothing was imported." in result.output
    assert count(session, Person) == 3


def test_a_language_with_its_region_is_read_as_the_language(session, departments) -> None:
    """Staff directories export languages as tags with a region (it-IT, fr_FR, en-GB): each
    is the language it names; a language the service does not speak is still refused."""
    data = (
        b"email,name,department,locale\n"
        b"a@example.com,A,IT,it-IT\n"
        b"b@example.com,B,IT,fr_FR\n"
        b"c@example.com,C,IT,EN-gb\n"
        b"d@example.com,D,IT,de-DE\n"
    )
    preview = parse_people_csv(session, data)
    assert [(e.line, str(e.message)) for e in preview.errors] == [
        (5, "Unknown language de-DE: use en, it or fr."),
    ]
    preview = parse_people_csv(session, data.rsplit(b"d@", 1)[0])
    assert [r.locale for r in preview.rows] == ["it", "fr", "en"]


# Addresses the mail server cannot take ----------------------------------------------------------

ODD = (
    "email,name,department\n"
    "ann@example.com,Ann,IT\n"  # line 2: fine
    "zoë@example.com,Zoë,IT\n"  # line 3: outside ASCII, needs SMTPUTF8
    "bob@example.com,Bob,HR\n"  # line 4: fine
).encode()


def test_an_address_outside_ascii_is_warned_at_its_line_and_still_imported(
    admin_client, session, departments
) -> None:
    """The dispatcher cannot send to it (``outbox.address_problem``, the one check both
    use): the preview says so at its line; the admin may still import the person."""
    preview = upload(admin_client, ODD)
    assert preview.status_code == 200
    body = preview.get_data(as_text=True)
    assert "Line 3: This address cannot receive mail from this server: zoë@example.com" in body
    assert "Line 2" not in body and "Line 4" not in body
    response = post_form(
        admin_client, "/admin/people/import/confirm", {"payload": payload_of(preview)}
    )
    assert response.status_code == 302
    assert count(session, Person) == 3
    flashed = admin_client.get("/admin/people").get_data(as_text=True)
    assert "1 of these addresses cannot receive mail from this server" in flashed


@pytest.mark.parametrize(
    ("address", "read_as"),
    [("ann(x)@example.com", "ann@example.com"), ("ann,x@example.com", "ann")],
)
def test_an_address_a_header_reads_as_another_one_is_refused(
    session, departments, address, read_as
) -> None:
    """``ann(x)@example.com`` passes the address pattern, but in a To header ``(x)`` is a
    comment: the mail would go to ``ann@example.com``, someone else."""
    from email.utils import formataddr, parseaddr

    assert parseaddr(formataddr(("Ann", address)))[1] == read_as  # what the relay would get
    data = f'email,name,department\n"{address}",Ann,IT\n'.encode()
    preview = parse_people_csv(session, data)
    assert [(e.line, str(e.message)) for e in preview.errors] == [
        (2, f"{address} cannot receive mail: a mail header would read it as another address.")
    ]
