"""Retention: ``purge`` (by ``tick`` and ``flask survey purge``) deletes what is past its
period, and every published figure stays exactly the same."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from survey.config import ConfigError, load_settings
from survey.db import database
from survey.delivery.services.tick import TickSettings
from survey.delivery.tick_job import run_tick
from survey.models import (
    IdempotencyKey,
    Interaction,
    Invitation,
    InvitationDraft,
    InvitationToken,
    OutboxMessage,
    UnsubscribeToken,
)
from survey.models.base import utcnow
from survey.services.retention import PurgeCounts, RetentionPolicy, purge
from tests.delivery.figures import build_history, dumps, figures_with, published

EVERYTHING = RetentionPolicy(invitations_days=1, drafts_days=1, outbox_days=1, interactions_days=1)


def count(session, model, *where) -> int:  # type: ignore[no-untyped-def]
    session.rollback()
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


@pytest.mark.slow
@pytest.mark.postgres
def test_purge_keeps_every_published_figure(app, session, client, runner) -> None:
    """Eight quarters of history; everything purgeable is purged (retention of one day);
    every department's figures of every quarter, T, R and C included, are identical."""
    key = build_history(app, session)
    # Part of the history's mail went out (the demo leaves it queued).
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id % 2 == 0)
        .values(status="sent", sent_at=utcnow())
    )
    session.commit()
    before = published(client, key, session)
    assert figures_with(before, "C") > 20 and figures_with(before, "T") > 20
    interactions = count(session, Interaction)
    invitations = count(session, Invitation)

    dry = runner.invoke(args=["survey", "purge", "--dry-run"])  # default periods: nothing old
    assert dry.exit_code == 0 and dry.output.startswith("would delete: "), dry.output

    with app.app_context():
        db = database(app).sessionmaker()
        later = utcnow() + timedelta(days=3)
        counted = purge(db, EVERYTHING, later, dry_run=True)
        db.rollback()
        assert count(session, Interaction, Interaction.requester_person_id.is_(None)) == 0
        done = purge(db, EVERYTHING, later)
        db.commit()
        again = purge(db, EVERYTHING, later)
        db.commit()
        db.close()
    assert done == counted and again == PurgeCounts()
    assert done.interactions == interactions > 1000
    assert 0 < done.invitations < invitations  # open ones (2026Q2's campaign) stay
    assert done.outbox > 0  # (the demo history keeps no link tokens; see the tick test)
    assert count(session, Interaction) == interactions  # kept, without their requester
    assert count(session, Interaction, Interaction.requester_person_id.is_not(None)) == 0
    assert count(session, Interaction, Interaction.survey_decision == "pending") == 0
    assert count(session, OutboxMessage, OutboxMessage.status == "sent") == 0
    assert count(session, Invitation, Invitation.status.in_(("answered", "expired"))) == 0

    after = published(client, key, session)
    assert dumps(after) == dumps(before)


def test_purge_cli_dry_run_counts_and_changes_nothing(app, session, runner, org) -> None:
    old = utcnow() - timedelta(days=500)
    person = org.person(0)
    session.add(
        OutboxMessage(
            message_id="<old@example.com>",
            purpose="invitation",
            to_addr=f"{person.name} <{person.email}>",
            subject="s",
            body_text="t",
            body_html="h",
            status="sent",
            created_at=old,
        )
    )
    session.add(UnsubscribeToken(token_hash="a" * 64, person_id=person.id, created_at=old))
    session.commit()
    dry = runner.invoke(args=["survey", "purge", "--dry-run"])
    assert dry.exit_code == 0
    assert "outbox 1" in dry.output and "unsubscribe tokens 1" in dry.output, dry.output
    assert count(session, OutboxMessage) == 1 and count(session, UnsubscribeToken) == 1
    real = runner.invoke(args=["survey", "purge"])
    assert real.exit_code == 0 and "outbox 1" in real.output, real.output
    assert count(session, OutboxMessage) == 0 and count(session, UnsubscribeToken) == 0
    assert "outbox 0" in runner.invoke(args=["survey", "purge"]).output


