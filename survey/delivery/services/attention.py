"""What needs an administrator's attention, for the admin dashboard: open campaigns and their
response rates, failed mail, the release state of the quarters and the campaign schedule,
and what changed since the previous quarter.

Only aggregates are read. A campaign's progress is its counts of invitations by status over
the whole campaign (what its own page shows), never anyone's status; the changes are the
flags of the organisation overview of the latest released quarter (``build_overview``: gated,
released quarters only, the model's own change test), re-used as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analysis.scorecard_results import ChangeFlag, Settings
from survey.delivery.services.schedules import next_campaign
from survey.models import Campaign, CampaignSchedule, Invitation, OutboxMessage
from survey.periods import quarter_of
from survey.scorecards.services.scorecards import build_overview
from survey.services.release import released_sql


@dataclass(frozen=True)
class CampaignProgress:
    """An open campaign: invitations sent (every status), answered, and ``rate`` =
    answered / invited in 0..1 (None before any invitation)."""

    id: int
    name: str
    quarter: str
    closes_at: datetime
    invited: int
    answered: int

    @property
    def rate(self) -> float | None:
        return self.answered / self.invited if self.invited else None


@dataclass(frozen=True)
class FailedMail:
    """Mail that could not be delivered (``failed`` in the outbox): how many, and when the
    newest failure was queued (None: none)."""

    count: int
    newest: datetime | None


@dataclass(frozen=True)
class HeldQuarter:
    """A quarter that has ended and has answers, but stays unpublished while one of its
    campaigns is open: closing ``campaigns`` (names) releases it."""

    quarter: str
    campaigns: tuple[str, ...]


@dataclass(frozen=True)
class ScheduleState:
    name: str
    active: bool
    next_quarter: str | None
    opens_at: datetime | None
    closes_at: datetime | None


@dataclass(frozen=True)
class Attention:
    """The dashboard's contents (see the module docstring). ``released``: the latest released
    quarter (None: none yet); ``current``: the quarter in progress, whose figures appear once
    it has ended and its campaigns have closed; ``changes``: the flagged changes into
    ``released`` from the quarter before it, largest first."""

    campaigns: tuple[CampaignProgress, ...]
    failed_mail: FailedMail
    released: str | None
    held: tuple[HeldQuarter, ...]
    current: str
    schedule: ScheduleState | None
    changes: tuple[ChangeFlag, ...]


def open_campaigns(session: Session) -> tuple[CampaignProgress, ...]:
    """Every open campaign with its invitation counts, closing soonest first (one grouped
    query for the counts)."""
    campaigns = session.execute(
        select(Campaign.id, Campaign.name, Campaign.quarter, Campaign.closes_at)
        .where(Campaign.status == "open")
        .order_by(Campaign.closes_at, Campaign.id)
    ).all()
    if not campaigns:
        return ()
    ids = [c.id for c in campaigns]
    invited: dict[int, int] = {}
    answered: dict[int, int] = {}
    for campaign_id, status, n in session.execute(
        select(Invitation.campaign_id, Invitation.status, func.count())
        .where(Invitation.campaign_id.in_(ids))
        .group_by(Invitation.campaign_id, Invitation.status)
    ):
        invited[campaign_id] = invited.get(campaign_id, 0) + n
        if status == "answered":
            answered[campaign_id] = n
    return tuple(
        CampaignProgress(
            c.id, c.name, c.quarter, c.closes_at, invited.get(c.id, 0), answered.get(c.id, 0)
        )
        for c in campaigns
    )


def failed_mail(session: Session) -> FailedMail:
    count, newest = session.execute(
        select(func.count(), func.max(OutboxMessage.created_at)).where(
            OutboxMessage.status == "failed"
        )
    ).one()
    return FailedMail(int(count or 0), newest)


def _schedule_state(session: Session, now: datetime) -> ScheduleState | None:
    """The first schedule (the one the admin page edits), with its next quarter's window."""
    schedule = session.scalar(select(CampaignSchedule).order_by(CampaignSchedule.id).limit(1))
    if schedule is None:
        return None
    try:
        quarter, opens, closes = next_campaign(schedule, now)
    except ValueError:  # a schedule without quarters
        return ScheduleState(schedule.name, schedule.active, None, None, None)
    return ScheduleState(schedule.name, schedule.active, quarter, opens, closes)


def needs_attention(session: Session, settings: Settings, now: datetime | None = None) -> Attention:
    """Everything the dashboard lists, read now (``now`` decides which quarters have ended)."""
    now = now or datetime.now(UTC)
    current = quarter_of(now)
    overview, _problem = build_overview(session, None, settings, now)
    released = overview.quarter if overview.quarters else None
    # Ended quarters that would be released (``services.release``) but for a campaign still
    # open: held back, by rule.
    held_back = released_sql(Campaign.quarter, current, settings.k, open_campaigns=False)
    open_by_quarter: dict[str, list[str]] = {}
    for quarter, name in session.execute(
        select(Campaign.quarter, Campaign.name)
        .where(Campaign.status == "open", held_back)
        .order_by(Campaign.quarter, Campaign.name)
    ):
        open_by_quarter.setdefault(quarter, []).append(name)
    held = tuple(HeldQuarter(q, tuple(names)) for q, names in sorted(open_by_quarter.items()))
    return Attention(
        campaigns=open_campaigns(session),
        failed_mail=failed_mail(session),
        released=released,
        held=held,
        current=current,
        schedule=_schedule_state(session, now),
        # Already only the flagged changes, largest first (the overview's own movers).
        changes=overview.movers if released is not None else (),
    )
