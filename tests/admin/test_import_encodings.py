"""How the CSV imports read a file's bytes: UTF-8 (with or without a byte order mark) first,
else Excel's plain "CSV" (Windows-1252) with a notice on the preview, else a clear refusal;
and the confirmation reads the signed file as the preview did."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from survey.models import Department, Person
from survey.org.people_import import MAX_BYTES as PEOPLE_MAX_BYTES
from survey.services.csv_file import FileError, decode_csv
from tests.admin.conftest import count
from tests.admin.test_department_import import upload as upload_departments
from tests.admin.test_people_import import payload_of
from tests.admin.test_people_import import upload as upload_people
from tests.conftest import post_form

NOTICE = (
    "This file is not UTF-8; it was read as Windows (Excel) text: check the names with "
    "accents below."
)
PEOPLE = "email,name,department\nhelene@example.com,Hélène Dupré,IT\nbob@example.com,Bob,IT\n"


@pytest.fixture
def it(make_department) -> Department:  # type: ignore[no-untyped-def]
    return make_department(code="IT", name="IT")


def test_utf8_with_or_without_bom_is_read_as_utf8() -> None:
    for data in (PEOPLE.encode(), PEOPLE.encode("utf-8-sig")):
        read = decode_csv(data, 1024)
        assert (read.text, read.windows, read.first_odd_line) == (PEOPLE, False, None)


def test_windows_text_is_read_and_says_so() -> None:
    read = decode_csv(PEOPLE.encode("cp1252"), 1024)
    assert read.text == PEOPLE and "Hélène Dupré" in read.text
    assert read.windows and read.first_odd_line == 2
    assert read.encoded() == PEOPLE.encode("cp1252")


@pytest.mark.parametrize(
    ("data", "words"),
    [
        # 0x81 has no character in Windows-1252, and it cannot stand alone in UTF-8.
        (b"email,name,department\na@example.com,A\x81,IT\n", "neither UTF-8 nor Windows"),
        # Excel's "Unicode text" is UTF-16.
        ("email,name\n".encode("utf-16"), "UTF-16"),
        # A file that says it is UTF-8 (the byte order mark) but is not: damaged.
        (b"\xef\xbb\xbfemail,name\nb@example.com,Bob\x92s\n", "line 2"),
    ],
)
def test_text_in_neither_encoding_is_refused_clearly(data: bytes, words: str) -> None:
    with pytest.raises(FileError) as refused:
        decode_csv(data, 1024)
    assert refused.value.error.line == 1
    assert words in str(refused.value.error.message)


@pytest.mark.postgres
def test_excels_plain_csv_imports_people_with_their_accents(admin_client, session, it) -> None:
    preview = upload_people(admin_client, PEOPLE.encode("cp1252"))
    assert preview.status_code == 200, preview.get_data(as_text=True)[:2000]
    page = unescape(preview.get_data(as_text=True))
    assert NOTICE in page and "Hélène Dupré" in page
    assert count(session, Person) == 0
    response = post_form(
        admin_client, "/admin/people/import/confirm", {"payload": payload_of(preview)}
    )
    assert response.status_code == 302
    session.rollback()
    names = set(session.scalars(select(Person.name)))
    assert names == {"Hélène Dupré", "Bob"}


def test_a_utf8_file_has_no_notice(admin_client, session, it) -> None:
    preview = upload_people(admin_client, PEOPLE.encode("utf-8-sig"))
    assert preview.status_code == 200
    assert "Windows (Excel)" not in unescape(preview.get_data(as_text=True))


def test_a_stray_byte_in_a_utf8_file_is_shown_before_the_button(admin_client, session, it) -> None:
    """The attack: one byte of another encoding in a UTF-8 file turns every accent into two
    letters (Hélène becomes HÃ©lÃ¨ne). The file is read, but the preview says so first, in an
    alert, naming the line of the odd byte, above the confirmation button."""
    data = (
        "email,name,department\nhelene@example.com,Hélène,IT\n".encode()
        + b"bob@example.com,Bob\x92s,IT\n"
    )
    preview = upload_people(admin_client, data)
    assert preview.status_code == 200
    page = unescape(preview.get_data(as_text=True))
    assert "HÃ©lÃ¨ne" in page  # what would be stored, for the administrator to see
    alert = re.search(
        r'<div class="[^"]*import-encoding[^"]*" role="alert">(.*?)</div>', page, re.S
    )
    assert alert is not None and NOTICE in alert.group(1)
    assert "line 3" in alert.group(1)
    assert page.index(NOTICE) < page.index('action="/admin/people/import/confirm"')
    assert count(session, Person) == 0


def test_the_notice_speaks_italian_and_french(admin_client, session, it) -> None:
    for lang, words in (
        ("it", "Questo file non è in UTF-8"),
        ("fr", "Ce fichier n'est pas en UTF-8"),
    ):
        admin_client.get(f"/admin/people/import?lang={lang}")
        page = unescape(upload_people(admin_client, PEOPLE.encode("cp1252")).get_data(as_text=True))
        assert words in page, lang
    admin_client.get("/admin/people/import?lang=en")


def test_departments_read_windows_text_too(admin_client, session) -> None:
    data = "code,name,name_fr\nFIN,Finance,Département financier\n".encode("cp1252")
    preview = upload_departments(admin_client, data)
    assert preview.status_code == 200, preview.get_data(as_text=True)[:2000]
    assert NOTICE in unescape(preview.get_data(as_text=True))
    response = post_form(
        admin_client, "/admin/departments/import/confirm", {"payload": payload_of(preview)}
    )
    assert response.status_code == 302
    session.rollback()
    stored = session.scalar(select(Department).where(Department.code == "FIN"))
    assert stored is not None and stored.names == {"fr": "Département financier"}


def test_the_confirmation_reads_the_file_as_the_preview_did(admin_client, session, it) -> None:
    """A Windows file just under the size limit: in UTF-8 its accents take two bytes each and
    it would pass the limit; the confirmation reads the same bytes, not a larger copy."""
    row = "x{n}@example.com," + "é" * 150 + ",IT\n"
    rows, size, n = [], 22, 0
    while size + len(row) + 6 < PEOPLE_MAX_BYTES:
        line = row.format(n=n)
        rows.append(line)
        size, n = size + len(line), n + 1
    data = ("email,name,department\n" + "".join(rows)).encode("cp1252")
    assert len(data) <= PEOPLE_MAX_BYTES < len(data.decode("cp1252").encode())
    preview = upload_people(admin_client, data)
    assert preview.status_code == 200, preview.get_data(as_text=True)[:2000]
    response = post_form(
        admin_client, "/admin/people/import/confirm", {"payload": payload_of(preview)}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert count(session, Person) == n


def test_the_command_line_import_reads_windows_text_and_says_so(runner, session, it, tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "people.csv"
    path.write_bytes(PEOPLE.encode("cp1252"))
    result = runner.invoke(args=["survey", "import-people", str(path)])
    assert result.exit_code == 0, result.output
    assert "it was read as Windows (Excel) text" in result.output and "line 2" in result.output
    session.rollback()
    assert set(session.scalars(select(Person.name))) == {"Hélène Dupré", "Bob"}
