"""The perception gap practice by practice: each dimension the customers rate beside the quiz
practice that teaches it, on the page, in the API and in the CSV, behind the same gates.

Customers' answers go in through the real store (``bulk_store_responses``), the members' quiz
attempts through the quiz's own service (``start_attempt`` with a ``Member``). The expected
self-view of each practice is read back from the stored attempts, not recomputed by the
code under test.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from analysis.priorities import DIMENSION_PRACTICES
from survey.models import QuizAttempt
from survey.quiz.items import install_quiz
from survey.quiz.services import Member, item_keys, live_items, start_attempt
from tests.factories import best_answer, worst_answer
from tests.pdf_text import page_texts
from tests.scorecards.conftest import DIMENSIONS, Org, api_get

Q = "2026Q3"  # ended: a self-view is published only for an ended quarter
DAY = date(2026, 8, 10)


def _members_take_the_quiz(app: Flask, org: Org, department: str, members: int) -> None:
    """``members`` members of ``department`` take the quiz in ``Q``, each with a different
    mix of best and worst answers (so that no practice sits at an end of the scale)."""
    quiz = install_quiz(org.session)
    org.session.commit()
    keys = item_keys(live_items(quiz))
    with app.app_context():
        for m in range(members):
            answers = {
                k.code: best_answer(k) if (i + m) % 3 else worst_answer(k)
                for i, k in enumerate(keys)
            }
            start_attempt(
                org.session,
                quiz,
                answers,
                member=Member(f"person:{m}", org.id(department)),
                today=DAY,
            )
        org.session.commit()


def _stored_practice_means(org: Org, department: str) -> dict[str, float]:
    scores = org.session.scalars(
        select(QuizAttempt.scores).where(
            QuizAttempt.department_id == org.id(department), QuizAttempt.member_key.is_not(None)
        )
    ).all()
    practices = [s["practices"] for s in scores]
    return {p: sum(float(x[p]) for x in practices) / len(practices) for p in practices[0]}


@pytest.fixture
def rated_it(app: Flask, org: Org) -> Org:
    """IT rated by twelve Sales people on every dimension (50 on three, 75 on two), and five
    IT members' quiz attempts."""
    ratings = [{d: (2, 3, 2, 3, 2)[j] + i % 3 for j, d in enumerate(DIMENSIONS)} for i in range(12)]
    org.quarterly("IT", "SALES", Q, ratings)
    _members_take_the_quiz(app, org, "IT", 5)
    return org


def test_the_api_compares_each_dimension_with_its_practice(client: Any, rated_it: Org) -> None:
    body = api_get(client, rated_it, f"/api/v1/departments/IT/scorecard?quarter={Q}").get_json()
    gap = body["perception_gap"]
    assert gap["self_view"]["value"] is not None and gap["self_view"]["n"] == 5
    rows = {row["dimension"]: row for row in gap["practices"]}
    assert list(rows) == list(DIMENSIONS)
    expected = _stored_practice_means(rated_it, "IT")
    dimensions = {d["code"]: d["value"] for d in body["dimensions"]}
    for dimension, row in rows.items():
        practice = DIMENSION_PRACTICES[dimension]
        assert row["practice"] == practice
        assert row["self_view"]["value"] == pytest.approx(expected[practice], abs=0.01)
        assert row["self_view"]["n"] == 5
        assert row["customer_view"] == dimensions[dimension]  # the page's dimension figure
        gap_value = expected[practice] - dimensions[dimension]["value"]
        assert row["gap"] == pytest.approx(gap_value, abs=0.02)
        assert row["label"] == (
            "overestimate"
            if row["gap"] >= 5
            else "hidden_strength"
            if row["gap"] <= -5
            else "aligned"
        )


def test_the_page_and_the_csv_show_the_rows(admin_client: Any, rated_it: Org) -> None:
    page = admin_client.get(f"/scorecards/IT?quarter={Q}").get_data(as_text=True)
    section = page.split('id="gap-heading"', 1)[1].split("</section>", 1)[0]
    assert "Practice by practice" in section
    assert section.count('<tr><th scope="row">') == len(DIMENSIONS)
    assert "Tools and information" in section  # the dimension's name
    assert "Communication and clarity" in section  # the practice's name, from the quiz
    italian = admin_client.get(f"/scorecards/IT?quarter={Q}&lang=it").get_data(as_text=True)
    assert "Pratica per pratica" in italian
    rows = list(
        csv.DictReader(
            io.StringIO(
                admin_client.get(f"/scorecards/IT.csv?quarter={Q}")
                .get_data(as_text=True)
                .lstrip("\ufeff")
            )
        )
    )
    sections = {row["section"] for row in rows}
    assert {f"perception gap: {d}" for d in DIMENSIONS} <= sections
    standards = [r for r in rows if r["item"] == "self view (standards)"]
    expected = _stored_practice_means(rated_it, "IT")["standards"]
    assert len(standards) == 1 and float(standards[0]["value"]) == pytest.approx(expected, abs=0.01)
    pdf = admin_client.get(f"/scorecards/IT.pdf?quarter={Q}&lang=en")
    assert pdf.status_code == 200
    text = " ".join(page_texts(pdf.data))
    section = " ".join(text.split("Self-view and customers' view", 1)[1].split())
    assert "The team's own view (quiz):" in section
    assert "Tools and information" in section and "Courtesy" in section


def test_no_rows_under_k_members(client: Any, app: Flask, org: Org) -> None:
    org.quarterly("IT", "SALES", Q, [{d: 2 + i % 4 for d in DIMENSIONS} for i in range(12)])
    _members_take_the_quiz(app, org, "IT", 4)
    body = api_get(client, org, f"/api/v1/departments/IT/scorecard?quarter={Q}").get_json()
    gap = body["perception_gap"]
    assert gap["self_view"] == {
        "value": None,
        "low": None,
        "high": None,
        "n": None,
        "reason": "below_k",
    }
    assert gap["practices"] == []
