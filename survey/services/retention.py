"""Retention: personal data past its period is deleted (or, for requests, detached from the
person) by ``purge``, which ``tick`` runs and ``flask survey purge`` runs by hand.

What goes, per setting (days; ``RetentionPolicy.from_config``):

- ``RETAIN_INVITATIONS_DAYS`` (400): finished invitations (answered, expired, cancelled,
  undeliverable) with their link tokens and drafts, and the one-click unsubscribe tokens of
  that age. Never shorter than the fatigue period (``config``): the survey budget counts
  invitations.
- ``RETAIN_DRAFTS_DAYS`` (60): half-done quarterly answers not touched for that long.
- ``RETAIN_OUTBOX_DAYS`` (90): sent and failed mail (address, subject and bodies).
- ``RETAIN_INTERACTIONS_DAYS`` (730): requests lose their requester. The request itself
  stays, with its provider, service, times and the ticketing tool's reference: compliance
  (C) of past quarters is counted from exactly these, so released figures do not move, and a
  late report of the same request is still recognised instead of counted twice. A request
  still waiting for its survey decision is marked skipped (``retention``).
- ``RETAIN_IDEMPOTENCY_HOURS`` (24, in hours): the API's ``Idempotency-Key`` records (the
  first answer to each key): a retry within that window gets the same answer, one sent later
  is a new request (which the request's source + reference still recognise).

Released scorecard figures never read any of these rows (scores are sums in ``score_cells``
and ``respondent_marks``; C reads only what is kept), so a purge leaves them identical.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.orm import Session

from survey.models import (
    IdempotencyKey,
    Interaction,
    Invitation,
    InvitationDraft,
    InvitationToken,
    OutboxMessage,
    UnsubscribeToken,
)
from survey.models.base import utcnow

FINISHED = ("answered", "expired", "cancelled", "undeliverable")


@dataclass(frozen=True)
class RetentionPolicy:
    """Days each kind of record is kept (see the module docstring)."""

    invitations_days: int = 400
    drafts_days: int = 60
    outbox_days: int = 90
    interactions_days: int = 730
    idempotency_hours: int = 24

    @classmethod
    def from_config(cls, cfg: Mapping[str, Any]) -> RetentionPolicy:
        return cls(
            invitations_days=int(cfg.get("RETAIN_INVITATIONS_DAYS", cls.invitations_days)),
            drafts_days=int(cfg.get("RETAIN_DRAFTS_DAYS", cls.drafts_days)),
            outbox_days=int(cfg.get("RETAIN_OUTBOX_DAYS", cls.outbox_days)),
            interactions_days=int(cfg.get("RETAIN_INTERACTIONS_DAYS", cls.interactions_days)),
            idempotency_hours=int(cfg.get("RETAIN_IDEMPOTENCY_HOURS", cls.idempotency_hours)),
        )


@dataclass
class PurgeCounts:
    """Rows deleted (or, in a dry run, that would be); ``interactions``: requests detached
    from their requester."""

    invitations: int = 0
    link_tokens: int = 0
    drafts: int = 0
    unsubscribe_tokens: int = 0
    outbox: int = 0
    interactions: int = 0
    idempotency_keys: int = 0

    def describe(self) -> str:
        return ", ".join(
            f"{f.name.replace('_', ' ')} {getattr(self, f.name)}" for f in fields(self)
        )

    @property
    def total(self) -> int:
        return sum(getattr(self, f.name) for f in fields(self))


def purge(
    session: Session,
    policy: RetentionPolicy,
    now: datetime | None = None,
    dry_run: bool = False,
) -> PurgeCounts:
    """Delete what is older than ``policy`` allows (see the module docstring); with
    ``dry_run`` only count. Flushes; the caller commits (or rolls back). Running it again
    finds nothing more."""
    now = now or utcnow()
    invitations_cut = now - timedelta(days=policy.invitations_days)
    drafts_cut = now - timedelta(days=policy.drafts_days)
    outbox_cut = now - timedelta(days=policy.outbox_days)
    interactions_cut = now - timedelta(days=policy.interactions_days)
    idempotency_cut = now - timedelta(hours=policy.idempotency_hours)

    # An invitation whose mail is still waiting or being sent stays until the dispatcher is
    # done with it (the withdrawal check needs the invitation).
    mail_pending = select(OutboxMessage.invitation_id).where(
        OutboxMessage.invitation_id.is_not(None),
        OutboxMessage.status.in_(("queued", "sending")),
    )
    old_invitations = select(Invitation.id).where(
        Invitation.status.in_(FINISHED),
        Invitation.created_at < invitations_cut,
        Invitation.id.not_in(mail_pending),
    )
    old_drafts = (InvitationDraft.updated_at < drafts_cut) | InvitationDraft.invitation_id.in_(
        old_invitations
    )
    old_outbox = (OutboxMessage.status.in_(("sent", "failed"))) & (
        OutboxMessage.created_at < outbox_cut
    )
    old_unsubscribe = UnsubscribeToken.created_at < invitations_cut
    old_interactions = (Interaction.opened_at < interactions_cut) & (
        Interaction.requester_person_id.is_not(None)
    )
    old_idempotency = IdempotencyKey.created_at < idempotency_cut

    def count(model: type, where: Any) -> int:
        return int(session.scalar(select(func.count()).select_from(model).where(where)) or 0)

    counts = PurgeCounts(
        invitations=count(Invitation, Invitation.id.in_(old_invitations)),
        link_tokens=count(InvitationToken, InvitationToken.invitation_id.in_(old_invitations)),
        drafts=count(InvitationDraft, old_drafts),
        unsubscribe_tokens=count(UnsubscribeToken, old_unsubscribe),
        outbox=count(OutboxMessage, old_outbox),
        interactions=count(Interaction, old_interactions),
        idempotency_keys=count(IdempotencyKey, old_idempotency),
    )
    if dry_run or counts.total == 0:
        return counts
    sync = {"synchronize_session": False}
    session.execute(delete(InvitationDraft).where(old_drafts).execution_options(**sync))
    ids = list(session.scalars(old_invitations))
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        session.execute(
            delete(InvitationToken)
            .where(InvitationToken.invitation_id.in_(chunk))
            .execution_options(**sync)
        )
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.invitation_id.in_(chunk))
            .values(invitation_id=None)
            .execution_options(**sync)
        )
        session.execute(
            delete(Invitation).where(Invitation.id.in_(chunk)).execution_options(**sync)
        )
    session.execute(delete(UnsubscribeToken).where(old_unsubscribe).execution_options(**sync))
    session.execute(delete(OutboxMessage).where(old_outbox).execution_options(**sync))
    session.execute(delete(IdempotencyKey).where(old_idempotency).execution_options(**sync))
    # ``updated_at`` is left alone on purpose: nothing that compliance reads changes.
    session.execute(
        update(Interaction)
        .where(old_interactions)
        .values(
            requester_person_id=None,
            skip_reason=case(
                (Interaction.survey_decision == "pending", "retention"),
                else_=Interaction.skip_reason,
            ),
            survey_decision=case(
                (Interaction.survey_decision == "pending", "skipped"),
                else_=Interaction.survey_decision,
            ),
        )
        .execution_options(**sync)
    )
    session.flush()
    return counts
