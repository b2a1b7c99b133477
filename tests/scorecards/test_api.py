"""GET /api/v1/departments/<code>/scorecard: the page's figures as JSON, gated the same way."""

from __future__ import annotations

import re

import pytest

from tests.scorecards.conftest import Org, api_get

Q = "2026Q1"


@pytest.fixture
def api_org(org: Org) -> Org:
    org.post_interaction("IT", "SALES", Q, [4, 5, 5, 3, 4, 2, 5, 4, 1, 2, 3, 4])  # 7 of 12
    org.quarterly("IT", "SALES", Q, [4, 4, 5, 3, 4])
    org.post_interaction("FIN", "SALES", Q, [5, 5, 4, 2, 1, 3, 5])
    org.quarterly("FIN", "ENG", Q, [2, 3, 3, 2, 4, 3])
    org.post_interaction("HR", "SALES", Q, [1, 1, 5, 5])
    return org


@pytest.mark.postgres
def test_json_equals_page_figures(client, admin_client, api_org: Org, backend) -> None:
    response = api_get(client, api_org, f"/api/v1/departments/IT/scorecard?quarter={Q}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["department"] == {"code": "IT", "name": "Information Technology"}
    assert body["quarter"] == Q and body["k"] == 5
    assert body["weights"] == {"T": 0.35, "R": 0.45, "C": 0.2}
    assert body["components"]["T"]["raw"] == pytest.approx(100 * 7 / 12, abs=0.01)
    assert body["components"]["T"]["n"] == 12
    page = admin_client.get(f"/scorecards/IT?quarter={Q}").get_data(as_text=True)
    shown = [float(x) for x in re.findall(r"(?<![\w.])\d+\.\d(?![\d])", page)]
    for figure in (body["isq"], body["components"]["T"], body["components"]["R"]):
        for key in ("value", "low", "high"):
            # The page shows one decimal, the API two: the same number either way.
            assert any(abs(x - figure[key]) <= 0.051 for x in shown), (key, figure)
    assert body["comments"] == {"visible": True, "count": 0, "reason": None}


def test_json_nulls_gated_figures(client, api_org: Org) -> None:
    body = api_get(client, api_org, f"/api/v1/departments/HR/scorecard?quarter={Q}").get_json()
    assert body["isq"]["value"] is None
    assert body["components"]["T"] == {
        "raw": None,
        "value": None,
        "low": None,
        "high": None,
        "n": None,
        # The weight in this quarter's ISQ: no request anywhere, so no C, and T and R share
        # its weight (0.35/0.80).
        "weight": 0.4375,
        "reason": "below_k",
    }
    assert body["isq_weights"] == {"T": 0.4375, "R": 0.5625, "C": 0.0}
    assert body["iq"]["value"] is None
    assert body["comments"]["visible"] is False and body["comments"]["count"] is None
    assert all(c["satisfaction"]["value"] is None for c in body["customers"])


def test_unknown_department_and_bad_quarter(client, api_org: Org) -> None:
    response = api_get(client, api_org, "/api/v1/departments/NOPE/scorecard")
    assert response.status_code == 404 and response.get_json()["status"] == 404
    for bad in ("2026Q5", "garbage", "0000Q1", "2026q1"):
        response = api_get(client, api_org, f"/api/v1/departments/IT/scorecard?quarter={bad}")
        assert response.status_code == 400
        assert response.get_json()["field"] == "quarter"
    # A code in lower case names the department, as the requests' API reads codes.
    lower = api_get(client, api_org, f"/api/v1/departments/it/scorecard?quarter={Q}")
    assert lower.status_code == 200 and lower.get_json()["department"]["code"] == "IT"
    # A well-formed quarter without answers is answered with empty figures, not moved.
    body = api_get(client, api_org, "/api/v1/departments/IT/scorecard?quarter=2019Q1").get_json()
    assert body["quarter"] == "2019Q1" and body["isq"]["reason"] == "no_data"


@pytest.mark.postgres
def test_a_nul_in_the_address_is_a_clear_error(client, api_org: Org) -> None:
    """No code holds a NUL (the forms and the import refuse it), and PostgreSQL refuses one in a
    query: a server error there. In the path: no such department; in an argument: a 400
    naming it."""
    for code in ("%00", "I%00T"):
        response = api_get(client, api_org, f"/api/v1/departments/{code}/scorecard")
        assert response.status_code == 404, code
        assert response.get_json()["status"] == 404
    response = api_get(client, api_org, "/api/v1/departments/IT/scorecard?quarter=2026Q1%00")
    assert response.status_code == 400
    assert response.get_json()["field"] == "quarter"


def test_needs_an_api_key(client, api_org: Org) -> None:
    response = client.get("/api/v1/departments/IT/scorecard")
    assert response.status_code == 401


def test_documented_in_openapi(client) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/departments/{code}/scorecard"]["get"]
    assert set(operation["responses"]) == {"200", "400", "401", "403", "404", "429"}
    assert "Scorecard" in document["components"]["schemas"]


def test_p_values_are_printed_as_the_csv_prints_them() -> None:
    """A change's adjusted p-value, in the API as in the CSV: four decimals, not the rank
    test's every digit."""
    from analysis.scorecard_results import ChangeFlag
    from survey.scorecards.services.scorecard_export import flag_json

    flag = ChangeFlag("IT", "IT", "2026Q2", "2026Q1", 60.0, 70.0, 10.0, 0.0123456789, ("R",))
    printed = flag_json(flag)
    assert printed is not None and printed["p_adjusted"] == 0.0123
