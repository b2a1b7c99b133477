"""Action plans: what a department will change in answer to its scores."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.models.base import Base, utcnow
from survey.models.org import Department

# What an action may answer: one quarterly dimension, one ISQ component or one customer
# department. Kept here (not imported from the services) so the model stands alone.
ACTION_DIMENSIONS = ("reliability", "responsiveness", "competence", "courtesy", "tools")
ACTION_COMPONENTS = ("T", "R", "C")
ACTION_STATUSES = ("planned", "in_progress", "done", "dropped")
# Statuses under which an action with a public summary is shown to respondents.
PUBLISHED_STATUSES = ("in_progress", "done")
SUMMARY_MAX = 280
TITLE_MAX = 160
# The texts an action can give in other languages (``translations`` holds them).
TRANSLATED_FIELDS = ("title", "public_summary")


@dataclass(frozen=True, eq=False)
class TranslatedText:
    """A text in the default language (``name``) and its translations (``names``, locale ->
    text): the shape the ``localized`` template filter reads (``survey.names.localized_name``),
    so a title or a summary shows in the reader's language with the default as fallback."""

    name: str
    names: Mapping[str, str] = field(default_factory=dict)


def _quoted(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


class Action(Base):
    """One action of a department's action plan.

    It answers exactly one thing (``target_kind``): a quarterly ``dimension`` or an ISQ
    ``component`` (code in ``target_code``), or a ``customer`` department (in
    ``customer_department_id``, never the department itself). The owner is a free-text name,
    a user, or both. ``public_summary`` (at most 280 characters, the manager's own words) is
    what respondents read under "you said, we did" while the status is ``in_progress`` or
    ``done``; empty means the action is internal. ``due_on`` is a calendar day (no zone).
    ``translations`` holds the title and the public summary in other languages:
    ``{"title": {"it": ...}, "public_summary": {"it": ..., "fr": ...}}`` (missing or empty: the
    reader sees the default text).
    """

    __tablename__ = "actions"
    __table_args__ = (
        CheckConstraint(f"status IN ({_quoted(ACTION_STATUSES)})", name="status_known"),
        CheckConstraint(
            f"(target_kind = 'dimension' AND target_code IN ({_quoted(ACTION_DIMENSIONS)})"
            " AND customer_department_id IS NULL)"
            f" OR (target_kind = 'component' AND target_code IN ({_quoted(ACTION_COMPONENTS)})"
            " AND customer_department_id IS NULL)"
            " OR (target_kind = 'customer' AND target_code IS NULL"
            " AND customer_department_id IS NOT NULL)",
            name="one_target",
        ),
        CheckConstraint(
            "customer_department_id IS NULL OR customer_department_id <> department_id",
            name="not_own_customer",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(
        ForeignKey("departments.id", ondelete="RESTRICT"), index=True
    )
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    target_kind: Mapped[str] = mapped_column(String(20))
    target_code: Mapped[str | None] = mapped_column(String(20))
    customer_department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="RESTRICT")
    )
    owner_name: Mapped[str] = mapped_column(String(160), default="")
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="planned")
    public_summary: Mapped[str] = mapped_column(String(SUMMARY_MAX), default="")
    translations: Mapped[dict[str, dict[str, str]]] = mapped_column(
        JSON, default=dict, server_default="{}"
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    department: Mapped[Department] = relationship(foreign_keys=[department_id])
    customer: Mapped[Department | None] = relationship(foreign_keys=[customer_department_id])

    @property
    def target(self) -> str:
        """The target as one value: ``dimension:reliability``, ``component:T``,
        ``customer:<department id>`` (the form's choice)."""
        if self.target_kind == "customer":
            return f"customer:{self.customer_department_id}"
        return f"{self.target_kind}:{self.target_code}"

    def translated(self, name: str) -> dict[str, str]:
        """The translations of one of ``TRANSLATED_FIELDS`` (locale -> text; may be empty)."""
        value = (self.translations or {}).get(name)
        return dict(value) if isinstance(value, dict) else {}

    @property
    def title_text(self) -> TranslatedText:
        return TranslatedText(self.title, self.translated("title"))

    @property
    def published(self) -> bool:
        return bool(self.public_summary.strip()) and self.status in PUBLISHED_STATUSES

    def __repr__(self) -> str:
        return f"<Action {self.id} {self.status}>"
