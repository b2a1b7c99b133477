"""Requests reported long after their resolution (a ticketing tool connected for the first time
back-filling months, or replaying after an outage) are stored and count toward compliance,
but their requesters are not surveyed about them: skipped ``reported_late``."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import func, select

from survey.config import ConfigError, load_settings
from survey.models import Interaction, Invitation, OutboxMessage, ServiceStandard
from survey.models.base import utcnow
from survey.periods import quarter_of
from survey.scorecards.services.compliance_data import live_compliance_counts
from tests.delivery.test_admin_delivery import imported, upload
from tests.delivery.test_api_interactions import body
from tests.delivery.test_campaigns import tick


def _iso(value) -> str:  # type: ignore[no-untyped-def]
    return value.isoformat().replace("+00:00", "Z")


def _report(api, ref: str, resolved_days_ago: float, person: int = 0):  # type: ignore[no-untyped-def]
    """A request of person ``person`` opened two hours before its resolution."""
    resolved = utcnow() - timedelta(days=resolved_days_ago)
    answer = api.post(
        "/interactions",
        body(
            requester_email=f"p{person}@example.com",
            external_ref=ref,
            opened_at=_iso(resolved - timedelta(hours=2)),
            first_response_at=_iso(resolved - timedelta(hours=1)),
            resolved_at=_iso(resolved),
        ),
    )
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def _stored(session, ref: str) -> Interaction:  # type: ignore[no-untyped-def]
    session.rollback()
    return session.scalar(select(Interaction).where(Interaction.external_ref == ref))


@pytest.mark.postgres
def test_a_request_resolved_long_before_it_is_reported_is_not_surveyed(
    app, api, admin_client, session, org, backend
) -> None:
    """Before, every back-filled request was surveyed: a requester got a mail about a request
    resolved months ago, and their answer was filed under the quarter in progress."""
    session.add(
        ServiceStandard(
            service_id=org.laptop.id,
            effective_from=(utcnow() - timedelta(days=400)).date(),
            first_response_minutes=240,
            resolution_minutes=480,
        )
    )
    session.commit()
    _report(api, "OLD", resolved_days_ago=15)  # past the default 14 days
    _report(api, "EDGE", resolved_days_ago=13, person=2)  # within them
    _report(api, "NEW", resolved_days_ago=0.1, person=4)
    report = tick(app, utcnow())
    assert report.post_interaction_invited == 2
    assert report.post_interaction_skipped == {"reported_late": 1}
    old = _stored(session, "OLD")
    assert (old.survey_decision, old.skip_reason) == ("skipped", "reported_late")
    assert session.scalar(select(func.count()).where(Invitation.interaction_id == old.id)) == 0
    assert (
        session.scalar(select(func.count()).where(OutboxMessage.to_addr == org.person(0).email))
        == 0
    )
    # Stored, and judged against the service standard like the others.
    quarters = sorted({quarter_of(_stored(session, r).opened_at) for r in ("OLD", "NEW")})
    counts = live_compliance_counts(session, quarters, utcnow())
    assert sum(c.judged for c in counts.values()) == 3
    # The API answers with the decision only, as for every other reason.
    repeat = body(
        external_ref="OLD", opened_at=_iso(old.opened_at), first_response_at=..., resolved_at=...
    )
    again = api.post("/interactions", repeat)
    assert again.get_json()["survey"] == "skipped" and "skip_reason" not in again.get_json()
    # The requests page words the reason in the administrator's language.
    for lang, words in (
        ("en", "Reported more than 14 days after its resolution"),
        ("it", "Segnalata più di 14 giorni dopo la sua risoluzione"),
        ("fr", "Signalée plus de 14 jours après sa résolution"),
    ):
        page = admin_client.get(f"/admin/interactions?decision=skipped&lang={lang}")
        assert words in unescape(page.get_data(as_text=True)), lang


@pytest.mark.postgres
def test_the_age_counts_from_the_last_resolution(app, api, session, org, backend) -> None:
    """A request resolved a month ago, reopened and resolved again today is surveyed: the
    survey is about its last resolution."""
    _report(api, "AGAIN", resolved_days_ago=30)
    now = utcnow()
    events = [("reopened", now - timedelta(hours=3)), ("resolved", now - timedelta(hours=1))]
    for event, at in events:
        answer = api.post(
            "/interactions/events",
            {"source": "helpdesk", "external_ref": "AGAIN", "event": event, "at": _iso(at)},
        )
        assert answer.status_code == 200, answer.get_json()
    report = tick(app, now)
    assert report.post_interaction_invited == 1 and report.post_interaction_skipped == {}
    assert _stored(session, "AGAIN").survey_decision == "invited"


def test_the_age_is_a_setting(tmp_path) -> None:
    assert load_settings(str(tmp_path), {})["LATE_REPORT_DAYS"] == 14
    days = load_settings(str(tmp_path), {"SURVEY_LATE_REPORT_DAYS": "45"})["LATE_REPORT_DAYS"]
    assert days == 45
    for raw in ("0", "-3", "two weeks"):
        with pytest.raises(ConfigError, match="SURVEY_LATE_REPORT_DAYS"):
            load_settings(str(tmp_path), {"SURVEY_LATE_REPORT_DAYS": raw})


def test_the_import_says_how_many_will_not_be_surveyed(app, admin_client, session, org) -> None:
    """The administrator's CSV import is the usual back-fill path: it says, before any mail
    could go, how many of the requests will not be surveyed and why."""
    for lang, words in (
        ("it", "Una richiesta risolta più di 14 giorni fa viene registrata"),
        ("fr", "Une demande résolue il y a plus de 14 jours est enregistrée"),
        ("en", "A request resolved more than 14 days ago is stored"),
    ):
        form = admin_client.get(f"/admin/interactions/import?lang={lang}")
        assert words in unescape(form.get_data(as_text=True)), lang
    now = utcnow()
    email = org.person(0).email

    def row(ref: str, days: int) -> str:
        resolved = now - timedelta(days=days)
        return f"IT;{email};{_iso(resolved - timedelta(hours=3))};{_iso(resolved)};desk;{ref}\n"

    text = (
        "provider;requester_email;opened_at;resolved_at;source;external_ref\n"
        + row("B1", 90)
        + row("B2", 40)
        + row("B3", 1)
        + f"IT;{email};{_iso(now - timedelta(days=60))};;desk;B4\n"  # still open
    )
    # The check before the import says it, and nothing is stored yet.
    preview = unescape(upload(admin_client, text).get_data(as_text=True))
    assert (
        "2 of them were resolved more than 14 days ago: they count toward compliance but "
        "will not be surveyed (reported late)." in preview
    )
    assert session.scalar(select(func.count()).select_from(Interaction)) == 0
    response = imported(admin_client, text)
    assert response.status_code == 302
    page = unescape(admin_client.get(response.headers["Location"]).get_data(as_text=True))
    assert "Imported 4 interactions (0 already known)." in page
    assert (
        "2 of them were resolved more than 14 days ago: they count toward compliance but "
        "will not be surveyed (reported late)." in page
    )
    report = tick(app, utcnow())
    assert report.post_interaction_skipped == {"reported_late": 2}
    # Nothing late in the file: nothing said about it.
    response = imported(
        admin_client, "provider;requester_email;opened_at\n" + f"IT;{email};{_iso(now)}\n"
    )
    page = unescape(admin_client.get(response.headers["Location"]).get_data(as_text=True))
    assert "reported late" not in page
