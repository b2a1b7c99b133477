"""Quarterly campaigns: create, open (invitations and their mail in one transaction), remind,
close. Every state change is a conditional UPDATE, so two ``tick`` runs at once cannot open a
campaign twice or send a reminder twice."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app, has_app_context
from sqlalchemy import ColumnElement, case, delete, func, insert, select, update
from sqlalchemy.orm import Session, joinedload

from survey.delivery.services.mailing import Recipient, quarterly_messages, queue_invitation_email
from survey.delivery.services.publishing import Published, publish_releases
from survey.delivery.services.release_mail import ReleaseMailSettings
from survey.models import (
    Campaign,
    Department,
    Dependency,
    Interaction,
    Invitation,
    InvitationDraft,
    InvitationToken,
    OutboxMessage,
    Person,
)
from survey.models.base import utcnow
from survey.periods import quarter_bounds, quarter_of
from survey.security import new_token, token_hash
from survey.services.erasure import erased_since
from survey.services.fatigue import FatiguePolicy, budget_left
from survey.services.invitations import add_link_token
from survey.services.release import release_floor, released_sql

BATCH = 1000  # rows per bulk INSERT when opening a campaign


class CampaignError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class DuplicateCampaign(CampaignError):
    """A campaign of the same quarter already reaches (some of) the same people."""

    def __init__(self, existing: Campaign) -> None:
        super().__init__("quarter", f"{existing.name} already covers this quarter")
        self.existing = existing


class QuarterReleased(CampaignError):
    """The figures of the quarter are already released: a campaign of it would publish them
    again with its few new respondents, and the difference of the two releases is theirs."""

    def __init__(self, quarter: str) -> None:
        super().__init__("quarter", f"the figures of {quarter} are already released")
        self.quarter = quarter


def _unreleased(quarter: str, now: datetime, campaign_id: int | None = None) -> ColumnElement[bool]:
    """SQL: the figures of ``quarter`` are not released at ``now`` (``services.release``, the
    definition of ``scorecard_data.ScoreVersions`` too), ignoring campaign ``campaign_id``'s
    being open."""
    return ~released_sql(quarter, quarter_of(now), release_floor(), campaign_id=campaign_id)


def quarter_released(session: Session, quarter: str, now: datetime | None = None) -> bool:
    """Whether the figures of ``quarter`` are released at ``now`` (default: the present): the
    quarter has ended, none of its campaigns is open and at least k people answered about one
    provider (``services.release``). A campaign still open past its quarter's end keeps the
    quarter unreleased; a quarter that ended with fewer people has released nothing. Figures
    are released once: no campaign of a released quarter may be created or opened
    (``create_campaign``, ``open_campaign``)."""
    return not session.scalar(select(_unreleased(quarter, now or utcnow())))


def campaign_clash(session: Session, quarter: str, department_ids: list[int]) -> Campaign | None:
    """A campaign (draft, open or closed; not cancelled) of ``quarter`` whose audience
    overlaps ``department_ids`` (empty: everyone): one survey per person and quarter."""
    for existing in session.scalars(
        select(Campaign)
        .where(Campaign.quarter == quarter, Campaign.status != "cancelled")
        .order_by(Campaign.id)
    ):
        if existing.audience == "all" or not department_ids:
            return existing
        if {d.id for d in existing.departments} & set(department_ids):
            return existing
    return None


def campaign_reach(session: Session, quarter: str, department_ids: list[int]) -> int:
    """How many people a campaign of ``quarter`` for ``department_ids`` (empty: everyone) would
    invite if it opened now: active, not opted out, with at least one provider to rate. (The
    survey budget, checked on opening, may leave out a few more.)"""
    stmt = select(Person).where(Person.active.is_(True), Person.opted_out.is_(False))
    if department_ids:
        stmt = stmt.where(Person.department_id.in_(department_ids))
    people = list(session.scalars(stmt))
    providers = providers_for(session, people, quarter)
    return sum(1 for p in people if providers[p.id])


def create_campaign(
    session: Session,
    *,
    name: str,
    quarter: str,
    opens_at: datetime,
    closes_at: datetime,
    min_group_size: int,
    department_ids: list[int] | None = None,
    reminder_max: int = 2,
    reminder_min_days: int = 5,
    questionnaire_id: int | None = None,
    refuse_overlap: bool = False,
    schedule_id: int | None = None,
    now: datetime | None = None,
) -> Campaign:
    """A draft campaign; ``tick`` opens it at ``opens_at``. No departments = everyone.

    Raises CampaignError when ``closes_at`` is not after the opening; QuarterReleased when the
    figures of ``quarter`` are already released at ``now`` (``quarter_released``: a campaign
    of a quarter that has ended is possible only while another campaign of it is still open,
    or while fewer than k people answered about any provider); with ``refuse_overlap`` (the
    admin form), a DuplicateCampaign when a campaign of the same quarter (not cancelled)
    already reaches some of these people (``campaign_clash``). ``schedule_id``: the schedule
    creating it (``services.schedules``); unique with the quarter (IntegrityError on flush).
    """
    if closes_at <= opens_at:
        raise CampaignError("closes_at", "must be after the opening")
    quarter_bounds(quarter)  # raises ValueError on a malformed quarter
    if quarter_released(session, quarter, now):
        raise QuarterReleased(quarter)
    clash = campaign_clash(session, quarter, department_ids or []) if refuse_overlap else None
    if clash is not None:
        raise DuplicateCampaign(clash)
    campaign = Campaign(
        name=name.strip(),
        quarter=quarter,
        audience="departments" if department_ids else "all",
        opens_at=opens_at,
        closes_at=closes_at,
        status="draft",
        reminder_max=reminder_max,
        reminder_min_days=reminder_min_days,
        min_group_size=min_group_size,
        questionnaire_id=questionnaire_id,
        schedule_id=schedule_id,
    )
    if department_ids:
        campaign.departments = list(
            session.scalars(select(Department).where(Department.id.in_(department_ids)))
        )
    session.add(campaign)
    session.flush()
    return campaign


def set_min_group_size(
    session: Session, campaign: Campaign, k: int, now: datetime | None = None
) -> None:
    """Set the campaign's k (the smallest group any figure may rest on). k may be raised
    until the campaign's quarter is released but never lowered once the campaign has opened:
    raises CampaignError then. Once the quarter's figures are released (``quarter_released``
    at ``now``, default the present) k no longer changes at all (QuarterReleased): a released
    quarter is published once, and a second publication under another k hides other cells,
    so that the two suppression patterns together could tell what each one hides. Setting
    the k it has is always accepted (no change).

    One conditional UPDATE decides, so a campaign that the scheduler opens while the
    administrator's page still shows it as a draft cannot have its k lowered either.
    """
    allowed = (Campaign.status == "draft") | (Campaign.min_group_size <= k)
    unchanged_or_unreleased = (Campaign.min_group_size == k) | _unreleased(
        campaign.quarter, now or utcnow()
    )
    changed = session.execute(
        update(Campaign)
        .where(Campaign.id == campaign.id, allowed, unchanged_or_unreleased)
        .values(min_group_size=k)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.refresh(campaign)
    if changed == 1:
        return
    if campaign.status != "draft" and k < campaign.min_group_size:
        raise CampaignError("min_group_size", "cannot be lowered once the campaign has opened")
    raise QuarterReleased(campaign.quarter)


def providers_for(session: Session, people: list[Person], quarter: str) -> dict[int, list[int]]:
    """Provider department ids each person rates: those their department depends on, plus
    those that handled their requests during ``quarter``. Two queries for any number of
    people."""
    start, end = quarter_bounds(quarter)
    by_department: dict[int, set[int]] = defaultdict(set)
    for customer, provider in session.execute(
        select(Dependency.customer_department_id, Dependency.provider_department_id)
    ):
        by_department[customer].add(provider)
    by_person: dict[int, set[int]] = defaultdict(set)
    person_ids = [p.id for p in people]
    for chunk_start in range(0, len(person_ids), 900):
        chunk = person_ids[chunk_start : chunk_start + 900]
        for person_id, provider in session.execute(
            select(Interaction.requester_person_id, Interaction.provider_department_id)
            .where(
                Interaction.requester_person_id.in_(chunk),
                Interaction.opened_at >= _start_of(start),
                Interaction.opened_at < _start_of(end),
            )
            .distinct()
        ):
            by_person[person_id].add(provider)
    active = set(session.scalars(select(Department.id).where(Department.active.is_(True))))
    result = {}
    for person in people:
        chosen = (by_department[person.department_id] | by_person[person.id]) & active
        chosen.discard(person.department_id)
        result[person.id] = sorted(chosen)
    return result


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def audience(session: Session, campaign: Campaign) -> list[Person]:
    """Active people who have not opted out, in the campaign's departments (or everyone)."""
    stmt = select(Person).where(Person.active.is_(True), Person.opted_out.is_(False))
    if campaign.audience == "departments":
        stmt = stmt.where(Person.department_id.in_([d.id for d in campaign.departments]))
    return list(session.scalars(stmt.order_by(Person.id)))


