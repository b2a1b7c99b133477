"""Scorecards name departments and services in the reader's language (the default name where
no translation exists); the API, asked in no language, keeps the default names."""

from __future__ import annotations

import csv
import io
import re

import pytest

from survey.scorecards.services.scorecard_pdf import _pdf_pages
from survey.scorecards.services.scorecards import Settings, build_scorecard
from tests.scorecards.conftest import NAMED_QUARTER, Org, api_get
from tests.scorecards.test_exports import _texts

Q = NAMED_QUARTER


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


@pytest.mark.postgres
def test_department_page_in_italian_and_french(admin_client, named_org: Org, backend) -> None:
    italian = _text(admin_client.get(f"/scorecards/IT?quarter={Q}&lang=it"))
    assert "Sistemi informativi" in italian and "Vendite" in italian
    assert "Assistenza IT" in italian
    assert "Information Technology" not in italian
    french = _text(admin_client.get(f"/scorecards/IT?quarter={Q}&lang=fr"))
    assert "Informatique" in french
    assert "Sales" in french and "IT help" in french  # no French name: the default one
    english = _text(admin_client.get(f"/scorecards/IT?quarter={Q}&lang=en"))
    assert "Information Technology" in english and "Sistemi informativi" not in english


def test_overview_in_italian(admin_client, named_org: Org) -> None:
    page = _text(admin_client.get(f"/scorecards/?quarter={Q}&lang=it"))
    assert "Sistemi informativi" in page and "Vendite" in page
    page = _text(admin_client.get(f"/scorecards/?quarter={Q}&lang=en"))
    assert "Information Technology" in page and "Sistemi informativi" not in page


def test_csv_and_pdf_in_the_readers_language(app, admin_client, named_org: Org) -> None:
    body = admin_client.get(f"/scorecards/IT.csv?quarter={Q}&lang=it").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    cells = {cell for row in rows for cell in row}
    assert "Sistemi informativi" in cells
    assert any("Vendite" in cell for cell in cells)
    assert "Assistenza IT" in cells
    with app.test_request_context("/?lang=it"):
        card, _problem = build_scorecard(
            named_org.session, named_org.departments["IT"], Q, Settings(), locale="it"
        )
        text = _texts(_pdf_pages(card))
    assert "Sistemi informativi" in text and "Information Technology" not in text


def test_api_keeps_the_default_names(client, named_org: Org) -> None:
    data = api_get(client, named_org, f"/api/v1/departments/IT/scorecard?quarter={Q}").get_json()
    assert data["department"]["name"] == "Information Technology"
