"""``build_demo``: write the demo organisation and its history into an empty database."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time

from flask import has_app_context
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from survey.demo.actions import add_actions
from survey.demo.clock import campaign_window
from survey.demo.history import DemoPerson, Ids, simulate
from survey.demo.names import DEPARTMENT_NAMES, SERVICE_NAMES
from survey.demo.org import DEPARTMENTS, DEPENDENCIES, SERVICES
from survey.demo.people import generate_people
from survey.demo.present import add_present
from survey.demo.quiz import add_quiz_attempts
from survey.demo.summary import DemoSummary, SignIn
from survey.models import (
    Campaign,
    Department,
    Dependency,
    Interaction,
    Invitation,
    Person,
    Service,
    ServiceStandard,
)
from survey.periods import last_complete_quarter, previous_quarters, quarter_bounds
from survey.pseudonyms import DEVELOPMENT_KEY, app_key
from survey.respond.services.responses import bulk_store_responses
from survey.services.accounts import create_user
from survey.services.questionnaires import install_default_questionnaires

QUARTERS = 8
DEMO_K = 5  # the campaigns' minimum group size, the design default
SIGN_INS = (
    SignIn("admin@demo.example", "admin"),
    SignIn("it-manager@demo.example", "manager", "IT"),
    SignIn("viewer@demo.example", "viewer"),
)
USER_NAMES = {
    "admin@demo.example": "Demo Administrator",
    "it-manager@demo.example": "IT Manager (demo)",
    "viewer@demo.example": "Demo Viewer",
}


class DemoError(Exception):
    """The demo needs a database without an organisation."""


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _departments(session: Session) -> dict[str, int]:
    rows = {
        spec.code: Department(
            code=spec.code, name=spec.name, names=dict(DEPARTMENT_NAMES.get(spec.code, {}))
        )
        for spec in DEPARTMENTS
    }
    session.add_all(rows.values())
    session.flush()
    for spec in DEPARTMENTS:
        if spec.parent:
            rows[spec.code].parent_id = rows[spec.parent].id
    session.flush()
    return {code: dept.id for code, dept in rows.items()}


def _services(session: Session, departments: dict[str, int], quarters: list[str]) -> dict[str, int]:
    services = {
        spec.code: Service(
            provider_department_id=departments[spec.provider],
            code=spec.code,
            name=spec.name,
            names=dict(SERVICE_NAMES.get(spec.code, {})),
            description=spec.description,
            sampling_rate=spec.sampling_rate,
        )
        for spec in SERVICES
    }
    session.add_all(services.values())
    session.flush()
    session.add_all(
        ServiceStandard(
            service_id=services[spec.code].id,
            effective_from=quarter_bounds(quarters[standard.from_quarter])[0],
            first_response_minutes=standard.first_response,
            resolution_minutes=standard.resolution,
        )
        for spec in SERVICES
        for standard in spec.standards
    )
    session.add_all(
        Dependency(customer_department_id=departments[c], provider_department_id=departments[p])
        for p, customers in DEPENDENCIES.items()
        for c in customers
    )
    session.flush()
    return {code: service.id for code, service in services.items()}


def _people(session: Session, rng: random.Random, departments: dict[str, int]) -> list[DemoPerson]:
    specs = generate_people(rng)
    rows = [
        Person(
            email=spec.email,
            name=spec.name,
            department_id=departments[spec.department],
            locale=spec.locale,
            opted_out=spec.opted_out,
        )
        for spec in specs
    ]
    session.add_all(rows)
    session.flush()
    return [
        DemoPerson(row.id, spec.department, spec.locale, spec.opted_out)
        for row, spec in zip(rows, specs, strict=True)
    ]


def _campaigns(
    session: Session, quarters: list[str], questionnaire_id: int
) -> dict[str, tuple[int, datetime, datetime]]:
    out = {}
    for quarter in quarters:
        opens, closes = campaign_window(quarter)
        campaign = Campaign(
            name=f"Quarterly survey {quarter}",
            quarter=quarter,
            audience="all",
            opens_at=opens,
            closes_at=closes,
            status="closed",
            reminder_max=2,
            reminder_min_days=7,
            min_group_size=DEMO_K,
            questionnaire_id=questionnaire_id,
        )
        session.add(campaign)
        session.flush()
        out[quarter] = (campaign.id, opens, closes)
    return out


def _sign_ins(session: Session, departments: dict[str, int], password: str) -> None:
    for sign_in in SIGN_INS:
        create_user(
            session,
            sign_in.email,
            password,
            sign_in.role,
            name=USER_NAMES[sign_in.email],
            department_id=departments[sign_in.department] if sign_in.department else None,
        )


def build_demo(
    session: Session,
    *,
    seed: int = 1,
    admin_password: str = "demo-admin-pass",  # noqa: S107 (the documented demo password)
    today: date | None = None,
    pseudonym_key: bytes | None = None,
    now: datetime | None = None,
    base_url: str = "http://127.0.0.1:5000",
    mail_domain: str = "demo.example",
    salt: str = "demo",
    present: bool | None = None,
    actions: bool = True,
    quiz: bool | None = None,
) -> DemoSummary:
    """Create the demo organisation with eight quarters of history ending with the quarter
    before ``today`` (default: the real today), and the three demo sign-ins, all with
    ``admin_password``.

    The same ``seed`` and quarters give the same organisation, answers and interactions (the
    random response ids aside). Installs the default questionnaires if missing. Flushes,
    never commits. Raises DemoError when the database already has departments.

    Then, unless ``actions`` is False, a few action plans (``survey.demo.actions``) recorded
    in past quarters by the demo sign-ins; and, when ``quiz`` (default: whether there is an
    app context, whose secret keys members' attempts), the quiz attempts of three
    departments' members in the latest complete quarter (``survey.demo.quiz``).

    Then the present (``survey.demo.present``) at ``now`` (default: midnight UTC of ``today``
    when ``today`` is given, else the current time): the current quarter's campaign opened and
    a few recent requests decided, their invitations queued in the outbox with links under
    ``base_url`` and Message-IDs at ``mail_domain``; ``salt`` is the sampling salt. The
    emails are rendered from templates, so the present needs an app context: ``present``
    defaults to whether there is one (the history alone builds without).
    """
    if session.scalar(select(Department.id).limit(1)) is not None:
        raise DemoError("the database already has an organisation")
    if now is None:
        now = _midnight(today) if today is not None else datetime.now(UTC)
    today = today or now.date()
    rng = random.Random(seed)
    quarters = previous_quarters(last_complete_quarter(today), QUARTERS)
    questionnaires = install_default_questionnaires(session)
    departments = _departments(session)
    services = _services(session, departments, quarters)
    people = _people(session, rng, departments)
    _sign_ins(session, departments, admin_password)
    campaigns = _campaigns(session, quarters, questionnaires["quarterly"].id)
    history = simulate(
        rng,
        Ids(departments, services, campaigns, people),
        quarters,
        history_end=_midnight(quarter_bounds(quarters[-1])[1]),
        cutoff=_midnight(today),
    )
    # None as NULL, so that every row has the same columns and all go in one batch.
    session.execute(insert(Interaction).execution_options(render_nulls=True), history.interactions)
    # RETURNING with row order is slow on SQLite for thousands of rows; the references
    # (unique per source) find the ids instead.
    ids_by_ref = {
        (source, ref): id_
        for id_, source, ref in session.execute(
            select(Interaction.id, Interaction.source, Interaction.external_ref)
        )
    }
    interaction_ids = [ids_by_ref[(r["source"], r["external_ref"])] for r in history.interactions]
    invitations = [
        {**row, "interaction_id": interaction_ids[index]} for index, row in history.post_invitations
    ] + history.quarterly_invitations
    session.execute(insert(Invitation), invitations)
    bulk_store_responses(
        session,
        questionnaires,
        history.responses,
        pseudonym_key or (app_key() if has_app_context() else DEVELOPMENT_KEY),
    )
    session.flush()
    # Before the present: its quarterly invitations list the published actions.
    recorded = (
        add_actions(session, quarters, today, SIGN_INS[1].email, SIGN_INS[0].email)
        if actions
        else 0
    )
    if quiz is None:
        quiz = has_app_context()
    attempts = add_quiz_attempts(session, quarters[-1], people, departments, seed) if quiz else 0
    if present is None:
        present = has_app_context()
    today_ = (
        None
        if not present
        else add_present(
            session,
            rng,
            people,
            {id_: email for id_, email in session.execute(select(Person.id, Person.email))},
            now,
            base_url=base_url,
            mail_domain=mail_domain,
            salt=salt,
        )
    )
    quarterly = sum(1 for r in history.responses if r.kind == "quarterly")
    return DemoSummary(
        seed=seed,
        departments=len(departments),
        people=len(people),
        services=len(services),
        dependencies=sum(len(c) for c in DEPENDENCIES.values()),
        quarterly_responses=quarterly,
        post_interaction_responses=len(history.responses) - quarterly,
        interactions=len(history.interactions),
        quarters=tuple(quarters),
        sign_ins=SIGN_INS,
        password=admin_password,
        present=today_,
        actions=recorded,
        quiz_attempts=attempts,
    )