@pytest.mark.postgres
def test_tick_purges_but_keeps_what_is_still_in_use(app, session, org) -> None:
    """An invitation whose mail is still queued, a fresh draft and a recent request stay;
    only the old, finished ones go."""
    from survey.services.invitations import issue_invitation

    now = utcnow()
    old = now - timedelta(days=500)
    person = org.person(1)
    finished, _ = issue_invitation(session, person, "quiz", old + timedelta(days=14), now=old)
    waiting, _ = issue_invitation(session, person, "quiz", old + timedelta(days=14), now=old)
    recent, _ = issue_invitation(session, person, "quiz", now + timedelta(days=14), now=now)
    finished.status = waiting.status = "expired"
    session.add(InvitationDraft(invitation_id=waiting.id, data={"a": 1}, updated_at=old))
    session.add(InvitationDraft(invitation_id=recent.id, data={"a": 1}, updated_at=now))
    session.add(
        OutboxMessage(
            message_id="<waiting@example.com>",
            purpose="invitation",
            invitation_id=waiting.id,
            to_addr=person.email,
            subject="s",
            body_text="t",
            body_html="h",
            status="queued",
            created_at=old,
        )
    )
    for opened in (now - timedelta(days=800), now - timedelta(days=3)):
        session.add(
            Interaction(
                provider_department_id=org.it.id,
                requester_person_id=person.id,
                source="desk",
                external_ref=f"R-{opened.date()}",
                opened_at=opened,
                survey_decision="pending",
            )
        )
    session.commit()
    settings = TickSettings(
        base_url="http://localhost",
        mail_domain="example.com",
        salt="s",
        retention=RetentionPolicy(),
    )
    with app.app_context():
        report = run_tick(database(app).sessionmaker, settings, now)
    assert report.purged is not None
    assert (report.purged.invitations, report.purged.interactions) == (1, 1)
    assert "purged:" in report.describe()
    assert count(session, Invitation, Invitation.id == finished.id) == 0
    assert count(session, InvitationToken, InvitationToken.invitation_id == finished.id) == 0
    assert count(session, Invitation, Invitation.id == waiting.id) == 1
    old_request = session.scalar(
        select(Interaction).where(Interaction.opened_at < now - timedelta(days=700))
    )
    assert old_request.requester_person_id is None
    assert (old_request.survey_decision, old_request.skip_reason) == ("skipped", "retention")
    assert old_request.external_ref is not None  # still recognised if reported again
    assert count(session, Interaction, Interaction.requester_person_id == person.id) == 1
    assert session.scalars(select(InvitationDraft.invitation_id)).all() == [recent.id]
    assert report.purged.drafts == 1


def test_retention_shorter_than_the_fatigue_period_is_refused() -> None:
    env = {"SURVEY_FATIGUE_PERIOD_DAYS": "30", "SURVEY_RETAIN_INVITATIONS_DAYS": "20"}
    with pytest.raises(ConfigError, match="SURVEY_RETAIN_INVITATIONS_DAYS"):
        load_settings("/tmp", env)
    settings = load_settings("/tmp", {})
    assert RetentionPolicy.from_config(settings) == RetentionPolicy(400, 60, 90, 730)
    with pytest.raises(ConfigError, match="SURVEY_RETAIN_OUTBOX_DAYS"):
        load_settings("/tmp", {"SURVEY_RETAIN_OUTBOX_DAYS": "0"})


def test_a_detached_request_surveys_no_one_and_shows_as_removed(
    app, session, org, admin_client
) -> None:
    """A request without requester that comes back to pending (a reopening withdrew its
    queued survey) is skipped, and the admin list shows it without a person."""
    now = utcnow()
    session.add(
        Interaction(
            provider_department_id=org.it.id,
            requester_person_id=None,
            source="desk",
            external_ref="OLD-1",
            opened_at=now - timedelta(days=800),
            resolved_at=now - timedelta(days=799),
            survey_decision="pending",
        )
    )
    session.commit()
    settings = TickSettings(base_url="http://localhost", mail_domain="example.com", salt="s")
    with app.app_context():
        report = run_tick(database(app).sessionmaker, settings, now)
    assert report.post_interaction_skipped == {"no_requester": 1}
    assert count(session, Invitation) == 0
    page = admin_client.get("/admin/interactions")
    assert page.status_code == 200 and "(removed)" in page.get_data(as_text=True)


@pytest.mark.postgres
def test_tick_forgets_idempotency_keys_past_their_replay_window(app, session, client, org) -> None:
    """A ticketing tool's ``Idempotency-Key`` is replayed for 24 hours; after that ``tick``
    deletes it (the table grew for ever), while a key of the last day still replays."""
    headers = {"Authorization": f"Bearer {org.api_key}"}
    body = {
        "source": "desk",
        "provider": "IT",
        "requester_email": org.person(0).email,
        "opened_at": "2026-05-04T09:00:00Z",
    }
    for key in ("old-key", "new-key"):
        answer = client.post(
            "/api/v1/interactions",
            json={**body, "external_ref": key},
            headers={**headers, "Idempotency-Key": key},
        )
        assert answer.status_code == 201, answer.get_json()
    session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.key == "old-key")
        .values(created_at=utcnow() - timedelta(hours=25))
    )
    session.commit()
    settings = TickSettings(
        base_url="http://localhost",
        mail_domain="example.com",
        salt="s",
        retention=RetentionPolicy.from_config(app.config),
    )
    with app.app_context():
        report = run_tick(database(app).sessionmaker, settings)
    assert report.purged is not None and report.purged.idempotency_keys == 1
    assert "idempotency keys 1" in report.describe()
    assert session.scalars(select(IdempotencyKey.key)).all() == ["new-key"]
    replay = client.post(
        "/api/v1/interactions",
        json={**body, "external_ref": "new-key"},
        headers={**headers, "Idempotency-Key": "new-key"},
    )
    assert replay.headers.get("Idempotent-Replayed") == "true"


def test_the_idempotency_window_is_a_setting() -> None:
    assert RetentionPolicy.from_config(load_settings("/tmp", {})).idempotency_hours == 24
    env = {"SURVEY_RETAIN_IDEMPOTENCY_HOURS": "48"}
    assert RetentionPolicy.from_config(load_settings("/tmp", env)).idempotency_hours == 48
    with pytest.raises(ConfigError, match="SURVEY_RETAIN_IDEMPOTENCY_HOURS"):
        load_settings("/tmp", {"SURVEY_RETAIN_IDEMPOTENCY_HOURS": "0"})
