"""Importing departments from a CSV file: a preview first, then every row or none.

Columns (a header line is required, order free, names case-insensitive): ``code`` and
``name`` (the default, English name), and optionally ``name_it`` and ``name_fr`` (its
translations), ``parent`` (the code of the department it is part of) and ``active`` (yes/no,
true/false, 1/0). Other columns are ignored. The file is read by ``csv_file``, as the people
import reads its own.

Codes compare in any case (``hr`` is ``HR``) and are stored upper case, as the department form
stores them. A known code updates that department; a new one adds it. In a known department a
blank ``name_it``, ``name_fr`` or ``active`` cell changes nothing (a new one: no translation,
active). When the file has a ``parent`` column it describes the tree: a blank cell makes the
department top-level, a code places it under that department, whether it is already stored
or added by the same file, in any order; without the column parents are unchanged. A
department cannot end up under itself: a file that would make a loop (``A`` under ``B`` and
``B`` under ``A``, or through a stored department) is refused at every line of the loop.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.models import Department
from survey.names import TRANSLATED_LOCALES
from survey.org.services import (
    DEPARTMENT_CODE,
    create_department,
    normalise_code,
    set_department_active,
    update_department,
)
from survey.services.csv_file import (
    FileError,
    LineError,
    RowsPreview,
    active_value,
    decode_csv,
    read_records,
    too_many_values,
)
from survey.services.refusals import Message

MAX_BYTES = 1024 * 1024
MAX_ROWS = 5_000
REQUIRED = ("code", "name")
NAME_LIMIT = 120  # characters, as the department form and ``create_department`` allow
_l = Message  # marks texts for the extractor; translated when shown


@dataclass(frozen=True)
class DepartmentRow:
    """One valid row as it will be stored. ``parent_code`` is None for a top-level department
    (or, when ``sets_parent`` is False, for a parent left as it is); ``names`` holds the
    translations the row gives (blank ones left out); ``department_id`` is None for a new
    department; ``changes`` names the fields an update changes (empty: nothing changes)."""

    line: int
    code: str
    name: str
    names: dict[str, str]
    parent_code: str | None
    sets_parent: bool
    active: bool | None
    department_id: int | None = None
    changes: tuple[str, ...] = ()

    @property
    def action(self) -> str:
        if self.department_id is None:
            return "create"
        return "update" if self.changes else "unchanged"


@dataclass
class DepartmentPreview(RowsPreview[DepartmentRow]):
    """What an import would do. Apply it only when ``errors`` is empty."""


@dataclass(frozen=True)
class DepartmentImportResult:
    created: int
    updated: int


@dataclass(frozen=True)
class _Parsed:
    line: int
    code: str
    name: str
    names: dict[str, str]
    parent: str | None
    active: bool | None


def _check_row(
    line: int, row: dict[str, str], has_parent: bool, seen: dict[str, int]
) -> tuple[list[LineError], _Parsed | None]:
    errors: list[LineError] = []
    raw = row.get("code", "")
    code = normalise_code(raw)
    if not code:
        errors.append(LineError(line, _l("The department code is missing.")))
    elif not DEPARTMENT_CODE.match(code):
        errors.append(
            LineError(
                line,
                _l(
                    "%(code)s is not a valid code: use 2 to 20 letters, digits, - or _, "
                    "starting with a letter or a digit.",
                    code=raw,
                ),
            )
        )
    elif code in seen:
        errors.append(
            LineError(
                line,
                _l(
                    "The code %(code)s appears twice in the file: lines %(first)s and %(line)s.",
                    code=code,
                    first=seen[code],
                    line=line,
                ),
            )
        )
    else:
        seen[code] = line
    name = row.get("name", "")
    if not name:
        errors.append(LineError(line, _l("The name is missing.")))
    names = {loc: row.get(f"name_{loc}", "") for loc in TRANSLATED_LOCALES}
    for column, text in [("name", name)] + [(f"name_{k}", v) for k, v in names.items()]:
        if len(text) > NAME_LIMIT:
            errors.append(
                LineError(
                    line,
                    _l(
                        "The %(column)s is longer than %(n)s characters.",
                        column=column,
                        n=NAME_LIMIT,
                    ),
                )
            )
    parent = normalise_code(row.get("parent", "")) or None if has_parent else None
    if parent is not None and parent == code:
        errors.append(
            LineError(line, _l("The department %(code)s cannot be its own parent.", code=code))
        )
    active = active_value(line, row.get("active", ""), errors)
    if errors:
        return errors, None
    given = {loc: text for loc, text in names.items() if text}
    return [], _Parsed(line, code, name, given, parent, active)


def _parents(
    stored: dict[str, Department], parsed: list[_Parsed], has_parent: bool
) -> dict[str, str | None]:
    """Every department's parent code once the file is imported."""
    by_id = {d.id: d.code for d in stored.values()}
    tree = {code: by_id.get(d.parent_id) if d.parent_id else None for code, d in stored.items()}
    for p in parsed:
        if has_parent or p.code not in tree:
            tree[p.code] = p.parent
    return tree


