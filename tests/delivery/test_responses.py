"""Storing responses keeps the score aggregates exact, one at a time or in bulk."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey.models import Answer, Response, ScoreCell
from survey.respond.services.responses import ResponseInput, bulk_store_responses
from survey.services.questionnaires import install_default_questionnaires
from tests.factories import store_response

QUARTERLY = [
    {
        "reliability": 5,
        "responsiveness": 4,
        "competence": 3,
        "courtesy": 5,
        "tools": 1,
        "overall": 4,
    },
    {"reliability": 2, "overall": 2, "comment": "Slow answers"},
    {"overall": 5},
]
POST = [{"overall": 5, "on_time": 1}, {"overall": 3, "on_time": 0}, {"overall": 4, "effort": 2}]


def cells(session) -> dict[tuple[str, str], tuple[int, float, float]]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return {
        (c.quarter, c.metric): (c.n, round(c.total, 9), round(c.total_sq, 9))
        for c in session.scalars(select(ScoreCell))
    }


def store_one(session, questionnaires, item: ResponseInput, **changes) -> str:  # type: ignore[no-untyped-def]
    """``item`` stored as one submit stores it (``store_response``), ``changes`` applied."""
    fields = {
        "kind": item.kind,
        "questionnaire": questionnaires[item.kind],
        "provider_department_id": item.provider_department_id,
        "customer_department_id": item.customer_department_id,
        "quarter": item.quarter,
        "iso_week": item.iso_week,
        "answers": item.answers,
        "respondent": item.respondent,
    }
    return store_response(session, **(fields | changes))


def items(org) -> list[ResponseInput]:  # type: ignore[no-untyped-def]
    common = dict(provider_department_id=org.it.id, customer_department_id=org.sales.id)
    return [
        *(
            ResponseInput(
                kind="quarterly", quarter="2026Q1", iso_week="2026-W10", answers=a, **common
            )
            for a in QUARTERLY
        ),
        *(
            ResponseInput(
                kind="post_interaction", quarter="2026Q1", iso_week="2026-W11", answers=a, **common
            )
            for a in POST
        ),
    ]


@pytest.mark.postgres
def test_aggregates_match_hand_computed_values(session, org) -> None:
    questionnaires = install_default_questionnaires(session)
    for item in items(org):
        store_one(session, questionnaires, item)
    session.commit()
    got = cells(session)
    assert got[("2026Q1", "q.n")][0] == 3 and got[("2026Q1", "pi.n")][0] == 3
    assert got[("2026Q1", "q.overall")] == (3, 11.0, 45.0)
    assert got[("2026Q1", "q.comment")][0] == 1
    # R: respondent means of the dimensions answered, on 0..100 (respondent 3 gave none).
    r1 = (100 + 75 + 50 + 100 + 0) / 5
    r2 = 25.0
    assert got[("2026Q1", "R")] == (2, r1 + r2, round(r1**2 + r2**2, 9))
    # T: share of 4-5 among post-interaction overall answers, as 0/100 values.
    assert got[("2026Q1", "T")][:2] == (3, 200.0)
    assert got[("2026Q1", "pi.on_time")][:2] == (2, 1.0)
    assert session.scalar(select(Answer.text).where(Answer.text.is_not(None))) == "Slow answers"


def test_bulk_gives_the_same_aggregates_as_one_by_one(session, org) -> None:
    questionnaires = install_default_questionnaires(session)
    stored = bulk_store_responses(session, questionnaires, items(org))
    bulk_store_responses(session, questionnaires, items(org)[:2])  # adds to existing cells
    session.commit()
    assert stored == 6
    got = cells(session)
    assert got[("2026Q1", "q.n")][0] == 5
    assert got[("2026Q1", "q.overall")][:2] == (5, 17.0)
    ids = list(session.scalars(select(Response.id)))
    assert len(set(ids)) == 8 and all(len(i) == 32 for i in ids)


def test_bad_answers_are_refused(session, org) -> None:
    questionnaire = install_default_questionnaires(session)["post_interaction"]
    common = dict(
        kind="post_interaction",
        questionnaire=questionnaire,
        provider_department_id=org.it.id,
        customer_department_id=org.sales.id,
        quarter="2026Q1",
        iso_week="2026-W02",
    )
    with pytest.raises(ValueError, match="overall"):
        store_response(session, answers={"overall": 6}, **common)
    with pytest.raises(ValueError, match="no live question"):
        store_response(session, answers={"nonsense": 1}, **common)
    session.rollback()
    assert session.scalar(select(Response.id)) is None


@pytest.mark.postgres
def test_one_by_one_and_bulk_give_identical_cells(session, org) -> None:
    """The in-database upsert of a submit and the bulk path of the demo agree on every sum
    (each stored twice over: cells that exist and cells that do not)."""
    questionnaires = install_default_questionnaires(session)
    twice = items(org) + items(org)
    bulk_store_responses(session, questionnaires, twice)
    for item in twice:
        store_one(session, questionnaires, item, quarter="2026Q2")
    session.commit()
    got = cells(session)
    bulk = {metric: value for (quarter, metric), value in got.items() if quarter == "2026Q1"}
    single = {metric: value for (quarter, metric), value in got.items() if quarter == "2026Q2"}
    assert single == bulk
    assert single["q.overall"] == (6, 22.0, 90.0)


@pytest.mark.postgres
def test_two_quarterly_submits_sharing_a_provider_do_not_deadlock(app, session, org) -> None:
    """Two people of one department send quarterly surveys at once: the first rates IT then
    HR, the second HR then Engineering. Each store also raises the quarter's version row (a
    trigger), so without a fixed lock order the two transactions wait for each other. Both
    must commit, and HR's cells count both."""
    import threading

    from survey.db import database

    questionnaire = install_default_questionnaires(session)["quarterly"]
    session.commit()
    sessions = database(app).sessionmaker
    first_stored = threading.Event()
    errors: list[BaseException] = []

    def store(db, provider) -> None:  # type: ignore[no-untyped-def]
        store_response(
            db,
            kind="quarterly",
            questionnaire=questionnaire,
            provider_department_id=provider.id,
            customer_department_id=org.sales.id,
            quarter="2026Q2",
            iso_week="2026-W20",
            answers={"reliability": 4, "overall": 4},
        )

    def first() -> None:
        try:
            with sessions() as db:
                store(db, org.it)
                first_stored.set()
                threading.Event().wait(1.5)  # the second is now blocked inside its first store
                store(db, org.hr)
                db.commit()
        except BaseException as error:
            errors.append(error)
            first_stored.set()

    def second() -> None:
        try:
            first_stored.wait(10)
            with sessions() as db:
                store(db, org.hr)
                store(db, org.eng)
                db.commit()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    session.rollback()
    hr = session.scalar(
        select(ScoreCell.n).where(
            ScoreCell.provider_department_id == org.hr.id,
            ScoreCell.quarter == "2026Q2",
            ScoreCell.metric == "q.n",
        )
    )
    assert hr == 2


