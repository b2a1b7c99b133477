"""What to work on: key drivers per department, their gates, the page section and the API.

Answers go in through the real store (``bulk_store_responses``); the overall answer is drawn
from a known truth in which responsiveness moves overall satisfaction most.
"""

from __future__ import annotations

import random
import secrets
from typing import Any

import pytest

from survey.respond.services.responses import ResponseInput, bulk_store_responses
from survey.scorecards.services.scorecard_data import score_versions
from survey.scorecards.services.scorecard_priorities import (
    DEPARTMENT,
    DRIVER_MIN_PEOPLE,
    NO_MEANS,
    ORGANISATION,
    TOO_FEW,
    department_priorities,
    organisation_drivers,
    priorities_json,
)
from survey.scorecards.services.scorecards import Settings, build_scorecard
from tests.scorecards.conftest import DIMENSIONS, Org, _week, api_get

Q = "2026Q1"


def _likert(value: float) -> int:
    return max(1, min(5, round(value)))


def answer(org: Org, provider: str, customer: str, people: int, seed: int, **fixed: int) -> None:
    """``people`` quarterly responses about ``provider``: every dimension shares a person's
    mood; the overall answer follows responsiveness closely, the rest little. ``fixed`` pins
    a dimension's answer for everyone (a constant column)."""
    rng = random.Random(seed)
    items = []
    for _ in range(people):
        mood = rng.gauss(0, 0.8)
        dims = {d: _likert(3 + mood + rng.gauss(0, 0.9)) for d in DIMENSIONS}
        dims.update(fixed)
        overall = _likert(
            3 + 0.9 * (dims["responsiveness"] - 3) + 0.15 * (dims["tools"] - 3) + rng.gauss(0, 0.5)
        )
        answers: dict[str, Any] = {**dims, "overall": overall}
        items.append(
            ResponseInput(
                kind="quarterly",
                provider_department_id=org.id(provider),
                customer_department_id=org.id(customer),
                quarter=Q,
                iso_week=_week(Q),
                answers=answers,
                respondent=f"test-{secrets.token_hex(8)}",
            )
        )
    bulk_store_responses(org.session, org.questionnaires, items)
    org.session.commit()


@pytest.fixture
def drivers_org(org: Org) -> Org:
    # IT: 40 people in SALES and 25 in FIN (shown), 3 in HR and 3 in OPS (hidden: below k;
    # together 6, so the remainder rule hides nothing more).
    answer(org, "IT", "SALES", 40, seed=1)
    answer(org, "IT", "FIN", 25, seed=2)
    answer(org, "IT", "HR", 3, seed=3)
    answer(org, "IT", "OPS", 3, seed=6)
    # ENG: 12 people of OPS, too few for its own drivers.
    answer(org, "ENG", "OPS", 12, seed=4)
    # FIN: 3 people, no dimension shown.
    answer(org, "FIN", "SALES", 3, seed=5)
    return org


def _priorities(org: Org, code: str) -> Any:
    card, _p = build_scorecard(org.session, org.departments[code], Q, Settings())
    return card, department_priorities(org.session, org.id(code), card)


@pytest.mark.postgres
def test_a_department_with_enough_people_gets_its_own_drivers(drivers_org: Org, backend) -> None:
    card, result = _priorities(drivers_org, "IT")
    assert result.basis == DEPARTMENT and result.reason is None
    # The people of HR and OPS (three each) are under k: no rows, and left out.
    assert {c.code for c in card.customers} == {"SALES", "FIN"}
    assert all(c.relationship.shown for c in card.customers)
    assert result.people == 65
    assert result.drivers[0].code == "responsiveness" and result.drivers[0].rank == 1
    assert sum(d.share for d in result.drivers) == pytest.approx(100, abs=3)
    top = result.drivers[0]
    assert top.low is not None and top.high is not None and top.low <= top.share <= top.high
    assert 1 <= len(result.items) <= 3
    assert result.items[0].code == "responsiveness"
    assert result.items[0].practice == "responsiveness"
    means = {d.code: d.value.value for d in card.dimensions}
    for item in result.items:
        assert item.mean == pytest.approx(means[item.code], abs=0.05)
    body = priorities_json(result)
    assert body["basis"] == "department" and body["people"] == 65
    assert [i["dimension"] for i in body["items"]] == [i.code for i in result.items]


