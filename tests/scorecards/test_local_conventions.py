"""Local conventions on the scorecard pages: numbers in the reader's language, hours in the
organisation's time zone, durations in hours or days."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from flask_babel import force_locale

from survey import create_app
from survey.config import ConfigError, load_settings
from survey.local_format import decimal, duration, moment, percent, signed
from tests.scorecards.conftest import Org

Q = "2026Q1"


def _text(response) -> str:
    """The page's text without its inline charts (whose coordinates are numbers too)."""
    html = re.sub(r"<svg.*?</svg>", "", response.get_data(as_text=True), flags=re.S)
    return re.sub(r"\s+", " ", html)


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    # 1 a.m. in Rome is midnight UTC in winter: a zone with an offset, so UTC would show.
    return {**app_config, "TIMEZONE": "Europe/Rome"}


@pytest.fixture
def small_org(org: Org) -> Org:
    """IT: T = 7/12 (58.3: a share needs k people on each side), R = 75.0, and six requests
    opened 09:00-14:00 UTC on a winter
    day of the quarter, answered in 30 minutes and resolved in 2 hours."""
    org.post_interaction("IT", "SALES", Q, [4, 5, 5, 3, 4, 2, 5, 4, 1, 2, 3, 4])
    org.quarterly("IT", "SALES", Q, [4, 4, 4, 4, 4])
    org.interactions("IT", Q, [(30, 120)] * 6, hour=9)
    return org


@pytest.mark.parametrize("lang", ["it", "fr"])
def test_numbers_on_the_department_page_follow_the_language(
    admin_client, small_org: Org, lang: str
) -> None:
    english = _text(admin_client.get(f"/scorecards/IT?quarter={Q}&lang=en"))
    assert "58.3" in english and "75.0" in english and "0.35" in english
    page = _text(admin_client.get(f"/scorecards/IT?quarter={Q}&lang={lang}"))
    assert "Components" not in page  # the page is translated
    assert "58,3" in page and "75,0" in page and "0,35" in page
    assert "58.3" not in page and "75.0" not in page and "0.35" not in page


def test_opening_hours_are_counted_in_the_organisation_time_zone(
    admin_client, small_org: Org
) -> None:
    html = admin_client.get(f"/scorecards/IT?quarter={Q}").get_data(as_text=True)
    assert "hour opened, Europe/Rome" in html and "hour opened, UTC" not in html
    row = html[html.index('<table class="hours">') :]
    row = row[row.index("<tbody>") : row.index("</tbody>")]
    counts = [int(n) for n in re.findall(r"<td[^>]*>(\d+)</td>", row)]
    assert len(counts) == 24
    # Opened 09:00-14:00 UTC in January: 10:00-15:00 in Rome.
    assert counts[10:16] == [1] * 6 and sum(counts) == 6 and counts[9] == 0


def test_a_bad_time_zone_stops_the_start_up(tmp_path) -> None:
    with pytest.raises(ConfigError, match="SURVEY_TIMEZONE"):
        load_settings(str(tmp_path), {"SURVEY_TIMEZONE": "Mars/Olympus_Mons"})
    with pytest.raises(ConfigError, match="SURVEY_TIMEZONE"):
        load_settings(str(tmp_path), {"SURVEY_TIMEZONE": "../etc/passwd"})
    assert load_settings(str(tmp_path), {})["TIMEZONE"] == "UTC"
    assert load_settings(str(tmp_path), {"SURVEY_TIMEZONE": "Europe/Paris"})["TIMEZONE"] == (
        "Europe/Paris"
    )
    with pytest.raises(ConfigError, match="SURVEY_TIMEZONE"):
        create_app({"TESTING": True, "TIMEZONE": "Nowhere/Land", "SECRET_KEY": "x"})


