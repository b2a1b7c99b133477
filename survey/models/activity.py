"""Interactions: requests a provider department handled for a person."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.models.base import Base, utcnow
from survey.models.org import Department, Person, Service

SURVEY_DECISIONS = ("pending", "invited", "skipped")


class Interaction(Base):
    """A handled request. Timestamps are UTC; ``first_response_at`` and ``resolved_at`` may be
    missing. ``source`` + ``external_ref`` identify it in the ticketing tool (idempotency).

    ``survey_decision`` records whether a survey went out and, when skipped, ``skip_reason``
    (opted_out, fatigue_window, open_quarterly, sampled_out, inactive) so admins see why.
    """

    __tablename__ = "interactions"
    __table_args__ = (
        UniqueConstraint("source", "external_ref"),
        CheckConstraint(
            "survey_decision IN ('pending', 'invited', 'skipped')", name="decision_known"
        ),
        CheckConstraint(
            "first_response_at IS NULL OR first_response_at >= opened_at", name="response_order"
        ),
        CheckConstraint("resolved_at IS NULL OR resolved_at >= opened_at", name="resolve_order"),
        Index("ix_interactions_provider_opened", "provider_department_id", "opened_at"),
        Index("ix_interactions_requester_opened", "requester_person_id", "opened_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_department_id: Mapped[int] = mapped_column(
        ForeignKey("departments.id", ondelete="RESTRICT")
    )
    service_id: Mapped[int | None] = mapped_column(
        ForeignKey("services.id", ondelete="SET NULL"), index=True
    )
    requester_person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    source: Mapped[str | None] = mapped_column(String(40))
    external_ref: Mapped[str | None] = mapped_column(String(120))
    opened_at: Mapped[datetime]
    first_response_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    survey_decision: Mapped[str] = mapped_column(String(10), default="pending")
    skip_reason: Mapped[str | None] = mapped_column(String(40))

    provider: Mapped[Department] = relationship()
    service: Mapped[Service | None] = relationship()
    requester: Mapped[Person] = relationship()