@pytest.mark.postgres
def test_a_small_department_falls_back_to_the_organisation(drivers_org: Org, backend) -> None:
    card, result = _priorities(drivers_org, "ENG")
    assert result.basis == ORGANISATION
    # Pooled: IT's 65 shown rows and ENG's 12 (OPS is ENG's only customer, shown).
    assert result.people == 65 + 12
    assert result.items and result.items[0].code == "responsiveness"
    assert all(row.value.n == 12 for row in card.dimensions)


@pytest.mark.postgres
def test_no_shown_dimension_gives_no_priorities(drivers_org: Org, backend) -> None:
    _card, result = _priorities(drivers_org, "FIN")
    assert result.items == () and result.reason == NO_MEANS


def test_too_few_people_anywhere_gives_none(org: Org) -> None:
    answer(org, "IT", "SALES", DRIVER_MIN_PEOPLE - 1, seed=7)
    _card, result = _priorities(org, "IT")
    assert result.basis is None and result.reason == TOO_FEW and result.items == ()


def test_a_constant_overall_answer_gives_no_drivers(org: Org) -> None:
    org.quarterly("IT", "SALES", Q, [1, 2, 3, 4, 5] * 14)  # overall is always 3
    _card, result = _priorities(org, "IT")
    assert result.reason == TOO_FEW
    versions = score_versions(org.session)
    assert organisation_drivers(org.session, Q, 5, versions) is None


def test_the_section_on_the_page_in_english_and_italian(
    drivers_org: Org, admin_client: Any
) -> None:
    page = admin_client.get(f"/scorecards/IT?quarter={Q}").get_data(as_text=True)
    assert 'id="priorities-heading">What to work on' in page
    section = page.split('id="priorities-heading"', 1)[1].split("</section>", 1)[0]
    assert "<h3>Responsiveness</h3>" in section
    assert "Your customers weigh it most in their overall satisfaction." in section
    assert "Practice: Responsiveness" in section
    assert "Acknowledge every request the day it arrives" in section  # a tip of the quiz
    assert "From the quarterly answers of 65 people" in section
    italian = admin_client.get(f"/scorecards/IT?quarter={Q}&lang=it").get_data(as_text=True)
    section = italian.split('id="priorities-heading"', 1)[1].split("</section>", 1)[0]
    assert "Reattività" in section
    assert "Confermi ogni richiesta il giorno stesso" in section
    assert "What to work on" not in italian
    eng = admin_client.get(f"/scorecards/ENG?quarter={Q}&lang=fr").get_data(as_text=True)
    section = eng.split('id="priorities-heading"', 1)[1].split("</section>", 1)[0]
    assert "Réactivité" in section and "(77 " in section


@pytest.mark.postgres
def test_the_api_serves_the_priorities(client: Any, drivers_org: Org, backend) -> None:
    body = api_get(client, drivers_org, f"/api/v1/departments/IT/scorecard?quarter={Q}")
    data = body.get_json()
    assert data["priorities"]["basis"] == "department"
    assert data["priorities"]["items"][0]["dimension"] == "responsiveness"
    assert data["priorities"]["items"][0]["practice"] == "responsiveness"
    assert data["priorities"]["drivers"][0]["rank"] == 1
    small = api_get(client, drivers_org, f"/api/v1/departments/FIN/scorecard?quarter={Q}")
    assert small.get_json()["priorities"]["reason"] == NO_MEANS
    document = client.get("/api/v1/openapi.json").get_json()
    schema = document["components"]["schemas"]
    assert "priorities" in schema["Scorecard"]["required"]
    assert set(schema["Priorities"]["properties"]) == set(data["priorities"])


