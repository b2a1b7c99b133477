"""Interactions coming in (API, webhooks, CSV upload, admin form), their lifecycle, and the
post-interaction survey decision that ``tick`` takes for each of them.

Lifecycle rules (one request is identified by ``source`` + ``external_ref``; every event is
idempotent and may arrive late or twice):

- ``opened``: creates the request; a repeat changes nothing (``opened_at`` never moves).
- ``first_response``: sets ``first_response_at`` when none is stored or the new time is earlier,
  even after resolution, as long as it is not after ``resolved_at`` (a reply after resolution is
  not a first response).
- ``resolved``: sets ``resolved_at`` when none is stored (ignored when older than the last
  reopening: a stale resolution); a later resolution moves it forward, an earlier one is
  ignored: timestamps never move backwards without a reopen.
- ``reopened``: only when resolved and not older than ``resolved_at``: clears ``resolved_at``,
  records ``reopened_at``, and withdraws a survey whose mail has not left yet (the request is
  decided again at its next resolution).
- ``cancelled``: final; the request is never surveyed (pending: skipped "cancelled"; invited:
  the queued mail is withdrawn, and the decision becomes skipped "cancelled"; once the mail
  has left, the unanswered link is cancelled and the decision stays "invited", answered or
  not, so that what the API returns never tells whether the requester answered).

Only resolved, not cancelled requests are decided by ``tick``. One resolved more than
``late_days`` (``SURVEY_LATE_REPORT_DAYS``) before its decision is skipped "reported_late": a
ticketing tool back-filling months of requests, or replaying after an outage, must not mail
people about requests long closed (their answer would be filed under the quarter in progress
too). It is stored and counts toward compliance all the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, joinedload

from survey.delivery.services.mailing import queue_invitation_email
from survey.models import (
    ApiKey,
    Department,
    Interaction,
    Invitation,
    OutboxMessage,
    Person,
    Service,
)
from survey.models.base import utcnow
from survey.names import localized_name
from survey.periods import quarter_bounds, quarter_of
from survey.services.erasure import erased_since
from survey.services.fatigue import FatiguePolicy, skip_reason
from survey.services.invitations import issue_invitation

MAX_TEXT = {"source": 40, "external_ref": 120}


EVENTS = ("opened", "first_response", "resolved", "reopened", "cancelled")
MAX_PAUSED_SECONDS = 10 * 365 * 24 * 3600
WITHDRAWN_REOPENED = "withdrawn: the request was reopened before the survey mail left"
WITHDRAWN_CANCELLED = "withdrawn: the request was cancelled"


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
    reopened_at: datetime | None = None
    cancelled_at: datetime | None = None
    paused_seconds: int | None = None


class OwnershipError(Exception):
    """The source + reference was first reported through another API key (or by hand)."""


def check_reporter(session: Session, interaction: Interaction, api_key_id: int) -> None:
    """Let the API key ``api_key_id`` report ``interaction``, or raise OwnershipError.

    The key that first reported a request owns it. Once that key is revoked (a tool's key
    replaced after a leak or a reinstall), the first active key that reports the request
    again takes it over, so the tool's new key goes on with the requests its old key opened;
    from then on other keys are refused again. A request entered by hand (no key) stays the
    administrators'. Flushes nothing; the caller holds the row locked (``find_existing``)."""
    if interaction.api_key_id == api_key_id:
        return
    owner = session.get(ApiKey, interaction.api_key_id) if interaction.api_key_id else None
    if owner is None or owner.revoked_at is None:
        raise OwnershipError
    interaction.api_key_id = api_key_id


def _check_paused(data: InteractionInput) -> None:
    """The paused time, checked for a new request and for a repeat alike (a repeat stores a
    larger total than the one it has)."""
    if data.paused_seconds is not None and not 0 <= data.paused_seconds <= MAX_PAUSED_SECONDS:
        raise FieldError("paused_seconds", f"must be between 0 and {MAX_PAUSED_SECONDS}")


def _check_times(data: InteractionInput, now: datetime) -> None:
    """Opened no later than five minutes from ``now`` (clocks differ a little) and in 2000 or
    after, as the API's parser asks (``api_input``): the form and the CSV import accept any
    year their date fields read (1970..9998), and a request of 1985 is a typo. Every other
    time lies between the opening and ``now``."""
    if data.opened_at.year < 2000:
        raise FieldError("opened_at", "must lie between the years 2000 and 2100")
    if data.opened_at > now + timedelta(minutes=5):
        raise FieldError("opened_at", "lies in the future")
    for name in ("first_response_at", "resolved_at", "reopened_at", "cancelled_at"):
        value = getattr(data, name)
        if value is not None and value < data.opened_at:
            raise FieldError(name, "is before opened_at")
        if value is not None and value > now + timedelta(minutes=5):
            raise FieldError(name, "lies in the future")


