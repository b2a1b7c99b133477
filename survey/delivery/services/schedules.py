"""Campaign schedules: an administrator sets once which quarters, questionnaire, audience,
window and reminders; ``tick`` then creates each quarter's campaign as a draft shortly before
it opens (``create_scheduled_campaigns``), and opens, reminds and closes it like any other.

Idempotent under repeated and concurrent runs: a campaign carries its schedule and quarter,
unique together, so a second insert for the same quarter fails and is rolled back to a
savepoint (the other process's campaign stands). The unique row stays when a quarter's
campaign is cancelled, so a cancelled quarter is not created again, and the schedule goes on
with the next quarter. A quarter whose closing time has passed is never created, nor one whose
figures are already released (``campaigns.quarter_released``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from survey.delivery.services.campaigns import campaign_clash, create_campaign, quarter_released
from survey.local_time import day_start
from survey.models import Campaign, CampaignSchedule, Department, Questionnaire, User
from survey.models.base import utcnow
from survey.periods import quarter_bounds, quarter_of, shift_quarter
from survey.services import audit

#: A scheduled campaign is created (as a draft, editable and cancellable on its page) this
#: many days before it opens.
LEAD_DAYS = 14
MAX_OPEN_OFFSET = 80  # days after the quarter's first day
MAX_CLOSE_OFFSET = 120  # may run a few weeks into the next quarter


class ScheduleError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ScheduleValues:
    """What an administrator sets. ``quarters``: quarter numbers 1 to 4 (at least one);
    offsets in days after the quarter's first day (00:00 in the organisation's time zone);
    ``department_ids`` empty: everyone; ``questionnaire_id`` None: the newest active
    quarterly questionnaire."""

    name: str
    quarters: tuple[int, ...]
    open_offset_days: int
    close_offset_days: int
    reminder_max: int = 2
    reminder_min_days: int = 5
    min_group_size: int = 5
    questionnaire_id: int | None = None
    department_ids: tuple[int, ...] = ()
    active: bool = True


def check_values(session: Session, values: ScheduleValues) -> None:
    """Raise ScheduleError naming the first field that is wrong."""
    if not values.name.strip() or len(values.name.strip()) > 100:
        raise ScheduleError("name", "1 to 100 characters")
    if not values.quarters or not set(values.quarters) <= {1, 2, 3, 4}:
        raise ScheduleError("quarters", "choose at least one quarter")
    if not 0 <= values.open_offset_days <= MAX_OPEN_OFFSET:
        raise ScheduleError("open_offset_days", f"between 0 and {MAX_OPEN_OFFSET} days")
    if not values.open_offset_days < values.close_offset_days <= MAX_CLOSE_OFFSET:
        raise ScheduleError(
            "close_offset_days", f"after the opening day and at most {MAX_CLOSE_OFFSET} days"
        )
    if not 0 <= values.reminder_max <= 5:
        raise ScheduleError("reminder_max", "between 0 and 5")
    if not 1 <= values.reminder_min_days <= 30:
        raise ScheduleError("reminder_min_days", "between 1 and 30")
    if not 2 <= values.min_group_size <= 50:
        raise ScheduleError("min_group_size", "between 2 and 50")
    if values.questionnaire_id is not None:
        questionnaire = session.get(Questionnaire, values.questionnaire_id)
        if questionnaire is None or questionnaire.kind != "quarterly":
            raise ScheduleError("questionnaire_id", "not a quarterly questionnaire")
    if values.department_ids:
        found = set(
            session.scalars(select(Department.id).where(Department.id.in_(values.department_ids)))
        )
        if found != set(values.department_ids):
            raise ScheduleError("department_ids", "unknown department")


def save_schedule(
    session: Session,
    schedule: CampaignSchedule | None,
    values: ScheduleValues,
    *,
    actor: User | None,
    now: datetime | None = None,
) -> CampaignSchedule:
    """Create (``schedule`` None) or change a schedule. Changes apply to quarters not created
    yet; campaigns already created keep their settings (edit them on their own pages).
    Raises ScheduleError on a bad value, nothing changed. ``actor``: the administrator, None
    for the command line; the change is written to the audit log."""
    check_values(session, values)
    now = now or utcnow()
    if schedule is None:
        schedule = CampaignSchedule(created_at=now)
        session.add(schedule)
    schedule.name = values.name.strip()
    schedule.quarters = "".join(str(q) for q in sorted(set(values.quarters)))
    schedule.open_offset_days = values.open_offset_days
    schedule.close_offset_days = values.close_offset_days
    schedule.reminder_max = values.reminder_max
    schedule.reminder_min_days = values.reminder_min_days
    schedule.min_group_size = values.min_group_size
    schedule.questionnaire_id = values.questionnaire_id
    schedule.audience = "departments" if values.department_ids else "all"
    schedule.departments = (
        list(session.scalars(select(Department).where(Department.id.in_(values.department_ids))))
        if values.department_ids
        else []
    )
    schedule.active = values.active
    schedule.updated_at = now
    session.flush()
    audit.record(
        session,
        actor,
        "schedule.save",
        audit.Target("schedule", str(schedule.id), "quarterly campaign schedule"),
        {
            "quarters": schedule.quarters,
            "open_offset_days": schedule.open_offset_days,
            "close_offset_days": schedule.close_offset_days,
            "reminder_max": schedule.reminder_max,
            "reminder_min_days": schedule.reminder_min_days,
            "min_group_size": schedule.min_group_size,
            "questionnaire_id": schedule.questionnaire_id,
            "department_ids": sorted(values.department_ids),
            "active": schedule.active,
        },
    )
    return schedule


def quarter_window(schedule: CampaignSchedule, quarter: str) -> tuple[datetime, datetime]:
    """Opening and closing time (UTC instants) of ``schedule``'s campaign for ``quarter``:
    the start of the day ``open_offset_days`` (``close_offset_days``) after the quarter's
    first day, in the organisation's time zone (``SURVEY_TIMEZONE``)."""
    first = quarter_bounds(quarter)[0]
    return (
        day_start(first + timedelta(days=schedule.open_offset_days)),
        day_start(first + timedelta(days=schedule.close_offset_days)),
    )


