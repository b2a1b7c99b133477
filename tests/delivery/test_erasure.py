"""``flask survey erase-person EMAIL``: no row keeps the person's address or name, every
figure stays the same, running it again is harmless, unknown addresses are refused, and a
suppressed address stays suppressed (as a hash) after a re-import."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, inspect, select, text

from survey.db import database
from survey.models import (
    AuditEntry,
    ErasedAddress,
    Interaction,
    Invitation,
    OutboxMessage,
    Person,
    Response,
    SignInThrottle,
    SoftBounce,
    SuppressedAddress,
    UnsubscribeToken,
    User,
)
from survey.models.base import utcnow
from survey.services import audit
from survey.services.accounts import create_user
from survey.services.erasure import ErasureError, erase_person, erased_hash
from survey.services.outbox import WITHDRAWN_SUPPRESSED, withdrawal_reasons
from survey.services.suppression import suppress
from tests.delivery.figures import build_history, dumps, figures_with, published
from tests.factories import erase


def text_values(session) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    """(table, column, value) of every text-like value of every table in the database."""
    session.rollback()
    out = []
    inspector = inspect(session.get_bind())
    for table in inspector.get_table_names():
        columns = [c["name"] for c in inspector.get_columns(table)]
        for row in session.execute(text(f'SELECT * FROM "{table}"')):
            for column, value in zip(columns, row, strict=True):
                if isinstance(value, str):
                    out.append((table, column, value))
                elif isinstance(value, dict | list):
                    out.append((table, column, json.dumps(value, ensure_ascii=False)))
    return out


def mentions(values, needle: str) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    pattern = re.compile(r"(?<![\w.+-])" + re.escape(needle) + r"(?![\w-])", re.IGNORECASE)
    return [(t, c) for t, c, v in values if pattern.search(v)]


def pick_person(session) -> Person:  # type: ignore[no-untyped-def]
    """The person with most requests whose name nobody else's contains."""
    names = list(session.scalars(select(Person.name)))
    ranked = session.execute(
        select(Person, func.count(Interaction.id).label("n"))
        .join(Interaction, Interaction.requester_person_id == Person.id)
        .group_by(Person.id)
        .order_by(func.count(Interaction.id).desc())
    ).all()
    for person, _n in ranked:
        if sum(person.name.lower() in other.lower() for other in names) == 1:
            return person
    raise AssertionError("no person with a unique name")


@pytest.mark.slow
@pytest.mark.postgres
def test_erase_person_leaves_no_trace_and_no_figure_moves(app, session, client, runner) -> None:
    key = build_history(app, session)
    person = pick_person(session)
    email, name, person_id = person.email, person.name, person.id
    # Everything that can name the person: an account, a suppression with its bounces, a
    # failed sign-in, a comment they asked to be contacted about, mail and unsubscribe links.
    create_user(session, email, "correct horse battery", "viewer", name=name)
    suppress(session, email, "bounce", detail=f"550 5.1.1 <{email}> unknown")
    session.add(SoftBounce(address=email, count=1, last_status="4.2.2"))
    session.add(SignInThrottle(key=f"account:{email}", failures=2, first_failure_at=utcnow()))
    # Mail to someone whose address merely contains this one stays.
    session.add(
        OutboxMessage(
            message_id="<bystander@example.com>",
            purpose="account",
            to_addr=f"Someone <x{email}>",
            subject="s",
            body_text="t",
            body_html="h",
            status="sent",
        )
    )
    session.add(UnsubscribeToken(token_hash="b" * 64, person_id=person_id))
    comment = session.scalar(select(Response).limit(1))
    comment.contact_person_id = person_id
    session.add(
        OutboxMessage(
            message_id="<erase@example.com>",
            purpose="account",
            to_addr=f"{name} <{email}>",
            subject=f"Hello {name}",
            body_text=f"Dear {name}",
            body_html=f"<p>Dear {name}</p>",
            status="sent",
        )
    )
    # The audit log names them too: as the target of an edit and as the actor of another.
    account = session.scalar(select(User).where(User.email == email))
    audit.record(session, None, "edit", audit.target_of(person), {"name": ["Old", name]})
    audit.record(
        session, account, "edit", audit.Target("department", "1", "Finance"), {"x": [email, 1]}
    )
    session.commit()
    values = text_values(session)
    assert mentions(values, email) and mentions(values, name)  # the scan finds them
    assert ("audit_entries", "actor_label") in mentions(values, email)
    assert session.scalar(
        select(func.count()).select_from(Invitation).where(Invitation.person_id == person_id)
    )
    requests = session.scalar(
        select(func.count())
        .select_from(Interaction)
        .where(Interaction.requester_person_id == person_id)
    )
    assert requests > 0
    before = published(client, key, session)
    assert figures_with(before, "C") > 20

    result = runner.invoke(args=["survey", "erase-person", email.upper()])
    assert result.exit_code == 0, result.output
    assert "erased:" in result.output and "suppressed" in result.output

    values = text_values(session)
    assert mentions(values, email) == []
    assert mentions(values, name) == []
    kept = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [e.action for e in kept][-3:] == ["edit", "edit", "person.erase"]  # kept, scrubbed
    assert session.scalar(select(func.count()).select_from(Interaction)) >= requests
    assert session.get(Person, person_id).email.endswith("@erased.invalid")
    assert session.scalar(select(User).where(User.email == email)) is None
    assert session.get(SuppressedAddress, email) is None
    assert session.get(ErasedAddress, erased_hash(email)).suppressed
    assert (
        session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.to_addr.contains("x" + email))
        )
        == 1
    )

    after = published(client, key, session)
    assert dumps(after) == dumps(before)

    again = runner.invoke(args=["survey", "erase-person", email])
    assert again.exit_code == 0 and "already erased" in again.output
    assert dumps(published(client, key, session)) == dumps(before)