def test_formats_per_language(app) -> None:
    with app.test_request_context():
        with force_locale("en"):
            assert decimal(85.14) == "85.1" and signed(-3.21) == "-3.2" and signed(5) == "+5.0"
            assert percent(0.25) == "25%" and decimal(None) == "–"
            assert duration(45) == "45 min" and duration(240) == "4 h" and duration(90) == "1.5 h"
            assert duration(150) == "2.5 h" and duration(14400) == "10 d"
            # Europe/Rome (this module's app): 23:30 UTC on 15 January is 00:30 on the 16th.
            assert moment(datetime(2026, 1, 15, 23, 30, tzinfo=UTC)) == "Jan 16, 2026 12:30\u202fAM"
        with force_locale("it"):
            assert decimal(85.14) == "85,1" and signed(2.25, 2) == "+2,25"
            assert duration(150) == "2,5 h" and duration(14400) == "10 g"
            assert percent(0.25) == "25%" and percent(0.125, 1) == "12,5%"
            assert moment(datetime(2026, 7, 1, 12, 0, tzinfo=UTC)) == "1 lug 2026 14:00"
        with force_locale("fr"):
            # French puts a (no-break) space before the sign.
            assert percent(0.25) == "25\u00a0%" and percent(0.125, 1) == "12,5\u00a0%"
            assert decimal(85.14) == "85,1" and duration(5040) == "3,5 j"
            assert duration(2160) == "36 h"


def test_service_standards_read_in_hours_and_the_chart_draws_them(
    admin_client, small_org: Org
) -> None:
    html = admin_client.get(f"/scorecards/IT?quarter={Q}").get_data(as_text=True)
    section = html[html.index('id="compliance-heading"') :]
    section = section[: section.index("</section>")]
    text = re.sub(r"\s+", " ", re.sub(r"<svg.*?</svg>", "", section, flags=re.S))
    # The standard of IT's service (60 and 480 minutes) in hours, never in minutes.
    assert "IT help: first response within 1 h, resolution within 8 h" in text
    assert "480" not in text
    # One chart (not three stacked panels), with the standards as labelled lines and a
    # text alternative naming the medians (30 min to answer, 2 h to resolve).
    found = re.findall(r"<svg.*?</svg>", section, flags=re.S)
    charts = [c for c in found if 'id="chart-compliance-narrow-' not in c]
    assert len(charts) == 1 and len(found) == 2  # and its narrow rendition for phones
    assert ">1 h<" in charts[0] and ">8 h<" in charts[0] and "Service standard" in charts[0]
    assert "median 30 min" in charts[0] and "median 2 h" in charts[0]
    italian = admin_client.get(f"/scorecards/IT?quarter={Q}&lang=it").get_data(as_text=True)
    assert "prima risposta entro 1 h, risoluzione entro 8 h" in italian
    assert "Standard di servizio" in italian


def test_the_dashboard_shows_times_in_the_organisation_time_zone(admin_client, session) -> None:
    from survey.models import OutboxMessage

    session.add(
        OutboxMessage(
            message_id="<late@example.com>",
            purpose="invitation",
            to_addr="someone@example.com",
            subject="Survey",
            body_text="x",
            body_html="<p>x</p>",
            status="failed",
            created_at=datetime(2026, 1, 15, 23, 30, tzinfo=UTC),
        )
    )
    session.commit()
    page = _text(admin_client.get("/admin/"))
    # 23:30 UTC on 15 January is 00:30 on the 16th in Rome.
    # (the narrow space before AM reads as a space once whitespace is folded)
    assert "Jan 16, 2026 12:30 AM" in page and "Jan 15" not in page
    italian = _text(admin_client.get("/admin/?lang=it"))
    assert "16 gen 2026 00:30" in italian
    outbox = _text(admin_client.get("/admin/outbox?lang=en"))
    assert "Jan 16, 2026 12:30 AM" in outbox


def test_an_email_gives_its_date_in_the_reader_language_and_the_zone(app) -> None:
    from flask import render_template

    from survey.models import Person

    context = {
        "person": Person(email="r@example.com", name="Rita"),
        "link": "http://localhost/r/x",
        "stop_link": "http://localhost/r/x/stop",
        "reminder": False,
        # The last evening of March in UTC is already April in Rome.
        "expires_at": datetime(2026, 3, 31, 22, 30, tzinfo=UTC),
    }
    with app.test_request_context():
        with force_locale("it"):
            italian = render_template("email/quarterly.txt", **context)
        with force_locale("fr"):
            french = render_template("email/quarterly.html", **context)
    assert "1 apr 2026" in italian and "2026-03-31" not in italian
    assert "1 avr. 2026" in french
