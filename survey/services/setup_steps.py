"""The administrator's setting-up list on the dashboard: what the organisation still lacks
before its first quarter can run and its figures can reach the people they are for.

Each step is read from the database (and, for mail, from the settings) every time the
dashboard is shown, so it is ticked as soon as the thing exists and unticked if it goes away
(the last API key revoked, the schedule paused). Only counts of the organisation's own set-up
are read: departments, people, accounts, services, keys, schedules, invitations by kind;
nothing about who answered what.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import exists, func, select, union
from sqlalchemy.orm import Session

from survey.models import (
    ApiKey,
    Campaign,
    CampaignSchedule,
    Department,
    Dependency,
    Interaction,
    Invitation,
    Person,
    Service,
    ServiceStandard,
    User,
)

#: The steps in the order an administrator takes them (``SetupStep.key``).
STEP_KEYS = (
    "mail",
    "departments",
    "people",
    "dependencies",
    "services",
    "managers",
    "requests",
    "quarterly",
    "quiz",
)


@dataclass(frozen=True)
class SetupStep:
    """One step: ``key`` (one of ``STEP_KEYS``; the template words it), whether it is
    ``done``, the admin page where it is done (``endpoint``), and the numbers the text
    shows (``counts``: names to whole numbers, never about anyone's answers)."""

    key: str
    done: bool
    endpoint: str
    counts: dict[str, int] = field(default_factory=dict)


def _count(session: Session, stmt: object) -> int:
    return int(session.scalar(stmt) or 0)  # type: ignore[call-overload]


def setup_steps(session: Session, mail_server: bool) -> tuple[SetupStep, ...]:
    """Every step of ``STEP_KEYS``, in that order. ``mail_server``: a mail server is set
    (``SURVEY_SMTP_URL``); without one mail stays in the local mailbox.

    - departments: at least two active (one serves the other);
    - people: at least one active person;
    - dependencies: some department with people depends on another, and every active
      department with active people depends on at least one other active department
      (``missing``: how many do not; their people are asked in a quarterly survey only about
      departments that handled their requests);
    - services: at least one active service with a service standard (the timeliness T);
    - managers: some active department is rated (a provider in a dependency, or offering an
      active service), and every one has an active manager account (``missing``: how many
      have none; nobody there can read their own scorecard);
    - requests: an unrevoked API key allowed to report requests, or a request recorded
      (by hand or an import);
    - quarterly: an active schedule, or a quarterly campaign that is not cancelled;
    - quiz: a self-assessment quiz invitation sent.
    """
    active_department = Department.active.is_(True)
    departments = _count(
        session, select(func.count()).select_from(Department).where(active_department)
    )
    people = _count(
        session, select(func.count()).select_from(Person).where(Person.active.is_(True))
    )
    staffed = (
        select(Person.department_id)
        .join(Department, Department.id == Person.department_id)
        .where(Person.active.is_(True), active_department)
        .distinct()
    )
    provider = Department.__table__.alias("provider")
    depending = (
        select(Dependency.customer_department_id)
        .join(provider, provider.c.id == Dependency.provider_department_id)
        .where(provider.c.active.is_(True))
    )
    without_providers = _count(
        session,
        select(func.count())
        .select_from(Department)
        .where(
            Department.id.in_(staffed.scalar_subquery()),
            Department.id.not_in(depending.scalar_subquery()),
        ),
    )
    dependencies = _count(
        session,
        select(func.count())
        .select_from(Dependency)
        .where(Dependency.customer_department_id.in_(staffed.scalar_subquery())),
    )
    rated = union(
        select(Dependency.provider_department_id.label("id")),
        select(Service.provider_department_id.label("id")).where(Service.active.is_(True)),
    ).subquery()
    managed = select(User.department_id).where(
        User.role == "manager", User.active.is_(True), User.department_id.is_not(None)
    )
    rated_active = _count(
        session,
        select(func.count())
        .select_from(Department)
        .where(active_department, Department.id.in_(select(rated.c.id))),
    )
    unmanaged = _count(
        session,
        select(func.count())
        .select_from(Department)
        .where(
            active_department,
            Department.id.in_(select(rated.c.id)),
            Department.id.not_in(managed.scalar_subquery()),
        ),
    )
    services_with_standards = _count(
        session,
        select(func.count(func.distinct(Service.id)))
        .join(ServiceStandard, ServiceStandard.service_id == Service.id)
        .where(Service.active.is_(True)),
    )
    keys = _count(
        session,
        select(func.count())
        .select_from(ApiKey)
        .where(ApiKey.revoked_at.is_(None), ApiKey.scopes.contains("interactions")),
    )
    requests = session.scalar(select(exists().where(Interaction.id.is_not(None))))
    schedules = _count(
        session,
        select(func.count()).select_from(CampaignSchedule).where(CampaignSchedule.active.is_(True)),
    )
    campaigns = _count(
        session,
        select(func.count()).select_from(Campaign).where(Campaign.status != "cancelled"),
    )
    quiz_sent = session.scalar(select(exists().where(Invitation.kind == "quiz")))
    return (
        SetupStep("mail", mail_server, "admin.outbox"),
        SetupStep("departments", departments >= 2, "admin.departments", {"n": departments}),
        SetupStep("people", people >= 1, "admin.people", {"n": people}),
        SetupStep(
            "dependencies",
            dependencies >= 1 and without_providers == 0,
            "admin.dependencies",
            {"missing": without_providers},
        ),
        SetupStep(
            "services",
            services_with_standards >= 1,
            "admin.services",
            {"n": services_with_standards},
        ),
        SetupStep(
            "managers", rated_active >= 1 and unmanaged == 0, "admin.users", {"missing": unmanaged}
        ),
        SetupStep("requests", bool(keys or requests), "admin.api_keys", {"keys": keys}),
        SetupStep(
            "quarterly",
            bool(schedules or campaigns),
            "admin.schedule",
            {"schedules": schedules, "campaigns": campaigns},
        ),
        SetupStep("quiz", bool(quiz_sent), "admin.quiz_invitations"),
    )
