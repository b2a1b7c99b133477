"""A requester address a mail header reads as another one (``ann(x)@example.com`` is mailed to
``ann@example.com``) is refused by the API with a 422 naming the field, even when a person was
stored under it before the people form refused it: the survey mail would go to someone else."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey.models import Interaction
from tests import factories
from tests.delivery.test_api_interactions import body
from tests.delivery.test_webhooks import sample


@pytest.mark.postgres
@pytest.mark.parametrize("address", ["ann(x)@example.com", "a,b@example.com"])
def test_a_stored_misread_address_is_refused_by_the_api(api, session, org, address) -> None:
    factories.person(session, email=address, department_row=org.sales)
    answer = api.post("/interactions", body(requester_email=address))
    assert answer.status_code == 422, answer.get_json()
    assert answer.get_json()["field"] == "requester_email"
    assert "another address" in answer.get_json()["error"]
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Interaction)) == 0


def test_the_webhooks_refuse_it_too(api, session, org) -> None:
    factories.person(session, email="ann(x)@example.com", department_row=org.sales)
    payload = sample("helpdesk-created")
    payload["ticket"]["requester"]["email"] = "ann(x)@example.com"
    answer = api.post("/webhooks/helpdesk?provider=IT", payload)
    assert answer.status_code == 422 and answer.get_json()["field"] == "requester_email"


def test_an_address_outside_ascii_is_still_recorded(api, session, org) -> None:
    """As the people import: the request counts, the mail fails visibly at the dispatcher."""
    factories.person(session, email="zoë@example.com", department_row=org.sales)
    answer = api.post("/interactions", body(requester_email="Zoë@example.com"))
    assert answer.status_code == 201, answer.get_json()
