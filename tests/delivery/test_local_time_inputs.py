"""Admin date and time inputs are read in the organisation's time zone (SURVEY_TIMEZONE) and
stored as UTC instants; pages show them back in that zone. Europe/Rome is UTC+1 in winter
and UTC+2 in summer, so a form read as UTC would be one or two hours off."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from survey.delivery.services.schedules import quarter_window
from survey.local_time import day_end, day_start, local_today, to_utc
from survey.models import AuditEntry, Campaign, CampaignSchedule, Interaction
from survey.services.audit import AuditFilter, entries
from tests.conftest import post_form
from tests.factories import PASSWORD


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "TIMEZONE": "Europe/Rome"}


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def test_conversions_in_winter_summer_and_at_the_clock_changes(app) -> None:
    with app.app_context():
        assert to_utc(datetime(2026, 1, 15, 10, 30)) == datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
        assert to_utc(datetime(2026, 7, 15, 10, 30)) == datetime(2026, 7, 15, 8, 30, tzinfo=UTC)
        # 02:30 on 29 March 2026 does not exist in Rome: read with the winter offset.
        assert to_utc(datetime(2026, 3, 29, 2, 30)) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
        # 02:30 on 25 October 2026 happens twice: its first occurrence (summer time).
        assert to_utc(datetime(2026, 10, 25, 2, 30)) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
        assert day_start(date(2026, 1, 1)) == datetime(2025, 12, 31, 23, 0, tzinfo=UTC)
        assert day_start(date(2026, 7, 1)) == datetime(2026, 6, 30, 22, 0, tzinfo=UTC)
        assert local_today(datetime(2026, 6, 30, 22, 30, tzinfo=UTC)) == date(2026, 7, 1)
        assert to_utc(None) is None


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("2026-01-15T10:30", datetime(2026, 1, 15, 9, 30, tzinfo=UTC)),  # winter, UTC+1
        ("2026-07-15T10:30", datetime(2026, 7, 15, 8, 30, tzinfo=UTC)),  # summer, UTC+2
    ],
)
def test_an_interaction_typed_by_hand_is_read_in_rome(
    admin_client, session, org, typed: str, stored: datetime
) -> None:
    form = admin_client.get("/admin/interactions/new").get_data(as_text=True)
    assert "Opened (Europe/Rome)" in form and "(UTC)" not in form
    resolved = typed.replace("10:30", "12:05")
    response = post_form(
        admin_client,
        "/admin/interactions/new",
        {
            "provider": "IT",
            "service": "IT-LAPTOP",
            "requester_email": org.person(0).email,
            "opened_at": typed,
            "first_response_at": "",
            "resolved_at": resolved,
            "external_ref": "ROME-1",
        },
    )
    assert response.status_code == 302
    session.rollback()
    row = session.scalars(select(Interaction).where(Interaction.external_ref == "ROME-1")).one()
    assert _utc(row.opened_at) == stored
    assert _utc(row.resolved_at) - _utc(row.opened_at) == timedelta(hours=1, minutes=35)
    listing = admin_client.get("/admin/interactions").get_data(as_text=True)
    assert "10:30" in listing  # shown back in Rome's time


@pytest.mark.postgres
def test_a_campaign_opens_and_closes_at_midnight_in_rome(admin_client, session, org) -> None:
    today = local_today_of(admin_client)
    opens, closes = date(today.year + 1, 1, 10), date(today.year + 1, 7, 1)
    response = post_form(
        admin_client,
        "/admin/campaigns/new",
        {
            "name": "Rome review",
            "quarter": f"{today.year + 1}Q1",
            "opens_on": opens.isoformat(),
            "closes_on": closes.isoformat(),
            "departments": [str(org.sales.id)],
            "min_group_size": "5",
            "reminder_max": "2",
            "reminder_min_days": "5",
            "confirm": "1",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    session.rollback()
    campaign = session.scalars(select(Campaign).where(Campaign.name == "Rome review")).one()
    # Midnight in Rome: 23:00 UTC the day before in winter, 22:00 in summer.
    assert _utc(campaign.opens_at) == datetime(opens.year, 1, 9, 23, 0, tzinfo=UTC)
    assert _utc(campaign.closes_at) == datetime(closes.year, 6, 30, 22, 0, tzinfo=UTC)
    detail = admin_client.get(f"/admin/campaigns/{campaign.id}").get_data(as_text=True)
    assert f"Jan 10, {opens.year}" in detail and f"Jul 1, {closes.year}" in detail


def local_today_of(client) -> date:  # type: ignore[no-untyped-def]
    with client.application.app_context():
        return local_today()


def test_a_schedule_opens_at_the_start_of_its_day_in_rome(app) -> None:
    schedule = CampaignSchedule(quarters="13", open_offset_days=14, close_offset_days=35)
    with app.app_context():
        opens, closes = quarter_window(schedule, "2027Q1")
        assert opens == datetime(2027, 1, 14, 23, 0, tzinfo=UTC)  # 15 January, 00:00 in Rome
        assert closes == datetime(2027, 2, 4, 23, 0, tzinfo=UTC)
        opens, _closes = quarter_window(schedule, "2027Q3")
        assert opens == datetime(2027, 7, 14, 22, 0, tzinfo=UTC)  # summer time


@pytest.mark.postgres
def test_the_audit_filter_reads_days_in_rome(app, session, admin_client) -> None:
    # 23:30 UTC on 14 January is 00:30 on the 15th in Rome.
    late = AuditEntry(
        at=datetime(2026, 1, 14, 23, 30, tzinfo=UTC),
        actor_label="someone",
        action="update",
        target_kind="department",
        target_id="1",
        target_label="Late",
        changes={},
    )
    session.add(late)
    session.commit()
    with app.app_context():
        on_15th = session.scalars(entries(AuditFilter(since=date(2026, 1, 15)))).all()
        on_14th = session.scalars(entries(AuditFilter(until=date(2026, 1, 14)))).all()
    assert [e.target_label for e in on_15th] == ["Late"]
    assert "Late" not in [e.target_label for e in on_14th]
    page = admin_client.get("/admin/audit?since=2026-01-15&until=2026-01-15").get_data(as_text=True)
    assert "Late" in page and "When (Europe/Rome)" in page


# --- the calendar's ends -----------------------------------------------------------------------
# Midnight of 0001-01-01 in Rome is in year 0 in UTC, and 23:59 on 9999-12-31 in New York in
# year 10000: neither exists. Forms refuse years outside 1970..9998 (422, the field named, the
# answers kept); the conversions clamp to the calendar's ends rather than fail.


def test_forms_and_the_app_share_one_year_range() -> None:
    import analysis.scorecard_results
    import forms.base
    import survey.periods

    assert (forms.base.MIN_YEAR, forms.base.MAX_YEAR) == (1970, 9998)
    assert (survey.periods.MIN_YEAR, survey.periods.MAX_YEAR) == (1970, 9998)
    assert (analysis.scorecard_results.MIN_YEAR, analysis.scorecard_results.MAX_YEAR) == (
        1970,
        9998,
    )


def test_conversions_at_the_calendar_ends_stay_in_it(app) -> None:
    from zoneinfo import ZoneInfo

    first, last = datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC)
    new_york = ZoneInfo("America/New_York")
    with app.app_context():
        assert to_utc(datetime(1, 1, 1)) == first  # Rome is ahead of UTC
        assert day_start(date.min) == first
        assert day_end(date.max) == last
        assert day_end(date(2026, 1, 14)) == datetime(2026, 1, 14, 23, 0, tzinfo=UTC)
        assert to_utc(datetime(9999, 12, 31, 23, 59, tzinfo=new_york)) == last
        assert to_utc(datetime(9999, 12, 31, 23, 59)) == datetime(9999, 12, 31, 22, 59, tzinfo=UTC)


def field_error(page: str, name: str) -> str:
    """The error shown under the field ``name`` ("" when none)."""
    found = re.search(rf'<p class="error" id="{name}-error">(.*?)</p>', page, re.S)
    return found.group(1) if found else ""


YEARS = "Choose a year between 1970 and 9998."


@pytest.mark.parametrize("query", ["until=9999-12-31", "since=0001-01-01", "since=1969-12-31"])
@pytest.mark.parametrize("page", ["/admin/audit", "/admin/audit.csv"])
def test_the_audit_filter_ignores_days_outside_the_years(admin_client, page, query) -> None:
    response = admin_client.get(f"{page}?{query}")
    assert response.status_code == 200
    if page == "/admin/audit":
        assert "could not be read" in response.get_data(as_text=True)


CAMPAIGN = {
    "name": "Edge review",
    "quarter": "2027Q1",
    "opens_on": "2027-01-10",
    "closes_on": "2027-02-10",
    "min_group_size": "5",
    "reminder_max": "0",
    "reminder_min_days": "1",
}


@pytest.mark.parametrize(
    ("field", "value", "confirm"),
    [
        ("quarter", "0000Q1", ""),
        ("quarter", "9999Q4", ""),
        ("quarter", "1969Q4", "1"),
        ("opens_on", "0001-01-01", "1"),
        ("closes_on", "9999-12-31", "1"),
    ],
)
def test_a_campaign_outside_the_years_is_refused(
    admin_client, session, field, value, confirm
) -> None:
    data = {**CAMPAIGN, field: value, "confirm": confirm}
    if field == "opens_on":
        data["closes_on"] = "0001-01-02"
    response = post_form(admin_client, "/admin/campaigns/new", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_error(page, field) == YEARS
    assert f'value="{value}"' in page and 'value="Edge review"' in page
    session.rollback()
    assert session.scalars(select(Campaign)).all() == []


INTERACTION = {
    "provider": "IT",
    "service": "",
    "opened_at": "2026-11-01T09:00",
    "first_response_at": "",
    "resolved_at": "",
    "external_ref": "EDGE-1",
}


def _interaction_refused(client, session, org, field: str, value: str) -> None:  # type: ignore[no-untyped-def]
    data = {**INTERACTION, "requester_email": org.person(0).email, field: value}
    response = post_form(client, "/admin/interactions/new", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_error(page, field) == YEARS
    assert f'value="{value}"' in page and 'value="EDGE-1"' in page
    session.rollback()
    assert session.scalars(select(Interaction)).all() == []


def test_an_interaction_at_the_first_day_is_refused_in_rome(admin_client, session, org) -> None:
    _interaction_refused(admin_client, session, org, "opened_at", "0001-01-01T00:00")


@pytest.mark.parametrize("field", ["opened_at", "first_response_at", "resolved_at"])
def test_an_interaction_at_the_last_day_is_refused_in_new_york(
    app_config, tmp_path, make_user, session, org, field
) -> None:
    from survey import create_app

    app = create_app({**app_config, "TIMEZONE": "America/New_York"})
    app.instance_path = str(tmp_path / "instance-new-york")
    client = app.test_client()
    user = make_user("admin")
    signed_in = post_form(client, "/auth/sign-in", {"email": user.email, "password": PASSWORD})
    assert signed_in.status_code == 302
    _interaction_refused(client, session, org, field, "9999-12-31T23:59")


def test_an_interactions_file_without_zones_is_read_in_rome(admin_client, session, org) -> None:
    """A ticket export from a spreadsheet writes "2026-01-15 10:30", without a zone. Typed
    into the form, that time is Rome's; in an imported file it was refused on every line.
    It is read in Rome too, and a time that names its zone keeps it."""
    from tests.delivery.test_admin_delivery import imported, upload

    email = org.person(0).email
    text = (
        "provider;requester_email;opened_at;resolved_at;source;external_ref\n"
        f"IT;{email};2026-01-15 10:30;2026-07-15T12:05;sheet;R-1\n"
        f"IT;{email};2026-01-15T10:30:00Z;2026-01-15T12:00:00+01:00;sheet;R-2\n"
        f"IT;{email};15/01/2026 10:30;;sheet;R-3\n"
    )
    refused = upload(admin_client, text)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Line 4" in page and "Line 2" not in page and "Line 3" not in page
    assert imported(admin_client, text.rsplit("IT;", 1)[0]).status_code == 302
    session.rollback()
    rows = {
        r.external_ref: r
        for r in session.scalars(select(Interaction).where(Interaction.source == "sheet"))
    }
    assert _utc(rows["R-1"].opened_at) == datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
    assert _utc(rows["R-1"].resolved_at) == datetime(2026, 7, 15, 10, 5, tzinfo=UTC)
    assert _utc(rows["R-2"].opened_at) == datetime(2026, 1, 15, 10, 30, tzinfo=UTC)
    assert _utc(rows["R-2"].resolved_at) == datetime(2026, 1, 15, 11, 0, tzinfo=UTC)
