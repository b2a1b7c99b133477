"""What closing a campaign now would do, for the page that asks to confirm it: how many of its
links stop working and whether its quarter's figures are then published. Reads only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey.delivery.services.campaigns import UNANSWERED
from survey.models import Campaign, Invitation
from survey.models.base import utcnow
from survey.periods import quarter_of
from survey.services.release import release_floor, released_sql


@dataclass(frozen=True)
class ClosePreview:
    """``unanswered``: invitations whose links closing expires (queued, sent or undeliverable:
    ``campaigns.UNANSWERED``); ``releases``: closing at that moment publishes the figures of
    the campaign's quarter (it has ended, no other campaign of it is open and one provider has
    its k people: ``services.release``)."""

    unanswered: int
    releases: bool


def close_preview(
    session: Session, campaign: Campaign, now: datetime | None = None
) -> ClosePreview:
    """What ``close_campaign`` would do to ``campaign`` at ``now`` (UTC, default the present).
    A campaign that is not open has nothing to close: ``releases`` is then False."""
    now = now or utcnow()
    unanswered = session.scalar(
        select(func.count())
        .select_from(Invitation)
        .where(Invitation.campaign_id == campaign.id, Invitation.status.in_(UNANSWERED))
    )
    releases = campaign.status == "open" and bool(
        session.scalar(
            select(
                released_sql(
                    campaign.quarter, quarter_of(now), release_floor(), campaign_id=campaign.id
                )
            )
        )
    )
    return ClosePreview(unanswered=int(unanswered or 0), releases=releases)
