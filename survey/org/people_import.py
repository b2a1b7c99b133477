"""Importing people from a CSV file: a preview first, then every row or none.

Columns (a header line is required, order free, names case-insensitive): ``email``, ``name``,
``department`` (a department code), and optionally ``locale`` (en, it or fr, a region such as
``it-IT`` or ``fr_FR`` allowed; default en) and
``active`` (yes/no, true/false, 1/0; default yes for new people, unchanged for known ones).
Other columns are ignored. UTF-8 with or without a byte order mark; comma or semicolon as the
delimiter (whichever the header uses more). Line numbers are those of the file, the header
being line 1; a quoted value spanning lines is reported at its first line.

A known email updates that person (name, department, and locale/active when given); the
opt-out flag is never changed by an import, it is the person's own choice.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.i18n import LOCALES
from survey.models import Department, Person
from survey.services.accounts import EMAIL, normalise_email
from survey.services.csv_lines import CsvLineError, csv_lines, field_limit
from survey.services.refusals import Message

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 20_000
REQUIRED = ("email", "name", "department")
TRUE_WORDS = frozenset({"1", "yes", "y", "true", "si", "sì", "oui", "active"})
FALSE_WORDS = frozenset({"0", "no", "n", "false", "non", "inactive"})
_CHUNK = 500
_l = Message  # marks texts for the extractor; translated when shown


@dataclass(frozen=True)
class LineError:
    """A problem of the file (``line`` 1 for the file as a whole or its header)."""

    line: int
    message: Message


@dataclass(frozen=True)
class ImportRow:
    """One valid row as it will be stored. ``person_id`` is None for a new person;
    ``changes`` names the fields an update changes (empty: the row changes nothing)."""

    line: int
    email: str
    name: str
    department_code: str
    department_id: int
    locale: str | None
    active: bool | None
    person_id: int | None = None
    changes: tuple[str, ...] = ()

    @property
    def action(self) -> str:
        if self.person_id is None:
            return "create"
        return "update" if self.changes else "unchanged"


@dataclass
class PeoplePreview:
    """What an import would do. Apply it only when ``errors`` is empty."""

    rows: list[ImportRow] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)

    def _with(self, action: str) -> list[ImportRow]:
        return [r for r in self.rows if r.action == action]

    @property
    def creates(self) -> list[ImportRow]:
        return self._with("create")

    @property
    def updates(self) -> list[ImportRow]:
        return self._with("update")

    @property
    def unchanged(self) -> int:
        return len(self._with("unchanged"))


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int


class _FileError(Exception):
    def __init__(self, line: int, message: Message) -> None:
        super().__init__(str(message))
        self.error = LineError(line, message)


def decode_csv(data: bytes) -> str:
    """The text of an uploaded file: size checked, UTF-8 (BOM dropped), no NUL characters.
    Raises ValueError with a readable (lazily translated) message."""
    if len(data) > MAX_BYTES:
        raise ValueError(_l("The file is larger than %(n)s MB.", n=MAX_BYTES // (1024 * 1024)))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(_l("The file is not UTF-8 text; save it as CSV UTF-8.")) from None
    if "\x00" in text:
        raise ValueError(_l("The file is not a text file."))
    if not text.strip():
        raise ValueError(_l("The file is empty."))
    return text


def _unreadable(error: CsvLineError) -> _FileError:
    if error.too_long:
        return _FileError(
            error.line,
            _l("A value on this line is longer than %(n)s characters.", n=field_limit()),
        )
    return _FileError(error.line, _l("This line cannot be read as CSV."))


def _records(text: str) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    lines = csv_lines(text)
    try:
        header = [h.strip().lower() for h in next(lines)[1]]
    except StopIteration:
        raise _FileError(1, _l("The header line cannot be read.")) from None
    except CsvLineError as error:
        raise _unreadable(error) from None
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise _FileError(
            1,
            _l(
                "The header needs the columns %(columns)s; it lacks %(missing)s.",
                columns=", ".join(REQUIRED),
                missing=", ".join(missing),
            ),
        )
    repeated = sorted({h for h in header if h and header.count(h) > 1})
    if repeated:
        raise _FileError(
            1, _l("The header repeats the column %(column)s.", column=", ".join(repeated))
        )

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            yield from lines
        except CsvLineError as error:
            raise _unreadable(error) from None

    return header, rows()


def _parse_bool(raw: str) -> bool | None:
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(raw)


def _people_by_email(session: Session, emails: list[str]) -> dict[str, Person]:
    found: dict[str, Person] = {}
    for i in range(0, len(emails), _CHUNK):
        chunk = emails[i : i + _CHUNK]
        for person in session.scalars(select(Person).where(Person.email.in_(chunk))):
            found[person.email] = person
    return found


def parse_people_csv(session: Session, data: bytes) -> PeoplePreview:
    """Check every line of the file and say what importing it would do; changes nothing.

    Every problem is reported with its line (not only the first): an unknown department code,
    an invalid email, an email repeated in the file (naming both lines), a missing name, an
    unknown locale or active value, a line with more values than the header.
    """
    preview = PeoplePreview()
    try:
        text = decode_csv(data)
        header, records = _records(text)
        departments = {d.code: d.id for d in session.scalars(select(Department))}
        seen: dict[str, int] = {}
        pending: list[tuple[int, str, str, str, str | None, bool | None]] = []
        count = 0
        for line, values in records:
            if not any(v.strip() for v in values):
                continue
            count += 1
            if count > MAX_ROWS:
                raise _FileError(line, _l("The file has more than %(n)s rows.", n=MAX_ROWS))
            errors = preview.errors
            if len(values) > len(header):
                errors.append(
                    LineError(
                        line,
                        _l(
                            "This line has %(n)s values but the header has %(m)s columns.",
                            n=len(values),
                            m=len(header),
                        ),
                    )
                )
                continue
            row = {h: v.strip() for h, v in zip(header, values, strict=False) if h}
            before = len(errors)
            email = normalise_email(row.get("email", ""))
            if not email:
                errors.append(LineError(line, _l("The email is missing.")))
            elif len(email) > 254 or not EMAIL.match(email):
                errors.append(
                    LineError(line, _l("%(email)s is not a valid email address.", email=email))
                )
            elif email in seen:
                errors.append(
                    LineError(
                        line,
                        _l(
                            "%(email)s appears twice in the file: lines %(first)s and %(line)s.",
                            email=email,
                            first=seen[email],
                            line=line,
                        ),
                    )
                )
            else:
                seen[email] = line
            name = row.get("name", "")
            if not name:
                errors.append(LineError(line, _l("The name is missing.")))
            elif len(name) > 160:
                errors.append(LineError(line, _l("The name is longer than 160 characters.")))
            code = row.get("department", "").upper()
            if not code:
                errors.append(LineError(line, _l("The department code is missing.")))
            elif code not in departments:
                errors.append(LineError(line, _l("Unknown department code %(code)s.", code=code)))
            # A tag with a region (it-IT, fr_FR), as staff directories export it, is its
            # language.
            locale = row.get("locale", "").lower().replace("_", "-").split("-")[0] or None
            if locale is not None and locale not in LOCALES:
                errors.append(
                    LineError(
                        line,
                        _l(
                            "Unknown language %(value)s: use en, it or fr.",
                            value=row.get("locale", ""),
                        ),
                    )
                )
            active: bool | None = None
            if row.get("active"):
                try:
                    active = _parse_bool(row["active"])
                except ValueError:
                    errors.append(
                        LineError(
                            line,
                            _l(
                                "Unknown active value %(value)s: use yes or no.",
                                value=row["active"],
                            ),
                        )
                    )
            if len(errors) == before:
                pending.append((line, email, name, code, locale, active))
    except (ValueError, _FileError) as error:
        problem = error.error if isinstance(error, _FileError) else LineError(1, error.args[0])
        preview.errors.append(problem)
        preview.rows.clear()
        return preview
    if preview.errors:
        return preview

    known = _people_by_email(session, [p[1] for p in pending])
    for line, email, name, code, locale, active in pending:
        person = known.get(email)
        department_id = departments[code]
        changes: tuple[str, ...] = ()
        if person is not None:
            changes = tuple(
                label
                for label, differs in (
                    ("name", person.name != name),
                    ("department", person.department_id != department_id),
                    ("locale", locale is not None and person.locale != locale),
                    ("active", active is not None and person.active != active),
                )
                if differs
            )
        preview.rows.append(
            ImportRow(
                line=line,
                email=email,
                name=name,
                department_code=code,
                department_id=department_id,
                locale=locale,
                active=active,
                person_id=person.id if person is not None else None,
                changes=changes,
            )
        )
    return preview


def apply_import(session: Session, preview: PeoplePreview) -> ImportResult:
    """Store every row of an error-free preview made with the same session, then flush.

    The caller commits (or rolls back: nothing is half-imported). Raises ValueError for a
    preview with errors. A person added by someone else since the preview makes the flush
    raise IntegrityError; the caller reports it and the user imports again.
    """
    if preview.errors:
        raise ValueError("the preview has errors; nothing may be imported")
    created = updated = 0
    ids = [r.person_id for r in preview.rows if r.person_id is not None]
    people: dict[int, Person] = {}
    for i in range(0, len(ids), _CHUNK):
        for person in session.scalars(select(Person).where(Person.id.in_(ids[i : i + _CHUNK]))):
            people[person.id] = person
    for row in preview.rows:
        if row.person_id is None:
            session.add(
                Person(
                    email=row.email,
                    name=row.name,
                    department_id=row.department_id,
                    locale=row.locale or "en",
                    active=True if row.active is None else row.active,
                )
            )
            created += 1
        elif row.changes:
            person = people[row.person_id]
            person.name, person.department_id = row.name, row.department_id
            if row.locale is not None:
                person.locale = row.locale
            if row.active is not None:
                person.active = row.active
            updated += 1
    session.flush()
    return ImportResult(created=created, updated=updated)
