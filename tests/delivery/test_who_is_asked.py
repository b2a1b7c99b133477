"""Who a handled request's survey asks: its requester as the provider's internal customer,
never a member of the providing department about its own service."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from survey.models import Interaction, Invitation, OutboxMessage
from survey.models.base import utcnow
from tests import factories
from tests.delivery.test_api_interactions import body
from tests.delivery.test_lifecycle import decide


def _iso(value) -> str:  # type: ignore[no-untyped-def]
    return value.isoformat().replace("+00:00", "Z")


def _report(api, email: str, ref: str):  # type: ignore[no-untyped-def]
    now = utcnow()
    answer = api.post(
        "/interactions",
        body(
            requester_email=email,
            external_ref=ref,
            opened_at=_iso(now - timedelta(hours=5)),
            first_response_at=_iso(now - timedelta(hours=4)),
            resolved_at=_iso(now - timedelta(hours=1)),
        ),
    )
    assert answer.status_code == 201, answer.get_json()
    return answer


@pytest.mark.postgres
def test_a_member_of_the_providing_department_is_not_asked_about_it(
    app, api, admin_client, session, org
) -> None:
    """A help desk's own staff open tickets with their help desk too (or a tool records the
    agent as the requester). A survey then asks the department about itself: its answer is
    filed with the department as its own customer, in the customers' share T and in the
    customer table, where the quarterly survey never puts a member (it leaves out the
    person's own department). Before, such a request was surveyed like any other."""
    member = factories.person(session, "agent@example.com", department_row=org.it)
    _report(api, member.email, "T-own")
    _report(api, org.person(0).email, "T-customer")  # a Sales colleague: asked
    report = decide(app, session)
    assert report.invited == 1 and report.skipped == {"own_department": 1}
    session.rollback()
    own = session.scalar(select(Interaction).where(Interaction.external_ref == "T-own"))
    assert (own.survey_decision, own.skip_reason) == ("skipped", "own_department")
    invited = session.scalars(select(Invitation.person_id)).all()
    assert invited == [org.person(0).id]
    assert (
        session.scalar(select(OutboxMessage.to_addr).where(OutboxMessage.to_addr.contains("agent")))
        is None
    )
    page = admin_client.get("/admin/interactions").get_data(as_text=True)
    assert "The requester works in the providing department" in page
