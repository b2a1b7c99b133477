"""An organisation ready for surveys: departments with dependencies, people, services and the
default questionnaires; plus an API key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from survey.models import Department, Dependency, Person, Service
from survey.services.accounts import create_api_key
from survey.services.questionnaires import install_default_questionnaires
from tests import factories


@dataclass
class Org:
    it: Department
    hr: Department
    sales: Department
    eng: Department
    people: list[Person]
    laptop: Service
    api_key: str

    def person(self, index: int = 0) -> Person:
        return self.people[index]


@pytest.fixture
def org(session: Session) -> Org:
    return build_org(session)


def build_org(session: Session) -> Org:
    """Four departments (Sales and Engineering depend on IT, Sales and IT on HR), twelve people
    in Sales and Engineering speaking the three languages, a laptop service, the default
    questionnaires and an API key; committed."""
    it = Department(code="IT", name="Information Technology")
    hr = Department(code="HR", name="Human Resources")
    sales = Department(code="SALES", name="Sales")
    eng = Department(code="ENG", name="Engineering")
    session.add_all([it, hr, sales, eng])
    session.flush()
    session.add_all(
        [
            Dependency(customer_department_id=sales.id, provider_department_id=it.id),
            Dependency(customer_department_id=sales.id, provider_department_id=hr.id),
            Dependency(customer_department_id=eng.id, provider_department_id=it.id),
            Dependency(customer_department_id=it.id, provider_department_id=hr.id),
        ]
    )
    locales = ["en", "it", "fr"]
    people = [
        Person(
            email=f"p{i}@example.com",
            name=f"Person {i}",
            department_id=(sales if i % 2 == 0 else eng).id,
            locale=locales[i % 3],
        )
        for i in range(12)
    ]
    session.add_all(people)
    laptop = Service(provider_department_id=it.id, code="IT-LAPTOP", name="Laptop repair")
    session.add(laptop)
    install_default_questionnaires(session)
    _key, secret = create_api_key(session, "helpdesk")
    session.commit()
    return Org(it=it, hr=hr, sales=sales, eng=eng, people=people, laptop=laptop, api_key=secret)


def at(day: int, hour: int = 9, month: int = 5, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


@pytest.fixture
def api(client: Any, org: Org) -> Any:
    """POST/GET the JSON API with the org's key."""

    class Api:
        def post(self, path: str, body: Any, **kw: Any) -> Any:
            return client.post(
                f"/api/v1{path}",
                json=body,
                headers={"Authorization": f"Bearer {org.api_key}"},
                **kw,
            )

        def get(self, path: str) -> Any:
            return client.get(f"/api/v1{path}", headers={"Authorization": f"Bearer {org.api_key}"})

    return Api()


@pytest.fixture
def invite(session: Session, org: Org) -> Any:
    """Create an open invitation and return its link token.

    ``invite("post_interaction", person)`` makes an interaction with IT first;
    ``invite("quarterly", person, campaign=c)`` uses an open campaign.
    """
    from datetime import timedelta

    from survey.models.base import utcnow

    def make(kind: str = "post_interaction", person: Person | None = None, **kw: Any) -> str:
        person = person or org.person(0)
        now = utcnow()
        interaction = None
        if kind == "post_interaction":
            interaction = factories.handled_request(session, person, org.it, org.laptop, now)
        return factories.invitation_link(
            session,
            person,
            kind,
            kw.pop("expires_at", now + timedelta(days=14)),
            interaction=interaction,
            campaign=kw.pop("campaign", None),
            now=now,
        )

    return make


@pytest.fixture
def open_campaign_for(session: Session, org: Org, app: Any) -> Any:
    """An open quarterly campaign over the whole organisation (no mail sent)."""

    def make(**kw: Any) -> Any:
        return factories.open_campaign(session, kw.pop("name", "Quarterly"), **kw)

    return make
