"""Importing handled requests from a CSV file: a preview first, then every row or none.

Columns (header required, order free): ``provider``, ``requester_email``, ``opened_at``, and
optionally ``service``, ``source``, ``external_ref``, ``first_response_at``, ``resolved_at``,
``reopened_at``, ``cancelled_at``, ``paused_seconds``; other columns are ignored.
Times are ISO 8601 (``2026-05-04T09:30:00Z``, ``2026-05-04 11:30``); one without a zone, as a
spreadsheet writes it, is a wall-clock time in the organisation's zone (``SURVEY_TIMEZONE``),
as in the admin form. The file is read by ``survey.services.csv_file``, as the people and
departments imports read theirs: UTF-8 with or without BOM, else Windows text (Excel's plain
"CSV"); comma or semicolon; a header without repeated columns. Line numbers count the header
as line 1. Rows repeating a source + reference already stored (or earlier in the file) count
as repeats and update that request's lifecycle by the API's rules. The import is the usual
back-fill path: it counts the requests resolved too long ago to be surveyed
(``interactions.reported_late``), which the scheduler will skip, so the preview can say so
before any mail could go.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from survey.delivery.services.api_input import INTERACTION_FIELDS, parse_interaction
from survey.delivery.services.interactions import (
    Directory,
    FieldError,
    record_interaction,
    reported_late,
)
from survey.local_time import to_utc
from survey.models import Interaction
from survey.models.base import utcnow
from survey.services.csv_file import (
    CsvText,
    FileError,
    decode_csv,
    read_records,
    too_many_values,
)
from survey.services.refusals import Message

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
REQUIRED = ("provider", "requester_email", "opened_at")
TIMES = ("opened_at", "first_response_at", "resolved_at", "reopened_at", "cancelled_at")
_l = Message  # marks texts for the extractor; translated when shown


@dataclass(frozen=True)
class LineError:
    """A refused line (1: the file or its header) and the column it is about (None for the
    file or a line as a whole). A line's refusal is the API's words, in English (``str``); a
    problem of the file is a ``Message`` of the shared CSV reading."""

    line: int
    message: str | Message
    field: str | None = None


@dataclass
class ProviderCounts:
    """A provider department's requests in the file: new, already known by their reference,
    and reported late (as ``InteractionImport.late``)."""

    created: int = 0
    repeated: int = 0
    late: int = 0


@dataclass
class InteractionImport:
    created: int = 0
    repeated: int = 0
    errors: list[LineError] = field(default_factory=list)
    #: requests of the file, still awaiting their survey decision, resolved more than
    #: ``late_days`` before the import: stored and counted for compliance, never surveyed
    late: int = 0
    #: the same counts per provider department, by its code
    by_provider: dict[str, ProviderCounts] = field(default_factory=dict)
    #: the file as read (None when it could not be read)
    file: CsvText | None = None


def _zoned(raw: str) -> str:
    """``raw`` with the organisation's zone when it is a time without one; anything else as it
    is (``parse_interaction`` names what is wrong with it)."""
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        return raw
    if value.tzinfo is not None:
        return raw
    moment = to_utc(value)
    assert moment is not None
    return moment.isoformat()


def _rows(
    file: CsvText,
) -> tuple[list[str], list[tuple[int, dict[str, str]]], list[LineError]]:
    """The header, the non-blank rows of ``file`` and the refusals of lines with more values
    than the header has columns (an unquoted comma in a ticket's subject shifts every value
    after it into the wrong column, as the other imports refuse too); raises FileError."""
    header, records = read_records(file.text, REQUIRED)
    rows = []
    surplus: list[LineError] = []
    for line, values in records:
        if not any(v.strip() for v in values):
            continue
        if len(rows) >= MAX_ROWS:
            raise FileError(line, _l("The file has more than %(n)s rows.", n=MAX_ROWS))
        extra = too_many_values(line, values, header)
        if extra is not None:
            surplus.append(LineError(extra.line, extra.message))
            continue
        rows.append((line, dict(zip(header, values, strict=False))))
    return header, rows, surplus


def import_interactions(
    session: Session, data: bytes, now: datetime | None = None, late_days: int = 14
) -> InteractionImport:
    """Record every row, flushing once at the end; the caller commits only when ``errors``
    is empty and rolls back otherwise (nothing half-imported). A file-level problem is
    reported as line 1; an unreadable line (a value over the csv module's field size limit, a
    broken quote) at its own line. ``late`` counts the distinct requests of the file that
    the scheduler will skip as resolved more than ``late_days`` days before ``now``
    (``SURVEY_LATE_REPORT_DAYS``): pending, not cancelled, resolved that long ago."""
    now = now or utcnow()
    result = InteractionImport()
    try:
        result.file = decode_csv(data, MAX_BYTES)
        header, rows, surplus = _rows(result.file)
    except FileError as error:
        result.errors.append(LineError(error.error.line, error.error.message))
        return result
    result.errors.extend(surplus)
    # A ticket export carries columns of its own (subject, priority...): ignored, as the
    # people import ignores the columns it does not read.
    known = {c for c in header if c in INTERACTION_FIELDS}
    parsed = []
    for line, row in rows:
        body = {k: (v.strip() or None) for k, v in row.items() if k in known and k}
        body = {k: _zoned(v) if k in TIMES else v for k, v in body.items() if v is not None}
        try:
            parsed.append((line, parse_interaction(body)))
        except FieldError as error:
            result.errors.append(LineError(line, error.message, error.field))
    # Every code, address and reference looked up once, and the new rows written in one
    # flush at the end: a file of 10,000 requests is a few dozen statements, not 50,000.
    directory = Directory(session)
    directory.load_requests((d.source or "", d.external_ref or "") for _line, d in parsed)
    touched: dict[int, Interaction] = {}  # by object: new requests have no id before the flush
    # No query in the loop reads the requests it records (the directory holds them), so none
    # needs the pending rows written first.
    with session.no_autoflush:
        for line, data in parsed:
            try:
                interaction, created = record_interaction(
                    session, data, now, directory=directory, flush=False
                )
            except FieldError as error:
                result.errors.append(LineError(line, error.message, error.field))
                continue
            touched[id(interaction)] = interaction
            counts = result.by_provider.setdefault(interaction.provider.code, ProviderCounts())
            if created:
                result.created += 1
                counts.created += 1
            else:
                result.repeated += 1
                counts.repeated += 1
    session.flush()
    for i in touched.values():
        if (
            i.survey_decision == "pending"
            and i.cancelled_at is None
            and reported_late(i, now, late_days)
        ):
            result.late += 1
            result.by_provider[i.provider.code].late += 1
    result.errors.sort(key=lambda error: error.line)
    return result


def preview_interactions(
    session: Session, data: bytes, now: datetime | None = None, late_days: int = 14
) -> InteractionImport:
    """What ``import_interactions`` would do with ``data`` now, stored nothing: the same rows
    recorded in a savepoint that is then rolled back, so the preview's counts and refusals
    are the import's own (a reference repeated in the file is a repeat, as at the import).
    The caller ends its transaction after it, as for any read."""
    savepoint = session.begin_nested()
    try:
        return import_interactions(session, data, now, late_days)
    finally:
        savepoint.rollback()
