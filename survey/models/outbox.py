"""The transactional outbox: every email is a row written with the invitation it belongs to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from survey.models.base import Base, utcnow


class OutboxMessage(Base):
    """A message waiting for, in, or done with delivery.

    ``status``: queued, sending (claimed by ``claimed_by`` until ``claim_expires_at``), sent,
    failed (permanent). Temporary failures go back to queued with ``next_attempt_at`` pushed out
    exponentially. ``message_id`` is fixed at creation, so a resend after a crash carries the
    same Message-ID and receivers can drop the duplicate.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'sending', 'sent', 'failed')", name="status_known"),
        Index("ix_outbox_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    purpose: Mapped[str] = mapped_column(String(30))
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="SET NULL"), index=True
    )
    to_addr: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    claim_expires_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class SuppressedAddress(Base):
    """An address no mail goes to: ``reason`` bounce (a permanent failure reported by a
    receiving server), complaint (the recipient marked a message as spam), unsubscribe or
    manual (an administrator). Stored lower-case; the dispatcher checks it before each batch."""

    __tablename__ = "suppressed_addresses"
    __table_args__ = (
        CheckConstraint(
            "reason IN ('bounce', 'complaint', 'unsubscribe', 'manual')", name="reason_known"
        ),
    )

    address: Mapped[str] = mapped_column(String(254), primary_key=True)
    reason: Mapped[str] = mapped_column(String(12))
    detail: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SoftBounce(Base):
    """Transient delivery failures (4.x.x) reported for an address: counted, never suppressing
    by themselves (the outbox already retries)."""

    __tablename__ = "soft_bounces"

    address: Mapped[str] = mapped_column(String(254), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    last_status: Mapped[str] = mapped_column(String(20), default="")
    last_at: Mapped[datetime] = mapped_column(default=utcnow)


class UnsubscribeToken(Base):
    """The one-click unsubscribe link of one sent survey message (RFC 8058): a 128-bit token,
    stored as its SHA-256, naming the person it opts out."""

    __tablename__ = "unsubscribe_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
