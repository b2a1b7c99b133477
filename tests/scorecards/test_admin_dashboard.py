"""The admin dashboard lists what needs attention, from real data: open campaigns with their
response rates, failed mail, quarters held back and released, the schedule, and the
departments whose released figures changed significantly since the quarter before."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from survey.models import Invitation, OutboxMessage, Person
from tests import factories
from tests.scorecards.conftest import Org

BEFORE, AFTER, HELD = "2026Q2", "2026Q3", "2026Q1"


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def _setup(org: Org) -> None:
    # IT jumps (a flagged change), FIN stays level (none): test_model's worked example.
    org.quarterly("IT", "SALES", BEFORE, [2, 2, 2, 3, 2, 2, 2, 3, 2, 2] * 3)
    org.quarterly("IT", "SALES", AFTER, [5, 4, 5, 5, 4, 5, 5, 4, 5, 5] * 3)
    org.quarterly("FIN", "SALES", BEFORE, [3, 4, 3, 4, 3, 4, 3, 4, 3, 4] * 3)
    org.quarterly("FIN", "SALES", AFTER, [3, 4, 3, 4, 3, 4, 3, 4, 4, 4] * 3)
    # An earlier quarter with answers whose campaign is still open: held back.
    org.post_interaction("HR", "SALES", HELD, [4, 4, 5, 5, 3])
    session = org.session
    people = [
        Person(email=f"p{i}@example.com", name=f"P{i}", department_id=org.id("SALES"))
        for i in range(8)
    ]
    session.add_all(people)
    session.commit()
    campaign = factories.open_campaign(session, "Winter survey")
    for person in people:
        factories.quarterly_link(session, person, campaign)
    invitations = session.query(Invitation).filter_by(campaign_id=campaign.id).all()
    for invitation in invitations[:2]:
        invitation.status = "answered"
    late = factories.open_campaign(session, "Late spring survey")
    late.quarter = HELD
    for status, created in (
        ("failed", datetime(2026, 1, 15, 23, 30, tzinfo=UTC)),
        ("failed", datetime(2026, 1, 10, 8, 0, tzinfo=UTC)),
        ("sent", datetime(2026, 1, 20, 8, 0, tzinfo=UTC)),
    ):
        session.add(
            OutboxMessage(
                message_id=f"<{status}-{created.timestamp()}@example.com>",
                purpose="invitation",
                to_addr="someone@example.com",
                subject="Survey",
                body_text="x",
                body_html="<p>x</p>",
                status=status,
                created_at=created,
            )
        )
    session.commit()


@pytest.mark.postgres
def test_the_dashboard_lists_what_needs_attention(admin_client, org: Org, backend) -> None:
    _setup(org)
    page = _text(admin_client.get("/admin/"))
    # Open campaigns, their aggregate response rate (2 of 8), and a link to each.
    winter = page[page.index("Winter survey") :]
    cells = re.findall(r'<td class="num">([^<]*)</td>', winter)
    assert cells[:3] == ["8", "2", "25%"]
    assert "Late spring survey" in page
    # Failed mail: two, the newest queued at 23:30 UTC (UTC here), linked to the outbox.
    assert "Messages that could not be delivered: 2" in page
    assert "Jan 15, 2026 11:30" in page
    assert 'href="/admin/outbox?status=failed"' in page
    # Quarters: 2026Q3 released, 2026Q1 held by its open campaign, the current in progress.
    assert "Latest released quarter: 2026Q3." in page
    assert (
        "2026Q1 has ended and is ready to release: it is published once Late spring survey "
        "closes." in page
    )
    assert "is in progress" in page
    assert "No campaign schedule" in page
    # What changed: IT improved (flagged by the model), FIN did not.
    changes = page[page.index("What changed since last quarter") : page.index("Open campaigns")]
    assert "Information Technology" in changes and "Improved +" in changes
    assert "Finance" not in changes
    assert 'href="/scorecards/IT?quarter=2026Q3"' in changes


def test_an_empty_organisation_has_a_calm_dashboard(admin_client) -> None:
    page = _text(admin_client.get("/admin/"))
    assert "No quarter has been released yet" in page
    assert "No campaign is open." in page and "No failed mail." in page


def test_the_dashboard_speaks_italian(admin_client, org: Org) -> None:
    _setup(org)
    page = _text(admin_client.get("/admin/?lang=it"))
    assert "Cosa è cambiato dall'ultimo trimestre" in page
    assert "25%" in page and "15 gen 2026" in page


def test_the_attention_section_is_delivery_s_and_the_dashboard_stands_without_it(
    app, admin_client
) -> None:
    """The dashboard of ``survey/views/admin/`` shows the section only through the
    ``admin.dashboard`` extension point, where ``survey.delivery.init_app`` registered it."""
    from survey import hooks
    from survey.delivery.dashboard import dashboard_section

    registered = app.extensions[hooks.KEY]["admin.dashboard"]
    assert dashboard_section in registered
    registered.remove(dashboard_section)
    response = admin_client.get("/admin/")
    page = _text(response)
    assert response.status_code == 200
    assert "What changed since last quarter" not in page
    assert "No campaign is open." not in page
    assert "The organisation in numbers" in page
