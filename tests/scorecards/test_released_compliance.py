"""A released quarter's published figures do not move when requests of it are reported late.

A ticketing tool connected for the first time, or replaying after an outage, reports requests
opened in a quarter whose figures are already out. Its C (service-standard compliance), and
with it its ISQ and IQ, were published at the release: pages, exports and the API must keep
showing them. The late requests still appear on the requests page."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from analysis.scorecard_inputs import ComplianceCount
from survey.delivery.services.interactions import (
    InteractionInput,
    apply_lifecycle,
    record_interaction,
)
from survey.models import Interaction, QuarterRelease
from survey.models.base import utcnow
from survey.periods import quarter_bounds, quarter_of, shift_quarter
from survey.scorecards.services import compliance_data
from tests.conftest import csrf_token
from tests.delivery.test_campaigns import tick
from tests.factories import post_interaction_link
from tests.scorecards.conftest import Org, api_get, same_page

# The quarter before the present one: ended, so released once k people answered about IT.
Q = shift_quarter(quarter_of(utcnow()), -1)


def _released_org(org: Org) -> Org:
    org.post_interaction("IT", "SALES", Q, [4, 5, 5, 3, 4, 2, 5, 4, 1, 2, 3, 4])
    org.quarterly("IT", "SALES", Q, [4, 4, 5, 3, 4])
    # 8 judged requests, 6 within the promised times (60 min first answer, 480 to resolve).
    org.interactions("IT", Q, [(30, 300)] * 6 + [(30, 900)] * 2)
    return org


def _late_request(n: int) -> dict[str, object]:
    """A request opened in ``Q`` and resolved two days later: far outside its standard."""
    opened = datetime.combine(quarter_bounds(Q)[0], time(10), tzinfo=UTC) + timedelta(days=9)
    return {
        "provider": "IT",
        "service": "IT-SVC",
        "requester_email": "asker@example.com",
        "source": "replay",
        "external_ref": f"LATE-{n}",
        "opened_at": opened.isoformat(),
        "first_response_at": (opened + timedelta(days=1)).isoformat(),
        "resolved_at": (opened + timedelta(days=2)).isoformat(),
    }


def _published(client, admin_client, org: Org) -> tuple[dict, str, str]:  # type: ignore[no-untyped-def]
    body = api_get(client, org, f"/api/v1/departments/IT/scorecard?quarter={Q}").get_json()
    page = admin_client.get(f"/scorecards/IT?quarter={Q}").get_data(as_text=True)
    export = admin_client.get(f"/scorecards/IT.csv?quarter={Q}").get_data(as_text=True)
    return body, same_page(page), export


@pytest.mark.postgres
def test_late_reports_do_not_move_a_released_quarter(
    app, client, admin_client, org: Org, backend
) -> None:
    _released_org(org)
    tick(app, utcnow())  # records the release of Q
    body, page, export = _published(client, admin_client, org)
    c = body["components"]["C"]
    assert c["n"] == 8 and c["raw"] == pytest.approx(75.0, abs=0.01)
    assert body["isq"]["value"] is not None

    for n in range(12):
        response = client.post(
            "/api/v1/interactions",
            json=_late_request(n),
            headers={"Authorization": f"Bearer {org.api_key}"},
        )
        assert response.status_code == 201, response.get_json()
    # A survey mailed about a request of Q, answered only now: filed under the quarter in
    # progress, not under Q.
    last_day = datetime.combine(quarter_bounds(Q)[1], time(9), tzinfo=UTC) - timedelta(days=1)
    token = post_interaction_link(
        org.session,
        org.requester,
        org.departments["IT"],
        valid_for=timedelta(days=200),
        now=last_day,
    )
    answer = {"csrf_token": csrf_token(client, f"/r/{token}"), "overall": "1"}
    assert client.post(f"/r/{token}", data=answer).status_code == 302
    tick(app, utcnow() + timedelta(minutes=1))

    after, page_after, export_after = _published(client, admin_client, org)
    assert after["components"]["C"] == c
    assert after["isq"] == body["isq"] and after["iq"] == body["iq"]
    assert page_after == page
    assert export_after == export
    # The late requests are stored and listed for the administrators all the same.
    listing = admin_client.get("/admin/interactions?per_page=100").get_data(as_text=True)
    assert "LATE-0" in listing


@pytest.mark.postgres
def test_a_late_report_refreshes_the_cached_counts_of_the_quarter_in_progress(
    session, org: Org, backend
) -> None:
    """The counts are kept under a version of the requests; a late report of the quarter in
    progress (opened long before, reported now) changes that version."""
    now = utcnow()
    current = quarter_of(now)
    before = compliance_data.compliance_counts(session, [current], now)
    org.service("IT", 60, 480)
    start = datetime.combine(quarter_bounds(current)[0], time(), tzinfo=UTC)
    opened = max(start, now - timedelta(days=30))
    record_interaction(
        session,
        InteractionInput(
            provider="IT",
            service="IT-SVC",
            requester_email="asker@example.com",
            opened_at=opened,
            first_response_at=opened + timedelta(minutes=5),
            resolved_at=opened + timedelta(minutes=50),
        ),
        now,
    )
    session.commit()
    after = compliance_data.compliance_counts(session, [current], now)
    assert before.get((org.id("IT"), current)) is None
    assert after[(org.id("IT"), current)] == ComplianceCount(1, 1)


@pytest.mark.postgres
def test_a_release_recorded_before_the_upgrade_is_frozen_by_the_next_tick(
    app, session, org: Org, backend
) -> None:
    """A quarter recorded as released before counts were frozen (migration 0026 leaves its
    ``compliance_frozen_at`` empty) is frozen by the next tick; from then on a request of it
    changed afterwards (here a later resolution, past its standard) moves its counts no
    more."""
    _released_org(org)
    now = utcnow()
    session.add(QuarterRelease(quarter=Q, min_group_size=5, recorded_at=now))
    session.commit()
    it = org.id("IT")
    assert compliance_data.compliance_counts(session, [Q], now)[(it, Q)] == ComplianceCount(8, 6)
    tick(app, now)
    session.rollback()  # end the read transaction begun before the tick
    assert session.get(QuarterRelease, Q).compliance_frozen_at is not None
    # A compliant request's tool reports a later resolution (it moves forward): no longer
    # within its standard.
    first = session.scalars(select(Interaction).order_by(Interaction.id)).first()
    apply_lifecycle(session, first, "resolved", first.opened_at + timedelta(minutes=900))
    session.commit()
    live = compliance_data.live_compliance_counts(session, [Q], now)
    assert live[(it, Q)] == ComplianceCount(8, 5), "the change would have moved C"
    assert compliance_data.compliance_counts(session, [Q], now)[(it, Q)] == ComplianceCount(8, 6)
    by_service = compliance_data.compliance_counts(session, [Q], now, it, by_service=True)
    assert list(by_service.values()) == [ComplianceCount(8, 6)]


@pytest.mark.postgres
def test_a_late_first_request_does_not_bring_t_into_a_released_quarter(
    app, client, admin_client, org: Org, backend
) -> None:
    """A quarter released on quarterly surveys alone has an ISQ of R alone (no request was
    recorded: T and C leave it). A ticketing tool connected afterwards back-fills a request
    opened in that quarter: "the organisation recorded a request" must be read as of the
    release too, or T comes back in at its prior and the published ISQ and IQ move."""
    org.quarterly("IT", "SALES", Q, [4, 4, 5, 3, 4, 5, 4])
    org.quarterly("HR", "SALES", Q, [2, 3, 2, 3, 2, 3, 3])
    org.service("IT", 60, 480)  # a service with its standard, before any request
    tick(app, utcnow())  # records the release of Q
    body, page, export = _published(client, admin_client, org)
    assert body["isq_weights"] == {"T": 0.0, "R": 1.0, "C": 0.0}

    response = client.post(
        "/api/v1/interactions",
        json=_late_request(0),
        headers={"Authorization": f"Bearer {org.api_key}"},
    )
    assert response.status_code == 201, response.get_json()
    tick(app, utcnow() + timedelta(minutes=1))

    after, page_after, export_after = _published(client, admin_client, org)
    assert after["isq_weights"] == body["isq_weights"]
    assert after["isq"] == body["isq"] and after["iq"] == body["iq"]
    assert page_after == page
    assert export_after == export