@pytest.mark.postgres
@pytest.mark.parametrize("path", ["one_by_one", "bulk"])
def test_a_person_who_moves_department_stays_in_the_first_one_for_the_quarter(
    session, org, path: str
) -> None:
    """One person (one pseudonym) answers about IT from Sales, moves to HR and answers again
    in the same quarter: one person in Sales, both responses filed there, nothing in HR. Their
    answer in the next quarter, from HR, counts in HR."""
    questionnaires = install_default_questionnaires(session)
    answers = [("2026Q1", org.sales.id, 5), ("2026Q1", org.hr.id, 1), ("2026Q2", org.hr.id, 4)]
    inputs = [
        ResponseInput(
            kind="post_interaction",
            provider_department_id=org.it.id,
            customer_department_id=customer,
            quarter=quarter,
            iso_week="2026-W10",
            answers={"overall": overall},
            respondent="mover" if quarter == "2026Q1" else "mover-q2",
        )
        for quarter, customer, overall in answers
    ]
    if path == "bulk":
        bulk_store_responses(session, questionnaires, inputs)
    else:
        for item in inputs:
            store_one(session, questionnaires, item)
    session.commit()
    session.expire_all()
    by_cell = {
        (c.quarter, c.customer_department_id, c.metric): (c.n, c.total)
        for c in session.scalars(select(ScoreCell))
    }
    assert by_cell[("2026Q1", org.sales.id, "people")] == (1, 1.0)
    assert by_cell[("2026Q1", org.sales.id, "pi.n")] == (2, 2.0)
    assert by_cell[("2026Q1", org.sales.id, "T")] == (1, 50.0)  # one person, (100 + 0) / 2
    assert not [key for key in by_cell if key[:2] == ("2026Q1", org.hr.id)]
    assert by_cell[("2026Q2", org.hr.id, "people")] == (1, 1.0)
    filed = session.execute(select(Response.quarter, Response.customer_department_id)).all()
    assert sorted(filed) == sorted(
        [("2026Q1", org.sales.id), ("2026Q1", org.sales.id), ("2026Q2", org.hr.id)]
    )


