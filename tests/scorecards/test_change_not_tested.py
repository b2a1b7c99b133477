"""A department with fewer than ``MIN_N_FLAG`` people in one of two quarters is never tested
for a change: its page, PDF, CSV and API say so, instead of "No significant change" (which
they say only of a department that was tested)."""

from __future__ import annotations

import csv
import io

import pytest

from analysis.model import MIN_N_FLAG
from survey.scorecards.services.scorecard_pdf import _pdf_pages
from survey.scorecards.services.scorecards import Settings, build_scorecard
from tests.scorecards.conftest import Org, api_get
from tests.scorecards.test_exports import _texts

BEFORE, AFTER = "2026Q1", "2026Q2"
NOT_TESTED = "Not tested: too few respondents to test a change"


@pytest.fixture
def two_quarters(org: Org) -> Org:
    """IT: 6 people a quarter (over k = 5, under MIN_N_FLAG = 10), so its ISQ shows and its
    change cannot be tested; HR: 12 people a quarter answering alike, tested and unchanged."""
    assert 6 < MIN_N_FLAG <= 12
    for quarter in (BEFORE, AFTER):
        org.post_interaction("IT", "SALES", quarter, [4, 5, 4, 5, 4, 5])
        org.quarterly("IT", "SALES", quarter, [4, 4, 4, 4, 4, 4])
        org.post_interaction("HR", "SALES", quarter, [4, 5] * 6)
        org.quarterly("HR", "SALES", quarter, [4] * 12)
    return org


@pytest.mark.postgres
def test_the_page_says_a_small_department_was_not_tested(admin_client, two_quarters: Org) -> None:
    page = admin_client.get(f"/scorecards/IT?quarter={AFTER}").get_data(as_text=True)
    assert NOT_TESTED in page
    assert "No significant change." not in page
    tested = admin_client.get(f"/scorecards/HR?quarter={AFTER}").get_data(as_text=True)
    assert "No significant change." in tested and NOT_TESTED not in tested
    first = admin_client.get(f"/scorecards/IT?quarter={BEFORE}").get_data(as_text=True)
    assert "Not tested: no earlier published quarter to compare with." in first
    it = admin_client.get(f"/scorecards/IT?quarter={AFTER}&lang=it").get_data(as_text=True)
    fr = admin_client.get(f"/scorecards/IT?quarter={AFTER}&lang=fr").get_data(as_text=True)
    assert "Non verificato: troppo pochi rispondenti" in it
    assert "Non testé : trop peu de répondants" in fr


def test_the_api_gives_the_reason_and_keeps_the_change_key(client, two_quarters: Org) -> None:
    body = api_get(client, two_quarters, f"/api/v1/departments/IT/scorecard?quarter={AFTER}")
    card = body.get_json()
    assert card["change"] is None
    assert card["change_test"] == {"status": "too_few_respondents", "min_respondents": MIN_N_FLAG}
    hr = api_get(client, two_quarters, f"/api/v1/departments/HR/scorecard?quarter={AFTER}")
    assert hr.get_json()["change_test"]["status"] == "not_significant"
    spec = client.get("/api/v1/openapi.json").get_json()
    text = str(spec)
    assert "too_few_respondents" in text and "change_test" in text


def test_the_csv_and_pdf_say_it_too(app, admin_client, session, two_quarters: Org) -> None:
    response = admin_client.get(f"/scorecards/IT.csv?quarter={AFTER}")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    change = [row for row in rows if row and row[0] == "change"]
    assert len(change) == 1 and change[0][1].startswith(NOT_TESTED)
    assert change[0][-1] == "too_few_respondents"
    with app.test_request_context("/?lang=en"):
        card, _problem = build_scorecard(session, two_quarters.departments["IT"], AFTER, Settings())
        assert card.change_status == "too_few_respondents"
        text = _texts(_pdf_pages(card))
    assert NOT_TESTED in text and "No significant change" not in text
