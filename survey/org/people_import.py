"""Importing people from a CSV file: a preview first, then every row or none.

Columns (a header line is required, order free, names case-insensitive): ``email``, ``name``,
``department`` (a department code), and optionally ``locale`` (en, it or fr, a region such as
``it-IT`` or ``fr_FR`` allowed; default en) and
``active`` (yes/no, true/false, 1/0; default yes for new people, unchanged for known ones).
Other columns are ignored. The file is read by ``csv_file`` (UTF-8 with or without a byte
order mark, else Windows text; comma or semicolon; line numbers of the file with the header as
line 1), as the department and requests imports read their own.

A known email updates that person (name, department, and locale/active when given); the
opt-out flag is never changed by an import, it is the person's own choice.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.i18n import LOCALES
from survey.models import Department, Person, User
from survey.org.services import Deactivated, deactivate_people
from survey.services.accounts import EMAIL, normalise_email
from survey.services.audit import record_each, row_target
from survey.services.csv_file import (
    FileError,
    LineError,
    RowsPreview,
    active_value,
    decode_csv,
    read_records,
    too_many_values,
)
from survey.services.outbox import MISREAD, NOT_ASCII, address_problem
from survey.services.refusals import Message

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 20_000
REQUIRED = ("email", "name", "department")
# A whole-directory file may deactivate at most this share of the active people unless the
# administrator confirms again (``apply_import``'s ``many_confirmed``).
MAX_LEAVER_SHARE = 0.5
_CHUNK = 500
_l = Message  # marks texts for the extractor; translated when shown


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


@dataclass(frozen=True)
class Leaver:
    """An active person a whole-directory file leaves out: deactivated by the import."""

    person_id: int
    email: str
    name: str
    department_code: str


@dataclass
class PeoplePreview(RowsPreview[ImportRow]):
    """What an import would do. Apply it only when ``errors`` is empty; ``warnings`` (the
    addresses this service cannot mail) do not stop it.

    ``whole_directory``: the file is the whole staff directory, so ``leavers`` lists the
    active people it leaves out (by name, then address), out of ``active_people`` active
    before the import. ``many_leavers`` is True when they are more than ``MAX_LEAVER_SHARE``
    of them, which a file cut short or exported with a filter looks like."""

    warnings: list[LineError] = field(default_factory=list)
    whole_directory: bool = False
    leavers: list[Leaver] = field(default_factory=list)
    active_people: int = 0

    @property
    def many_leavers(self) -> bool:
        return len(self.leavers) > MAX_LEAVER_SHARE * self.active_people


@dataclass(frozen=True)
class ImportResult:
    """The counts of an import; ``deactivated`` the leavers of a whole-directory file (each
    to be audited as ``deactivate``, ``audit.record_each``)."""

    created: int
    updated: int
    deactivated: tuple[Deactivated, ...] = ()


def _people_by_email(session: Session, emails: list[str]) -> dict[str, Person]:
    found: dict[str, Person] = {}
    for i in range(0, len(emails), _CHUNK):
        chunk = emails[i : i + _CHUNK]
        for person in session.scalars(select(Person).where(Person.email.in_(chunk))):
            found[person.email] = person
    return found


def _leavers(session: Session, listed: set[str]) -> tuple[list[Leaver], int]:
    """The active people whose address is not in ``listed``, and how many are active."""
    rows = session.execute(
        select(Person.id, Person.email, Person.name, Department.code)
        .join(Person.department)
        .where(Person.active.is_(True))
        .order_by(Person.name, Person.email)
    ).all()
    leavers = [Leaver(*row) for row in rows if row.email not in listed]
    return leavers, len(rows)


def parse_people_csv(session: Session, data: bytes, whole_directory: bool = False) -> PeoplePreview:
    """Check every line of the file and say what importing it would do; changes nothing.

    Every problem is reported with its line (not only the first): an unknown department code,
    an invalid email, an email repeated in the file (naming both lines), a missing name, an
    unknown locale or active value, a line with more values than the header. With
    ``whole_directory``, the active people the file leaves out are listed as leavers (people
    it lists with ``active`` no are updates, not leavers).
    """
    preview = PeoplePreview(whole_directory=whole_directory)
    try:
        preview.file = decode_csv(data, MAX_BYTES)
        header, records = read_records(preview.file.text, REQUIRED)
        departments = {d.code: d.id for d in session.scalars(select(Department))}
        seen: dict[str, int] = {}
        pending: list[tuple[int, str, str, str, str | None, bool | None]] = []
        count = 0
        for line, values in records:
            if not any(v.strip() for v in values):
                continue
            count += 1
            if count > MAX_ROWS:
                raise FileError(line, _l("The file has more than %(n)s rows.", n=MAX_ROWS))
            errors = preview.errors
            surplus = too_many_values(line, values, header)
            if surplus is not None:
                errors.append(surplus)
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
            elif address_problem(email) == MISREAD:
                errors.append(
                    LineError(
                        line,
                        _l(
                            "%(email)s cannot receive mail: a mail header would read it as "
                            "another address.",
                            email=email,
                        ),
                    )
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
                if address_problem(email) == NOT_ASCII:
                    preview.warnings.append(
                        LineError(
                            line,
                            _l(
                                "This address cannot receive mail from this server: %(email)s "
                                "has characters outside plain ASCII, which need the SMTPUTF8 "
                                "extension this service does not use. The person can be "
                                "imported; mail to them will fail and show in the outbox.",
                                email=email,
                            ),
                        )
                    )
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
            active = active_value(line, row.get("active", ""), errors)
            if len(errors) == before:
                pending.append((line, email, name, code, locale, active))
    except FileError as error:
        preview.errors.append(error.error)
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
    if whole_directory:
        preview.leavers, preview.active_people = _leavers(session, set(seen))
    return preview


def audit_leavers(session: Session, actor: User | None, result: ImportResult) -> int:
    """One ``deactivate`` entry per leaver of ``result``, by ``actor`` (None: the command
    line), the entry the people page writes when it deactivates one person (``active`` from
    True to False), all in one insert (``audit.record_each``). Returns how many."""
    return record_each(
        session,
        actor,
        "deactivate",
        [row_target(Person, p.id, p.email) for p in result.deactivated],
        {"active": [True, False]},
    )


class TooManyLeavers(ValueError):
    """A whole-directory file would deactivate more than ``MAX_LEAVER_SHARE`` of the active
    people and the administrator did not confirm it again."""


def apply_import(
    session: Session, preview: PeoplePreview, many_confirmed: bool = False
) -> ImportResult:
    """Store every row of an error-free preview made with the same session, then deactivate
    its leavers in one set-based pass (``deactivate_people``, as the people page deactivates
    one person: never erased, their waiting mail is withdrawn when the dispatcher reaches it,
    no new survey), then flush.

    The caller commits (or rolls back: nothing is half-imported). Raises ValueError for a
    preview with errors, TooManyLeavers when ``preview.many_leavers`` and not
    ``many_confirmed``. A person added by someone else since the preview makes the flush
    raise IntegrityError; the caller reports it and the user imports again.
    """
    if preview.errors:
        raise ValueError("the preview has errors; nothing may be imported")
    if preview.many_leavers and not many_confirmed:
        raise TooManyLeavers(
            f"{len(preview.leavers)} of {preview.active_people} active people would be"
            " deactivated; confirm it again"
        )
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
    deactivated = deactivate_people(session, [r.person_id for r in preview.leavers])
    return ImportResult(created=created, updated=updated, deactivated=tuple(deactivated))