def _loop_errors(tree: dict[str, str | None], parsed: list[_Parsed]) -> list[LineError]:
    """A line for every row of the file whose department would be its own ancestor."""
    errors = []
    for p in parsed:
        path = [p.code]
        node = tree.get(p.code)
        while node is not None and node not in path:
            path.append(node)
            node = tree.get(node)
        if node == p.code:
            errors.append(
                LineError(
                    p.line,
                    _l(
                        "%(code)s would be placed under itself: %(path)s.",
                        code=p.code,
                        path=" > ".join([*path, p.code]),
                    ),
                )
            )
    return errors


def parse_departments_csv(session: Session, data: bytes) -> DepartmentPreview:
    """Check every line of the file and say what importing it would do; changes nothing.

    Every problem is reported with its line (not only the first): a missing or malformed
    code, a code repeated in the file in any case (naming both lines), a missing or too long
    name or translation, an unknown parent code, a loop of parents, an unknown active value,
    a line with more values than the header.
    """
    preview = DepartmentPreview()
    stored = {d.code: d for d in session.scalars(select(Department))}
    try:
        preview.file = decode_csv(data, MAX_BYTES)
        header, records = read_records(preview.file.text, REQUIRED)
        has_parent = "parent" in header
        seen: dict[str, int] = {}
        parsed: list[_Parsed] = []
        count = 0
        for line, values in records:
            if not any(v.strip() for v in values):
                continue
            count += 1
            if count > MAX_ROWS:
                raise FileError(line, _l("The file has more than %(n)s rows.", n=MAX_ROWS))
            surplus = too_many_values(line, values, header)
            if surplus is not None:
                preview.errors.append(surplus)
                continue
            row = {h: v.strip() for h, v in zip(header, values, strict=False) if h}
            errors, good = _check_row(line, row, has_parent, seen)
            preview.errors.extend(errors)
            if good is not None:
                parsed.append(good)
    except FileError as error:
        preview.errors.append(error.error)
        return preview
    for p in parsed:
        if p.parent is not None and p.parent not in stored and p.parent not in seen:
            preview.errors.append(
                LineError(p.line, _l("Unknown parent department %(code)s.", code=p.parent))
            )
    if preview.errors:
        preview.errors.sort(key=lambda e: e.line)
        return preview
    tree = _parents(stored, parsed, has_parent)
    preview.errors.extend(_loop_errors(tree, parsed))
    if preview.errors:
        return preview
    for p in parsed:
        known = stored.get(p.code)
        changes: tuple[str, ...] = ()
        if known is not None:
            parent_now = tree[p.code]
            old_parent = next((c for c, d in stored.items() if d.id == known.parent_id), None)
            changes = tuple(
                label
                for label, differs in (
                    ("name", known.name != p.name),
                    (
                        "names",
                        any((known.names or {}).get(k) != v for k, v in p.names.items()),
                    ),
                    ("parent", parent_now != old_parent),
                    ("active", p.active is not None and known.active != p.active),
                )
                if differs
            )
        preview.rows.append(
            DepartmentRow(
                line=p.line,
                code=p.code,
                name=p.name,
                names=p.names,
                parent_code=p.parent,
                sets_parent=has_parent,
                active=p.active,
                department_id=known.id if known is not None else None,
                changes=changes,
            )
        )
    return preview


def _depth(code: str, parents: dict[str, str | None]) -> int:
    depth, node = 0, parents.get(code)
    while node is not None and depth <= len(parents):
        depth, node = depth + 1, parents.get(node)
    return depth


def apply_department_import(session: Session, preview: DepartmentPreview) -> DepartmentImportResult:
    """Store every row of an error-free preview made with the same session, then flush.

    New departments are added first (top-level), then every department the file places or
    changes is updated in the order of the new tree, parents before children, so no step
    makes a loop even when the file moves a department under its former child. Through the
    department verbs (``create_department``, ``update_department``,
    ``set_department_active``). The caller commits (or rolls back: nothing is half-imported).
    Raises ValueError for a preview with errors; a department added or changed by someone
    else since the preview makes a verb raise OrgError or the flush IntegrityError, and the
    caller reports it.
    """
    if preview.errors:
        raise ValueError("the preview has errors; nothing may be imported")
    departments = {d.code: d for d in session.scalars(select(Department))}
    for row in preview.creates:
        departments[row.code] = create_department(
            session, row.code, row.name, None, names=row.names
        )
    codes = {d.id: code for code, d in departments.items()}
    parents = {code: codes.get(d.parent_id) for code, d in departments.items()}
    parents.update({r.code: r.parent_code for r in preview.rows if r.sets_parent})
    parents.update({r.code: r.parent_code for r in preview.creates})
    for row in sorted(preview.rows, key=lambda r: _depth(r.code, parents)):
        department = departments[row.code]
        if row.action == "unchanged":
            continue
        parent = parents[row.code]
        update_department(
            session,
            department,
            row.code,
            row.name,
            departments[parent].id if parent is not None else None,
            names={**(department.names or {}), **row.names},
        )
        if row.active is not None and department.active != row.active:
            set_department_active(session, department, row.active)
    session.flush()
    return DepartmentImportResult(created=len(preview.creates), updated=len(preview.updates))
