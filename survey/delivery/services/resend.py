"""Resending a person's invitation: a new link in a new email, every older link spent.

Someone lost or deleted their survey email and asks the administrator. The resend re-uses the
invitation (as a reminder does), so it takes nothing from the person's survey budget
(``fatigue``: reminders and resends do not count); it never goes to a person who opted out or
left, nor for an invitation that is answered, expired or whose campaign is no longer open.
Every earlier token is deleted, so an old link, forwarded or found later, says "unknown link";
an email of the invitation still waiting in the outbox is withdrawn (it carries a dead link).
The new link starts afresh: a quarterly survey saved part way is discarded in the same
transaction, so that whoever receives the new link (at an address an administrator may have
just changed) never sees the answers saved so far.
At most one resend per invitation in ``RESEND_PAUSE`` (a double click, two administrators).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from survey.delivery.services.mailing import queue_invitation_email
from survey.models import (
    Campaign,
    Invitation,
    InvitationDraft,
    InvitationToken,
    OutboxMessage,
    Person,
)
from survey.models.base import utcnow
from survey.names import localized_name
from survey.services.invitations import OPEN_STATUSES, add_link_token

RESEND_PAUSE = timedelta(minutes=5)
WITHDRAWN_RESENT = "withdrawn: replaced by a resent invitation"

REFUSALS = {
    "opted_out": "the person opted out of surveys",
    "inactive": "the person is no longer active",
    "closed": "the invitation is answered, expired or its campaign is closed",
    "too_soon": "the invitation was mailed minutes ago",
}


class ResendRefused(Exception):
    """Why an invitation cannot be resent: ``reason`` is a key of ``REFUSALS``."""

    def __init__(self, reason: str) -> None:
        super().__init__(REFUSALS[reason])
        self.reason = reason


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; they are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def resendable(session: Session, person_id: int, now: datetime | None = None) -> list[Invitation]:
    """The person's invitations that a resend could revive: open and not expired, newest
    first (whether the person may be mailed is checked by ``resend_invitation``)."""
    now = now or utcnow()
    rows = session.scalars(
        select(Invitation)
        .outerjoin(Campaign, Campaign.id == Invitation.campaign_id)
        .where(
            Invitation.person_id == person_id,
            Invitation.status.in_(OPEN_STATUSES),
            Invitation.kind.in_(("quarterly", "post_interaction")),
            (Campaign.id.is_(None)) | (Campaign.status == "open"),
        )
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
    ).all()
    return [i for i in rows if _aware(i.expires_at) > now]


def resend_invitation(
    session: Session,
    invitation: Invitation,
    base_url: str,
    mail_domain: str,
    now: datetime | None = None,
) -> OutboxMessage:
    """Mail ``invitation`` again with a fresh link; the older links stop working. Raises
    ResendRefused (nothing changed). Needs an app context (the email is rendered). Flushes."""
    now = now or utcnow()
    person = session.get(Person, invitation.person_id)
    assert person is not None
    if person.opted_out:
        raise ResendRefused("opted_out")
    if not person.active:
        raise ResendRefused("inactive")
    if invitation.id not in {i.id for i in resendable(session, person.id, now)}:
        raise ResendRefused("closed")
    # The conditional UPDATE is the guard: two administrators at once resend once.
    won = session.execute(
        update(Invitation)
        .where(
            Invitation.id == invitation.id,
            Invitation.status.in_(OPEN_STATUSES),
            func.coalesce(Invitation.last_mailed_at, Invitation.created_at) <= now - RESEND_PAUSE,
        )
        .values(last_mailed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if won != 1:
        raise ResendRefused("too_soon")
    session.execute(
        delete(InvitationToken)
        .where(InvitationToken.invitation_id == invitation.id)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        delete(InvitationDraft)
        .where(InvitationDraft.invitation_id == invitation.id)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.invitation_id == invitation.id, OutboxMessage.status == "queued")
        .values(status="failed", last_error=WITHDRAWN_RESENT)
        .execution_options(synchronize_session=False)
    )
    token = add_link_token(session, invitation, now)
    provider = (
        localized_name(invitation.interaction.provider, person.locale)
        if invitation.interaction
        else None
    )
    return queue_invitation_email(
        session, invitation, person, token, base_url, mail_domain, provider_name=provider
    )
