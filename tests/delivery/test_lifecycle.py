"""A request's lifecycle over the API: events update it idempotently by source + reference,
out-of-order events follow fixed rules, a survey is decided only once the request is resolved,
and reopening or cancelling withdraws a survey whose mail has not left."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select, update

from survey.delivery.services.interactions import WITHDRAWN_REOPENED, decide_pending_surveys
from survey.models import Interaction, Invitation, OutboxMessage
from survey.models.base import utcnow
from survey.services.fatigue import FatiguePolicy
from tests.delivery.test_api_interactions import body

pytestmark = pytest.mark.postgres


# The requests of these tests were handled in the last week ("day 4" is four days ago): one
# resolved longer ago than SURVEY_LATE_REPORT_DAYS is not surveyed (test_late_reports.py).
DAY_4 = (utcnow() - timedelta(days=4)).date()


def t(day: int, hour: int) -> datetime:
    return datetime.combine(DAY_4 + timedelta(days=day - 4), time(hour), tzinfo=UTC)


def T(day: int, hour: int) -> str:
    return t(day, hour).strftime("%Y-%m-%dT%H:%M:%SZ")


def opened(**changes):  # type: ignore[no-untyped-def]
    return body(**{"first_response_at": ..., "resolved_at": ..., "opened_at": T(4, 9), **changes})


def event(api, kind: str, at: str, ref: str = "T-1"):  # type: ignore[no-untyped-def]
    return api.post(
        "/interactions/events",
        {"source": "helpdesk", "external_ref": ref, "event": kind, "at": at},
    )


def stored(session) -> Interaction:  # type: ignore[no-untyped-def]
    session.rollback()
    return session.scalar(select(Interaction).where(Interaction.external_ref == "T-1"))


def decide(app, session):  # type: ignore[no-untyped-def]
    session.rollback()
    with app.app_context():
        report = decide_pending_surveys(
            session, "http://localhost", "example.com", "salt", FatiguePolicy(14)
        )
    session.commit()
    return report


def test_replaying_with_resolved_at_sets_it(api, session) -> None:
    assert api.post("/interactions", opened()).status_code == 201
    assert stored(session).resolved_at is None
    again = api.post("/interactions", opened(resolved_at=T(4, 15), first_response_at=T(4, 10)))
    assert again.status_code == 200 and again.get_json()["state"] == "resolved"
    interaction = stored(session)
    assert interaction.resolved_at == t(4, 15) and interaction.first_response_at == t(4, 10)
    assert again.get_json()["resolved_at"] == T(4, 15)


def test_out_of_order_first_response_and_resolution(api, session) -> None:
    api.post("/interactions", opened(resolved_at=T(5, 12)))
    # A late "first response" earlier than the resolution still counts ...
    assert event(api, "first_response", T(4, 11)).get_json()["changed"] is True
    # ... an even earlier one replaces it, a later one does not, nor one after resolution.
    assert event(api, "first_response", T(4, 10)).get_json()["changed"] is True
    assert event(api, "first_response", T(4, 11)).get_json()["changed"] is False
    assert event(api, "first_response", T(6, 9)).get_json()["changed"] is False
    assert stored(session).first_response_at == t(4, 10)
    # Resolution never moves backwards without a reopening; forward it may.
    assert event(api, "resolved", T(5, 8)).get_json()["changed"] is False
    assert stored(session).resolved_at == t(5, 12)
    assert event(api, "resolved", T(5, 14)).get_json()["changed"] is True
    assert stored(session).resolved_at == t(5, 14)
    # The same event twice changes nothing the second time.
    assert event(api, "resolved", T(5, 14)).get_json()["changed"] is False


def test_reopen_and_stale_events(api, session) -> None:
    api.post("/interactions", opened(resolved_at=T(5, 12)))
    assert event(api, "reopened", T(5, 11)).get_json()["changed"] is False  # before resolution
    reopened = event(api, "reopened", T(5, 13)).get_json()
    assert reopened["changed"] is True and reopened["state"] == "open"
    interaction = stored(session)
    assert interaction.resolved_at is None and interaction.reopened_at == t(5, 13)
    assert interaction.reopen_count == 1
    # The old resolution arriving again is stale; a resolution after the reopening counts,
    # and may be earlier than the first one was.
    assert event(api, "resolved", T(5, 12)).get_json()["changed"] is False
    assert event(api, "resolved", T(5, 16)).get_json()["changed"] is True
    assert stored(session).resolved_at == t(5, 16)


def test_bad_events_are_named(api, session) -> None:
    api.post("/interactions", opened())
    assert event(api, "resolved", T(3, 9)).get_json()["field"] == "at"
    assert event(api, "resolved", "2099-01-01T00:00:00Z").get_json()["field"] == "at"
    unknown = event(api, "resolved", T(5, 9), ref="NOPE")
    assert unknown.status_code == 422 and unknown.get_json()["field"] == "external_ref"
    wrong = event(api, "exploded", T(5, 9))
    assert wrong.status_code == 422 and wrong.get_json()["field"] == "event"
    assert stored(session).resolved_at is None


def test_survey_waits_for_resolution(app, api, session) -> None:
    api.post("/interactions", opened())
    assert decide(app, session).invited == 0
    assert stored(session).survey_decision == "pending"
    event(api, "resolved", T(4, 15))
    assert decide(app, session).invited == 1
    assert stored(session).survey_decision == "invited"


def test_cancelled_request_is_never_surveyed(app, api, session) -> None:
    api.post("/interactions", opened())
    assert event(api, "cancelled", T(4, 12)).get_json()["state"] == "cancelled"
    interaction = stored(session)
    assert (interaction.survey_decision, interaction.skip_reason) == ("skipped", "cancelled")
    # Cancelled is final: a resolution or a reopening after it changes nothing.
    assert event(api, "resolved", T(4, 15)).get_json()["changed"] is False
    assert decide(app, session).invited == 0
    assert stored(session).resolved_at is None


def test_reopening_before_the_mail_left_withdraws_the_survey(app, api, session) -> None:
    api.post("/interactions", opened(resolved_at=T(4, 15)))
    assert decide(app, session).invited == 1
    message = session.scalar(select(OutboxMessage))
    assert message.status == "queued"
    event(api, "reopened", T(4, 16))
    session.rollback()
    assert session.scalar(select(Invitation)) is None
    message = session.scalar(select(OutboxMessage))
    assert (message.status, message.last_error) == ("failed", WITHDRAWN_REOPENED)
    assert stored(session).survey_decision == "pending"
    # Resolved again: decided again, with a fresh invitation and mail.
    event(api, "resolved", T(4, 18))
    assert decide(app, session).invited == 1
    session.rollback()
    assert session.scalar(select(Invitation)).status == "queued"
    queued = session.scalars(select(OutboxMessage).where(OutboxMessage.status == "queued")).all()
    assert len(queued) == 1


def test_reopening_after_the_mail_left_keeps_the_survey(app, api, session) -> None:
    api.post("/interactions", opened(resolved_at=T(4, 15)))
    decide(app, session)
    session.execute(update(OutboxMessage).values(status="sent"))
    session.execute(update(Invitation).values(status="sent"))
    session.commit()
    event(api, "reopened", T(4, 16))
    session.rollback()
    assert session.scalar(select(Invitation)).status == "sent"
    assert stored(session).survey_decision == "invited"


def test_cancelling_after_the_mail_left_cancels_the_link(app, api, session) -> None:
    api.post("/interactions", opened(resolved_at=T(4, 15)))
    decide(app, session)
    session.execute(update(OutboxMessage).values(status="sent"))
    session.execute(update(Invitation).values(status="sent"))
    session.commit()
    event(api, "cancelled", T(4, 16))
    session.rollback()
    assert session.scalar(select(Invitation)).status == "cancelled"
    # The survey went out: the decision stays, as it does for an answered one (the API must
    # not tell which).
    interaction = stored(session)
    assert (interaction.survey_decision, interaction.skip_reason) == ("invited", None)


def test_cancelling_before_the_mail_left_withdraws_the_survey(app, api, session) -> None:
    api.post("/interactions", opened(resolved_at=T(4, 15)))
    decide(app, session)
    event(api, "cancelled", T(4, 16))
    session.rollback()
    assert session.scalar(select(Invitation)) is None
    interaction = stored(session)
    assert (interaction.survey_decision, interaction.skip_reason) == ("skipped", "cancelled")


def test_snapshot_with_reopening_and_later_resolution(api, session) -> None:
    api.post("/interactions", opened(resolved_at=T(4, 15)))
    again = api.post(
        "/interactions", opened(resolved_at=T(4, 20), reopened_at=T(4, 17), paused_seconds=600)
    )
    assert again.get_json()["state"] == "resolved"
    interaction = stored(session)
    assert interaction.resolved_at == t(4, 20) and interaction.reopen_count == 1
    assert interaction.paused_seconds == 600
    # Paused time only grows: a stale smaller total is ignored.
    api.post("/interactions", opened(paused_seconds=60))
    assert stored(session).paused_seconds == 600
    bad = api.post("/interactions", opened(paused_seconds=-1))
    assert bad.status_code == 422 and bad.get_json()["field"] == "paused_seconds"


def test_admin_list_shows_the_request_state(api, admin_client, session) -> None:
    api.post("/interactions", opened())
    api.post("/interactions", opened(external_ref="T-2", resolved_at=T(4, 15)))
    event(api, "reopened", T(4, 16), ref="T-2")
    api.post("/interactions", opened(external_ref="T-3", cancelled_at=T(4, 12)))
    html = admin_client.get("/admin/interactions").get_data(as_text=True)
    assert "Request open" in html and "Reopened (1)" in html and "Request cancelled" in html
    assert "Waiting for resolution" in html and "The request was cancelled" in html


@pytest.mark.slow
def test_concurrent_events_end_as_if_applied_one_by_one(live_server, api, session, org) -> None:
    """Resolutions, first responses and a cancellation racing on one request over a running
    server: the result obeys the rules whatever the order (rows locked while applied)."""
    import http.client
    import json
    import threading

    assert api.post("/interactions", opened()).status_code == 201
    key = org.api_key
    events = [("resolved", T(5, h)) for h in range(10, 20)] + [
        ("first_response", T(4, h)) for h in range(10, 20)
    ]
    barrier = threading.Barrier(len(events))
    statuses: list[int] = []

    def fire(kind: str, at: str) -> None:
        payload = {"source": "helpdesk", "external_ref": "T-1", "event": kind, "at": at}
        conn = http.client.HTTPConnection("127.0.0.1", live_server.port, timeout=60)
        barrier.wait()
        conn.request(
            "POST",
            "/api/v1/interactions/events",
            json.dumps(payload),
            {"Content-Type": "application/json", "Authorization": f"Bearer {key}"},
        )
        statuses.append(conn.getresponse().status)
        conn.close()

    threads = [threading.Thread(target=fire, args=e) for e in events]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(set(statuses)) == [200], statuses
    interaction = stored(session)
    assert interaction.resolved_at == t(5, 19)  # the latest resolution
    assert interaction.first_response_at == t(4, 10)  # the earliest first response


def test_csv_rows_update_the_lifecycle_too(admin_client, session, org) -> None:
    from tests.delivery.test_admin_delivery import imported, upload

    email = org.person(0).email
    head = "provider,requester_email,opened_at,source,external_ref,resolved_at,paused_seconds\n"
    assert imported(admin_client, head + f"IT,{email},{T(4, 9)},desk,C1,,\n").status_code == 302
    again = head + f"IT,{email},{T(4, 9)},desk,C1,{T(4, 15)},900\n"
    assert imported(admin_client, again).status_code == 302
    session.rollback()
    row = session.scalar(select(Interaction).where(Interaction.external_ref == "C1"))
    assert row.resolved_at == t(4, 15) and row.paused_seconds == 900
    bad = upload(admin_client, head + f"IT,{email},{T(4, 9)},desk,C2,,soon\n")
    assert bad.status_code == 422 and "paused_seconds" in bad.get_data(as_text=True)


def test_snapshot_refusals_name_the_snapshot_field(api, session) -> None:
    api.post("/interactions", opened())
    late = api.post("/interactions", opened(resolved_at="2099-01-01T00:00:00Z"))
    assert late.status_code == 422 and late.get_json()["field"] == "resolved_at"
    early = api.post("/interactions", opened(cancelled_at=T(3, 9)))
    assert early.status_code == 422 and early.get_json()["field"] == "cancelled_at"
    assert stored(session).cancelled_at is None