@dataclass(frozen=True)
class OpenReport:
    invited: int
    without_providers: int
    over_budget: int = 0  # people left out: their survey budget for the period is spent
    # People left out: erased since the quarter began and imported again (they would count
    # twice in its figures, ``erasure.erased_since``).
    erased_this_quarter: int = 0


def open_campaign(
    session: Session,
    campaign: Campaign,
    base_url: str,
    mail_domain: str,
    now: datetime | None = None,
    min_group_size: int | None = None,
    policy: FatiguePolicy | None = None,
) -> OpenReport | None:
    """Open a draft campaign: one invitation, one link and one queued email per person who has
    at least one provider to rate. Returns None if another process opened it first.

    ``min_group_size`` is the k of the settings: the campaign's k is raised to it on opening,
    so that lowering the setting later cannot lower the k its respondents were promised
    (scorecards never gate a campaign's quarter below the campaign's k).
    People whose survey budget (``fatigue.budget_left`` under ``policy``) is spent are left out,
    and so are people erased since the campaign's quarter began and imported again
    (``erasure.erased_since``); both counts are kept on the campaign (``left_out_over_budget``,
    ``left_out_erased``) for its page.

    Raises QuarterReleased, nothing changed, when the figures of the campaign's quarter are
    already released (``quarter_released``: another campaign of it closed since this one was
    created): its answers would publish the quarter again. The conditional UPDATE that opens
    it checks this, so a campaign of the quarter closing at the same moment cannot slip in
    between.
    """
    now = now or utcnow()
    floor = min_group_size or 0
    claimed = session.execute(
        update(Campaign)
        .where(
            Campaign.id == campaign.id,
            Campaign.status == "draft",
            _unreleased(campaign.quarter, now, campaign.id),
        )
        .values(
            status="open",
            opens_at=min(campaign.opens_at, now),
            min_group_size=case(
                (Campaign.min_group_size < floor, floor), else_=Campaign.min_group_size
            ),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        session.refresh(campaign)
        if campaign.status == "draft":  # the quarter was released a moment ago
            raise QuarterReleased(campaign.quarter)
        return None
    session.refresh(campaign)
    people = audience(session, campaign)
    providers = providers_for(session, people, campaign.quarter)
    with_providers = [p for p in people if providers[p.id]]
    erased = erased_since(
        session, [p.email for p in with_providers], quarter_bounds(campaign.quarter)[0]
    )
    returned = [p for p in with_providers if p.email not in erased]
    left = budget_left(session, [p.id for p in returned], policy or FatiguePolicy(), now)
    chosen = [p for p in returned if left[p.id] > 0]
    recipients = []
    for start in range(0, len(chosen), BATCH):
        batch = chosen[start : start + BATCH]
        ids = session.scalars(
            insert(Invitation).returning(Invitation.id, sort_by_parameter_order=True),
            [
                {
                    "person_id": p.id,
                    "kind": "quarterly",
                    "campaign_id": campaign.id,
                    "status": "queued",
                    "created_at": now,
                    "expires_at": campaign.closes_at,
                    "reminders_sent": 0,
                    "last_mailed_at": now,
                }
                for p in batch
            ],
        ).all()
        tokens = [new_token() for _ in batch]
        session.execute(
            insert(InvitationToken),
            [
                {"token_hash": token_hash(t), "invitation_id": i, "created_at": now}
                for i, t in zip(ids, tokens, strict=True)
            ],
        )
        recipients.extend(
            Recipient(i, p.name, p.email, p.locale, t, tuple(providers[p.id]))
            for i, p, t in zip(ids, batch, tokens, strict=True)
        )
    rows = quarterly_messages(
        recipients, campaign, campaign.closes_at, base_url, mail_domain, now=now, session=session
    )
    for start in range(0, len(rows), BATCH):
        session.execute(insert(OutboxMessage), rows[start : start + BATCH])
    report = OpenReport(
        invited=len(chosen),
        without_providers=len(people) - len(with_providers),
        over_budget=len(returned) - len(chosen),
        erased_this_quarter=len(with_providers) - len(returned),
    )
    # Kept with the campaign for its page, whoever opened it (the scheduler tells no one).
    campaign.left_out_over_budget = report.over_budget
    campaign.left_out_erased = report.erased_this_quarter
    session.flush()
    return report


def send_reminders(
    session: Session, base_url: str, mail_domain: str, now: datetime | None = None
) -> int:
    """Remind people who have not answered an open campaign, within its reminder policy.
    Each reminder carries a fresh link (the earlier ones keep working). No reminder goes to
    someone who opted out after the invitation ("no more survey emails") or who left.

    The interval runs from when the last mail of the invitation left, not from when it was
    queued: while the relay is down, no reminder is queued beside a mail still waiting (the
    person would get both at once), and once the mail leaves, the reminder waits its days."""
    now = now or utcnow()
    waiting = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.invitation_id == Invitation.id,
            OutboxMessage.status.in_(("queued", "sending")),
        )
        .exists()
    )
    due = session.scalars(
        select(Invitation)
        .join(Campaign, Campaign.id == Invitation.campaign_id)
        .join(Person, Person.id == Invitation.person_id)
        .where(
            Campaign.status == "open",
            Campaign.closes_at > now,
            Invitation.status.in_(("queued", "sent")),
            Invitation.reminders_sent < Campaign.reminder_max,
            Person.active.is_(True),
            Person.opted_out.is_(False),
            ~waiting,
        )
        .options(joinedload(Invitation.person), joinedload(Invitation.campaign))
        .order_by(Invitation.id)
    ).all()
    left_at = _last_sent(session, [invitation.id for invitation in due])
    sent = 0
    for invitation in due:
        campaign = invitation.campaign
        assert campaign is not None
        last = max(
            (t for t in (invitation.last_mailed_at, left_at.get(invitation.id)) if t is not None),
            default=invitation.created_at,
        )
        if last > now - timedelta(days=campaign.reminder_min_days):
            continue
        won = session.execute(
            update(Invitation)
            .where(
                Invitation.id == invitation.id,
                Invitation.reminders_sent == invitation.reminders_sent,
            )
            .values(reminders_sent=invitation.reminders_sent + 1, last_mailed_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if won != 1:
            continue
        token = add_link_token(session, invitation, now)
        queue_invitation_email(
            session, invitation, invitation.person, token, base_url, mail_domain, reminder=True
        )
        sent += 1
    session.flush()
    return sent


def _last_sent(session: Session, invitation_ids: list[int]) -> dict[int, datetime]:
    """When the last mail of each invitation left (sent), for those with a mail sent; one
    grouped query per 500 invitations."""
    found: dict[int, datetime] = {}
    for start in range(0, len(invitation_ids), 500):
        chunk = invitation_ids[start : start + 500]
        found.update(
            session.execute(
                select(OutboxMessage.invitation_id, func.max(OutboxMessage.sent_at))
                .where(OutboxMessage.invitation_id.in_(chunk), OutboxMessage.sent_at.is_not(None))
                .group_by(OutboxMessage.invitation_id)
            ).all()
        )
    return found


#: The statuses of an invitation whose link closing its campaign expires (not yet answered).
UNANSWERED = ("queued", "sent", "undeliverable")


def close_campaign(
    session: Session,
    campaign: Campaign,
    now: datetime | None = None,
    *,
    mail: ReleaseMailSettings | None = None,
) -> Published | None:
    """Close an open campaign: its unanswered links expire and half-done drafts are deleted;
    a quarter this releases is published (``publishing.publish_releases``, with the app's k):
    its k recorded, its compliance counts frozen and its release emails queued (``mail``,
    default the app's settings; none outside an app context). Returns what was published (a
    ``Published``, empty when closing released nothing), or None if the campaign was not
    open (already closed by someone else)."""
    now = now or utcnow()
    # The closing time stays after the opening one even when this host's clock is behind the
    # one of the host whose scheduler opened the campaign a moment ago.
    closes_at = max(min(campaign.closes_at, now), campaign.opens_at + timedelta(seconds=1))
    closed = session.execute(
        update(Campaign)
        .where(Campaign.id == campaign.id, Campaign.status == "open")
        .values(status="closed", closes_at=closes_at)
        .execution_options(synchronize_session=False)
    ).rowcount
    if closed != 1:
        return None
    open_ids = select(Invitation.id).where(
        Invitation.campaign_id == campaign.id,
        Invitation.status.in_(UNANSWERED),
    )
    session.execute(
        delete(InvitationDraft)
        .where(InvitationDraft.invitation_id.in_(open_ids))
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Invitation)
        .where(Invitation.id.in_(open_ids.scalar_subquery()))
        .values(status="expired")
        .execution_options(synchronize_session=False)
    )
    session.flush()
    # Closing the last open campaign of an ended quarter releases it: its k recorded now.
    if mail is None:
        mail = (
            ReleaseMailSettings.from_config(current_app.config)
            if has_app_context()
            else ReleaseMailSettings("", "", enabled=False)
        )
    return publish_releases(session, now, release_floor(), mail)


def cancel_campaign(session: Session, campaign: Campaign) -> bool:
    """Cancel a campaign that has not opened yet: the scheduler will never open it, and no one
    was invited or mailed. False if it was no longer a draft (opened meanwhile by the
    scheduler, or cancelled by someone else): an open campaign is closed instead."""
    cancelled = session.execute(
        update(Campaign)
        .where(Campaign.id == campaign.id, Campaign.status == "draft")
        .values(status="cancelled")
        .execution_options(synchronize_session=False)
    ).rowcount
    session.flush()
    if cancelled == 1:
        session.expire(campaign, ["status"])
    return cancelled == 1


def expire_post_interaction_links(session: Session, now: datetime | None = None) -> int:
    """Post-interaction invitations past their expiry become ``expired``."""
    now = now or utcnow()
    return session.execute(
        update(Invitation)
        .where(
            Invitation.kind == "post_interaction",
            Invitation.status.in_(("queued", "sent", "undeliverable")),
            Invitation.expires_at <= now,
        )
        .values(status="expired")
        .execution_options(synchronize_session=False)
    ).rowcount