def find_existing(
    session: Session, source: str | None, ref: str | None, for_update: bool = False
) -> Interaction | None:
    """The interaction with this source + reference; ``for_update`` locks its row (PostgreSQL;
    SQLite's write lock already serialises writers) so two lifecycle reports of one request
    apply one after the other."""
    if not source or not ref:
        return None
    stmt = select(Interaction).where(Interaction.source == source, Interaction.external_ref == ref)
    return session.scalar(stmt.with_for_update() if for_update else stmt)


#: Values per IN list when a directory looks many requests up at once.
_LOOKUP_CHUNK = 500


class Directory:
    """The departments, people and services a batch of requests names, each looked up once by
    its code or address (an import of thousands of rows names the same few departments and
    people again and again). Objects belong to ``session``; a miss is remembered too. Use one
    per batch, never across transactions."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._departments: dict[str, Department | None] = {}
        self._people: dict[str, Person | None] = {}
        self._services: dict[str, Service | None] = {}
        self._requests: dict[tuple[str, str], Interaction | None] = {}

    def load_requests(self, refs: Iterable[tuple[str, str]]) -> None:
        """Look up the stored requests of these (source, reference) pairs in a few statements,
        locking their rows as ``find_existing`` does, so ``request`` asks nothing more."""
        wanted = {pair for pair in refs if pair[0] and pair[1]} - self._requests.keys()
        found: dict[tuple[str, str], Interaction] = {}
        ordered = sorted({ref for _source, ref in wanted})
        for start in range(0, len(ordered), _LOOKUP_CHUNK):
            chunk = ordered[start : start + _LOOKUP_CHUNK]
            stmt = select(Interaction).where(Interaction.external_ref.in_(chunk))
            for i in self.session.scalars(stmt.with_for_update()):
                if i.source is not None and i.external_ref is not None:
                    found[(i.source, i.external_ref)] = i
        for pair in wanted:
            self._requests[pair] = found.get(pair)

    def request(self, source: str | None, ref: str | None) -> Interaction | None:
        """The request stored (or recorded through this directory) under ``source`` +
        ``ref``, its row locked (``find_existing``); None without both."""
        if not source or not ref:
            return None
        if (source, ref) not in self._requests:
            self._requests[(source, ref)] = find_existing(self.session, source, ref, True)
        return self._requests[(source, ref)]

    def remember(self, interaction: Interaction) -> None:
        """A request just recorded, found again by its source + reference."""
        if interaction.source and interaction.external_ref:
            self._requests[(interaction.source, interaction.external_ref)] = interaction

    def department(self, code: str) -> Department | None:
        """The department of ``code`` (case and surrounding spaces ignored), active or not."""
        key = code.strip().upper()
        if key not in self._departments:
            self._departments[key] = self.session.scalar(
                select(Department).where(Department.code == key)
            )
        return self._departments[key]

    def person(self, email: str) -> Person | None:
        """The person of ``email`` (case and surrounding spaces ignored), active or not."""
        key = email.strip().lower()
        if key not in self._people:
            self._people[key] = self.session.scalar(select(Person).where(Person.email == key))
        return self._people[key]

    def service(self, code: str) -> Service | None:
        """The service of ``code`` (surrounding spaces ignored), of any provider."""
        key = code.strip()
        if key not in self._services:
            self._services[key] = self.session.scalar(select(Service).where(Service.code == key))
        return self._services[key]


def record_interaction(
    session: Session,
    data: InteractionInput,
    now: datetime | None = None,
    api_key_id: int | None = None,
    directory: Directory | None = None,
    flush: bool = True,
) -> tuple[Interaction, bool]:
    """Store a handled request; returns ``(interaction, created)``.

    Idempotent on ``source`` + ``external_ref``: a repeat returns the first interaction with
    ``created`` False; its lifecycle times are merged by the rules of the module docstring
    (``opened_at``, provider, requester and service stay as first reported). Raises FieldError
    for unknown codes or emails, times out of order, or over-long texts; OwnershipError when
    ``api_key_id`` (None: the admin pages) may not report the reference (``check_reporter``).
    The survey decision is left to ``tick``. ``directory`` looks up the codes, addresses and
    references (one shared by every row of an import asks for each once); by default a new
    one. Without ``flush`` a new request stays pending in the session (no id yet) and a
    repeat's changes unwritten, for the caller to flush once after many.
    """
    now = now or utcnow()
    directory = directory or Directory(session)
    if bool(data.source) != bool(data.external_ref):
        field = "external_ref" if data.source else "source"
        raise FieldError(field, "source and external_ref go together")
    for name, limit in MAX_TEXT.items():
        value = getattr(data, name)
        if value is not None and len(value) > limit:
            raise FieldError(name, f"is longer than {limit} characters")
    _check_paused(data)
    existing = directory.request(data.source, data.external_ref)
    if existing is not None:
        if api_key_id is not None:
            check_reporter(session, existing, api_key_id)
        _merge(session, existing, data, now, flush)
        return existing, False
    _check_times(data, now)
    provider = directory.department(data.provider)
    if provider is None or not provider.active:
        raise FieldError("provider", "no active department has this code")
    person = directory.person(data.requester_email)
    if person is None:
        raise FieldError("requester_email", "no person has this email address")
    service = None
    if data.service:
        service = directory.service(data.service)
        if service is None or service.provider_department_id != provider.id:
            raise FieldError("service", "no service of the provider department has this code")
    interaction = Interaction(
        provider=provider,  # the ids follow at the flush; the import reads these before
        service=service,
        requester=person,
        source=data.source or None,
        external_ref=data.external_ref or None,
        opened_at=data.opened_at,
        created_at=now,
        survey_decision="pending",
        api_key_id=api_key_id,
        paused_seconds=0,
        reopen_count=0,
    )
    session.add(interaction)
    _merge(session, interaction, data, now, flush)  # its flush inserts the row with its times
    directory.remember(interaction)
    return interaction, True


def _merge(
    session: Session,
    interaction: Interaction,
    data: InteractionInput,
    now: datetime,
    flush: bool = True,
) -> None:
    """Apply the lifecycle times of a report (a snapshot of the request) as events, oldest
    first, so a snapshot "reopened at 10:00, resolved at 12:00" ends resolved."""
    events = [
        (at, kind)
        for kind, at in (
            ("first_response", data.first_response_at),
            ("reopened", data.reopened_at),
            ("resolved", data.resolved_at),
            ("cancelled", data.cancelled_at),
        )
        if at is not None
    ]
    order = {kind: i for i, kind in enumerate(EVENTS)}
    for at, kind in sorted(events, key=lambda e: (e[0], order[e[1]])):
        try:
            apply_lifecycle(session, interaction, kind, at, now)
        except FieldError as error:  # name the snapshot's field, not the event's
            raise FieldError(f"{kind}_at", error.message) from None
    if data.paused_seconds is not None and data.paused_seconds > interaction.paused_seconds:
        # Paused time only grows: a late report with a smaller total is stale.
        interaction.paused_seconds = data.paused_seconds
        interaction.updated_at = now
    if flush:
        session.flush()


def apply_lifecycle(
    session: Session,
    interaction: Interaction,
    kind: str,
    at: datetime,
    now: datetime | None = None,
) -> bool:
    """Apply one lifecycle event at time ``at`` (aware UTC) to ``interaction``; returns whether
    anything changed (then ``updated_at`` is set to ``now``). The rules are in the module
    docstring. Raises FieldError when ``at`` is before ``opened_at``, in the future, or
    ``kind`` is unknown."""
    now = now or utcnow()
    changed = _apply(session, interaction, kind, at, now)
    if changed:
        interaction.updated_at = now
    return changed


def _apply(
    session: Session, interaction: Interaction, kind: str, at: datetime, now: datetime
) -> bool:
    if kind not in EVENTS:
        raise FieldError("event", f"must be one of {', '.join(EVENTS)}")
    if at > now + timedelta(minutes=5):
        raise FieldError("at", "lies in the future")
    if at < interaction.opened_at:
        raise FieldError("at", "is before opened_at")
    if kind == "opened":
        return False
    if kind == "first_response":
        late = interaction.resolved_at is not None and at > interaction.resolved_at
        if late or (
            interaction.first_response_at is not None and at >= interaction.first_response_at
        ):
            return False
        interaction.first_response_at = at
        return True
    if interaction.cancelled_at is not None:
        return False  # cancelled is final
    if kind == "cancelled":
        interaction.cancelled_at = at
        withdrawn = _withdraw(session, interaction, WITHDRAWN_CANCELLED, cancel_sent=True)
        if interaction.survey_decision == "pending" or withdrawn:
            interaction.survey_decision, interaction.skip_reason = "skipped", "cancelled"
        return True
    if kind == "resolved":
        if interaction.resolved_at is None:
            if interaction.reopened_at is not None and at < interaction.reopened_at:
                return False  # resolved before the last reopening: stale
            interaction.resolved_at = at
            return True
        if at > interaction.resolved_at:
            interaction.resolved_at = at
            return True
        return False
    # reopened
    if interaction.resolved_at is None or at < interaction.resolved_at:
        return False
    interaction.resolved_at = None
    interaction.reopened_at = at
    interaction.reopen_count += 1
    if interaction.survey_decision == "invited" and _withdraw(
        session, interaction, WITHDRAWN_REOPENED, cancel_sent=False
    ):
        interaction.survey_decision, interaction.skip_reason = "pending", None
    return True


def _withdraw(session: Session, interaction: Interaction, reason: str, cancel_sent: bool) -> bool:
    """Withdraw the interaction's invitation whose mail is still queued in the outbox: the
    message is marked failed with ``reason`` (visible on the outbox page) and the invitation,
    never seen by the person, is deleted, so it counts against no fatigue budget and a new
    decision can follow. With ``cancel_sent`` an invitation whose mail left but that is not
    answered is cancelled too (its link then says it is no longer valid). Guarded updates: a
    message being handed to the mail server at this moment is left alone. Returns whether an
    invitation was withdrawn before its mail left; never whether one was cancelled after,
    which would tell whether it had been answered."""
    if interaction.id is None:
        return False
    session.flush()  # expire_all below must not drop the caller's pending changes
    invitation_ids = select(Invitation.id).where(Invitation.interaction_id == interaction.id)
    outbox = OutboxMessage.__table__
    pulled = (
        session.execute(
            update(outbox)
            .where(outbox.c.status == "queued", outbox.c.invitation_id.in_(invitation_ids))
            .values(status="failed", last_error=reason)
            .returning(outbox.c.invitation_id)
        )
        .scalars()
        .all()
    )
    withdrawn = 0
    if pulled:
        withdrawn = session.execute(
            delete(Invitation)
            .where(Invitation.id.in_(pulled), Invitation.status == "queued")
            .execution_options(synchronize_session=False)
        ).rowcount
    if cancel_sent:
        session.execute(
            update(Invitation)
            .where(
                Invitation.interaction_id == interaction.id,
                Invitation.status.in_(("queued", "sent")),
            )
            .values(status="cancelled")
            .execution_options(synchronize_session=False)
        )
    session.expire_all()
    return withdrawn > 0


def reported_late(interaction: Interaction, now: datetime, late_days: int) -> bool:
    """Whether ``interaction`` was resolved more than ``late_days`` days before ``now`` (aware
    UTC): too long ago for a post-interaction survey to mean anything. False while it is
    not resolved (a reopened request counts from its last resolution)."""
    resolved = interaction.resolved_at
    return resolved is not None and resolved < now - timedelta(days=late_days)


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
    late_days: int = 14,
) -> DecisionReport:
    """For each pending interaction that is resolved and not cancelled, in the order they
    arrived, invite the requester or record why not (an open request waits for resolution;
    one resolved more than ``late_days`` days before ``now`` is skipped, ``reported_late``).
    Flushes after each decision so the fatigue window sees the invitations just made."""
    policy = policy or FatiguePolicy()
    now = now or utcnow()
    pending = session.scalars(
        select(Interaction)
        .where(
            Interaction.survey_decision == "pending",
            Interaction.resolved_at.is_not(None),
            Interaction.cancelled_at.is_(None),
        )
        .options(
            joinedload(Interaction.requester),
            joinedload(Interaction.service),
            joinedload(Interaction.provider),
        )
        .order_by(Interaction.created_at, Interaction.id)
        .limit(limit)
        # PostgreSQL: a request reopened or cancelled meanwhile is re-checked under the lock
        # (and skipped when its row is being changed right now; the next tick decides it).
        .with_for_update(of=Interaction, skip_locked=True)
    ).all()
    invited, skipped = 0, {}
    # Erased since the quarter began and imported again: one look-up for the whole run.
    returned = erased_since(
        session,
        {i.requester.email for i in pending if i.requester is not None},
        quarter_bounds(quarter_of(now))[0],
    )
    for interaction in pending:
        person = interaction.requester
        # A request detached from its requester (retention, erasure) surveys no one.
        if person is None:
            reason: str | None = "no_requester"
        elif reported_late(interaction, now, late_days):
            reason = "reported_late"
        else:
            reason = skip_reason(session, interaction, person, policy, now, salt, returned)
        if reason is not None:
            interaction.survey_decision, interaction.skip_reason = "skipped", reason
            skipped[reason] = skipped.get(reason, 0) + 1
            session.flush()
            continue
        assert person is not None
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
            provider_name=localized_name(interaction.provider, person.locale),
        )
        interaction.survey_decision = "invited"
        invited += 1
        session.flush()
    return DecisionReport(invited=invited, skipped=skipped)
