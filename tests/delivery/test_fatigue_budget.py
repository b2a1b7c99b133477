"""One survey budget per person across post-interaction, quarterly and quiz invitations: at
most ``cap`` invitations in any ``period_days`` days, whatever the order of events."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from survey.delivery.services.campaigns import create_campaign, open_campaign
from survey.delivery.services.interactions import decide_pending_surveys
from survey.models import (
    Campaign,
    Interaction,
    Invitation,
    InvitationToken,
    OutboxMessage,
)
from survey.periods import quarter_of
from survey.quiz.services import send_quiz_invitations
from survey.services.fatigue import FatiguePolicy, budget_left
from tests.delivery.conftest import at

POLICY = FatiguePolicy(window_days=3, cap=2, period_days=30)


def _clear(session) -> None:  # type: ignore[no-untyped-def]
    for model in (OutboxMessage, InvitationToken, Invitation, Interaction, Campaign):
        session.execute(delete(model))
    session.commit()


def _interaction(session, org, person, when) -> None:  # type: ignore[no-untyped-def]
    session.add(
        Interaction(
            provider_department_id=org.it.id,
            requester_person_id=person.id,
            opened_at=when,
            resolved_at=when,
            created_at=when,
        )
    )
    session.flush()


def _campaign(session, org, when, n) -> None:  # type: ignore[no-untyped-def]
    campaign = create_campaign(
        session,
        name=f"Quarterly {n}",
        quarter=quarter_of(when),
        opens_at=when,
        closes_at=when + timedelta(days=5),
        min_group_size=5,
    )
    assert open_campaign(session, campaign, "http://localhost", "example.com", when, 5, POLICY)


def _over_cap(session) -> list[tuple[int, object]]:  # type: ignore[no-untyped-def]
    rows = session.execute(
        select(Invitation.person_id, Invitation.created_at).order_by(
            Invitation.person_id, Invitation.created_at
        )
    ).all()
    by_person: dict[int, list] = {}  # type: ignore[type-arg]
    for person_id, created in rows:
        by_person.setdefault(person_id, []).append(created)
    bad = []
    for person_id, times in by_person.items():
        for i, t in enumerate(times):
            inside = [u for u in times[: i + 1] if u > t - timedelta(days=POLICY.period_days)]
            if len(inside) > POLICY.cap:
                bad.append((person_id, t))
    return bad


event = st.tuples(
    st.sampled_from(["interaction", "interaction", "campaign", "quiz"]),
    st.integers(0, 5),  # person (for interactions)
    st.integers(0, 24 * 90),  # hour offset within about a quarter
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(events=st.lists(event, min_size=1, max_size=20))
def test_no_person_exceeds_the_budget(app, session, org, events) -> None:
    _clear(session)
    start = at(1, 0, month=1)
    with app.app_context():
        for n, (kind, person_index, hours) in enumerate(sorted(events, key=lambda e: e[2])):
            when = start + timedelta(hours=hours)
            if kind == "interaction":
                _interaction(session, org, org.person(person_index), when)
                decide_pending_surveys(
                    session, "http://localhost", "example.com", "salt", POLICY, now=when
                )
            elif kind == "campaign":
                _campaign(session, org, when, n)
            else:
                send_quiz_invitations(
                    session,
                    [org.sales.id, org.eng.id],
                    "http://localhost",
                    "example.com",
                    5,
                    now=when,
                    policy=POLICY,
                )
            session.commit()
    assert _over_cap(session) == []


def test_each_path_stops_at_the_cap(app, session, org) -> None:
    """Two quiz rounds (31 days apart: the quiz's own re-invite rule allows them) spend the
    budget of cap 2; then a campaign and a post-interaction survey leave the person out."""
    _clear(session)
    person = org.person(0)
    day = at(1, 9, month=1)
    with app.app_context():
        for offset in (0, 31):
            report = send_quiz_invitations(
                session,
                [org.sales.id],
                "http://localhost",
                "example.com",
                5,
                now=day + timedelta(days=offset),
                policy=FatiguePolicy(cap=2, period_days=60),
            )
            assert report.invited == 6 and report.over_budget == 0
        session.commit()
        later = day + timedelta(days=40)
        policy = FatiguePolicy(window_days=14, cap=2, period_days=60)
        assert budget_left(session, [person.id], policy, later) == {person.id: 0}
        campaign = create_campaign(
            session,
            name="Q",
            quarter=quarter_of(later),
            opens_at=later,
            closes_at=later + timedelta(days=1),
            min_group_size=5,
        )
        opened = open_campaign(
            session, campaign, "http://localhost", "example.com", later, 5, policy
        )
        assert opened is not None and opened.over_budget == 6  # Sales' six; Engineering invited
        assert opened.invited == 6
        _interaction(session, org, person, later + timedelta(days=2))
        decide_pending_surveys(
            session,
            "http://localhost",
            "example.com",
            "salt",
            policy,
            now=later + timedelta(days=2),
        )
        session.commit()
    decided = session.scalar(select(Interaction))
    assert (decided.survey_decision, decided.skip_reason) == ("skipped", "budget")
