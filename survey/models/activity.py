"""Interactions: requests a provider department handled for a person."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.models.auth import ApiKey
from survey.models.base import Base, utcnow
from survey.models.org import Department, Person, Service

SURVEY_DECISIONS = ("pending", "invited", "skipped")


class Interaction(Base):
    """A handled request. Timestamps are UTC; ``first_response_at`` and ``resolved_at`` may be
    missing. ``source`` + ``external_ref`` identify it in the ticketing tool (idempotency).

    ``survey_decision`` records whether a survey went out and, when skipped, ``skip_reason``
    (own_department, opted_out, erased_this_quarter, fatigue_window, open_quarterly,
    sampled_out, inactive, budget, cancelled, reported_late; retention, erased, no_requester
    once detached from the requester) so admins see why. A survey is decided only once
    ``resolved_at`` is set and the request is not cancelled.

    Lifecycle (``delivery.services.interactions.apply_lifecycle``): ``reopened_at`` is the last
    reopening (it cleared ``resolved_at``), ``reopen_count`` how many there were;
    ``cancelled_at`` is final. ``paused_seconds`` is the time the request spent in a paused
    state (waiting on the requester), reported by the tool; it does not count toward the
    service standard. ``api_key_id`` is the key that reports it: the first one, or the key
    that took it over once that one was revoked (``interactions.check_reporter``); only it may
    update it. Past the retention period (``services.retention``) the requester is cleared;
    the times, ``source`` and ``external_ref`` stay, for compliance and to recognise a late
    report of the same request.
    """

    __tablename__ = "interactions"
    __table_args__ = (
        UniqueConstraint("source", "external_ref"),
        CheckConstraint(f"survey_decision IN {SURVEY_DECISIONS}", name="decision_known"),
        CheckConstraint(
            "first_response_at IS NULL OR first_response_at >= opened_at", name="response_order"
        ),
        CheckConstraint("resolved_at IS NULL OR resolved_at >= opened_at", name="resolve_order"),
        CheckConstraint("paused_seconds >= 0", name="paused_not_negative"),
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
    # None once the retention period has passed (``services.retention``): the request still
    # counts toward compliance, without saying who made it.
    requester_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE")
    )
    source: Mapped[str | None] = mapped_column(String(40))
    external_ref: Mapped[str | None] = mapped_column(String(120))
    opened_at: Mapped[datetime]
    first_response_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    survey_decision: Mapped[str] = mapped_column(String(10), default="pending")
    skip_reason: Mapped[str | None] = mapped_column(String(40))
    cancelled_at: Mapped[datetime | None]
    reopened_at: Mapped[datetime | None]
    reopen_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    paused_seconds: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    api_key_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_keys.id", ondelete="SET NULL"), index=True
    )
    # Set by every lifecycle change; cached compliance counts are keyed by its maximum.
    updated_at: Mapped[datetime | None] = mapped_column(index=True)

    provider: Mapped[Department] = relationship()
    service: Mapped[Service | None] = relationship()
    requester: Mapped[Person | None] = relationship()


class IdempotencyKey(Base):
    """A request's ``Idempotency-Key`` header as seen from one API key: the SHA-256 of the body
    first sent with it and the answer given (status and JSON). A replay with the same body gets
    the same answer; with another body, 409. Keys are scoped to the API key that sent them."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("api_key_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    body_sha256: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    api_key: Mapped[ApiKey] = relationship()