@pytest.mark.postgres
def test_bulk_loads_of_many_people_some_already_counted_match_one_submit_at_a_time(
    session, org
) -> None:
    """Two bulk loads, the second with people already counted by the first (one of them now
    answering from another department) among new ones, give the cells and filing that the
    same answers give submitted one at a time: every person's mark is found, whatever order
    the database returns the marks of a batch in."""
    questionnaires = install_default_questionnaires(session)
    customers = [org.sales.id, org.hr.id]

    def load(quarter: str, people: list[tuple[str, int, int]]) -> list[ResponseInput]:
        return [
            ResponseInput(
                kind="post_interaction",
                provider_department_id=org.it.id,
                customer_department_id=customers[side],
                quarter=quarter,
                iso_week="2026-W10",
                answers={"overall": overall, "on_time": overall % 2},
                respondent=f"{quarter}-{name}",
            )
            for name, side, overall in people
        ]

    first = [(f"p{n}", n % 2, 1 + n % 5) for n in range(12)]
    # p0..p5 again (p0 and p3 from the other department now), p12..p17 new.
    second = [(f"p{n}", (n + (n in (0, 3))) % 2, 5 - n % 5) for n in range(6)] + [
        (f"p{n}", n % 2, 1 + n % 4) for n in range(12, 18)
    ]
    bulk_store_responses(session, questionnaires, load("2026Q1", first))
    bulk_store_responses(session, questionnaires, load("2026Q1", second))
    for item in load("2026Q2", first) + load("2026Q2", second):
        store_one(session, questionnaires, item)
    session.commit()
    session.expire_all()
    by_quarter: dict[str, dict[tuple[int, str], tuple[int, float, float]]] = {}
    for c in session.scalars(select(ScoreCell)):
        by_quarter.setdefault(c.quarter, {})[(c.customer_department_id, c.metric)] = (
            c.n,
            round(c.total, 9),
            round(c.total_sq, 9),
        )
    assert by_quarter["2026Q1"] == by_quarter["2026Q2"]
    assert (
        sum(n for (_c, metric), (n, _t, _s) in by_quarter["2026Q1"].items() if metric == "people")
        == 18
    )
    filed = session.execute(
        select(Response.quarter, Response.customer_department_id, func.count()).group_by(
            Response.quarter, Response.customer_department_id
        )
    ).all()
    per_quarter = {(q, c): n for q, c, n in filed}
    assert {c: n for (q, c), n in per_quarter.items() if q == "2026Q1"} == {
        c: n for (q, c), n in per_quarter.items() if q == "2026Q2"
    }
