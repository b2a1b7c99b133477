"""``score_totals`` is the score cells added up per provider, quarter and metric, and
``score_versions`` a version and a response count per quarter, both kept by database triggers
whichever code writes the cells (migration 0004)."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from survey.models import ScoreCell, ScoreTotal, ScoreVersion
from survey.scorecards.services.scorecard_data import score_versions
from tests.factories import store_response
from tests.scorecards.conftest import Org, _week

Q = "2026Q1"


def _cells_added_up(session: Session) -> dict[tuple[str, str, int], tuple[int, float, float]]:
    rows = session.execute(
        select(
            ScoreCell.metric,
            ScoreCell.quarter,
            ScoreCell.provider_department_id,
            func.sum(ScoreCell.n),
            func.sum(ScoreCell.total),
            func.sum(ScoreCell.total_sq),
        ).group_by(ScoreCell.metric, ScoreCell.quarter, ScoreCell.provider_department_id)
    )
    return {(m, q, p): (int(n), float(t), float(sq)) for m, q, p, n, t, sq in rows}


def _totals(session: Session) -> dict[tuple[str, str, int], tuple[int, float, float]]:
    rows = session.execute(
        select(
            ScoreTotal.metric,
            ScoreTotal.quarter,
            ScoreTotal.provider_department_id,
            ScoreTotal.n,
            ScoreTotal.total,
            ScoreTotal.total_sq,
        ).where(ScoreTotal.n != 0)
    )
    return {(m, q, p): (int(n), float(t), float(sq)) for m, q, p, n, t, sq in rows}


def _assert_same(session: Session) -> None:
    responses = dict(
        session.execute(
            select(ScoreCell.quarter, func.sum(ScoreCell.n))
            .where(ScoreCell.metric.in_(("pi.n", "q.n")))
            .group_by(ScoreCell.quarter)
        ).all()
    )
    versions = {
        q: r for q, r in session.execute(select(ScoreVersion.quarter, ScoreVersion.responses))
    }
    assert {q: r for q, r in versions.items() if r} == responses
    expected, got = _cells_added_up(session), _totals(session)
    assert set(got) == set(expected)
    for key, (n, total, total_sq) in expected.items():
        assert got[key][0] == n, key
        assert got[key][1] == pytest.approx(total), key
        assert got[key][2] == pytest.approx(total_sq), key


@pytest.mark.postgres
def test_totals_follow_both_ways_of_storing_answers(org: Org, backend) -> None:
    org.quarterly("IT", "SALES", Q, [4, 5, 3, 4, 2])  # many at once: the bulk path
    org.quarterly("IT", "ENG", Q, [1, 2])
    org.post_interaction("HR", "SALES", Q, [5, 4, 1])
    for value in (3, 4, 5):  # one at a time, as respondents submit: the concurrent path
        store_response(
            org.session,
            kind="post_interaction",
            questionnaire=org.questionnaires["post_interaction"],
            provider_department_id=org.id("IT"),
            customer_department_id=org.id("SALES"),
            quarter=Q,
            iso_week=_week(Q),
            answers={"overall": value},
        )
    org.session.commit()
    _assert_same(org.session)
    totals = _totals(org.session)
    assert totals[("q.n", Q, org.id("IT"))][0] == 7  # both customers
    assert totals[("pi.n", Q, org.id("IT"))][0] == 3
    assert totals[("T", Q, org.id("HR"))][1] == 200.0  # two of three satisfied, x 100


@pytest.mark.postgres
def test_totals_follow_changed_moved_and_deleted_cells(org: Org, backend) -> None:
    org.quarterly("IT", "SALES", Q, [4, 5, 3, 4, 2])
    org.quarterly("IT", "ENG", Q, [1, 2, 3])
    session = org.session
    it, sales = org.id("IT"), org.id("SALES")
    cell = (
        (ScoreCell.provider_department_id == it)
        & (ScoreCell.customer_department_id == sales)
        & (ScoreCell.quarter == Q)
    )
    session.execute(
        update(ScoreCell).where(cell, ScoreCell.metric == "R").values(n=ScoreCell.n + 1)
    )
    session.execute(
        update(ScoreCell).where(cell, ScoreCell.metric == "q.n").values(quarter="2026Q2")
    )
    before = score_versions(session)
    session.execute(delete(ScoreCell).where(cell, ScoreCell.metric == "q.overall"))
    session.commit()
    _assert_same(session)
    assert score_versions(session).of(Q) > before.of(Q)  # any change to a cell counts


def test_versions_change_with_every_answer(org: Org) -> None:
    org.quarterly("IT", "SALES", Q, [4, 4, 4, 4, 4])
    first = score_versions(org.session)
    assert first.quarters == (Q,)
    org.post_interaction("HR", "SALES", "2026Q2", [5])
    second = score_versions(org.session)
    assert second.quarters == (Q,)  # one person releases nothing: fewer than k
    assert second.of("2026Q2") > 0
    assert second.of(Q) == first.of(Q)  # another quarter's answer leaves this one alone
    org.quarterly("IT", "ENG", Q, [3])
    assert score_versions(org.session).of(Q) != first.of(Q)
