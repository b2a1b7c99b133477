"""The admin page of the campaign schedule: view, change, pause; bad values come back with
the answers kept; languages."""

from __future__ import annotations

from sqlalchemy import select

from survey.models import CampaignSchedule
from tests.conftest import csrf_token

GOOD = {
    "name": "Relationship survey",
    "quarters": ["1", "3"],
    "open_offset_days": "10",
    "close_offset_days": "31",
    "questionnaire": "",
    "min_group_size": "6",
    "reminder_max": "1",
    "reminder_min_days": "4",
    "active": "y",
}


def post(client, data):  # type: ignore[no-untyped-def]
    return client.post(
        "/admin/schedule", data={**data, "csrf_token": csrf_token(client, "/admin/schedule")}
    )


def stored(session) -> list[CampaignSchedule]:  # type: ignore[no-untyped-def]
    session.rollback()
    return list(session.scalars(select(CampaignSchedule)))


def test_set_change_and_pause_the_schedule(admin_client, session, org) -> None:
    page = admin_client.get("/admin/schedule")
    assert page.status_code == 200 and "Campaign schedule" in page.get_data(as_text=True)
    response = post(admin_client, {**GOOD, "departments": [str(org.eng.id)]})
    assert response.status_code == 302
    [row] = stored(session)
    assert (row.quarters, row.open_offset_days, row.close_offset_days) == ("13", 10, 31)
    assert [d.id for d in row.departments] == [org.eng.id] and row.active
    body = admin_client.get("/admin/schedule").get_data(as_text=True)
    assert "Relationship survey" in body and 'value="31"' in body
    paused = {k: v for k, v in GOOD.items() if k != "active"}
    assert post(admin_client, paused).status_code == 302
    [row] = stored(session)
    assert not row.active and row.departments == []  # the same row, changed
    assert "paused" in admin_client.get("/admin/schedule").get_data(as_text=True)


def test_bad_values_come_back_with_the_answers_kept(admin_client, session, org) -> None:
    for bad, message in [
        ({"close_offset_days": "5"}, "The campaign must close after it opens."),
        ({"quarters": []}, "Choose at least one quarter."),
        ({"open_offset_days": "abc"}, "Relationship survey"),
        ({"open_offset_days": "900"}, "Relationship survey"),
        ({"questionnaire": "999999"}, "Relationship survey"),
        ({"name": "x" * 300}, "x" * 300),  # kept as typed
    ]:
        response = post(admin_client, {**GOOD, **bad})
        assert response.status_code == 422, bad
        body = response.get_data(as_text=True)
        assert message in body, bad
        assert 'value="31"' in body or bad.get("close_offset_days") == "5", bad
        assert 'class="error"' in body
    assert stored(session) == []


def test_a_post_without_csrf_token_changes_nothing(admin_client, session) -> None:
    response = admin_client.post("/admin/schedule", data=GOOD)
    assert response.status_code in (400, 422)
    assert stored(session) == []


def test_the_page_speaks_italian_and_french(admin_client) -> None:
    it = admin_client.get("/admin/schedule?lang=it").get_data(as_text=True)
    assert "Calendario delle campagne" in it and "Da aprile a giugno" in it
    fr = admin_client.get("/admin/schedule?lang=fr").get_data(as_text=True)
    assert "Calendrier des campagnes" in fr and "D’avril à juin" in fr


def test_a_scheduled_quarter_is_cancelled_on_its_own_page_and_not_made_again(
    app, admin_client, session, org
) -> None:
    from datetime import UTC, datetime

    from survey.db import database
    from survey.delivery.services.tick import TickSettings
    from survey.delivery.tick_job import run_tick
    from survey.models import Campaign

    assert post(admin_client, {**GOOD, "quarters": ["2", "3"]}).status_code == 302
    settings = TickSettings(base_url="http://localhost", mail_domain="example.com", salt="s")

    def tick(now: datetime) -> None:
        with app.app_context():
            run_tick(database(app).sessionmaker, settings, now)

    tick(datetime(2026, 4, 2, tzinfo=UTC))
    session.rollback()
    q2 = session.scalar(select(Campaign).where(Campaign.quarter == "2026Q2"))
    page = admin_client.get(f"/admin/campaigns/{q2.id}").get_data(as_text=True)
    assert "Created by the campaign schedule" in page
    token = csrf_token(admin_client, f"/admin/campaigns/{q2.id}")
    cancelled = admin_client.post(f"/admin/campaigns/{q2.id}/cancel", data={"csrf_token": token})
    assert cancelled.status_code == 302
    tick(datetime(2026, 4, 20, tzinfo=UTC))
    tick(datetime(2026, 7, 1, tzinfo=UTC))
    session.rollback()
    rows = session.execute(select(Campaign.quarter, Campaign.status).order_by(Campaign.quarter))
    assert rows.all() == [("2026Q2", "cancelled"), ("2026Q3", "draft")]
    listed = admin_client.get("/admin/schedule").get_data(as_text=True)
    assert "Relationship survey 2026Q2" in listed and "Relationship survey 2026Q3" in listed


def test_hostile_values_get_a_clear_refusal_never_a_server_error(admin_client, session) -> None:
    for bad in [
        {"quarters": ["x"]},
        {"quarters": ["7"]},
        {"open_offset_days": "1e9"},
        {"name": "a\x00b"},
        {"departments": ["abc"]},
        {"departments": ["999999"]},
        {"questionnaire": "abc"},
        {"min_group_size": "-1"},
    ]:
        response = post(admin_client, {**GOOD, **bad})
        assert response.status_code == 422, bad
        assert 'class="error"' in response.get_data(as_text=True), bad
    assert stored(session) == []
