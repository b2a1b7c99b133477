"""The anonymity rules of the scorecards that an insider would try: people counted (not
responses), inactive customer departments kept in the remainder, shares that are all of one
outcome, and quarters shown only once released."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from survey.models import Campaign, RespondentMark, ScoreCell
from survey.pseudonyms import DEVELOPMENT_KEY, pseudonym
from survey.scorecards.services.scorecards import (
    BELOW_K,
    REMAINDER,
    Settings,
    build_overview,
    build_scorecard,
)
from tests.factories import store_response
from tests.scorecards.conftest import Org, _week, load_models

Q = "2026Q1"
LATER = datetime(2027, 1, 1, tzinfo=UTC)


def _answer(org: Org, provider: str, customer: str, person: int, overall: int, q: str = Q) -> None:
    """A post-interaction answer of ``person`` (an id: only its pseudonym is kept)."""
    store_response(
        org.session,
        kind="post_interaction",
        questionnaire=org.questionnaires["post_interaction"],
        provider_department_id=org.id(provider),
        customer_department_id=org.id(customer),
        quarter=q,
        iso_week=_week(q),
        answers={"overall": overall},
        respondent=pseudonym(DEVELOPMENT_KEY, person, org.id(provider), q),
    )


def _cell(org: Org, provider: str, customer: str, metric: str) -> ScoreCell | None:
    return org.session.scalar(
        select(ScoreCell).where(
            ScoreCell.provider_department_id == org.id(provider),
            ScoreCell.customer_department_id == org.id(customer),
            ScoreCell.quarter == Q,
            ScoreCell.metric == metric,
        )
    )


@pytest.mark.postgres
def test_one_person_answering_five_times_is_one_respondent(org: Org, backend) -> None:
    for overall in (1, 1, 1, 1, 5):
        _answer(org, "IT", "SALES", person=7, overall=overall)
    org.session.commit()
    t = _cell(org, "IT", "SALES", "T")
    assert t is not None and t.n == 1
    assert t.total == pytest.approx(20.0)  # the person's share of satisfied answers: 1 in 5
    assert _cell(org, "IT", "SALES", "people").n == 1
    assert _cell(org, "IT", "SALES", "pi.n").n == 5  # responses are still counted as such
    # The marks hold no person: one row under a pseudonym that is not the person's id.
    marks = org.session.scalars(select(RespondentMark)).all()
    assert len(marks) == 1 and marks[0].pseudonym != "7" and marks[0].t_count == 5
    # One person alone releases nothing: the quarter reads as one without answers.
    assert load_models(org.session, [Q], Settings(), LATER)[Q].scores == {}
    for person in range(20, 25):  # five people about HR release the quarter
        _answer(org, "HR", "ENG", person=person, overall=4)
    org.session.commit()
    model = load_models(org.session, [Q], Settings(), LATER)[Q]
    score = model.scores[org.id("IT")]
    assert score.components["T"].reason == BELOW_K
    assert score.respondents == 1


@pytest.mark.postgres
def test_five_people_weigh_one_each_however_often_they_answer(org: Org, backend) -> None:
    _answer(org, "IT", "SALES", person=1, overall=5)
    for _ in range(9):  # a talkative unhappy person
        _answer(org, "IT", "SALES", person=2, overall=1)
    for person, overall in zip(range(3, 11), (5, 4, 2, 5, 1, 4, 2, 1), strict=True):
        _answer(org, "IT", "SALES", person=person, overall=overall)
    org.session.commit()
    model = load_models(org.session, [Q], Settings(), LATER)[Q]
    t = model.scores[org.id("IT")].components["T"]
    # 5 of 10 people (a share needs k people on each side), not 5 of 18 answers.
    assert t.n == 10 and t.raw == pytest.approx(50.0)


def test_a_deactivated_customer_stays_in_the_remainder(org: Org) -> None:
    org.quarterly("IT", "SALES", Q, [4, 4, 4, 5, 5, 3])  # 6 people
    org.quarterly("IT", "ENG", Q, [4, 4, 4, 5, 5])  # 5 people
    org.quarterly("IT", "OPS", Q, [1, 2, 1, 1])  # 4 people: below k
    org.departments["OPS"].active = False
    org.session.commit()
    result, _p = build_scorecard(org.session, org.departments["IT"], Q, Settings(), now=LATER)
    rows = {c.code: c for c in result.customers}
    assert "OPS" not in rows
    # Both visible rows and the department's R would give OPS's mean by subtraction.
    hidden = [code for code in ("SALES", "ENG") if not rows[code].relationship.shown]
    assert hidden and rows[hidden[0]].relationship.reason == REMAINDER
    overview, _p = build_overview(org.session, Q, Settings(), now=LATER)
    heat = overview.heatmap
    row = heat.values[[code for code, _n in heat.providers].index("IT")]
    assert sum(v is not None for v in row) <= 1


def test_a_hidden_remainder_of_one_outcome_hides_another_row(org: Org) -> None:
    org.post_interaction("IT", "SALES", Q, [5, 4, 2, 5, 1, 5, 4, 3, 2, 5, 1, 4])  # 7 of 12
    org.post_interaction("IT", "ENG", Q, [5, 4, 4, 5, 1, 2, 4, 3, 2, 5, 1])  # 6 of 11
    org.post_interaction("IT", "OPS", Q, [1, 2, 1])  # 3 people, all dissatisfied
    result, _p = build_scorecard(org.session, org.departments["IT"], Q, Settings(), now=LATER)
    rows = {c.code: c.satisfaction for c in result.customers}
    assert "OPS" not in rows  # under k in every column: no row, counted in the remainder
    # With both big rows shown, the rest (OPS) would be 0 of 3: one-sided. One more is hidden.
    assert sum(rows[code].shown for code in ("SALES", "ENG")) == 1
    assert result.components[0].shown  # 13 of 26 overall: k people on each side


def test_a_row_of_one_outcome_is_hidden(org: Org) -> None:
    org.post_interaction("IT", "SALES", Q, [5, 4, 2, 5, 1, 5, 4, 3, 2, 5, 1, 4])  # 7 of 12
    org.post_interaction("IT", "ENG", Q, [1, 1, 2, 1, 2])  # all dissatisfied
    result, _p = build_scorecard(org.session, org.departments["IT"], Q, Settings(), now=LATER)
    rows = {c.code: c.satisfaction for c in result.customers}
    assert not rows["ENG"].shown and not rows["SALES"].shown


def test_the_quarter_in_progress_is_never_shown(org: Org) -> None:
    now = datetime(2026, 2, 15, tzinfo=UTC)  # inside Q
    org.quarterly("IT", "SALES", Q, [4, 4, 4, 5, 5, 3])
    result, _p = build_scorecard(org.session, org.departments["IT"], Q, Settings(), now=now)
    assert result.quarter == Q
    assert not result.components[1].shown and result.customers == ()
    overview, _p = build_overview(org.session, Q, Settings(), now=now)
    assert overview.ranking == () and overview.heatmap.values == ()


def test_a_quarter_with_an_open_campaign_waits_for_its_close(org: Org) -> None:
    org.quarterly("IT", "SALES", Q, [4, 4, 4, 5, 5, 3])
    campaign = Campaign(
        name="Q1",
        quarter=Q,
        opens_at=LATER - timedelta(days=60),
        closes_at=LATER + timedelta(days=10),
        status="open",
    )
    org.session.add(campaign)
    org.session.commit()
    before, _p = build_scorecard(org.session, org.departments["IT"], Q, Settings(), now=LATER)
    assert not before.components[1].shown
    org.quarterly("IT", "SALES", Q, [1])  # one more person: nothing moves
    again, _p = build_scorecard(org.session, org.departments["IT"], Q, Settings(), now=LATER)
    assert again.components == before.components
    campaign.status = "closed"
    org.session.commit()
    after, _p = build_scorecard(org.session, org.departments["IT"], Q, Settings(), now=LATER)
    assert after.components[1].shown and after.components[1].n == 7
