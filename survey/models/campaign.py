"""Quarterly campaigns, invitations (one per person and survey) and their one-time links."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.models.activity import Interaction
from survey.models.base import Base, utcnow
from survey.models.org import Department, Person
from survey.models.schedule import CampaignSchedule  # noqa: F401 (the table schedule_id refers to)

campaign_departments = Table(
    "campaign_departments",
    Base.metadata,
    Column("campaign_id", ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True),
    Column("department_id", ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True),
)


class Campaign(Base):
    """A quarterly relationship survey for an audience (all active people, or departments).

    ``min_group_size`` (k) is raised to at least the k of the settings when the campaign
    opens and cannot be lowered from then on, nor changed once its quarter is released
    (``delivery.services.campaigns.set_min_group_size``).
    """

    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint("closes_at > opens_at", name="closes_after_opens"),
        CheckConstraint("audience IN ('all', 'departments')", name="audience_known"),
        CheckConstraint("status IN ('draft', 'open', 'closed', 'cancelled')", name="status_known"),
        CheckConstraint("reminder_max >= 0 AND reminder_min_days >= 1", name="reminder_policy"),
        CheckConstraint("min_group_size >= 2", name="k_at_least_two"),
        # One campaign per schedule and quarter, whatever its status (a cancelled quarter
        # is not created again); campaigns made by hand have no schedule.
        UniqueConstraint("schedule_id", "quarter"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    quarter: Mapped[str] = mapped_column(String(6), index=True)  # e.g. 2026Q3
    audience: Mapped[str] = mapped_column(String(12), default="all")
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(10), default="draft")
    reminder_max: Mapped[int] = mapped_column(Integer, default=2)
    reminder_min_days: Mapped[int] = mapped_column(Integer, default=5)
    min_group_size: Mapped[int] = mapped_column(Integer, default=5)
    questionnaire_id: Mapped[int | None] = mapped_column(
        ForeignKey("questionnaires.id", ondelete="RESTRICT")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The schedule that created it (``delivery.services.schedules``); None for a campaign made by
    # hand.
    schedule_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaign_schedules.id", ondelete="SET NULL")
    )

    # Who opening it left out (``campaigns.open_campaign``, whoever opened it: the scheduler or
    # an administrator): people whose survey budget was spent, people erased since the
    # quarter began and imported again. None until it opens (and for campaigns opened before
    # these were kept, migration 0025).
    left_out_over_budget: Mapped[int | None] = mapped_column(Integer)
    left_out_erased: Mapped[int | None] = mapped_column(Integer)

    departments: Mapped[list[Department]] = relationship(secondary=campaign_departments)


class Invitation(Base):
    """One person asked to answer one survey. The person is known here, never on the response.

    ``status``: queued (mail in the outbox), sent, answered, expired, undeliverable, cancelled.
    Answered invitations keep no answer time: nothing on this row can be matched to a response
    finer than the ISO week both share.
    """

    __tablename__ = "invitations"
    __table_args__ = (
        CheckConstraint("kind IN ('post_interaction', 'quarterly', 'quiz')", name="kind_known"),
        CheckConstraint(
            "status IN ('queued', 'sent', 'answered', 'expired', 'undeliverable', 'cancelled')",
            name="status_known",
        ),
        CheckConstraint(
            "(kind = 'quarterly') = (campaign_id IS NOT NULL)", name="quarterly_has_campaign"
        ),
        CheckConstraint(
            "(kind = 'post_interaction') = (interaction_id IS NOT NULL)",
            name="post_has_interaction",
        ),
        UniqueConstraint("campaign_id", "person_id"),
        UniqueConstraint("interaction_id"),
        Index("ix_invitations_person_created", "person_id", "created_at"),
        Index("ix_invitations_status_expires", "status", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    interaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("interactions.id", ondelete="CASCADE")
    )
    status: Mapped[str] = mapped_column(String(14), default="queued")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)
    last_mailed_at: Mapped[datetime | None]

    person: Mapped[Person] = relationship()
    campaign: Mapped[Campaign | None] = relationship()
    interaction: Mapped[Interaction | None] = relationship()
    tokens: Mapped[list[InvitationToken]] = relationship(back_populates="invitation")


class InvitationToken(Base):
    """The SHA-256 of a 128-bit link token. A reminder mails a fresh token; all stay valid
    until the invitation is answered or expires. The token itself is never stored."""

    __tablename__ = "invitation_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    invitation: Mapped[Invitation] = relationship(back_populates="tokens")


class InvitationDraft(Base):
    """A half-done quarterly survey, kept until submission (then deleted) or expiry."""

    __tablename__ = "invitation_drafts"

    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), primary_key=True
    )
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
