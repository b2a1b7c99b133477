"""A department's summary: the IQ in words, the weakest part, the customer rating it lowest
(shown rows only), the flagged change, hidden when the IQ is hidden, on the page (first) and
in the API, in the reader's language."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import pytest

from survey.scorecards.services.scorecard_summary import summarise, summary_json, summary_texts
from survey.scorecards.services.scorecards import (
    BELOW_K,
    NO_BASELINE,
    REMAINDER,
    ChangeFlag,
    Compliance,
    Component,
    CustomerRow,
    DimensionRow,
    Gated,
    IqFigure,
    PerceptionGap,
    Scorecard,
    Settings,
    TrendMarker,
)
from tests.scorecards.conftest import Org, api_get

Q = "2026Q1"


def _card(**changes: Any) -> Scorecard:
    """A scorecard with an IQ of 121 [112–130], T 70 (organisation 65), R 60 (organisation 66),
    no C, two dimensions and three customer rows, one of them hidden."""
    card = Scorecard(
        change_status="not_significant",
        code="IT",
        name="Information Technology",
        quarter=Q,
        quarters=("2025Q4", Q),
        settings=Settings(),
        baseline=None,
        isq=Gated(80.0, 75.0, 85.0, 40),
        iq=IqFigure(121.0, 112.0, 130.0),
        components=(
            Component("T", 30, 72.0, 70.0, 64.0, 76.0),
            Component("R", 25, 58.0, 60.0, 55.0, 65.0),
            Component("C", 0, None, None, None, None, BELOW_K),
        ),
        org_components={"T": 65.0, "R": 66.0, "C": 80.0},
        org_isq=70.0,
        trend=(),
        trend_marker=None,
        flag=None,
        dimensions=(
            DimensionRow("reliability", Gated(64.0, 60.0, 68.0, 25), 62.0),
            DimensionRow("responsiveness", Gated(50.0, 44.0, 56.0, 25), 63.0),
        ),
        customers=(
            CustomerRow("ENG", "Engineering", Gated(58.0, 50.0, 66.0, 8), Gated.hidden(BELOW_K)),
            CustomerRow("FIN", "Finance", Gated.hidden(REMAINDER), Gated.hidden(REMAINDER)),
            CustomerRow("SALES", "Sales", Gated(61.0, 55.0, 67.0, 9), Gated(70.0, 60, 80, 9)),
        ),
        compliance=Compliance(Gated.hidden(BELOW_K), None, (), 0, None, None, None, BELOW_K),
        comments=(),
        comments_reason=None,
        responses=(),
        surveys_sent=0,
        response_rate=None,
        gap=PerceptionGap(Gated.hidden(BELOW_K), Gated.hidden(BELOW_K), None, None, 0, BELOW_K),
    )
    return replace(card, **changes)


@pytest.mark.parametrize(
    ("low", "high", "standing", "words"),
    [
        (112.0, 130.0, "above", "clearly above the organisation's baseline (100)"),
        (95.0, 130.0, "about", "about at the organisation's baseline (100)"),
        (70.0, 99.5, "below", "clearly below the organisation's baseline (100)"),
    ],
)
def test_headline_words_come_from_the_interval_against_100(
    app, low: float, high: float, standing: str, words: str
) -> None:
    summary = summarise(_card(iq=IqFigure(121.0 if standing != "below" else 85.0, low, high)))
    assert summary.standing == standing
    with app.test_request_context("/?lang=en"):
        headline = summary_texts(summary, 5, 10)["headline"]
    assert words in headline and headline.endswith(".")


def test_headline_names_the_trend_badge(app) -> None:
    card = _card(trend_marker=TrendMarker("rising", 0.01, 2.5, 6))
    with app.test_request_context("/?lang=en"):
        texts = summary_texts(summarise(card), 5, 10)
    assert texts["headline"] == (
        "121: clearly above the organisation's baseline (100), rising over the last 6 quarters."
    )


def test_weakest_part_is_the_one_furthest_below_the_organisation(app) -> None:
    summary = summarise(_card())
    # responsiveness 50 vs 63 (-13) is further below than R 60 vs 66 (-6); C is hidden.
    assert summary.weakest is not None
    assert (summary.weakest.kind, summary.weakest.key) == ("dimension", "responsiveness")
    assert summary.weakest.clearly  # its interval 44–56 lies below 63
    # A dimension is rated through the relationship score: Engineering (58) under Sales (61);
    # Finance, hidden, is never named or ranked.
    assert summary.lowest_customer is not None
    assert (summary.lowest_customer.code, summary.lowest_customer.metric) == (
        "ENG",
        "relationship",
    )
    with app.test_request_context("/?lang=en"):
        texts = summary_texts(summary, 5, 10)
    assert texts["weakest"] == (
        "Weakest part: Responsiveness, 50.0 against 63.0 for the organisation (clearly below it)."
    )
    assert "Engineering" in texts["customer"] and "Finance" not in str(texts)


def test_hidden_customer_rows_are_never_named(app) -> None:
    # T is the weakest part; only Sales shows a satisfaction figure: one shown row is no
    # comparison, and the hidden rows (ENG, FIN) must not stand in for it.
    card = _card(
        components=(
            Component("T", 30, 40.0, 41.0, 35.0, 47.0),
            Component("R", 25, 66.0, 66.0, 60.0, 72.0),
            Component("C", 0, None, None, None, None, BELOW_K),
        ),
        dimensions=(),
    )
    summary = summarise(card)
    assert summary.weakest is not None and summary.weakest.key == "T"
    assert summary.lowest_customer is None
    with app.test_request_context("/?lang=en"):
        texts = summary_texts(summary, 5, 10)
    assert "customer" not in texts
    assert not any(name in str(texts) for name in ("Engineering", "Finance", "Sales"))


def test_nothing_below_the_organisation_names_the_closest_part(app) -> None:
    card = _card(
        components=(
            Component("T", 30, 72.0, 70.0, 64.0, 76.0),
            Component("R", 25, 68.0, 67.0, 62.0, 72.0),
            Component("C", 0, None, None, None, None, BELOW_K),
        ),
        dimensions=(),
    )
    summary = summarise(card)
    assert summary.weakest is not None and summary.weakest.key == "R"
    with app.test_request_context("/?lang=en"):
        text = summary_texts(summary, 5, 10)["weakest"]
    assert text.startswith("No part of the score is below the organisation")


def test_change_is_only_the_flagged_one(app) -> None:
    with app.test_request_context("/?lang=en"):
        unflagged = summary_texts(summarise(_card()), 5, 10)["change"]
        flag = ChangeFlag("IT", "IT", Q, "2025Q4", 70.0, 78.5, 8.5, 0.01, ("T",))
        flagged = summary_texts(summarise(_card(flag=flag)), 5, 10)["change"]
        alone = summary_texts(summarise(_card(quarters=(Q,))), 5, 10)["change"]
    assert unflagged == "No significant change since 2025Q4."
    with app.test_request_context("/?lang=en"):
        small = summarise(_card(change_status="too_few_respondents"))
        untested = summary_texts(small, 5, 10)["change"]
    assert untested == "Too few respondents to test a change since 2025Q4."
    assert flagged == "Since 2025Q4: a significant improvement, ISQ 70.0 → 78.5."
    assert alone == "No earlier released quarter to compare with."


def test_hidden_iq_gives_no_summary_but_says_why(app) -> None:
    card = _card(iq=IqFigure.hidden(NO_BASELINE), isq=Gated.hidden(BELOW_K))
    summary = summarise(card)
    assert not summary.shown and summary.weakest is None and summary.lowest_customer is None
    with app.test_request_context("/?lang=en"):
        data = summary_json(summary, 5, 10)
    assert data["available"] is False and data["iq"] is None and data["weakest"] is None
    assert data["texts"]["headline"] == "Not enough answers yet for a summary of this quarter."
    assert set(data["texts"]) == {"headline", "detail"}


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("it", "Punto più debole: Reattività, 50,0 contro 63,0"),
        ("fr", "Point le plus faible : Réactivité, 50,0 contre 63,0"),
    ],
)
def test_summary_in_the_readers_language(app, lang: str, expected: str) -> None:
    with app.test_request_context(f"/?lang={lang}"):
        texts = summary_texts(summarise(_card()), 5, 10)
    assert texts["weakest"].startswith(expected), texts["weakest"]


# --- on the page and in the API (real database) ---


@pytest.fixture
def summary_org(org: Org) -> Org:
    """IT and FIN with enough answers for an IQ; HR under the gate."""
    org.post_interaction("IT", "SALES", Q, [4, 5, 5, 3, 4, 2])
    org.quarterly("IT", "SALES", Q, [4, 4, 5, 3, 4])
    org.post_interaction("FIN", "SALES", Q, [5, 5, 4, 2, 1, 3, 5])
    org.quarterly("FIN", "ENG", Q, [2, 3, 3, 2, 4, 3])
    org.post_interaction("HR", "SALES", Q, [1, 1, 5, 5])
    return org


def _squash(html: str) -> str:
    return re.sub(r"\s+", " ", html)


@pytest.mark.postgres
def test_page_starts_with_the_summary_and_folds_the_formula(
    admin_client, summary_org: Org, backend
) -> None:
    page = _squash(admin_client.get(f"/scorecards/IT?quarter={Q}").get_data(as_text=True))
    summary = page.index('<section class="summary"')
    assert summary < page.index('<section class="stats headline"')
    assert re.search(r"Summary</h2> <p class=\"summary-headline standing-\w+\">\d+: ", page)
    # The formula, weights and p-values sit in "How is this calculated?", after the detail.
    how = page.index('<details class="how-calculated"')
    assert page.index("IQ = 100 + 15 ×") > how > page.index('id="responses-heading"')
    assert "(p =" not in page[:how] and "adjusted p" not in page[:how]


@pytest.mark.postgres
def test_hidden_department_summary_says_not_enough_answers(
    admin_client, summary_org: Org, backend
) -> None:
    page = _squash(admin_client.get(f"/scorecards/HR?quarter={Q}").get_data(as_text=True))
    block = re.search(r'<section class="summary".*?</section>', page)
    assert block is not None
    assert "Not enough answers yet for a summary of this quarter." in block.group(0)
    assert "too few respondents, or answers too alike" in block.group(0)
    assert "50.0" not in block.group(0) and "Weakest" not in block.group(0)


@pytest.mark.postgres
def test_api_summary_matches_the_scorecard(client, summary_org: Org, backend) -> None:
    response = api_get(client, summary_org, f"/api/v1/departments/IT/scorecard?quarter={Q}")
    assert response.status_code == 200
    body = response.get_json()
    summary = body["summary"]
    assert summary["available"] is True and body["iq"]["value"] is not None
    assert summary["iq"] == round(body["iq"]["value"])
    assert summary["standing"] in ("above", "about", "below")
    assert summary["texts"]["headline"].startswith(f"{summary['iq']:.0f}: ")
    weakest = summary["weakest"]
    assert weakest is not None
    if weakest["kind"] == "component":
        assert body["components"][weakest["key"]]["value"] == weakest["value"]
    hidden = api_get(client, summary_org, f"/api/v1/departments/HR/scorecard?quarter={Q}")
    hr = hidden.get_json()["summary"]
    assert hr["available"] is False and hr["weakest"] is None and hr["lowest_customer"] is None
    assert hr["texts"]["headline"] == "Not enough answers yet for a summary of this quarter."


def test_overview_folds_the_formula_at_its_end(admin_client, summary_org: Org) -> None:
    page = _squash(admin_client.get(f"/scorecards/?quarter={Q}").get_data(as_text=True))
    how = page.index('<details class="how-calculated"')
    assert page.index("IQ = 100 + 15 ×") > how > page.index('id="movers-heading"')