def test_hidden_cells_do_not_reach_the_drivers(org: Org) -> None:
    """Twin providers: IT and ENG get the same answers from their shown customer cells
    (SALES, FIN), and the same answers from their hidden cells taken together, but swapped
    between the two hidden departments (every total the same, only hidden cells differ).
    They must publish the same priorities. Control: the rows of the hidden cells do differ
    between the two, and drivers computed with them would too."""
    from analysis.drivers import key_drivers
    from survey.scorecards.services.scorecard_priorities import quarterly_rows

    for provider, (hr_seed, ops_seed) in (("IT", (3, 6)), ("ENG", (6, 3))):
        answer(org, provider, "SALES", 40, seed=1)
        answer(org, provider, "FIN", 25, seed=2)
        answer(org, provider, "HR", 3, seed=hr_seed)
        answer(org, provider, "OPS", 3, seed=ops_seed)
    results = {code: priorities_json(_priorities(org, code)[1]) for code in ("IT", "ENG")}
    assert results["IT"]["basis"] == "department"
    assert results["IT"] == results["ENG"]

    def everyone(code: str) -> Any:
        rows = quarterly_rows(org.session, Q, [org.id(code)])
        x = [[a.get(d) for d in DIMENSIONS] for _p, _c, a in rows]
        return key_drivers(DIMENSIONS, x, [a.get("overall") for _p, _c, a in rows])

    hidden = {org.id("HR"), org.id("OPS")}
    it_rows = [r for r in quarterly_rows(org.session, Q, [org.id("IT")]) if r[1] in hidden]
    eng_rows = [r for r in quarterly_rows(org.session, Q, [org.id("ENG")]) if r[1] in hidden]
    assert it_rows != eng_rows
    assert everyone("IT") != everyone("ENG")


def test_the_analysis_runs_once_per_change(
    drivers_org: Org, admin_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The drivers' bootstrap is memoised under the rows read (kept per quarter version):
    views of an unchanged quarter run it once; a new answer gives new rows, and it runs
    again, on them."""
    from survey.scorecards.services import scorecard_priorities

    runs: list[int] = []
    honest = scorecard_priorities.key_drivers

    def counted(codes, x, y, **kwargs):  # type: ignore[no-untyped-def]
        runs.append(len(x))
        return honest(codes, x, y, **kwargs)

    monkeypatch.setattr(scorecard_priorities, "key_drivers", counted)
    for _ in range(3):
        assert admin_client.get(f"/scorecards/IT?quarter={Q}").status_code == 200
    assert len(runs) == 1
    answer(drivers_org, "IT", "SALES", 5, seed=11)
    assert admin_client.get(f"/scorecards/IT?quarter={Q}").status_code == 200
    assert len(runs) == 2 and runs[1] == runs[0] + 5


def test_one_hidden_answer_does_not_switch_the_drivers(client: Any, org: Org) -> None:
    """Twin providers: IT and ENG get the same 40 answers from SALES (shown), everyone rating
    tools 5, except that one person rates ENG's tools 4. Both tools figures are hidden (at
    the top of the scale: ``certain``), so whether that one person gave 4 or 5 is hidden.
    The drivers must not tell it: the constant tools column once made IT's own analysis
    degenerate (falling back to the organisation's) while ENG had its own, so the basis told
    that every customer of IT rated tools exactly 5. Both APIs must publish the same
    priorities."""
    for provider, last in (("IT", 5), ("ENG", 4)):
        answer(org, provider, "SALES", 39, seed=1, tools=5)
        answer(org, provider, "SALES", 1, seed=9, tools=last)
    bodies = {}
    for code in ("IT", "ENG"):
        card, _result = _priorities(org, code)
        tools = next(row for row in card.dimensions if row.code == "tools")
        assert not tools.value.shown, code
        served = api_get(client, org, f"/api/v1/departments/{code}/scorecard?quarter={Q}")
        bodies[code] = served.get_json()["priorities"]
    assert bodies["IT"] == bodies["ENG"]
