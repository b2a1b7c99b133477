"""The audit log: one row per administrative change (who, what, when)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from survey.models.base import Base, utcnow


class AuditEntry(Base):
    """One administrative change: when (UTC), who, which verb, on what, and the fields it
    changed as ``{field: [before, after]}``.

    ``actor_label`` keeps who acted (an email, or ``command line``) so the entry still reads
    after the account is gone (``actor_id`` then becomes NULL). ``target_label`` likewise keeps
    a readable name of the target (a code, an email); ``target_id`` is text because not every
    target has an integer key (a baseline's is its version). ``changes`` never holds respondent
    answers, tokens, passwords or secrets: ``survey.services.audit.record`` redacts them.
    """

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    actor_label: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(40))
    target_kind: Mapped[str] = mapped_column(String(40), index=True)
    target_id: Mapped[str | None] = mapped_column(String(40))
    target_label: Mapped[str] = mapped_column(String(200), default="")
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
