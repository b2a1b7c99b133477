"""Department and service names in the reader's language: stored per locale beside the default
name, picked by one helper with the default as fallback, on respondent pages and in emails."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from survey.delivery.services.interactions import decide_pending_surveys
from survey.models import AuditEntry, Department, Interaction, OutboxMessage, Service
from survey.models.base import utcnow
from survey.names import clean_names, localized_name, pick_name
from survey.org.services import OrgError, create_department, create_service, update_department
from survey.services.fatigue import FatiguePolicy
from tests.admin.conftest import fresh
from tests.conftest import post_form

IT_NAMES = {"it": "Sistemi informativi", "fr": "Informatique"}


def test_the_default_name_is_the_fallback() -> None:
    assert pick_name("Information Technology", IT_NAMES, "it") == "Sistemi informativi"
    assert pick_name("Information Technology", IT_NAMES, "fr_CH") == "Informatique"
    assert pick_name("Information Technology", IT_NAMES, "en") == "Information Technology"
    assert pick_name("Information Technology", {"it": "  "}, "it") == "Information Technology"
    assert pick_name("Information Technology", {"fr": "Informatique"}, "it") == (
        "Information Technology"
    )
    assert pick_name("Information Technology", None, "it") == "Information Technology"
    assert pick_name("Information Technology", IT_NAMES, None) == "Information Technology"
    assert clean_names({"it": " Vendite ", "fr": "", "de": "Verkauf"}) == {"it": "Vendite"}


@pytest.mark.postgres
def test_names_are_stored_and_read_back_on_both_databases(session) -> None:
    dept = create_department(session, "it", "Information Technology", names=IT_NAMES)
    service = create_service(
        session, dept.id, "laptops", "Laptops", names={"it": "Portatili", "fr": ""}
    )
    plain = create_department(session, "hr", "Human Resources")
    session.commit()
    session.expire_all()
    stored = session.scalar(select(Department).where(Department.code == "IT"))
    assert stored is not None and stored.names == IT_NAMES
    assert localized_name(stored, "it") == "Sistemi informativi"
    assert session.get(Service, service.id).names == {"it": "Portatili"}  # type: ignore[union-attr]
    assert localized_name(session.get(Department, plain.id), "fr") == "Human Resources"  # type: ignore[arg-type]

    update_department(session, stored, "IT", "Information Technology", None, names={"it": ""})
    session.commit()
    assert fresh(session, Department, stored.id).names == {}
    with pytest.raises(OrgError) as refused:
        update_department(session, stored, "IT", "IT", None, names={"fr": "x" * 121})
    assert refused.value.field == "name_fr"


@pytest.mark.postgres
def test_admin_forms_edit_the_italian_and_french_names(admin_client, session) -> None:
    response = post_form(
        admin_client,
        "/admin/departments/new",
        {"code": "FAC", "name": "Facilities", "name_it": "Servizi generali", "name_fr": ""},
    )
    assert response.status_code == 302
    session.rollback()
    dept = session.scalar(select(Department).where(Department.code == "FAC"))
    assert dept is not None and dept.names == {"it": "Servizi generali"}
    page = admin_client.get(f"/admin/departments/{dept.id}").get_data(as_text=True)
    assert 'value="Servizi generali"' in page and 'name="name_fr"' in page

    response = post_form(
        admin_client,
        "/admin/services/new",
        {
            "provider": str(dept.id),
            "code": "fac-rooms",
            "name": "Rooms",
            "name_it": "Sale",
            "name_fr": "Salles",
            "description": "",
            "sampling_rate": "1",
        },
    )
    assert response.status_code == 302
    session.rollback()
    service = session.scalar(select(Service).where(Service.code == "fac-rooms"))
    assert service is not None and service.names == {"it": "Sale", "fr": "Salles"}
    page = admin_client.get(f"/admin/services/{service.id}").get_data(as_text=True)
    assert 'value="Salles"' in page

    too_long = post_form(
        admin_client,
        f"/admin/departments/{dept.id}",
        {"code": "FAC", "name": "Facilities", "name_it": "x" * 121, "parent": ""},
    )
    assert too_long.status_code == 422
    assert fresh(session, Department, dept.id).names == {"it": "Servizi generali"}

    # A changed translation is audited like any other field, one entry per language.
    response = post_form(
        admin_client,
        f"/admin/departments/{dept.id}",
        {"code": "FAC", "name": "Facilities", "name_it": "", "name_fr": "Services généraux"},
    )
    assert response.status_code == 302
    session.rollback()
    edit = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.target_kind == "department", AuditEntry.action == "edit")
        .order_by(AuditEntry.id)
    ).all()[-1]
    assert edit.changes == {
        "names.it": ["Servizi generali", None],
        "names.fr": [None, "Services généraux"],
    }


def _translate_it(session, org) -> None:  # type: ignore[no-untyped-def]
    org.it.names = dict(IT_NAMES)
    org.laptop.names = {"it": "Portatili"}
    session.commit()


@pytest.mark.postgres
def test_respond_page_names_the_department_in_the_readers_language(
    client, session, invite, org
) -> None:
    _translate_it(session, org)
    italian = next(p for p in org.people if p.locale == "it")
    html = client.get(f"/r/{invite('post_interaction', italian)}").get_data(as_text=True)
    assert "Sistemi informativi" in html and "Portatili" in html
    assert "Information Technology" not in html
    english = next(p for p in org.people if p.locale == "en")
    html = client.get(f"/r/{invite('post_interaction', english)}").get_data(as_text=True)
    assert "Information Technology" in html and "Sistemi informativi" not in html
    # A language without a translation falls back to the default name.
    org.it.names = {"it": "Sistemi informativi"}
    session.commit()
    french = next(p for p in org.people if p.locale == "fr")
    html = client.get(f"/r/{invite('post_interaction', french)}").get_data(as_text=True)
    assert "Information Technology" in html


def test_invitation_email_names_the_department_in_the_persons_language(app, session, org) -> None:
    _translate_it(session, org)
    now = utcnow()
    italian = next(p for p in org.people if p.locale == "it")
    french = next(p for p in org.people if p.locale == "fr")
    for person in (italian, french):
        session.add(
            Interaction(
                provider_department_id=org.it.id,
                service_id=org.laptop.id,
                requester_person_id=person.id,
                opened_at=now - timedelta(days=1),
                resolved_at=now - timedelta(hours=1),
                created_at=now - timedelta(days=1),
            )
        )
    session.commit()
    with app.app_context():
        report = decide_pending_surveys(
            session, "http://localhost", "example.com", "salt", FatiguePolicy(14), now=now
        )
    session.commit()
    assert report.invited == 2
    mails = list(session.scalars(select(OutboxMessage)))
    it_mail = next(m for m in mails if italian.email in m.to_addr)
    fr_mail = next(m for m in mails if french.email in m.to_addr)
    assert "Sistemi informativi" in it_mail.subject
    assert "Sistemi informativi" in it_mail.body_text and "Portatili" in it_mail.body_text
    assert "Information Technology" not in it_mail.body_text
    # French: the department is translated, the service is not and falls back.
    assert "Informatique" in fr_mail.subject and "Informatique" in fr_mail.body_html
    assert org.laptop.name in fr_mail.body_text


def test_quiz_department_choices_follow_the_readers_language(app, session, org) -> None:
    from survey.quiz.views import _department_choices

    _translate_it(session, org)
    with app.test_request_context("/quiz?lang=it"):
        from survey.i18n import choose_locale

        choose_locale()
        labels = [c.label for c in _department_choices()]
    assert "Sistemi informativi (IT)" in labels and "Sales (SALES)" in labels
    assert labels == sorted(labels, key=str.casefold)


@pytest.mark.postgres
def test_quarterly_page_names_every_provider_in_the_readers_language(
    client, session, invite, org, open_campaign_for
) -> None:
    _translate_it(session, org)
    org.hr.names = {"it": "Risorse umane"}
    session.commit()
    italian = next(p for p in org.people if p.locale == "it" and p.department_id == org.sales.id)
    token = invite("quarterly", italian, campaign=open_campaign_for())
    html = client.get(f"/r/{token}").get_data(as_text=True)
    assert "Sistemi informativi" in html and "Risorse umane" in html
    assert "Information Technology" not in html


def test_every_demo_department_and_service_has_italian_and_french_names() -> None:
    from survey.demo.names import DEPARTMENT_NAMES, SERVICE_NAMES
    from survey.demo.org import DEPARTMENTS, SERVICES

    assert {d.code for d in DEPARTMENTS} == set(DEPARTMENT_NAMES)
    assert {s.code for s in SERVICES} == set(SERVICE_NAMES)
    for names in (*DEPARTMENT_NAMES.values(), *SERVICE_NAMES.values()):
        assert clean_names(names) == names and set(names) == {"it", "fr"}
