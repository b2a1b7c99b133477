"""The verbs of action plans (create, edit, change status) and the reads of their lists.

Every verb takes a session first, checks its input, records the change in the audit log
(``survey.services.audit.record``, kind ``action``) and flushes; the caller commits once. A
refused input raises ``OrgError`` naming the form field, with nothing changed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Select, case, select
from sqlalchemy.orm import Session, joinedload

from survey.models import Action, Department, User
from survey.models.action import (
    ACTION_COMPONENTS,
    ACTION_DIMENSIONS,
    ACTION_STATUSES,
    PUBLISHED_STATUSES,
    SUMMARY_MAX,
    TITLE_MAX,
    TRANSLATED_FIELDS,
)
from survey.models.base import utcnow
from survey.names import TRANSLATED_LOCALES
from survey.services import audit
from survey.services.csv_cells import safe_cell
from survey.services.refusals import Message, OrgError

OPEN_STATUSES = ("planned", "in_progress")
# The fields an audit entry compares (never anything secret: an action holds none).
AUDITED = (
    "title",
    "description",
    "target_kind",
    "target_code",
    "customer_department_id",
    "owner_name",
    "owner_user_id",
    "due_on",
    "status",
    "public_summary",
    "translations",  # flattened by the audit: translations.public_summary.it
)
LIMITS = {"title": TITLE_MAX, "public_summary": SUMMARY_MAX}


@dataclass(frozen=True)
class ActionInput:
    """What a form gives for one action: ``target`` as ``dimension:<code>``,
    ``component:<T|R|C>`` or ``customer:<department id>``; ``owner_user_id`` None for none;
    ``translations`` the title and public summary in other languages, field -> locale -> text
    (blank texts are dropped, unknown fields and locales ignored)."""

    title: str
    description: str
    target: str
    owner_name: str
    owner_user_id: int | None
    due_on: date | None
    status: str
    public_summary: str
    translations: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


def clean_translations(raw: Mapping[str, Mapping[str, str]]) -> dict[str, dict[str, str]]:
    """The translations worth storing (``TRANSLATED_FIELDS`` x ``TRANSLATED_LOCALES``, texts
    stripped, blank ones dropped); refuses a text over its field's limit, naming the form field
    (``public_summary_it``)."""
    out: dict[str, dict[str, str]] = {}
    for name in TRANSLATED_FIELDS:
        texts = raw.get(name) or {}
        for locale in TRANSLATED_LOCALES:
            text = (texts.get(locale) or "").strip()
            if len(text) > LIMITS[name]:
                raise OrgError(
                    f"{name}_{locale}", Message("At most %(n)s characters.", n=LIMITS[name])
                )
            if text:
                out.setdefault(name, {})[locale] = text
    return out


def parse_target(
    session: Session, department_id: int, raw: str
) -> tuple[str, str | None, int | None]:
    """``(target_kind, target_code, customer_department_id)`` from a target choice; refuses an
    unknown dimension or component, an unknown department and the department itself."""
    kind, _sep, value = (raw or "").partition(":")
    if kind == "dimension" and value in ACTION_DIMENSIONS:
        return kind, value, None
    if kind == "component" and value in ACTION_COMPONENTS:
        return kind, value, None
    if kind == "customer" and value.isdigit():
        customer = session.get(Department, int(value))
        if customer is not None and customer.id != department_id:
            return kind, None, customer.id
    raise OrgError("target", Message("Choose what this action answers from the list."))


def _check(session: Session, department: Department, data: ActionInput) -> dict[str, Any]:
    title = data.title.strip()
    if not title:
        raise OrgError("title", Message("Give the action a title."))
    if len(title) > TITLE_MAX:
        raise OrgError("title", Message("At most %(n)s characters.", n=TITLE_MAX))
    summary = data.public_summary.strip()
    if len(summary) > SUMMARY_MAX:
        raise OrgError("public_summary", Message("At most %(n)s characters.", n=SUMMARY_MAX))
    if data.status not in ACTION_STATUSES:
        raise OrgError("status", Message("Choose a status from the list."))
    owner = data.owner_name.strip()
    if len(owner) > 160:
        raise OrgError("owner_name", Message("At most %(n)s characters.", n=160))
    if data.owner_user_id is not None:
        user = session.get(User, data.owner_user_id)
        if user is None or not user.active:
            raise OrgError("owner_user", Message("Choose an owner from the list."))
    kind, code, customer = parse_target(session, department.id, data.target)
    return {
        "title": title,
        "description": data.description.strip(),
        "target_kind": kind,
        "target_code": code,
        "customer_department_id": customer,
        "owner_name": owner,
        "owner_user_id": data.owner_user_id,
        "due_on": data.due_on,
        "status": data.status,
        "public_summary": summary,
        "translations": clean_translations(data.translations),
    }


def target_of(action: Action) -> audit.Target:
    return audit.Target("action", str(action.id), f"{action.department.code}: {action.title}")


def create_action(
    session: Session,
    actor: User | None,
    department: Department,
    data: ActionInput,
    now: datetime | None = None,
) -> Action:
    """A new action of ``department``; audited as ``create``. Flushes."""
    values = _check(session, department, data)
    moment = now or utcnow()
    action = Action(department=department, created_at=moment, updated_at=moment, **values)
    session.add(action)
    session.flush()
    audit.record(
        session, actor, "create", target_of(action), audit.created(audit.snapshot(action, *AUDITED))
    )
    return action


def update_action(
    session: Session,
    actor: User | None,
    action: Action,
    data: ActionInput,
    now: datetime | None = None,
) -> Action:
    """Change every field of ``action``; audited as ``edit`` with the fields that changed
    (no entry, and ``updated_at`` kept, when nothing did). Flushes."""
    values = _check(session, action.department, data)
    before = audit.snapshot(action, *AUDITED)
    for name, value in values.items():
        setattr(action, name, value)
    changes = audit.diff(before, audit.snapshot(action, *AUDITED))
    if changes:
        action.updated_at = now or utcnow()
        session.flush()
        audit.record(session, actor, "edit", target_of(action), changes)
    return action


def change_status(
    session: Session, actor: User | None, action: Action, status: str, now: datetime | None = None
) -> Action:
    """Move ``action`` to ``status`` (any of the four, in any order: a dropped action may be
    taken up again); audited as ``status``. Flushes."""
    if status not in ACTION_STATUSES:
        raise OrgError("status", Message("Choose a status from the list."))
    if status != action.status:
        changes = {"status": [action.status, status]}
        action.status = status
        action.updated_at = now or utcnow()
        session.flush()
        audit.record(session, actor, "status", target_of(action), changes)
    return action


# Reading ---------------------------------------------------------------------------------------


def is_overdue(action: Action, today: date) -> bool:
    """Open (planned or in progress) with a due day before ``today``."""
    return action.status in OPEN_STATUSES and action.due_on is not None and action.due_on < today


def listing(department_id: int | None = None) -> Select[tuple[Action]]:
    """Actions (of one department, or all), open ones first, then by due day (none last),
    newest first within a day."""
    order = case((Action.status.in_(OPEN_STATUSES), 0), else_=1)
    stmt = select(Action).options(joinedload(Action.department), joinedload(Action.customer))
    if department_id is not None:
        stmt = stmt.where(Action.department_id == department_id)
    return stmt.order_by(
        order, Action.due_on.is_(None), Action.due_on, Action.created_at.desc(), Action.id.desc()
    )


def actions_of(session: Session, department_id: int) -> list[Action]:
    return list(session.scalars(listing(department_id)).unique())


def open_actions(session: Session, limit: int = 200) -> list[Action]:
    """Open actions of every active department, overdue first (earliest due), at most
    ``limit``."""
    stmt = (
        select(Action)
        .join(Department, Department.id == Action.department_id)
        .options(joinedload(Action.department), joinedload(Action.customer))
        .where(Action.status.in_(OPEN_STATUSES), Department.active.is_(True))
        .order_by(Action.due_on.is_(None), Action.due_on, Department.code, Action.id)
        .limit(limit)
    )
    return list(session.scalars(stmt).unique())


def published_actions(session: Session, department_ids: Sequence[int]) -> list[Action]:
    """The actions respondents see ("you said, we did") for these departments: a public
    summary and the status in progress or done; of active departments, done last, newest
    change first."""
    if not department_ids:
        return []
    stmt = (
        select(Action)
        .join(Department, Department.id == Action.department_id)
        .options(joinedload(Action.department))
        .where(
            Action.department_id.in_(list(department_ids)[:500]),
            Action.status.in_(PUBLISHED_STATUSES),
            Action.public_summary != "",
            Department.active.is_(True),
        )
        .order_by(Department.name, Action.status.desc(), Action.updated_at.desc(), Action.id)
    )
    return [a for a in session.scalars(stmt).unique() if a.published]


CSV_HEADER = (
    "department",
    "title",
    "description",
    "answers",
    "owner",
    "due_on",
    "status",
    "public_summary",
    "created_at_utc",
    "updated_at_utc",
)


def target_text(action: Action) -> str:
    """The target as plain text for the CSV: ``dimension:reliability``, ``component:T``,
    ``customer:<code>``."""
    if action.target_kind == "customer":
        return f"customer:{action.customer.code if action.customer else ''}"
    return f"{action.target_kind}:{action.target_code}"


def to_csv(session: Session, department_id: int | None) -> str:
    """The actions (of one department or all) as CSV, a header row first, in list order;
    every text cell passes ``safe_cell``, so a title like ``=cmd()`` is not a formula."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    owners = dict(session.execute(select(User.id, User.email)).all())
    for action in session.scalars(listing(department_id)).unique():
        owner = action.owner_name or ""
        if action.owner_user_id is not None:
            email = owners.get(action.owner_user_id, "")
            owner = f"{owner} <{email}>" if owner else email
        writer.writerow(
            safe_cell(value)
            for value in (
                action.department.code,
                action.title,
                action.description,
                target_text(action),
                owner,
                action.due_on.isoformat() if action.due_on else "",
                action.status,
                action.public_summary,
                action.created_at.astimezone(UTC).isoformat(timespec="seconds"),
                action.updated_at.astimezone(UTC).isoformat(timespec="seconds"),
            )
        )
    return out.getvalue()
