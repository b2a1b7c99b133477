"""The setting-up list on the administration dashboard: each step is ticked exactly when what
it asks for exists, unticked when it goes away, and never ticked by an empty organisation
(no dependencies at all is not "every department names its providers"); the page links each
step and drops the list once every step is done."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy.orm import Session

from survey.models import CampaignSchedule
from survey.org.services import add_standard, create_service, set_dependencies
from survey.quiz.services import send_quiz_invitations
from survey.services.accounts import create_api_key, revoke_api_key
from survey.services.setup_steps import STEP_KEYS, setup_steps
from tests import factories

pytestmark = pytest.mark.postgres


def _done(session: Session, mail_server: bool = False) -> dict[str, bool]:
    session.commit()
    steps = setup_steps(session, mail_server)
    assert tuple(step.key for step in steps) == STEP_KEYS
    return {step.key: step.done for step in steps}


def test_each_step_is_ticked_when_its_thing_exists_and_unticked_when_it_goes(
    app: Any, session: Session, quiz: Any
) -> None:
    assert _done(session) == dict.fromkeys(STEP_KEYS, False)
    assert _done(session, mail_server=True)["mail"]

    it = factories.department(session, "IT", "IT")
    assert not _done(session)["departments"]  # one department serves nobody
    sales = factories.department(session, "SALES", "Sales")
    hr = factories.department(session, "HR", "HR")
    done = _done(session)
    assert done["departments"] and not done["people"]
    assert not done["dependencies"] and not done["managers"]  # nothing to be complete about

    ann = factories.person(session, department_row=sales)
    factories.person(session, department_row=hr)
    assert _done(session)["people"]

    # Sales depends on IT; HR, which has people too, on nobody yet.
    set_dependencies(session, [it.id, sales.id, hr.id], [(sales.id, it.id)])
    steps = {step.key: step for step in setup_steps(session, False)}
    assert not steps["dependencies"].done and steps["dependencies"].counts["missing"] == 1
    set_dependencies(session, [it.id, sales.id, hr.id], [(sales.id, it.id), (hr.id, it.id)])
    assert _done(session)["dependencies"]
    # A provider that closes down does not count as one.
    it.active = False
    assert not _done(session)["dependencies"]
    it.active = True
    assert _done(session)["dependencies"]

    # IT is rated (a provider) and has no manager; a manager of Sales, which nobody rates,
    # does not count for it.
    steps = {step.key: step for step in setup_steps(session, False)}
    assert not steps["managers"].done and steps["managers"].counts["missing"] == 1
    factories.user(session, "manager", department_id=sales.id)
    assert not _done(session)["managers"]
    manager = factories.user(session, "manager", department_id=it.id)
    assert _done(session)["managers"]
    manager.active = False
    assert not _done(session)["managers"]
    manager.active = True

    laptops = create_service(session, it.id, "IT-LAPTOP", "Laptops")
    assert not _done(session)["services"]  # no standard to time requests against
    add_standard(session, laptops, date(2026, 1, 1), 60, 480)
    assert _done(session)["services"]

    key, _secret = create_api_key(session, "scorecards only", ["scorecards"])
    assert not _done(session)["requests"]  # this key may not report requests
    key, _secret = create_api_key(session, "ticketing", ["interactions"])
    assert _done(session)["requests"]
    revoke_api_key(session, key)
    assert not _done(session)["requests"]
    factories.handled_request(session, ann, it)
    assert _done(session)["requests"]  # recorded by hand or imported

    schedule = CampaignSchedule(name="Every quarter")
    session.add(schedule)
    assert _done(session)["quarterly"]
    schedule.active = False
    assert not _done(session)["quarterly"]
    campaign = factories.open_campaign(session)
    assert _done(session)["quarterly"]
    campaign.status = "cancelled"
    assert not _done(session)["quarterly"]
    campaign.status = "open"

    with app.app_context():
        send_quiz_invitations(session, [sales.id], "http://localhost", "example.com", 5)
    assert _done(session, mail_server=True) == dict.fromkeys(STEP_KEYS, True)


@pytest.mark.parametrize("language", ["en", "it", "fr"])
def test_the_dashboard_lists_the_steps_left_with_links(
    admin_client: Any, session: Session, language: str
) -> None:
    page = admin_client.get("/admin/", headers={"Accept-Language": language})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.count('data-step="') == len(STEP_KEYS)
    assert 'class="todo" data-step="mail"' in html
    for path in ("/admin/departments", "/admin/dependencies", "/admin/api-keys", "/admin/schedule"):
        assert f'href="{path}"' in html
    heading = {"en": "Setting up", "it": "Configurazione", "fr": "Mise en place"}[language]
    assert heading in html


def test_the_list_goes_once_every_step_is_done(
    app_config: dict[str, Any], session: Session, admin_client: Any, quiz: Any
) -> None:
    it = factories.department(session, "IT", "IT")
    sales = factories.department(session, "SALES", "Sales")
    ann = factories.person(session, department_row=sales)
    set_dependencies(session, [it.id, sales.id], [(sales.id, it.id)])
    factories.user(session, "manager", department_id=it.id)
    add_standard(session, create_service(session, it.id, "IT-1", "Desk"), date(2026, 1, 1), 60, 480)
    factories.handled_request(session, ann, it)
    factories.open_campaign(session)
    with admin_client.application.app_context():
        send_quiz_invitations(session, [sales.id], "http://localhost", "example.com", 5)
    session.commit()
    html = admin_client.get("/admin/").get_data(as_text=True)
    assert 'data-step="' in html  # the mail server is still missing
    assert html.count('class="todo"') == 1
    admin_client.application.config["SMTP_URL"] = "smtp://127.0.0.1:2525"
    html = admin_client.get("/admin/").get_data(as_text=True)
    assert 'data-step="' not in html and "Setting up" not in html
