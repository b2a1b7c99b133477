"""Small organisations whose scorecard figures can be worked out by hand.

Responses go in through the real service (``bulk_store_responses``), so the score aggregates
are the ones production keeps.
"""

from __future__ import annotations

import itertools
import re
import secrets
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from itsdangerous.timed import TimestampSigner
from sqlalchemy import event
from sqlalchemy.orm import Session

from analysis.scorecard import QuarterModel
from analysis.scorecard_results import Settings
from survey.db import database
from survey.models import Department, Interaction, Person, Questionnaire, Service, ServiceStandard
from survey.periods import quarter_bounds
from survey.respond.services.responses import ResponseInput, bulk_store_responses
from survey.scorecards.services import chart_cache
from survey.scorecards.services import scorecard_data as data
from survey.scorecards.services import scorecard_models as models
from survey.services.accounts import create_api_key
from survey.services.questionnaires import install_default_questionnaires

DIMENSIONS = ("reliability", "responsiveness", "competence", "courtesy", "tools")


@dataclass
class Org:
    session: Session
    questionnaires: dict[str, Questionnaire]
    departments: dict[str, Department]
    api_key: str
    requester: Person
    services: dict[str, Service] = field(default_factory=dict)

    def id(self, code: str) -> int:
        return self.departments[code].id

    def post_interaction(
        self,
        provider: str,
        customer: str,
        quarter: str,
        overall: Iterable[int],
        comment: str | None = None,
        contact_person_id: int | None = None,
    ) -> None:
        """One post-interaction response per value of ``overall``; the first carries the
        comment (and the contact consent) when given."""
        items = []
        for index, value in enumerate(overall):
            answers: dict[str, Any] = {"overall": value}
            if comment and index == 0:
                answers["comment"] = comment
            items.append(
                ResponseInput(
                    kind="post_interaction",
                    provider_department_id=self.id(provider),
                    customer_department_id=self.id(customer),
                    quarter=quarter,
                    iso_week=_week(quarter),
                    answers=answers,
                    # Every respondent has a pseudonym, as on the real paths: their mark
                    # carries the per-person values the change tests rank.
                    respondent=f"test-{secrets.token_hex(8)}",
                    contact_person_id=contact_person_id if index == 0 else None,
                )
            )
        bulk_store_responses(self.session, self.questionnaires, items)
        self.session.commit()

    def quarterly(
        self,
        provider: str,
        customer: str,
        quarter: str,
        ratings: Iterable[int | Mapping[str, int]],
        comments: Iterable[str] = (),
    ) -> None:
        """One quarterly response per rating: an int rates every dimension the same, a
        mapping rates dimensions one by one. Comments go on the first responses."""
        texts = list(comments)
        items = []
        for index, rating in enumerate(ratings):
            dims = rating if isinstance(rating, Mapping) else dict.fromkeys(DIMENSIONS, rating)
            answers: dict[str, Any] = {**dims, "overall": 3}
            if index < len(texts):
                answers["comment"] = texts[index]
            items.append(
                ResponseInput(
                    kind="quarterly",
                    provider_department_id=self.id(provider),
                    customer_department_id=self.id(customer),
                    quarter=quarter,
                    iso_week=_week(quarter),
                    answers=answers,
                    # Every respondent has a pseudonym, as on the real paths: their mark
                    # carries the per-person values the change tests rank.
                    respondent=f"test-{secrets.token_hex(8)}",
                )
            )
        bulk_store_responses(self.session, self.questionnaires, items)
        self.session.commit()

    def service(self, provider: str, first_response: int, resolution: int) -> Service:
        code = f"{provider}-SVC"
        if code not in self.services:
            service = Service(
                provider_department_id=self.id(provider), code=code, name=f"{provider} help"
            )
            self.session.add(service)
            self.session.flush()
            self.session.add(
                ServiceStandard(
                    service_id=service.id,
                    effective_from=datetime(2020, 1, 1).date(),
                    first_response_minutes=first_response,
                    resolution_minutes=resolution,
                )
            )
            self.session.commit()
            self.services[code] = service
        return self.services[code]

    def interactions(
        self,
        provider: str,
        quarter: str,
        timings: Iterable[tuple[int | None, int | None]],
        hour: int = 9,
    ) -> None:
        """One interaction per (minutes to first answer, minutes to resolution)."""
        service = self.service(provider, 60, 480)
        start = quarter_bounds(quarter)[0]
        base = datetime(start.year, start.month, start.day, hour, tzinfo=UTC) + timedelta(days=3)
        for index, (first, resolved) in enumerate(timings):
            opened = base + timedelta(hours=index)
            self.session.add(
                Interaction(
                    provider_department_id=self.id(provider),
                    service_id=service.id,
                    requester_person_id=self.requester.id,
                    opened_at=opened,
                    first_response_at=None if first is None else opened + timedelta(minutes=first),
                    resolved_at=None if resolved is None else opened + timedelta(minutes=resolved),
                    survey_decision="invited",
                )
            )
        self.session.commit()


