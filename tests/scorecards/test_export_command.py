"""The operator's ``export`` command: files holding what the pages and the API publish for the
same quarter and language, only released quarters, and nothing written when it refuses."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask.testing import FlaskClient, FlaskCliRunner

from survey.periods import quarter_of
from tests.scorecards.conftest import Org, api_get

Q = "2026Q1"
FORMULA = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def exported(org: Org) -> Org:
    """IT above the gates in ``Q`` for SALES (with one-sided ENG figures hidden), HR with
    four respondents (under k): a quarter where some figures show and some are hidden."""
    org.departments["IT"].name = '=HYPERLINK("http://evil","x")'
    org.session.commit()
    org.post_interaction("IT", "SALES", Q, [4, 5, 5, 3, 4, 2, 5, 5])
    org.quarterly("IT", "SALES", Q, [4, 4, 5, 3, 4, 4])
    org.quarterly("IT", "ENG", Q, [2, 2, 3, 2, 2, 3])
    org.interactions("IT", Q, [(30, 200), (90, 300), (10, 600), (20, 100), (5, 50), (40, 400)])
    org.post_interaction("HR", "SALES", Q, [1, 1, 5, 5])
    return org


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """The folder exports go to (``tmp_path`` also holds the test's database)."""
    return tmp_path / "exports"


def _export(runner: FlaskCliRunner, out: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(args=["survey", "export", "--out", str(out), *args])
    return result.exit_code, result.stdout, result.stderr


def test_files_hold_what_the_page_and_the_api_serve(
    runner: FlaskCliRunner,
    admin_client: FlaskClient,
    client: FlaskClient,
    exported: Org,
    out: Path,
) -> None:
    formats = ["--format", "csv", "--format", "json", "--format", "pdf"]
    code, printed, err = _export(
        runner, out, "--quarter", Q, "--department", "IT", "--department", "HR", *formats
    )
    assert code == 0, err
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(
        f"scorecard-{d}-{Q}.{f}" for d in ("IT", "HR") for f in ("csv", "json", "pdf")
    )
    assert printed.split() == [
        str(out / f"scorecard-{d}-{Q}.{f}") for d in ("IT", "HR") for f in ("csv", "json", "pdf")
    ]
    for dept in ("IT", "HR"):
        page_csv = admin_client.get(f"/scorecards/{dept}.csv?quarter={Q}").get_data()
        assert (out / f"scorecard-{dept}-{Q}.csv").read_bytes() == page_csv
        api = api_get(client, exported, f"/api/v1/departments/{dept}/scorecard?quarter={Q}")
        assert api.status_code == 200
        assert json.loads((out / f"scorecard-{dept}-{Q}.json").read_text()) == api.get_json()
        assert (out / f"scorecard-{dept}-{Q}.pdf").read_bytes().startswith(b"%PDF-")
    it = json.loads((out / f"scorecard-IT-{Q}.json").read_text())
    hr = json.loads((out / f"scorecard-HR-{Q}.json").read_text())
    assert it["isq"]["value"] is not None
    # Four respondents, under k = 5: the file shows what the page shows, nothing.
    assert hr["isq"]["value"] is None and hr["isq"]["reason"]


def test_csv_cells_are_safe_in_a_spreadsheet(
    runner: FlaskCliRunner, exported: Org, out: Path
) -> None:
    assert _export(runner, out, "--quarter", Q, "--department", "IT")[0] == 0
    text = (out / f"scorecard-IT-{Q}.csv").read_text(encoding="utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert '\'=HYPERLINK("http://evil","x")' in cells
    for cell in cells:
        if cell.startswith(FORMULA):
            float(cell)  # only a plain negative number may start like a formula


def test_in_the_language_asked(
    runner: FlaskCliRunner, admin_client: FlaskClient, exported: Org, out: Path
) -> None:
    exported.departments["IT"].names = {"it": "Sistemi informativi"}
    exported.session.commit()
    code, _printed, err = _export(runner, out, "--quarter", Q, "--department", "IT", "--lang", "it")
    assert code == 0, err
    written = (out / f"scorecard-IT-{Q}.csv").read_bytes()
    italian = admin_client.get(f"/scorecards/IT.csv?quarter={Q}&lang=it").get_data()
    english = admin_client.get(f"/scorecards/IT.csv?quarter={Q}&lang=en").get_data()
    assert written == italian != english
    assert "Sistemi informativi" in written.decode("utf-8-sig")


def test_default_is_every_active_department_in_the_latest_released_quarter(
    runner: FlaskCliRunner, exported: Org, out: Path
) -> None:
    exported.post_interaction("IT", "SALES", "2026Q2", [4, 4, 4, 4, 4, 4])
    exported.departments["OPS"].active = False
    exported.session.commit()
    code, _printed, err = _export(runner, out)
    assert code == 0, err
    active = ("ENG", "FIN", "HR", "IT", "SALES")
    assert sorted(p.name for p in out.iterdir()) == [
        "overview-2026Q2.csv",
        *(f"scorecard-{d}-2026Q2.csv" for d in active),
    ]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--department", "IT", "--department", "NOPE"], "'NOPE'"),
        (["--quarter", "2026-1"], "2026Q1"),
        (["--quarter", "2099Q1"], "not released"),
    ],
)
def test_a_refused_export_writes_nothing(
    runner: FlaskCliRunner, exported: Org, out: Path, args: list[str], says: str
) -> None:
    code, _printed, err = _export(runner, out, *args)
    assert code == 1 and says in err
    assert not out.exists()


def test_the_quarter_in_progress_is_not_exported(
    runner: FlaskCliRunner, org: Org, out: Path
) -> None:
    """A quarter's figures are published once, when it is released: the command follows the
    same rule as the pages, and with nothing released there is nothing to write."""
    current = quarter_of(datetime.now(UTC))
    org.post_interaction("IT", "SALES", current, [4, 5, 5, 3, 4, 2, 5, 5])
    code, _printed, err = _export(runner, out / "a", "--quarter", current)
    assert code == 1 and "not released" in err
    code, _printed, err = _export(runner, out / "b")
    assert code == 1 and "no quarter is released" in err
    assert not (out / "a").exists() and not (out / "b").exists()


def test_a_second_export_replaces_the_files_whole(
    runner: FlaskCliRunner, exported: Org, out: Path
) -> None:
    out.mkdir()
    target = out / f"scorecard-IT-{Q}.csv"
    target.write_text("an older export, much longer than the new one " * 1000)
    assert _export(runner, out, "--quarter", Q, "--department", "IT")[0] == 0
    assert target.read_text(encoding="utf-8-sig").startswith("section,item,quarter")
    assert [p.name for p in out.iterdir()] == [target.name]  # no temporary file left


def test_files_get_the_operators_usual_mode(
    runner: FlaskCliRunner, exported: Org, out: Path
) -> None:
    previous = os.umask(0o027)
    try:
        assert _export(runner, out, "--quarter", Q, "--department", "IT")[0] == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE((out / f"scorecard-IT-{Q}.csv").stat().st_mode) == 0o640
