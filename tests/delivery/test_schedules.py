"""Campaign schedules: ``tick`` creates each scheduled quarter's campaign once, whatever the
number of runs, their order or their concurrency, and never for a quarter already closed."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from survey.db import database
from survey.delivery.services.campaigns import cancel_campaign, create_campaign
from survey.delivery.services.schedules import (
    LEAD_DAYS,
    ScheduleError,
    ScheduleValues,
    create_scheduled_campaigns,
    save_schedule,
)
from survey.delivery.services.tick import TickSettings
from survey.delivery.tick_job import run_tick
from survey.models import (
    Campaign,
    CampaignSchedule,
    Invitation,
    InvitationToken,
    OutboxMessage,
)

SETTINGS = TickSettings(base_url="http://localhost", mail_domain="example.com", salt="s")


def utc(y: int, m: int, d: int, h: int = 0) -> datetime:
    return datetime(y, m, d, h, tzinfo=UTC)


def tick(app, now):  # type: ignore[no-untyped-def]
    with app.app_context():
        return run_tick(database(app).sessionmaker, SETTINGS, now)


def schedule(session, **kw):  # type: ignore[no-untyped-def]
    values = ScheduleValues(
        name=kw.pop("name", "Relationship survey"),
        quarters=kw.pop("quarters", (1, 2, 3, 4)),
        open_offset_days=kw.pop("open_offset_days", 14),
        close_offset_days=kw.pop("close_offset_days", 35),
        **kw,
    )
    row = save_schedule(session, None, values, actor=None)
    session.commit()
    return row


def campaigns(session, schedule_id: int) -> dict[str, Campaign]:  # type: ignore[no-untyped-def]
    session.rollback()
    rows = session.scalars(select(Campaign).where(Campaign.schedule_id == schedule_id)).all()
    by_quarter: dict[str, Campaign] = {}
    for row in rows:
        assert row.quarter not in by_quarter, f"two campaigns for {row.quarter}"
        by_quarter[row.quarter] = row
    return by_quarter


# The expected campaigns, computed from the calendar without the service's helpers.
def expected(quarters: set[int], open_days: int, close_days: int, times: list[datetime]) -> set:
    due = set()
    for year in range(2025, 2029):
        for n in quarters:
            start = datetime(year, 3 * (n - 1) + 1, 1, tzinfo=UTC)
            opens, closes = start + timedelta(days=open_days), start + timedelta(days=close_days)
            if any(opens - timedelta(days=LEAD_DAYS) <= t < closes for t in times):
                due.add(f"{year}Q{n}")
    return due


@pytest.mark.postgres
def test_a_year_of_ticks_table(app, session, org) -> None:
    """Every quarter of the year: nothing before the lead time, the draft from then on, opened
    on its day, closed after; each tick run twice; one campaign per quarter."""
    row = schedule(session, quarters=(1, 2, 3, 4), open_offset_days=14, close_offset_days=35)
    table = [
        # (tick time, quarters expected to exist afterwards)
        (utc(2025, 12, 31, 23), set()),  # Q1 opens 15 Jan: due 14 days ahead, 1 Jan
        (utc(2026, 1, 1), {"2026Q1"}),
        (utc(2026, 3, 1), {"2026Q1"}),  # Q1 closed on 5 Feb; Q2 not due yet (opens 15 Apr)
        (utc(2026, 4, 1), {"2026Q1", "2026Q2"}),
        (utc(2026, 7, 14), {"2026Q1", "2026Q2", "2026Q3"}),
        (utc(2026, 7, 20), {"2026Q1", "2026Q2", "2026Q3"}),  # Q3 opens
        # No tick between 1 Oct and 5 Nov: Q4 closed unseen and is never created.
        (utc(2026, 12, 31, 23), {"2026Q1", "2026Q2", "2026Q3"}),
        (utc(2027, 1, 1, 1), {"2026Q1", "2026Q2", "2026Q3", "2027Q1"}),
    ]
    for now, quarters in table:
        first = tick(app, now)
        second = tick(app, now)
        assert second.scheduled == [], (now, second.scheduled)
        assert set(campaigns(session, row.id)) == quarters, (now, first.scheduled)
    made = campaigns(session, row.id)
    # Q1 had no tick in its window: it stayed a draft, never opened, never mailed.
    assert made["2026Q1"].status == "draft" and made["2026Q3"].status == "closed"
    assert made["2027Q1"].status == "draft"
    assert made["2026Q3"].opens_at == utc(2026, 7, 15) and made["2026Q3"].closes_at == utc(
        2026, 8, 5
    )
    # Opened by the same path as any campaign: invitations under the fatigue budget.
    invited = session.scalar(
        select(func.count()).where(Invitation.campaign_id == made["2026Q3"].id)
    )
    assert invited == 12


def _clean(session) -> None:  # type: ignore[no-untyped-def]
    session.rollback()
    for model in (OutboxMessage, InvitationToken, Invitation, Campaign, CampaignSchedule):
        session.execute(delete(model))
    session.commit()


QUARTER_STARTS = [datetime(y, m, 1, tzinfo=UTC) for y in (2026, 2027) for m in (1, 4, 7, 10)]


@st.composite
def moments(draw, open_days: int, close_days: int):  # type: ignore[no-untyped-def]
    """Times anywhere in 2026-2027, or within a day of a boundary that matters (a quarter's
    start, the lead time before an opening, an opening, a closing)."""
    if draw(st.booleans()):
        return datetime(2026, 1, 1, tzinfo=UTC) + timedelta(
            minutes=draw(st.integers(0, 2 * 365 * 24 * 60))
        )
    start = draw(st.sampled_from(QUARTER_STARTS))
    anchor = draw(
        st.sampled_from(
            [
                timedelta(0),
                timedelta(days=open_days - LEAD_DAYS),
                timedelta(days=open_days),
                timedelta(days=close_days),
            ]
        )
    )
    return start + anchor + timedelta(minutes=draw(st.integers(-24 * 60, 24 * 60)))


@st.composite
def scenarios(draw):  # type: ignore[no-untyped-def]
    quarters = draw(st.sets(st.integers(1, 4), min_size=1))
    open_days = draw(st.integers(0, 80))
    close_days = draw(st.integers(open_days + 1, 120))
    times = draw(st.lists(moments(open_days, close_days), min_size=1, max_size=6))
    concurrent = draw(st.lists(st.booleans(), min_size=len(times), max_size=len(times)))
    return quarters, open_days, close_days, times, concurrent


@pytest.mark.postgres
@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(scenarios())
def test_ticks_in_any_order_twice_or_at_once_create_each_quarter_once(
    app, session, org, scenario
) -> None:
    """Hypothesis: random schedules and tick times (out of order, repeated, near boundaries),
    each tick either run twice in a row or by two threads at once. The campaigns are exactly
    the quarters due at one of the times, one each; none past its closing."""
    quarters, open_days, close_days, times, concurrent = scenario
    _clean(session)
    row = schedule(
        session,
        quarters=tuple(sorted(quarters)),
        open_offset_days=open_days,
        close_offset_days=close_days,
    )
    for now, at_once in zip(times, concurrent, strict=True):
        if at_once:
            errors: list[BaseException] = []

            def run(moment: datetime = now, errors: list[BaseException] = errors) -> None:
                try:
                    tick(app, moment)
                except BaseException as error:
                    errors.append(error)

            threads = [threading.Thread(target=run) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert errors == []
        else:
            tick(app, now)
            tick(app, now)
    made = campaigns(session, row.id)
    assert set(made) == expected(quarters, open_days, close_days, times)
    for quarter, campaign in made.items():
        # Created at a time when the quarter had not closed.
        assert any(t < campaign.closes_at for t in times), quarter


@pytest.mark.postgres
def test_two_sessions_racing_on_one_quarter_make_one_campaign(app, session, org) -> None:
    """Without the scheduler's lock: one session creates the quarter and holds its
    transaction open while another tries; the unique constraint keeps one campaign and the
    loser carries on without an error."""
    row = schedule(session)
    now = utc(2026, 4, 10)
    sessions = database(app).sessionmaker
    first = sessions()
    assert create_scheduled_campaigns(first, now).created == ["Relationship survey 2026Q2"]
    result: list[object] = []

    def second() -> None:
        with sessions() as other:
            try:
                result.append(create_scheduled_campaigns(other, now))
                other.commit()
            except BaseException as error:
                result.append(error)

    thread = threading.Thread(target=second)
    thread.start()
    thread.join(timeout=0.5)  # it waits for the first transaction (row lock or write lock)
    first.commit()
    first.close()
    thread.join()
    assert len(result) == 1 and not isinstance(result[0], BaseException), result
    assert result[0].created == []  # type: ignore[union-attr]
    assert list(campaigns(session, row.id)) == ["2026Q2"]


def test_a_cancelled_quarter_stays_cancelled_and_the_schedule_goes_on(app, session, org) -> None:
    row = schedule(session, quarters=(2, 3))
    tick(app, utc(2026, 4, 5))
    q2 = campaigns(session, row.id)["2026Q2"]
    assert q2.status == "draft"
    assert cancel_campaign(session, q2)
    session.commit()
    tick(app, utc(2026, 4, 20))  # inside Q2's window: not created again, not opened
    tick(app, utc(2026, 7, 10))
    made = campaigns(session, row.id)
    assert made["2026Q2"].status == "cancelled"
    assert made["2026Q3"].status == "draft"
    assert session.scalar(select(func.count()).select_from(Invitation)) == 0


def test_a_paused_schedule_creates_nothing_and_resumes_with_the_due_quarter(
    app, session, org
) -> None:
    row = schedule(session)
    values = ScheduleValues(
        name="Relationship survey",
        quarters=(1, 2, 3, 4),
        open_offset_days=14,
        close_offset_days=35,
        active=False,
    )
    save_schedule(session, row, values, actor=None)
    session.commit()
    tick(app, utc(2026, 4, 10))
    assert campaigns(session, row.id) == {}
    save_schedule(session, row, ScheduleValues(**{**values.__dict__, "active": True}), actor=None)
    session.commit()
    tick(app, utc(2026, 5, 10))  # Q2 closed on 5 May: never created; Q3 not due yet
    assert campaigns(session, row.id) == {}
    tick(app, utc(2026, 7, 2))
    assert list(campaigns(session, row.id)) == ["2026Q3"]


def test_a_campaign_made_by_hand_for_the_quarter_wins(app, session, org) -> None:
    create_campaign(
        session,
        name="By hand",
        quarter="2026Q2",
        opens_at=utc(2026, 4, 20),
        closes_at=utc(2026, 5, 10),
        min_group_size=5,
    )
    session.commit()
    row = schedule(session)
    report = tick(app, utc(2026, 4, 10))
    assert report.scheduled == []
    assert campaigns(session, row.id) == {}


def test_audience_questionnaire_and_k_carry_over(app, session, org) -> None:
    from survey.models import Questionnaire

    quarterly = session.scalar(select(Questionnaire).where(Questionnaire.kind == "quarterly"))
    row = schedule(
        session,
        department_ids=(org.eng.id,),
        questionnaire_id=quarterly.id,
        min_group_size=7,
        reminder_max=1,
        reminder_min_days=9,
    )
    tick(app, utc(2026, 4, 20))
    made = campaigns(session, row.id)["2026Q2"]
    assert made.audience == "departments" and [d.id for d in made.departments] == [org.eng.id]
    assert made.questionnaire_id == quarterly.id and made.min_group_size == 7
    assert (made.reminder_max, made.reminder_min_days) == (1, 9)
    people = session.scalars(select(Invitation.person_id)).all()
    assert people and {session.get(type(org.person(0)), p).department_id for p in people} == {
        org.eng.id
    }


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"quarters": ()}, "quarters"),
        ({"quarters": (5,)}, "quarters"),
        ({"open_offset_days": -1}, "open_offset_days"),
        ({"open_offset_days": 20, "close_offset_days": 20}, "close_offset_days"),
        ({"close_offset_days": 500}, "close_offset_days"),
        ({"name": "  "}, "name"),
        ({"department_ids": (999999,)}, "department_ids"),
        ({"questionnaire_id": 999999}, "questionnaire_id"),
    ],
)
def test_bad_values_are_refused_by_field(session, org, change, field) -> None:
    values = {
        "name": "S",
        "quarters": (1,),
        "open_offset_days": 0,
        "close_offset_days": 10,
        **change,
    }
    with pytest.raises(ScheduleError) as error:
        save_schedule(session, None, ScheduleValues(**values), actor=None)
    assert error.value.field == field
    session.rollback()
    assert session.scalar(select(func.count()).select_from(CampaignSchedule)) == 0


def test_quarter_window_runs_from_the_quarter_start() -> None:
    from survey.delivery.services.schedules import due_quarters, next_campaign, quarter_window

    row = CampaignSchedule(quarters="14", open_offset_days=0, close_offset_days=100)
    assert quarter_window(row, "2026Q4") == (utc(2026, 10, 1), utc(2027, 1, 9))
    # Q4 runs into January: still due then (it has not closed).
    assert due_quarters(row, utc(2027, 1, 5)) == ["2026Q4", "2027Q1"]
    assert next_campaign(row, utc(2026, 5, 1))[0] == "2026Q4"


def test_a_scheduled_campaign_spends_the_one_survey_budget(app, session, org) -> None:
    """Invitations of a scheduled campaign go through the fatigue budget like any other:
    someone who already had their budget's worth of surveys in the period is left out."""
    from survey.services.invitations import issue_invitation

    row = schedule(session, quarters=(2,))
    opening = utc(2026, 4, 15, 1)
    spent = org.person(0)
    for days in range(SETTINGS.fatigue_cap):
        when = opening - timedelta(days=days + 1)
        issue_invitation(session, spent, "quiz", when + timedelta(days=14), now=when)
    session.commit()
    report = tick(app, opening)
    assert report.scheduled == ["Relationship survey 2026Q2"]
    assert report.opened == ["Relationship survey 2026Q2"] and report.invited_quarterly == 11
    made = campaigns(session, row.id)["2026Q2"]
    invited = set(
        session.scalars(select(Invitation.person_id).where(Invitation.campaign_id == made.id))
    )
    assert spent.id not in invited and len(invited) == 11


def test_a_schedule_whose_departments_were_deleted_does_not_survey_everyone(
    app, session, org, make_department
) -> None:
    empty = make_department()
    row = schedule(session, department_ids=(empty.id,))
    session.delete(empty)
    session.commit()
    session.expire_all()
    assert row.audience == "departments" and row.departments == []
    with app.app_context():
        db = database(app).sessionmaker()
        report = create_scheduled_campaigns(db, utc(2026, 4, 10))
        db.commit()
        db.close()
    assert report.created == [] and report.without_audience == ["2026Q2"]
    assert campaigns(session, row.id) == {}
