"""Why an ISQ is hidden, as every channel says it: true, and no more telling than before.

An ISQ is shown only when T or R is. When neither is, its reason used to be "fewer than k
respondents" whatever hid them, so a department with seven satisfied-or-not customers (T is
never shown under 2k people) or six customers who all gave top marks (R hidden as certain)
was said to have fewer than five: the department page contradicted its own component rows.

The reason is now ``withheld``: "too few respondents, or answers too alike". It is the same for
every department with answers whose ISQ is hidden, as "below k" was, so the overview (open to
every signed-in reader) tells a reader of another department exactly as much as before: not
whether a hidden department had few customers or customers who answered alike.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient

from analysis.scorecard import CERTAIN, ONE_SIDED, WITHHELD
from survey.scorecards.services.scorecards import BELOW_K, Settings
from tests.scorecards.conftest import Org, api_get, load_models

Q = "2026Q1"
LATER = datetime(2027, 1, 1, tzinfo=UTC)


@pytest.fixture
def hidden_org(org: Org) -> Org:
    """Three departments whose ISQ is hidden for different reasons, and one shown:

    - HR: seven people after a request, six satisfied (T one-sided: under 2k), no R;
    - FIN: six people in the quarterly survey, every one rating 5 (R certain), no T;
    - OPS: three people after a request (T below k), no R;
    - IT: shown (T over 12 people, six on each side; R over six people).
    """
    org.post_interaction("HR", "SALES", Q, [5, 5, 4, 5, 4, 5, 1])
    org.quarterly("FIN", "SALES", Q, [5, 5, 5, 5, 5, 5])
    org.post_interaction("OPS", "SALES", Q, [4, 2, 5])
    org.post_interaction("IT", "SALES", Q, [5, 4, 5, 4, 5, 4, 1, 2, 1, 2, 3, 2])
    org.quarterly("IT", "ENG", Q, [4, 3, 4, 2, 3, 4])
    return org


def _rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.mark.postgres
def test_the_model_gives_a_hidden_isq_its_true_reason(hidden_org: Org, backend: str) -> None:
    model = load_models(hidden_org.session, [Q], Settings(), LATER)[Q]
    scores = {code: model.scores[hidden_org.id(code)] for code in ("HR", "FIN", "OPS", "IT")}
    assert scores["IT"].isq.shown
    # What hides each component is its own; the ISQ says only that neither could be shown.
    # Nobody in a survey kind reads as fewer than k (``BELOW_K``): "no data" would tell that
    # none of a department's few requesters answered.
    assert (scores["HR"].components["T"].reason, scores["HR"].components["R"].reason) == (
        ONE_SIDED,
        BELOW_K,
    )
    assert (scores["FIN"].components["T"].reason, scores["FIN"].components["R"].reason) == (
        BELOW_K,
        CERTAIN,
    )
    assert scores["OPS"].components["T"].reason == BELOW_K
    for code in ("HR", "FIN", "OPS"):
        assert not scores[code].isq.shown and scores[code].isq.value is None, code
        assert scores[code].isq.reason == WITHHELD, code
    assert scores["HR"].respondents == 7 and scores["FIN"].respondents == 6


def test_the_department_page_and_csv_no_longer_contradict_their_components(
    admin_client: FlaskClient, hidden_org: Org
) -> None:
    """HR has seven respondents: its ISQ must not be said to have fewer than five."""
    rows = _rows(admin_client.get(f"/scorecards/HR.csv?quarter={Q}").get_data())
    isq = next(r for r in rows if r[:2] == ["headline", "ISQ"])
    t = next(r for r in rows if r[0] == "component" and r[1].endswith("(T)"))
    assert isq[3:7] == ["", "", "", ""]
    assert "fewer than" not in isq[7] and "too alike" in isq[7], isq
    assert "each side" in t[7], t
    page = admin_client.get(f"/scorecards/HR?quarter={Q}").get_data(as_text=True)
    assert "too alike" in page
    # "Fewer than 5" where it is true: R, which nobody gave HR (the quarterly survey).
    r = next(r for r in rows if r[0] == "component" and r[1].endswith("(R)"))
    assert "fewer than 5" in r[7], r


def test_the_api_names_the_reason(client: FlaskClient, hidden_org: Org) -> None:
    for code in ("HR", "FIN", "OPS"):
        body = api_get(client, hidden_org, f"/api/v1/departments/{code}/scorecard?quarter={Q}")
        assert body.status_code == 200
        data = body.get_json()
        assert data["isq"]["value"] is None and data["isq"]["reason"] == WITHHELD, code
        assert data["iq"]["value"] is None, code


def test_the_overview_tells_no_more_than_that_a_department_is_hidden(
    admin_client: FlaskClient, hidden_org: Org
) -> None:
    """The attack: a reader of the overview compares the reasons given for the hidden
    departments. Seven people of whom one side is small, six who all gave top marks and
    three people must read alike, so that "hidden" never says "they answered alike"."""
    rows = _rows(admin_client.get(f"/scorecards/overview.csv?quarter={Q}").get_data())
    hidden = {row[1].split(" ")[0]: row for row in rows if row[0] == "department not shown"}
    assert {"HR", "FIN", "OPS"} <= set(hidden)
    notes = {hidden[code][7] for code in ("HR", "FIN", "OPS")}
    assert len(notes) == 1, notes
    (note,) = notes
    assert "fewer than" not in note and "each side" not in note and "end of the" not in note
    page = admin_client.get(f"/scorecards/?quarter={Q}").get_data(as_text=True)
    assert "each side" not in page and "end of the scale" not in page