def test_unknown_address_is_refused_with_a_clear_message(runner, org) -> None:
    result = runner.invoke(args=["survey", "erase-person", "nobody@example.com"])
    assert result.exit_code == 1
    assert "no person, account or suppressed address nobody@example.com" in result.output
    bad = runner.invoke(args=["survey", "erase-person", "not-an-address"])
    assert bad.exit_code == 1 and "not an email address" in bad.output


@pytest.mark.postgres
def test_a_suppressed_address_stays_suppressed_after_a_reimport(app, session, org) -> None:
    person = org.person(2)
    email = person.email
    suppress(session, email, "complaint")
    session.commit()
    erase(app, email)
    # Imported again, invited again: the dispatcher withdraws the message.
    again = Person(email=email, name="Back Again", department_id=org.sales.id)
    session.add(again)
    session.flush()
    message = OutboxMessage(
        message_id="<again@example.com>",
        purpose="invitation",
        to_addr=f"Back Again <{email}>",
        subject="s",
        body_text="t",
        body_html="h",
    )
    session.add(message)
    session.commit()
    assert withdrawal_reasons(session, [message.id]) == {message.id: WITHDRAWN_SUPPRESSED}
    # A person erased without ever being suppressed gets mail again when re-imported.
    other_email = org.person(3).email
    session.rollback()
    report = erase(app, other_email)
    assert not report.suppressed
    assert withdrawal_reasons(session, [message.id]) == {message.id: WITHDRAWN_SUPPRESSED}
    session.rollback()
    fresh = OutboxMessage(
        message_id="<fresh@example.com>",
        purpose="account",
        to_addr=other_email,
        subject="s",
        body_text="t",
        body_html="h",
    )
    session.add(fresh)
    session.commit()
    assert withdrawal_reasons(session, [fresh.id]) == {}


def test_the_only_administrator_is_not_erased(app, session, make_user) -> None:
    admin = make_user("admin")
    with app.app_context():
        db = database(app).sessionmaker()
        with pytest.raises(ErasureError, match="only active administrator"):
            erase_person(db, admin.email, actor=None)
        db.rollback()
        make_user("admin")
        erase_person(db, admin.email, actor=None)
        db.commit()
        db.close()
    session.rollback()
    assert session.scalar(select(User).where(User.email == admin.email)) is None


def test_a_pending_request_of_an_erased_person_is_skipped(app, session, org) -> None:
    person = org.person(4)
    session.add(
        Interaction(
            provider_department_id=org.it.id,
            requester_person_id=person.id,
            source="desk",
            external_ref="T-1",
            opened_at=utcnow() - timedelta(days=1),
            resolved_at=utcnow(),
            survey_decision="pending",
        )
    )
    session.commit()
    report = erase(app, person.email)
    assert report.interactions == 1
    session.rollback()
    row = session.scalar(select(Interaction).where(Interaction.external_ref == "T-1"))
    assert (row.requester_person_id, row.survey_decision, row.skip_reason) == (
        None,
        "skipped",
        "erased",
    )


