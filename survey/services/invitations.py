"""Invitations and their one-time links.

A link is ``<BASE_URL>/r/<token>`` with a 128-bit token of which only the SHA-256 is stored.
Looking a link up never changes anything (mail scanners open every link); only
``claim_invitation`` uses it, with one conditional UPDATE, so two tabs, a double click or two
browsers submitting at once store exactly one response.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, delete, func, literal_column, select, update
from sqlalchemy.orm import Session

from survey.models import (
    Campaign,
    Department,
    Interaction,
    Invitation,
    InvitationDraft,
    InvitationToken,
    OutboxMessage,
    Person,
    Questionnaire,
    Service,
)
from survey.models.base import utcnow
from survey.security import new_token, token_hash
from survey.services.live_questionnaires import QuestionnaireRef

OPEN_STATUSES = ("queued", "sent")


class LinkState(enum.Enum):
    OPEN = "open"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class Named:
    """A department or service as a respondent page names it: ``name`` in the default
    language, ``names`` its translations (``survey.names.localized_name`` picks one)."""

    id: int
    name: str
    names: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Link:
    """What a respondent page needs of an invitation, read as plain values in one query.
    ``campaign_id``/``quarter`` are set for quarterly invitations, ``provider``/``service``
    (the interaction's) for post-interaction ones; ``service`` may be None for those too."""

    invitation_id: int
    kind: str
    status: str
    expires_at: datetime
    person_id: int
    locale: str
    customer_department_id: int
    campaign_id: int | None
    quarter: str | None
    provider: Named | None
    service: Named | None
    #: The request a post-interaction survey is about: the ticketing tool's reference and
    #: when it was resolved (else opened); None for quarterly invitations.
    request_ref: str | None = None
    request_at: datetime | None = None


@dataclass(frozen=True)
class LinkLookup:
    state: LinkState
    link: Link | None = None
    # The questionnaire to answer with, as of the lookup (None if there is none).
    questionnaire: QuestionnaireRef | None = None


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


WITHDRAWN_ADDRESS_CHANGED = "withdrawn: the person's address changed"


def end_links_to_old_address(session: Session, person_id: int) -> int:
    """The person's address has changed: the links of their unanswered quarterly surveys,
    mailed to the old address, stop working ("unknown link"), a survey saved part way through
    them is discarded, and their emails still waiting in the outbox (which carry those links)
    are withdrawn. The next reminder, or a resend, mails a fresh link to the new address; it
    starts afresh. Otherwise whoever reads the new address (an administrator who set it to
    their own, say) would receive a reminder whose link shows the answers saved so far, even
    answers saved through the old link after the change. Post-interaction links keep no
    draft and are left alone. Returns how many links ended. Flushes."""
    ids = select(Invitation.id).where(
        Invitation.person_id == person_id,
        Invitation.kind == "quarterly",
        Invitation.status.in_((*OPEN_STATUSES, "undeliverable")),
    )
    ended = session.execute(
        delete(InvitationToken)
        .where(InvitationToken.invitation_id.in_(ids))
        .execution_options(synchronize_session=False)
    ).rowcount
    session.execute(
        delete(InvitationDraft)
        .where(InvitationDraft.invitation_id.in_(ids))
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.invitation_id.in_(ids), OutboxMessage.status == "queued")
        .values(status="failed", last_error=WITHDRAWN_ADDRESS_CHANGED)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return ended


def _link_query() -> Select[Any]:
    """Everything a respondent page reads, in one query of plain columns: the invitation, its
    person's language and department, its campaign's quarter, its interaction's provider and
    service, and the (id, revision, creation time) of the questionnaire it is answered with:
    its campaign's, else the newest active one of its kind.

    Written on the tables' columns, not the mapped classes' attributes: the statement is
    looked up in SQLAlchemy's compiled cache by its cache key on every execution, and the
    mapped attributes' annotations made that key (hashed each time) twice as long."""
    token, invitation, person = InvitationToken.__table__, Invitation.__table__, Person.__table__
    campaign, interaction, service = Campaign.__table__, Interaction.__table__, Service.__table__
    questionnaires = Questionnaire.__table__
    current = questionnaires.alias("current_questionnaire")
    provider = Department.__table__.alias("provider")
    newest_active = (
        select(func.max(questionnaires.c.id))
        .where(questionnaires.c.kind == invitation.c.kind, questionnaires.c.active.is_(True))
        .correlate(invitation)
        .scalar_subquery()
    )
    return (
        select(
            invitation.c.id,
            invitation.c.kind,
            invitation.c.status,
            invitation.c.expires_at,
            person.c.id,
            person.c.locale,
            person.c.department_id,
            campaign.c.id,
            campaign.c.quarter,
            interaction.c.provider_department_id,
            provider.c.name,
            provider.c.names,
            interaction.c.service_id,
            service.c.name,
            service.c.names,
            current.c.id,
            current.c.revision,
            current.c.created_at,
            interaction.c.external_ref,
            func.coalesce(interaction.c.resolved_at, interaction.c.opened_at),
        )
        .select_from(token)
        .join(invitation, invitation.c.id == token.c.invitation_id)
        .join(person, person.c.id == invitation.c.person_id)
        .outerjoin(campaign, campaign.c.id == invitation.c.campaign_id)
        .outerjoin(interaction, interaction.c.id == invitation.c.interaction_id)
        .outerjoin(provider, provider.c.id == interaction.c.provider_department_id)
        .outerjoin(service, service.c.id == interaction.c.service_id)
        .outerjoin(
            current, current.c.id == func.coalesce(campaign.c.questionnaire_id, newest_active)
        )
        .where(token.c.token_hash == bindparam("token_hash"))
    )


# Built once: constructing the statement costs as much as running it. Plain rows, not ORM
# objects: loading five related objects cost four times the query itself.
_LINK_QUERY = _link_query()


def look_up_link(session: Session, token: str, now: datetime | None = None) -> LinkLookup:
    """What a link leads to, without changing anything."""
    if not token or len(token) > 64:
        return LinkLookup(LinkState.UNKNOWN)
    row = session.connection().execute(_LINK_QUERY, {"token_hash": token_hash(token)}).first()
    if row is None:
        return LinkLookup(LinkState.UNKNOWN)
    (
        invitation_id,
        kind,
        status,
        expires_at,
        person_id,
        locale,
        department_id,
        campaign_id,
        quarter,
        provider_id,
        provider_name,
        provider_names,
        service_id,
        service_name,
        service_names,
        questionnaire_id,
        revision,
        created_at,
        request_ref,
        request_at,
    ) = row
    link = Link(
        invitation_id=invitation_id,
        kind=kind,
        status=status,
        expires_at=expires_at,
        person_id=person_id,
        locale=locale,
        customer_department_id=department_id,
        campaign_id=campaign_id,
        quarter=quarter,
        provider=Named(provider_id, provider_name, provider_names or {})
        if provider_id is not None
        else None,
        service=Named(service_id, service_name, service_names or {})
        if service_id is not None
        else None,
        request_ref=request_ref,
        request_at=request_at,
    )
    ref = (
        QuestionnaireRef(questionnaire_id, revision, created_at)
        if questionnaire_id is not None
        else None
    )
    if status == "answered":
        return LinkLookup(LinkState.USED, link, ref)
    if status in ("expired", "cancelled") or expires_at <= (now or utcnow()):
        return LinkLookup(LinkState.EXPIRED, link, ref)
    return LinkLookup(LinkState.OPEN, link, ref)


_invitations = Invitation.__table__
# The claim: parameters ``invitation_id`` and ``now``; one row changed for the one caller that
# used the link. ``response_statements`` builds the PostgreSQL submit's first statement on it.
CLAIM = (
    update(_invitations)
    .where(
        _invitations.c.id == bindparam("invitation_id"),
        # Constants written into the SQL: an IN of bound values is expanded on every call.
        _invitations.c.status.in_(
            [literal_column(f"'{status}'") for status in (*OPEN_STATUSES, "undeliverable")]
        ),
        _invitations.c.expires_at > bindparam("now"),
    )
    .values(status="answered")
)


def claim_invitation(session: Session, invitation_id: int, now: datetime | None = None) -> bool:
    """Mark the invitation answered if it is still open; True only for the one caller that
    did. The caller stores the response in the same transaction and commits. (A plain UPDATE:
    an ``Invitation`` loaded in the session keeps its old status until refreshed.)"""
    params = {"invitation_id": invitation_id, "now": now or utcnow()}
    return session.connection().execute(CLAIM, params).rowcount == 1


def link_url(base_url: str, token: str, score: int | None = None) -> str:
    url = f"{base_url.rstrip('/')}/r/{token}"
    return f"{url}?score={score}" if score is not None else url
