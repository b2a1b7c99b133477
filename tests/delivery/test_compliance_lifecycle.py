"""Compliance counts follow the request lifecycle: paused time does not count, cancelled
requests are not judged, a lifecycle update shows at once (no stale cache), and with an
organisation calendar only working hours count."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from survey.models import ServiceStandard
from survey.scorecards.services.compliance_data import compliance_counts
from tests.delivery.test_api_interactions import body

pytestmark = pytest.mark.postgres

NOW = datetime(2026, 6, 30, 12, tzinfo=UTC)


def report(api, ref: str, opened: str, resolved: str | None, **extra):  # type: ignore[no-untyped-def]
    payload = body(
        external_ref=ref,
        opened_at=opened,
        first_response_at=opened,
        resolved_at=resolved if resolved else ...,
        **extra,
    )
    response = api.post("/interactions", payload)
    assert response.status_code in (200, 201), response.get_json()
    return response


def test_pauses_cancellations_updates_and_business_hours(app, api, session, org) -> None:
    # Laptop repair promises a first answer within 60 minutes and resolution within 4 hours.
    session.add(
        ServiceStandard(
            service_id=org.laptop.id,
            effective_from=date(2026, 1, 1),
            first_response_minutes=60,
            resolution_minutes=240,
        )
    )
    session.commit()
    # Monday 4 May 2026 (UTC): 09:00 -> 12:00, complies.
    report(api, "A", "2026-05-04T09:00:00Z", "2026-05-04T12:00:00Z")
    # 09:00 -> 15:00 (6 h) with 3 h paused: 3 h counts, complies.
    report(api, "B", "2026-05-04T09:00:00Z", "2026-05-04T15:00:00Z", paused_seconds=3 * 3600)
    # Friday 8 May 16:00 -> Monday 11 May 11:00: late round the clock, on time in office hours.
    report(api, "C", "2026-05-08T16:00:00Z", "2026-05-11T11:00:00Z")
    # Open for weeks but cancelled: not judged.
    report(api, "D", "2026-05-05T09:00:00Z", None, cancelled_at="2026-05-20T09:00:00Z")
    # Open and late: judged, fails.
    report(api, "E", "2026-05-06T09:00:00Z", None)
    key = (org.it.id, "2026Q2")
    with app.app_context():
        counts = compliance_counts(session, ["2026Q2"], NOW)[key]
        assert (counts.judged, counts.compliant) == (4, 2)
    # E is resolved within its time after all (a late report): the counts follow at once.
    report(api, "E", "2026-05-06T09:00:00Z", "2026-05-06T10:00:00Z")
    session.rollback()
    with app.app_context():
        counts = compliance_counts(session, ["2026Q2"], NOW)[key]
        assert (counts.judged, counts.compliant) == (4, 3)
        app.config["BUSINESS_HOURS"] = "Mon-Fri 09:00-17:00 UTC"
        counts = compliance_counts(session, ["2026Q2"], NOW)[key]
        assert (counts.judged, counts.compliant) == (4, 4)
        by_service = compliance_counts(session, ["2026Q2"], NOW, org.it.id, by_service=True)
        assert by_service[(org.it.id, "2026Q2", org.laptop.id)].compliant == 4


def test_a_bad_calendar_setting_stops_the_start(tmp_path) -> None:
    from survey.config import ConfigError, load_settings

    with pytest.raises(ConfigError, match="SURVEY_BUSINESS_HOURS"):
        load_settings(str(tmp_path), {"SURVEY_BUSINESS_HOURS": "Mon-Fri 9 to 5"})
    good = load_settings(str(tmp_path), {"SURVEY_BUSINESS_HOURS": " Mon-Fri 09:00-17:00 UTC "})
    assert good["BUSINESS_HOURS"] == "Mon-Fri 09:00-17:00 UTC"
