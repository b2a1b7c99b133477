"""The overview's CSV: the page's figures and nothing finer, safe in a spreadsheet, for every
signed-in reader as the page; the ``export`` command writes the same file."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from flask.testing import FlaskClient, FlaskCliRunner

from survey.models import User
from tests.scorecards.conftest import Org

Q = "2026Q1"
FORMULA = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def overview_org(org: Org) -> Org:
    """IT and FIN above the gates in ``Q``; HR with four respondents (under k = 5)."""
    org.departments["IT"].name = '=HYPERLINK("http://evil","x")'
    org.session.commit()
    org.post_interaction("IT", "SALES", Q, [4, 5, 5, 3, 4, 2, 5, 5])
    org.quarterly("IT", "SALES", Q, [4, 4, 5, 3, 4, 4])
    org.quarterly("IT", "ENG", Q, [2, 2, 3, 2, 2, 3])
    org.post_interaction("FIN", "SALES", Q, [5, 5, 4, 4, 3, 5, 4, 2, 1, 2, 1, 3])
    org.post_interaction("HR", "SALES", Q, [1, 1, 5, 5])
    return org


def _rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _by_section(rows: list[list[str]], section: str) -> dict[str, list[str]]:
    return {row[1]: row for row in rows if row[0] == section}


@pytest.mark.postgres
def test_the_overview_csv_holds_the_pages_figures(
    admin_client: FlaskClient, overview_org: Org, backend: str
) -> None:
    response = admin_client.get(f"/scorecards/overview.csv?quarter={Q}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert f'filename="overview-{Q}.csv"' in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    rows = _rows(response.get_data())
    assert rows[0] == ["section", "item", "quarter", "value", "low", "high", "n", "note"]
    isq = _by_section(rows, "department ISQ")
    assert sorted(isq) == ["FIN Finance", 'IT =HYPERLINK("http://evil","x")']
    # Each shown department's ISQ is the headline of its own scorecard's CSV, to the digit.
    for code in ("IT", "FIN"):
        item = next(i for i in isq if i.startswith(f"{code} "))
        card = _rows(admin_client.get(f"/scorecards/{code}.csv?quarter={Q}").get_data())
        headline = _by_section(card, "headline")["ISQ"]
        assert isq[item][3:7] == headline[3:7]
    # Four respondents: not shown, with the reason and no figure.
    hidden = _by_section(rows, "department not shown")
    (hr,) = [row for item, row in hidden.items() if item.startswith("HR ")]
    assert hr[3:7] == ["", "", "", ""] and "too few respondents" in hr[7]
    assert not any(row[1].startswith("HR ") for row in rows if row[0].startswith("department I"))
    for row in rows:
        if row[0] == "relationship":
            assert (row[3] == "") == (row[7] != "")  # a value, or why it is hidden
    cells = [cell for row in rows for cell in row]
    for cell in cells:
        if cell.startswith(FORMULA):
            float(cell)  # only a plain negative number may start like a formula


def test_every_signed_in_reader_may_download_it_as_the_page(
    client: FlaskClient,
    make_user: Callable[..., User],
    sign_in: Callable[[User], FlaskClient],
    overview_org: Org,
) -> None:
    anonymous = client.get(f"/scorecards/overview.csv?quarter={Q}")
    assert anonymous.status_code in (302, 401) and anonymous.mimetype != "text/csv"
    manager = make_user("manager", department_id=overview_org.departments["SALES"].id)
    reader = sign_in(manager)
    page = reader.get(f"/scorecards/?quarter={Q}")
    assert page.status_code == 200
    assert f"/scorecards/overview.csv?quarter={Q}" in page.get_data(as_text=True)
    assert reader.get(f"/scorecards/overview.csv?quarter={Q}").status_code == 200


def test_the_export_command_writes_the_same_overview(
    runner: FlaskCliRunner, admin_client: FlaskClient, overview_org: Org, tmp_path: Path
) -> None:
    out = tmp_path / "exports"
    result = runner.invoke(args=["survey", "export", "--quarter", Q, "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    written = (out / f"overview-{Q}.csv").read_bytes()
    assert written == admin_client.get(f"/scorecards/overview.csv?quarter={Q}").get_data()
    # Some departments only: no overview (it would not be the whole organisation's file).
    again = runner.invoke(
        args=[
            "survey",
            "export",
            "--quarter",
            Q,
            "--department",
            "IT",
            "--out",
            str(tmp_path / "b"),
        ]
    )
    assert again.exit_code == 0, again.stderr
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == [f"scorecard-IT-{Q}.csv"]