def test_the_admin_page_erases_with_confirmation(admin_client, session, org) -> None:
    from tests.conftest import csrf_token

    person = org.person(5)
    email, person_id = person.email, person.id
    page = admin_client.get("/admin/erase?lang=fr")
    assert page.status_code == 200 and "Effacer une personne" in page.get_data(as_text=True)

    def post(data):  # type: ignore[no-untyped-def]
        token = csrf_token(admin_client, "/admin/erase")
        return admin_client.post("/admin/erase", data={**data, "csrf_token": token})

    unconfirmed = post({"email": email})
    assert unconfirmed.status_code == 422
    assert email in unconfirmed.get_data(as_text=True)  # the answer is kept
    session.rollback()
    assert session.get(Person, person_id).email == email
    unknown = post({"email": "nobody@example.com", "confirm": "y"})
    assert unknown.status_code == 422 and "Rien à effacer" in unknown.get_data(as_text=True)
    done = post({"email": email, "confirm": "y"})
    assert done.status_code == 302
    session.expire_all()
    assert session.get(Person, person_id).email.endswith("@erased.invalid")
    body = admin_client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Effacement fait" in body
    again = post({"email": email, "confirm": "y"})
    assert again.status_code == 302
    body = admin_client.get(again.headers["Location"]).get_data(as_text=True)
    assert "déjà été effacée" in body


def test_an_erased_person_imported_again_is_not_surveyed_again_that_quarter(
    app, session, org
) -> None:
    """Attack 33. Respondent marks count people by a pseudonym of the person's id, and an
    erased person's record stays as a blank placeholder: brought back by the next import of
    the directory, they are a new id. Surveyed again in the quarter of their erasure, they
    would answer as a second person about the providers they had rated: the gate takes a
    group of k - 1 people for k. So the person who comes back is not surveyed (post-
    interaction, quarterly or quiz) about the quarter of the erasure; from the next one,
    they are."""
    from survey.delivery.services.campaigns import create_campaign, open_campaign
    from survey.delivery.services.interactions import decide_pending_surveys
    from survey.periods import quarter_bounds, quarter_of, shift_quarter
    from survey.quiz.services import send_quiz_invitations
    from survey.services.fatigue import FatiguePolicy

    email = org.person(5).email
    erase(app, email)
    session.rollback()
    back = Person(email=email, name="Back Again", department_id=org.sales.id)
    session.add(back)
    session.commit()
    now = utcnow()
    quarter = quarter_of(now)
    policy = FatiguePolicy(window_days=0)

    def decide(when):  # type: ignore[no-untyped-def]
        request = Interaction(
            provider_department_id=org.it.id,
            requester_person_id=back.id,
            opened_at=when - timedelta(hours=3),
            resolved_at=when - timedelta(hours=1),
            created_at=when - timedelta(hours=3),
        )
        session.add(request)
        session.flush()
        with app.app_context():
            decide_pending_surveys(
                session, "http://localhost", "example.com", "s", policy, now=when
            )
        session.commit()
        return request.survey_decision, request.skip_reason

    assert decide(now) == ("skipped", "erased_this_quarter")
    with app.app_context():
        quiz = send_quiz_invitations(session, [org.sales.id], "http://localhost", "x.org", 5, now)
    assert quiz.erased_this_quarter == 1
    campaigns = {}
    for q in (quarter, shift_quarter(quarter, 1)):
        start = quarter_bounds(q)[0]
        opens = max(now, datetime.combine(start, time(9), tzinfo=UTC))
        campaign = create_campaign(
            session,
            name=q,
            quarter=q,
            opens_at=opens,
            closes_at=opens + timedelta(days=14),
            min_group_size=5,
            department_ids=[org.sales.id],
        )
        session.commit()
        with app.app_context():
            report = open_campaign(
                session, campaign, "http://localhost", "example.com", opens, policy=policy
            )
        session.commit()
        invited = session.scalar(
            select(func.count())
            .select_from(Invitation)
            .where(Invitation.campaign_id == campaign.id, Invitation.person_id == back.id)
        )
        campaigns[q] = (invited, report.erased_this_quarter)
    assert campaigns == {quarter: (0, 1), shift_quarter(quarter, 1): (1, 0)}
    next_quarter = datetime.combine(
        quarter_bounds(shift_quarter(quarter, 1))[0], time(12), tzinfo=UTC
    ) + timedelta(days=30)
    assert decide(next_quarter) == ("invited", None)
