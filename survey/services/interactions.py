"""Interactions coming in (API, CSV upload, admin form) and the post-interaction survey
decision that ``tick`` takes for each of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from survey.models import Department, Interaction, Person, Service
from survey.models.base import utcnow
from survey.services.fatigue import FatiguePolicy, skip_reason
from survey.services.invitations import issue_invitation
from survey.services.mailing import queue_invitation_email

MAX_TEXT = {"source": 40, "external_ref": 120}


class FieldError(ValueError):
    """Input refused; ``field`` names the offending field for the API's JSON error."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class InteractionInput:
    """A handled request as reported by a ticketing tool (timestamps are aware UTC)."""

    provider: str
    requester_email: str
    opened_at: datetime
    service: str | None = None
    source: str | None = None
    external_ref: str | None = None
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None


def _check_times(data: InteractionInput, now: datetime) -> None:
    if data.opened_at > now + timedelta(minutes=5):
        raise FieldError("opened_at", "lies in the future")
    for name in ("first_response_at", "resolved_at"):
        value = getattr(data, name)
        if value is not None and value < data.opened_at:
            raise FieldError(name, "is before opened_at")
        if value is not None and value > now + timedelta(minutes=5):
            raise FieldError(name, "lies in the future")


def find_existing(session: Session, source: str | None, ref: str | None) -> Interaction | None:
    if not source or not ref:
        return None
    return session.scalar(
        select(Interaction).where(Interaction.source == source, Interaction.external_ref == ref)
    )


def record_interaction(
    session: Session, data: InteractionInput, now: datetime | None = None
) -> tuple[Interaction, bool]:
    """Store a handled request; returns ``(interaction, created)``.

    Idempotent on ``source`` + ``external_ref``: a repeat returns the first interaction with
    ``created`` False and changes nothing. Raises FieldError for unknown codes or emails,
    times out of order, or over-long texts. The survey decision is left to ``tick``.
    """
    now = now or utcnow()
    if bool(data.source) != bool(data.external_ref):
        field = "external_ref" if data.source else "source"
        raise FieldError(field, "source and external_ref go together")
    for name, limit in MAX_TEXT.items():
        value = getattr(data, name)
        if value is not None and len(value) > limit:
            raise FieldError(name, f"is longer than {limit} characters")
    existing = find_existing(session, data.source, data.external_ref)
    if existing is not None:
        return existing, False
    _check_times(data, now)
    provider = session.scalar(
        select(Department).where(Department.code == data.provider.strip().upper())
    )
    if provider is None or not provider.active:
        raise FieldError("provider", "no active department has this code")
    person = session.scalar(
        select(Person).where(Person.email == data.requester_email.strip().lower())
    )
    if person is None:
        raise FieldError("requester_email", "no person has this email address")
    service = None
    if data.service:
        service = session.scalar(select(Service).where(Service.code == data.service.strip()))
        if service is None or service.provider_department_id != provider.id:
            raise FieldError("service", "no service of the provider department has this code")
    interaction = Interaction(
        provider_department_id=provider.id,
        service_id=service.id if service else None,
        requester_person_id=person.id,
        source=data.source or None,
        external_ref=data.external_ref or None,
        opened_at=data.opened_at,
        first_response_at=data.first_response_at,
        resolved_at=data.resolved_at,
        created_at=now,
        survey_decision="pending",
    )
    session.add(interaction)
    session.flush()
    return interaction, True


@dataclass(frozen=True)
class DecisionReport:
    invited: int
    skipped: dict[str, int]


def decide_pending_surveys(
    session: Session,
    base_url: str,
    mail_domain: str,
    salt: str,
    policy: FatiguePolicy | None = None,
    link_days: int = 14,
    now: datetime | None = None,
    limit: int = 5000,
) -> DecisionReport:
    """For each pending interaction, in the order they arrived, invite the requester or record
    why not. Flushes after each decision so the fatigue window sees the invitations just made."""
    policy = policy or FatiguePolicy()
    now = now or utcnow()
    pending = session.scalars(
        select(Interaction)
        .where(Interaction.survey_decision == "pending")
        .options(
            joinedload(Interaction.requester),
            joinedload(Interaction.service),
            joinedload(Interaction.provider),
        )
        .order_by(Interaction.created_at, Interaction.id)
        .limit(limit)
    ).all()
    invited, skipped = 0, {}
    for interaction in pending:
        person = interaction.requester
        reason = skip_reason(session, interaction, person, policy, now, salt)
        if reason is not None:
            interaction.survey_decision, interaction.skip_reason = "skipped", reason
            skipped[reason] = skipped.get(reason, 0) + 1
            session.flush()
            continue
        invitation, token = issue_invitation(
            session,
            person,
            "post_interaction",
            now + timedelta(days=link_days),
            interaction=interaction,
            now=now,
        )
        queue_invitation_email(
            session,
            invitation,
            person,
            token,
            base_url,
            mail_domain,
            provider_name=interaction.provider.name,
        )
        interaction.survey_decision = "invited"
        invited += 1
        session.flush()
    return DecisionReport(invited=invited, skipped=skipped)
