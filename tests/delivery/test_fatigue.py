"""One survey budget per person: the fatigue rules, each skip with its reason."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from survey.delivery.services.interactions import decide_pending_surveys
from survey.models import Interaction, Invitation, InvitationToken, OutboxMessage, Service
from survey.services.fatigue import FatiguePolicy, sampled
from tests.delivery.conftest import at

WINDOW = 14


def add_interaction(session, org, person, when, service=None):  # type: ignore[no-untyped-def]
    interaction = Interaction(
        provider_department_id=org.it.id,
        requester_person_id=person.id,
        service_id=service.id if service else None,
        opened_at=when,
        resolved_at=when,  # only resolved requests are decided
        created_at=when,
    )
    session.add(interaction)
    session.flush()
    return interaction


def decide(app, session, now):  # type: ignore[no-untyped-def]
    with app.app_context():
        report = decide_pending_surveys(
            session, "http://localhost", "example.com", "salt", FatiguePolicy(WINDOW), now=now
        )
    session.commit()
    return report


def test_window_opt_out_inactive_and_sampling(app, session, org) -> None:
    alice, bob, carol = org.person(0), org.person(1), org.person(2)
    bob.opted_out = True
    carol.active = False
    never = Service(
        provider_department_id=org.it.id, code="IT-NEVER", name="Never sampled", sampling_rate=0.0
    )
    session.add(never)
    first = add_interaction(session, org, alice, at(1))
    add_interaction(session, org, bob, at(1))
    add_interaction(session, org, carol, at(1))
    add_interaction(session, org, org.person(3), at(1), service=never)
    report = decide(app, session, at(1, 10))
    assert report.invited == 1
    assert report.skipped == {"opted_out": 1, "inactive": 1, "sampled_out": 1}
    second = add_interaction(session, org, alice, at(10))
    decide(app, session, at(10, 10))
    third = add_interaction(session, org, alice, at(16))
    decide(app, session, at(16, 10))
    session.refresh(first), session.refresh(second), session.refresh(third)
    assert (first.survey_decision, second.skip_reason, third.survey_decision) == (
        "invited",
        "fatigue_window",
        "invited",
    )


def test_open_quarterly_blocks_post_interaction(app, session, org, open_campaign_for) -> None:
    from survey.models.base import utcnow
    from survey.services.invitations import issue_invitation

    campaign = open_campaign_for()
    person = org.person(0)
    issue_invitation(session, person, "quarterly", campaign.closes_at, campaign=campaign)
    interaction = add_interaction(session, org, person, utcnow() - timedelta(hours=2))
    decide(app, session, utcnow())
    session.refresh(interaction)
    assert interaction.skip_reason == "open_quarterly"


def test_sampling_is_deterministic_and_close_to_the_rate() -> None:
    picks = [sampled(i, 0.3, "s") for i in range(20_000)]
    assert picks == [sampled(i, 0.3, "s") for i in range(20_000)]
    assert 0.28 < sum(picks) / len(picks) < 0.32


events = st.lists(
    st.tuples(st.integers(0, 3), st.integers(0, 60 * 24), st.booleans()),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(events=events)
def test_no_two_post_interaction_invitations_within_the_window(app, session, org, events) -> None:
    """Whatever the order of interactions and ticks, invitations of one person are at least
    WINDOW days apart. Each event: (person, hour offset, tick right after?)."""
    session.execute(delete(OutboxMessage))
    session.execute(delete(InvitationToken))
    session.execute(delete(Invitation))
    session.execute(delete(Interaction))
    session.commit()
    start = at(1, 0, month=1)
    ordered = sorted(events, key=lambda e: e[1])
    for person_index, hours, tick_now in ordered:
        when = start + timedelta(hours=hours)
        add_interaction(session, org, org.person(person_index), when)
        if tick_now:
            decide(app, session, when + timedelta(minutes=1))
    decide(app, session, start + timedelta(hours=60 * 24 + 1))
    rows = session.execute(
        select(Invitation.person_id, Invitation.created_at)
        .where(Invitation.kind == "post_interaction")
        .order_by(Invitation.person_id, Invitation.created_at)
    ).all()
    last: dict[int, object] = {}
    for person_id, created in rows:
        if person_id in last:
            assert created - last[person_id] >= timedelta(days=WINDOW)
        last[person_id] = created
    pending = session.scalar(select(Interaction).where(Interaction.survey_decision == "pending"))
    assert pending is None
