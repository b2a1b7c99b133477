"""Survey fatigue: one budget per person across every kind of survey.

A post-interaction survey goes out only if the person is active and has not opted out, has had
no post-interaction invitation in the last ``window_days`` days, has no open quarterly
invitation, and the interaction's service samples it (``sampling_rate``). Every "no" has a
reason that is stored on the interaction for admins to see.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from survey.models import Campaign, Interaction, Invitation, OutboxMessage, Person

SKIP_REASONS = {
    "opted_out": "the person opted out of surveys",
    "inactive": "the person is no longer active",
    "fatigue_window": "the person had a post-interaction survey recently",
    "open_quarterly": "the person has an open quarterly survey",
    "sampled_out": "not picked by the service's sampling rate",
}


@dataclass(frozen=True)
class FatiguePolicy:
    """``window_days``: minimum days between two post-interaction invitations of one person."""

    window_days: int = 14


def sampled(interaction_id: int, rate: float, salt: str) -> bool:
    """Deterministic sampling: the same interaction always gets the same answer, and the
    share picked tends to ``rate`` (0..1) over many interactions."""
    if rate >= 1:
        return True
    if rate <= 0:
        return False
    digest = hashlib.sha256(f"{salt}:{interaction_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < rate


def skip_reason(
    session: Session,
    interaction: Interaction,
    person: Person,
    policy: FatiguePolicy,
    now: datetime,
    salt: str,
) -> str | None:
    """None when a post-interaction survey may go out now, else the reason it may not."""
    if not person.active:
        return "inactive"
    if person.opted_out:
        return "opted_out"
    recent = session.scalar(
        select(
            exists().where(
                Invitation.person_id == person.id,
                Invitation.kind == "post_interaction",
                Invitation.created_at > now - timedelta(days=policy.window_days),
            )
        )
    )
    if recent:
        return "fatigue_window"
    open_quarterly = session.scalar(
        select(
            exists().where(
                Invitation.person_id == person.id,
                Invitation.kind == "quarterly",
                Invitation.status.in_(("queued", "sent")),
                Invitation.expires_at > now,
                Invitation.campaign_id == Campaign.id,
                Campaign.status == "open",
            )
        )
    )
    if open_quarterly:
        return "open_quarterly"
    rate = interaction.service.sampling_rate if interaction.service is not None else 1.0
    if not sampled(interaction.id, rate, salt):
        return "sampled_out"
    return None


OPTED_OUT_ERROR = "withdrawn: the person opted out of surveys"


def opt_out(session: Session, person: Person) -> None:
    """No further survey of any kind for ``person`` (an admin can undo it on the person's page).
    Invitations already sent stay answerable; their survey emails still waiting in the outbox
    are withdrawn (marked failed with the reason, visible on the outbox page), so the promise
    "no more survey emails" holds from the moment it is made. A message being handed to the
    mail server at that very moment may still go."""
    person.opted_out = True
    outbox = OutboxMessage.__table__
    session.execute(
        update(outbox)
        .where(
            outbox.c.status == "queued",
            outbox.c.invitation_id.in_(
                select(Invitation.id).where(Invitation.person_id == person.id)
            ),
        )
        .values(status="failed", last_error=OPTED_OUT_ERROR)
    )
    session.flush()