def due_quarters(schedule: CampaignSchedule, now: datetime) -> list[str]:
    """The quarters whose campaign should exist at ``now``: a quarter of the schedule whose
    opening is at most ``LEAD_DAYS`` ahead and whose closing has not come. (With offsets up to
    ``MAX_CLOSE_OFFSET`` days only the previous, current and next quarters can qualify.)"""
    current = quarter_of(now)
    due = []
    for quarter in (shift_quarter(current, -1), current, shift_quarter(current, 1)):
        if str(int(quarter[-1])) not in schedule.quarters:
            continue
        opens, closes = quarter_window(schedule, quarter)
        if opens - timedelta(days=LEAD_DAYS) <= now < closes:
            due.append(quarter)
    return due


def next_campaign(schedule: CampaignSchedule, now: datetime) -> tuple[str, datetime, datetime]:
    """The next quarter (not yet closed at ``now``) the schedule runs in, with its window;
    for the admin page."""
    quarter = shift_quarter(quarter_of(now), -1)
    for _ in range(12):
        if str(int(quarter[-1])) in schedule.quarters:
            opens, closes = quarter_window(schedule, quarter)
            if closes > now:
                return quarter, opens, closes
        quarter = shift_quarter(quarter, 1)
    raise ValueError("a schedule without quarters")


@dataclass
class ScheduleReport:
    created: list[str] = field(default_factory=list)  # campaign names
    #: quarters left out because a campaign made by hand already surveys the same people
    clashes: list[str] = field(default_factory=list)
    #: quarters left out because every department of the schedule's audience was deleted
    without_audience: list[str] = field(default_factory=list)
    #: quarters left out because their figures are already released (a schedule made after
    #: its quarter ended): a campaign would publish them again
    released: list[str] = field(default_factory=list)


def create_scheduled_campaigns(
    session: Session, now: datetime | None = None, default_k: int = 5
) -> ScheduleReport:
    """Create the due campaign of every active schedule (draft; ``tick`` opens it on its
    first day). Safe to run again and from several processes at once: see the module
    docstring. ``default_k`` (the k of the settings) is a floor for the campaign's k."""
    now = now or utcnow()
    report = ScheduleReport()
    schedules = session.scalars(
        select(CampaignSchedule)
        .where(CampaignSchedule.active.is_(True))
        .order_by(CampaignSchedule.id)
    ).all()
    for schedule in schedules:
        for quarter in due_quarters(schedule, now):
            exists = session.scalar(
                select(Campaign.id).where(
                    Campaign.schedule_id == schedule.id, Campaign.quarter == quarter
                )
            )
            if exists is not None:
                continue
            department_ids = [d.id for d in schedule.departments]
            if schedule.audience == "departments" and not department_ids:
                # Its departments were deleted: never widen the audience to everyone.
                report.without_audience.append(quarter)
                continue
            if quarter_released(session, quarter, now):
                report.released.append(quarter)
                continue
            clash = campaign_clash(session, quarter, department_ids)
            if clash is not None and clash.schedule_id != schedule.id:
                report.clashes.append(quarter)
                continue
            opens, closes = quarter_window(schedule, quarter)
            try:
                with session.begin_nested():
                    campaign = create_campaign(
                        session,
                        name=f"{schedule.name} {quarter}",
                        quarter=quarter,
                        opens_at=opens,
                        closes_at=closes,
                        min_group_size=max(schedule.min_group_size, default_k),
                        department_ids=department_ids,
                        reminder_max=schedule.reminder_max,
                        reminder_min_days=schedule.reminder_min_days,
                        questionnaire_id=schedule.questionnaire_id,
                        schedule_id=schedule.id,
                        now=now,
                    )
            except IntegrityError:
                continue  # another process created it a moment ago
            report.created.append(campaign.name)
    return report