def _week(quarter: str) -> str:
    start = quarter_bounds(quarter)[0] + timedelta(days=20)
    iso = start.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def load_models(
    session: Session, quarters: list[str], settings: Settings, now: datetime
) -> dict[str, QuarterModel]:
    """The quarter models a scorecard page computes for ``quarters`` with ``settings`` as
    given: its reads (the versions, the stored baseline, ``scorecard_models.context`` and
    ``read_inputs``), then the memoised model function the pages use
    (``scorecard_models.FUNCTIONS.model``)."""
    versions = data.score_versions(session, now)
    ctx = models.context(session, settings, now, versions, data.stored_baseline(session))
    inputs = models.read_inputs(session, quarters, now, versions, ctx.compliance_version)
    return {q: models.FUNCTIONS.model(q, inputs[q], ctx.priors, settings.k) for q in quarters}


_CSRF_VALUE = re.compile(r'(name="csrf_token" value=")[^"]+"')


def same_page(html: str) -> str:
    """``html`` as two views of an unchanged page must match it: every form's CSRF token (a
    signed-in page has at least the sign-out form's) replaced by a mark. A token carries the
    second it was signed in, so two views differ there whenever a second boundary falls
    between them (by chance, more often on a loaded machine), and must differ nowhere else."""
    masked, tokens = _CSRF_VALUE.subn(r'\1(token)"', html)
    assert tokens, "no CSRF token on the page: the mark no longer finds the forms' tokens"
    return masked


@pytest.fixture
def ticking_signatures(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every signature's timestamp (CSRF tokens, the session cookie) one second after the
    previous one, from now on: each view falls in a second of its own, always, as two
    views do by chance when a second boundary falls between them."""
    seconds = itertools.count(int(time.time()))
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda _self: next(seconds))


@pytest.fixture(autouse=True)
def _fresh_chart_cache() -> Iterator[None]:
    chart_cache.clear()
    yield
    chart_cache.clear()


@pytest.fixture
def org(session: Session) -> Org:
    departments = {
        code: Department(code=code, name=name)
        for code, name in [
            ("IT", "Information Technology"),
            ("HR", "Human Resources"),
            ("FIN", "Finance"),
            ("SALES", "Sales"),
            ("ENG", "Engineering"),
            ("OPS", "Operations"),
        ]
    }
    session.add_all(departments.values())
    session.flush()
    requester = Person(
        email="asker@example.com", name="Asker", department_id=departments["SALES"].id
    )
    session.add(requester)
    questionnaires = install_default_questionnaires(session)
    _key, secret = create_api_key(session, "scorecards")
    session.commit()
    return Org(session, questionnaires, departments, secret, requester)


@pytest.fixture
def seen_statements(app: Any) -> Callable[[Callable[[], Any]], list[str]]:
    """Run ``action`` and return the SQL statements it sent to the database, in order, in
    lower case with their whitespace folded."""

    def run(action: Callable[[], Any]) -> list[str]:
        engine = database(app).engine
        statements: list[str] = []

        def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            statements.append(" ".join(statement.lower().split()))

        event.listen(engine, "before_cursor_execute", before)
        try:
            action()
        finally:
            event.remove(engine, "before_cursor_execute", before)
        return statements

    return run


@pytest.fixture
def count_statements(
    seen_statements: Callable[[Callable[[], Any]], list[str]],
) -> Callable[[Callable[[], Any]], int]:
    """Run ``action`` and return how many SQL statements it sent to the database."""
    return lambda action: len(seen_statements(action))


def api_get(client: FlaskClient, org: Org, path: str) -> Any:
    return client.get(path, headers={"Authorization": f"Bearer {org.api_key}"})


NAMED_QUARTER = "2026Q1"


@pytest.fixture
def named_org(org: Org) -> Org:
    """``org`` with one quarter (``NAMED_QUARTER``) of IT serving SALES, above the gates, and
    translated names: IT in Italian and French, SALES and the IT service in Italian only."""
    q = NAMED_QUARTER
    org.post_interaction("IT", "SALES", q, [4, 5, 5, 3, 4, 2])
    org.quarterly("IT", "SALES", q, [4, 4, 4, 4, 4])
    org.interactions("IT", q, [(30, 300)] * 6)
    org.departments["IT"].names = {"it": "Sistemi informativi", "fr": "Informatique"}
    org.departments["SALES"].names = {"it": "Vendite"}
    org.services["IT-SVC"].names = {"it": "Assistenza IT"}
    org.session.commit()
    return org
