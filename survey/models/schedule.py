"""Campaign schedules: quarterly campaigns that the scheduler (``tick``) creates by itself."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.models.base import Base, utcnow
from survey.models.org import Department

schedule_departments = Table(
    "schedule_departments",
    Base.metadata,
    Column(
        "schedule_id", ForeignKey("campaign_schedules.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("department_id", ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True),
)


class CampaignSchedule(Base):
    """A standing order for quarterly campaigns, set once by an administrator.

    ``quarters`` holds the quarters of the year it runs in as digits (``"1234"``: every
    quarter; ``"24"``: the second and the fourth). The campaign of quarter q opens
    ``open_offset_days`` and closes ``close_offset_days`` after the first day of q (00:00 UTC).
    ``tick`` creates it as a draft shortly before it opens
    (``delivery.services.schedules.LEAD_DAYS``),
    linked by ``Campaign.schedule_id``; one campaign per schedule and quarter (a unique
    constraint). Audience: all people, or the people of ``departments``. ``active`` False
    pauses the schedule: nothing new is created, what exists stays as it is.
    """

    __tablename__ = "campaign_schedules"
    __table_args__ = (
        CheckConstraint("open_offset_days >= 0", name="open_offset_not_negative"),
        CheckConstraint("close_offset_days > open_offset_days", name="closes_after_opens"),
        CheckConstraint("reminder_max >= 0 AND reminder_min_days >= 1", name="reminder_policy"),
        CheckConstraint("min_group_size >= 2", name="k_at_least_two"),
        CheckConstraint("audience IN ('all', 'departments')", name="audience_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    quarters: Mapped[str] = mapped_column(String(4), default="1234")
    open_offset_days: Mapped[int] = mapped_column(Integer, default=14)
    close_offset_days: Mapped[int] = mapped_column(Integer, default=35)
    reminder_max: Mapped[int] = mapped_column(Integer, default=2)
    reminder_min_days: Mapped[int] = mapped_column(Integer, default=5)
    min_group_size: Mapped[int] = mapped_column(Integer, default=5)
    questionnaire_id: Mapped[int | None] = mapped_column(
        ForeignKey("questionnaires.id", ondelete="SET NULL")
    )
    audience: Mapped[str] = mapped_column(String(12), default="all")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    departments: Mapped[list[Department]] = relationship(secondary=schedule_departments)
