"""Invitations and their one-time links.

A link is ``<BASE_URL>/r/<token>`` with a 128-bit token of which only the SHA-256 is stored.
Looking a link up never changes anything (mail scanners open every link); only
``claim_invitation`` uses it, with one conditional UPDATE, so two tabs, a double click or two
browsers submitting at once store exactly one response.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session, joinedload

from survey.models import Campaign, Interaction, Invitation, InvitationToken, Person
from survey.models.base import utcnow
from survey.security import new_token, token_hash

OPEN_STATUSES = ("queued", "sent")


class LinkState(enum.Enum):
    OPEN = "open"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"


@dataclass(frozen=True)
class LinkLookup:
    state: LinkState
    invitation: Invitation | None = None


def issue_invitation(
    session: Session,
    person: Person,
    kind: str,
    expires_at: datetime,
    *,
    campaign: Campaign | None = None,
    interaction: Interaction | None = None,
    now: datetime | None = None,
) -> tuple[Invitation, str]:
    """Create an invitation and its first link token; returns the token (never stored)."""
    invitation = Invitation(
        person_id=person.id,
        kind=kind,
        campaign_id=campaign.id if campaign else None,
        interaction_id=interaction.id if interaction else None,
        status="queued",
        created_at=now or utcnow(),
        expires_at=expires_at,
        last_mailed_at=now or utcnow(),
    )
    session.add(invitation)
    session.flush()
    return invitation, add_link_token(session, invitation, now)


def add_link_token(session: Session, invitation: Invitation, now: datetime | None = None) -> str:
    """A fresh token for ``invitation`` (a reminder mails a new one; older ones stay valid)."""
    token = new_token()
    session.add(
        InvitationToken(
            token_hash=token_hash(token), invitation_id=invitation.id, created_at=now or utcnow()
        )
    )
    session.flush()
    return token


# Built once: constructing the statement and its loader options costs as much as running it.
_LINK_QUERY = (
    select(Invitation)
    .join(InvitationToken, InvitationToken.invitation_id == Invitation.id)
    .where(InvitationToken.token_hash == bindparam("token_hash"))
    # What every respondent page reads, in the same query.
    .options(
        joinedload(Invitation.person),
        joinedload(Invitation.campaign),
        joinedload(Invitation.interaction).joinedload(Interaction.provider),
        joinedload(Invitation.interaction).joinedload(Interaction.service),
    )
)


def look_up_link(session: Session, token: str, now: datetime | None = None) -> LinkLookup:
    """What a link leads to, without changing anything."""
    if not token or len(token) > 64:
        return LinkLookup(LinkState.UNKNOWN)
    invitation = session.scalar(_LINK_QUERY, {"token_hash": token_hash(token)})
    if invitation is None:
        return LinkLookup(LinkState.UNKNOWN)
    if invitation.status == "answered":
        return LinkLookup(LinkState.USED, invitation)
    if invitation.status in ("expired", "cancelled") or invitation.expires_at <= (now or utcnow()):
        return LinkLookup(LinkState.EXPIRED, invitation)
    return LinkLookup(LinkState.OPEN, invitation)


_invitations = Invitation.__table__
_CLAIM = (
    update(_invitations)
    .where(
        _invitations.c.id == bindparam("invitation_id"),
        _invitations.c.status.in_((*OPEN_STATUSES, "undeliverable")),
        _invitations.c.expires_at > bindparam("now"),
    )
    .values(status="answered")
)


def claim_invitation(session: Session, invitation_id: int, now: datetime | None = None) -> bool:
    """Mark the invitation answered if it is still open; True only for the one caller that
    did. The caller stores the response in the same transaction and commits. (A plain UPDATE:
    an ``Invitation`` loaded in the session keeps its old status until refreshed.)"""
    result = session.connection().execute(
        _CLAIM, {"invitation_id": invitation_id, "now": now or utcnow()}
    )
    return result.rowcount == 1


def link_url(base_url: str, token: str, score: int | None = None) -> str:
    url = f"{base_url.rstrip('/')}/r/{token}"
    return f"{url}?score={score}" if score is not None else url
