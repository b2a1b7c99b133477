""" "You said, we did" in the quarterly invitation email (the batch of a campaign's opening and
a single reminder) and on the thank-you page: published actions only, of the departments the
person rates, in the person's language."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from survey.actions import services
from survey.actions.services import ActionInput
from survey.delivery.services.campaigns import send_reminders
from survey.models import Department, Dependency, Invitation, OutboxMessage, Person
from survey.models.base import utcnow
from survey.services.questionnaires import install_default_questionnaires
from tests.factories import quarterly_mail

pytestmark = pytest.mark.postgres

SHOWN = "You told us laptops took too long; spare laptops now wait at the desk."
DONE = "New starters get their accounts on day one."
HIDDEN = ("Internal rota change", "Still only planned", "Dropped idea")


def act(session, department, summary: str, status: str) -> None:
    services.create_action(
        session,
        None,
        department,
        ActionInput("t", "", "dimension:tools", "", None, None, status, summary),
    )


@pytest.fixture
def world(session):
    it = Department(code="IT", name="Information Technology")
    hr = Department(code="HR", name="Human Resources")
    fin = Department(code="FIN", name="Finance")
    sales = Department(code="SALES", name="Sales")
    session.add_all([it, hr, fin, sales])
    session.flush()
    session.add_all(
        [
            Dependency(customer_department_id=sales.id, provider_department_id=it.id),
            Dependency(customer_department_id=sales.id, provider_department_id=hr.id),
        ]
    )
    session.add_all(
        [
            Person(email="ada@example.com", name="Ada", department_id=sales.id),
            Person(email="bruno@example.com", name="Bruno", department_id=sales.id, locale="it"),
            Person(email="fin@example.com", name="Fay", department_id=fin.id),
        ]
    )
    install_default_questionnaires(session)
    act(session, it, SHOWN, "in_progress")
    act(session, hr, DONE, "done")
    act(session, it, "", "done")  # no public summary: internal
    act(session, it, HIDDEN[1], "planned")
    act(session, hr, HIDDEN[2], "dropped")
    act(session, fin, "Finance closes the books faster.", "done")  # not rated by Sales
    session.commit()
    return {"it": it, "hr": hr, "sales": sales}


def test_invitations_list_the_published_actions_of_the_rated_departments(
    app, session, world
) -> None:
    mail = quarterly_mail(app, session, world["sales"])
    assert len(mail) == 2
    english = next(m for a, m in mail.items() if "ada@" in a)
    italian = next(m for a, m in mail.items() if "bruno@" in a)
    for message in (english, italian):
        for body in (message.body_text, message.body_html):
            assert SHOWN in body and DONE in body
            assert "Finance closes" not in body
            assert not any(h in body for h in HIDDEN[1:])
    assert "You said, we did" in english.body_html and "You said, we did" in english.body_text
    assert "Avete detto, abbiamo fatto" in italian.body_html
    assert "You said, we did" not in italian.body_text

    # A reminder (rendered one person at a time) carries the same list.
    now = utcnow()
    session.execute(Invitation.__table__.update().values(last_mailed_at=now - timedelta(days=9)))
    # The first mails left then too: a reminder waits for the mail before it.
    session.execute(
        OutboxMessage.__table__.update().values(status="sent", sent_at=now - timedelta(days=9))
    )
    session.commit()
    with app.app_context():
        assert send_reminders(session, "http://localhost", "example.com", now=now) == 2
    session.commit()
    reminders = session.scalars(
        select(OutboxMessage).where(OutboxMessage.purpose == "reminder:quarterly")
    ).all()
    assert len(reminders) == 2 and all(
        SHOWN in m.body_text and DONE in m.body_html for m in reminders
    )


def test_thank_you_page_lists_them_in_the_readers_language(client, world) -> None:
    ids = [world["it"].id, world["hr"].id]
    page = client.get("/r/thanks", query_string={"lang": "fr", "d": ids}).get_data(as_text=True)
    assert "Vous avez dit, nous avons fait" in page
    assert SHOWN in page and DONE in page and "Information Technology" in page
    assert not any(h in page for h in HIDDEN[1:])
    plain = client.get("/r/thanks", query_string={"d": ["x", "-1", "99999999999"]})
    assert plain.status_code == 200
    assert "You said, we did" not in plain.get_data(as_text=True)


def test_departments_are_named_in_the_readers_language(app, client, session, world) -> None:
    world["it"].names = {"it": "Sistemi informativi", "fr": "Informatique"}
    mail = quarterly_mail(app, session, world["sales"])
    italian = next(m for a, m in mail.items() if "bruno@" in a)
    english = next(m for a, m in mail.items() if "ada@" in a)
    for body in (italian.body_text, italian.body_html):
        assert "Sistemi informativi" in body and "Information Technology" not in body
        assert "Human Resources" in body  # no translation: the default name
    assert "Information Technology" in english.body_html
    ids = [world["it"].id, world["hr"].id]
    for lang, name in (("fr", "Informatique"), ("it", "Sistemi informativi")):
        page = client.get("/r/thanks", query_string={"lang": lang, "d": ids})
        text = page.get_data(as_text=True)
        assert name in text and "Information Technology" not in text and SHOWN in text
