"""The audit log of administrative changes: ``record`` writes one entry, the rest reads them.

An entry says who (a user, or the command line), when (UTC), which verb, on what, and the
fields the change touched as ``{field: [before, after]}``; a creation has ``None`` before, a
count (a CSV import) says how many rows. Respondent answers, tokens, passwords, key hashes and
API key secrets never reach an entry: fields named like them are replaced by ``REDACTED``, and
so is any value that looks like an API key secret or a password hash, whatever its field.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Select, func, insert, select
from sqlalchemy.orm import Session

from survey.local_time import day_end, day_start
from survey.models import (
    ApiKey,
    AuditEntry,
    Baseline,
    Campaign,
    Department,
    Person,
    Question,
    Service,
    User,
)
from survey.periods import MAX_YEAR, MIN_YEAR
from survey.services.csv_cells import safe_cell

COMMAND_LINE = "command line"
REDACTED = "(redacted)"
MAX_TEXT = 300  # characters kept of one text value (an entry stays small)
# Field names that may carry a secret or an answer: their values are never stored.
SECRET_NAME = re.compile(r"password|secret|token|hash|answer|comment|body", re.IGNORECASE)
# Values that are secrets whatever their field: API key secrets and argon2 hashes.
SECRET_VALUE = re.compile(r"siq_[A-Za-z0-9]+_[A-Za-z0-9_-]{8,}|\$argon2")

Changes = dict[str, list[Any]]


@dataclass(frozen=True)
class Target:
    """What an entry is about: a kind (``department``, ``person``...), its key as text (None
    for a whole collection, such as the dependency matrix) and a readable label."""

    kind: str
    id: str | None
    label: str


# Model -> (kind, the attribute that names a row for people).
_KINDS: dict[type, tuple[str, str]] = {
    Department: ("department", "code"),
    Person: ("person", "email"),
    Service: ("service", "code"),
    User: ("user", "email"),
    ApiKey: ("api_key", "name"),
    Campaign: ("campaign", "name"),
    Baseline: ("baseline", "version"),
}


# The fields an entry compares, per model (never a password, hash or secret).
AUDITED: dict[type, tuple[str, ...]] = {
    Department: ("code", "name", "names", "parent_id", "active"),
    Person: ("email", "name", "department_id", "locale", "active", "opted_out"),
    Service: (
        "provider_department_id",
        "code",
        "name",
        "names",
        "description",
        "sampling_rate",
        "active",
    ),
    User: ("email", "name", "role", "department_id", "locale", "active"),
    ApiKey: ("name", "prefix", "scopes", "revoked_at"),
    Campaign: (
        "name",
        "quarter",
        "audience",
        "opens_at",
        "closes_at",
        "min_group_size",
        "reminder_max",
        "reminder_min_days",
        "status",
    ),
    Question: ("code", "qtype", "required", "texts", "retired_at"),
    Baseline: ("version", "quarters", "method", "weights", "k", "mu0", "sigma0", "active"),
}


def target_of(obj: object) -> Target:
    """The target of a stored row (flushed, so it has its key). A quiz question is a
    ``quiz_item``; any other question a ``question`` labelled by its code."""
    if isinstance(obj, Question):
        kind = "quiz_item" if obj.questionnaire.kind == "quiz" else "question"
        return Target(kind, str(obj.id), obj.code)
    kind, label = _KINDS[type(obj)]
    ident = obj.version if isinstance(obj, Baseline) else obj.id  # type: ignore[attr-defined]
    return Target(kind, str(ident), str(getattr(obj, label)))


def _plain(value: Any) -> Any:
    """``value`` as small JSON: dates as ISO text, sets as sorted lists, long text cut."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool | int) or value is None:
        return value
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, set | frozenset):
        return sorted(_plain(v) for v in value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    text = str(value)
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _flatten(prefix: str, value: Any, into: dict[str, Any]) -> None:
    if isinstance(value, Mapping) and value:
        for key, inner in value.items():
            _flatten(f"{prefix}.{key}", inner, into)
    else:
        into[prefix] = _plain(value)


def snapshot(obj: object, *fields: str) -> dict[str, Any]:
    """The values of ``fields`` of ``obj`` (default: ``AUDITED`` for its model) as plain JSON;
    nested dicts (a question's texts per language) become one field per leaf
    (``texts.it.prompt``), so a diff shows only what changed."""
    values: dict[str, Any] = {}
    for name in fields or AUDITED[type(obj)]:
        _flatten(name, getattr(obj, name), values)
    return values


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> Changes:
    """``{field: [before, after]}`` for every field whose value differs (missing is None)."""
    return {
        name: [before.get(name), after.get(name)]
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    }


def created(after: Mapping[str, Any]) -> Changes:
    """The changes of a creation: every field set, with None before."""
    return diff({}, {k: v for k, v in after.items() if v not in (None, "", [], {})})


def _redact_value(value: Any) -> Any:
    if isinstance(value, str) and SECRET_VALUE.search(value):
        return REDACTED
    if isinstance(value, list):
        return [_redact_value(v) for v in value]
    if isinstance(value, dict):
        return {
            k: REDACTED if SECRET_NAME.search(k) else _redact_value(v) for k, v in value.items()
        }
    return value


def redact(changes: Mapping[str, Any]) -> Changes:
    """``changes`` with every secret-looking field or value replaced by ``REDACTED``."""
    safe: Changes = {}
    for name, pair in changes.items():
        values = list(pair) if isinstance(pair, list | tuple) else [None, pair]
        if SECRET_NAME.search(name):
            safe[name] = [None if v is None else REDACTED for v in values]
        else:
            safe[name] = [_redact_value(_plain(v)) for v in values]
    return safe


def import_entry(
    created: int, updated: int, deactivated: int = 0, kind: str = "people"
) -> tuple[Target, Changes]:
    """The target and changes of one CSV import of ``kind`` (``people`` or ``departments``):
    one entry with the counts; ``deactivated`` (the leavers of a people sync) only when any."""
    label = f"CSV import: {created} new, {updated} updated"
    changes: Changes = {"created": [None, created], "updated": [None, updated]}
    if deactivated:
        label += f", {deactivated} deactivated"
        changes["deactivated"] = [None, deactivated]
    return Target(kind, None, label), changes


def actor_label(actor: User | None) -> str:
    return actor.email if actor is not None else COMMAND_LINE


def record(
    session: Session,
    actor: User | None,
    action: str,
    target: Target | object,
    changes: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Add one entry and flush (the caller commits it with the change it describes).

    ``actor`` is the signed-in user, None for the command line. ``target`` is a stored row
    (see ``target_of``) or a ``Target``. ``changes`` maps field names to ``[before, after]``
    (a bare value means ``[None, value]``); secrets are redacted here, whatever the caller
    passed.
    """
    where = target if isinstance(target, Target) else target_of(target)
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        actor_label=actor_label(actor)[:254],
        action=action[:40],
        target_kind=where.kind[:40],
        target_id=where.id[:40] if where.id is not None else None,
        target_label=where.label[:200],
        changes=redact(changes or {}),
    )
    session.add(entry)
    session.flush()
    return entry


def row_target(model: type, ident: int, label: str) -> Target:
    """What ``target_of`` gives for the stored row of ``model`` with key ``ident`` and label
    ``label`` (a person's address), without loading the row."""
    return Target(_KINDS[model][0], str(ident), label)


def record_each(
    session: Session,
    actor: User | None,
    action: str,
    targets: Iterable[Target],
    changes: Mapping[str, Any] | None = None,
) -> int:
    """``record`` of the same ``action`` and ``changes`` on each of ``targets``, written in
    one multi-row insert (a people sync's thousands of leavers); the entries are those
    ``record`` would add one by one. Returns how many; flushes."""
    redacted = redact(changes or {})
    rows = [
        {
            "actor_id": actor.id if actor is not None else None,
            "actor_label": actor_label(actor)[:254],
            "action": action[:40],
            "target_kind": target.kind[:40],
            "target_id": target.id[:40] if target.id is not None else None,
            "target_label": target.label[:200],
            "changes": redacted,
        }
        for target in targets
    ]
    if rows:
        session.execute(insert(AuditEntry), rows)
    session.flush()
    return len(rows)


ERASED = "(erased)"


def _scrub(value: Any, needles: tuple[str, ...]) -> Any:
    if isinstance(value, str):
        return ERASED if any(n in value.lower() for n in needles) else value
    if isinstance(value, list):
        return [_scrub(v, needles) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, needles) for k, v in value.items()}
    return value


def forget(session: Session, texts: Iterable[str]) -> int:
    """Replace every text of every entry (actor, target, before and after values) that
    contains one of ``texts`` (case-insensitive; an erased person's address and names, three
    characters or more) by ``ERASED``; the number of entries changed. The entries stay, so the
    log still shows that something was done and by whom, not to whom. Flushes."""
    needles = tuple(t.strip().lower() for t in texts if t and len(t.strip()) >= 3)
    if not needles:
        return 0
    changed = 0
    for entry in session.scalars(select(AuditEntry).execution_options(yield_per=500)):
        actor, label = _scrub(entry.actor_label, needles), _scrub(entry.target_label, needles)
        changes = _scrub(entry.changes, needles)
        if (actor, label, changes) != (entry.actor_label, entry.target_label, entry.changes):
            entry.actor_label, entry.target_label, entry.changes = actor, label, changes
            changed += 1
    session.flush()
    return changed


# Reading ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilter:
    """Which entries a page or an export shows: ``actor`` contained in the actor's label
    (case-insensitive), one ``kind``, and days ``since``..``until`` inclusive, in the
    organisation's time zone (``local_time.day_start``)."""

    actor: str = ""
    kind: str = ""
    since: date | None = None
    until: date | None = None

    def as_args(self) -> dict[str, str]:
        """The filter as query-string arguments (for page links and the export link)."""
        args = {
            "actor": self.actor,
            "kind": self.kind,
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
        }
        return {k: v for k, v in args.items() if v}


def parse_filter(args: Mapping[str, str], kinds: Iterable[str]) -> tuple[AuditFilter, list[str]]:
    """The filter from a query string, and the names of the arguments that were unreadable
    (an unknown kind, a date not written YYYY-MM-DD or outside the years
    ``periods.MIN_YEAR``..``MAX_YEAR``); those are ignored, never an error page."""
    bad: list[str] = []
    kind = (args.get("kind") or "").strip()
    if kind and kind not in set(kinds):
        bad.append("kind")
        kind = ""

    def day(name: str) -> date | None:
        raw = (args.get(name) or "").strip()
        if not raw:
            return None
        try:
            value = date.fromisoformat(raw[:10])
        except ValueError:
            value = None
        if value is None or not MIN_YEAR <= value.year <= MAX_YEAR:
            bad.append(name)
            return None
        return value

    found = AuditFilter(
        actor=(args.get("actor") or "").strip()[:100],
        kind=kind,
        since=day("since"),
        until=day("until"),
    )
    return found, bad


def entries(flt: AuditFilter) -> Select[tuple[AuditEntry]]:
    """The entries ``flt`` selects, newest first."""
    stmt = select(AuditEntry)
    if flt.actor:
        stmt = stmt.where(
            func.lower(AuditEntry.actor_label).contains(flt.actor.lower(), autoescape=True)
        )
    if flt.kind:
        stmt = stmt.where(AuditEntry.target_kind == flt.kind)
    if flt.since:
        stmt = stmt.where(AuditEntry.at >= day_start(flt.since))
    if flt.until:
        stmt = stmt.where(AuditEntry.at < day_end(flt.until))
    return stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())


CSV_HEADER = ("when_utc", "actor", "action", "kind", "target_id", "target", "changes")


def to_csv(session: Session, flt: AuditFilter) -> str:
    """The entries ``flt`` selects as CSV (UTF-8 text, a header row, newest first); every text
    cell passes ``safe_cell``, so a label like ``=cmd()`` cannot run as a spreadsheet formula."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for entry in session.scalars(entries(flt)):
        writer.writerow(
            safe_cell(value)
            for value in (
                _plain(entry.at),
                entry.actor_label,
                entry.action,
                entry.target_kind,
                entry.target_id or "",
                entry.target_label,
                json.dumps(entry.changes, ensure_ascii=False, sort_keys=True),
            )
        )
    return out.getvalue()
