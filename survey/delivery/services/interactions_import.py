"""Importing handled requests from a CSV file: every row or none.

Columns (header required, order free): ``provider``, ``requester_email``, ``opened_at``, and
optionally ``service``, ``source``, ``external_ref``, ``first_response_at``, ``resolved_at``,
``reopened_at``, ``cancelled_at``, ``paused_seconds``; other columns are ignored.
Times are ISO 8601 (``2026-05-04T09:30:00Z``, ``2026-05-04 11:30``); one without a zone, as a
spreadsheet writes it, is a wall-clock time in the organisation's zone (``SURVEY_TIMEZONE``),
as in the admin form. UTF-8 with or without BOM; comma or semicolon. Line numbers count the
header as line 1. Rows repeating a source + reference already stored count as repeats and
update that request's lifecycle by the API's rules. The import is the usual back-fill path:
it counts the requests resolved too long ago to be surveyed (``interactions.reported_late``),
which the scheduler will skip, so the page can say so before any mail could go.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from survey.delivery.services.api_input import INTERACTION_FIELDS, parse_interaction
from survey.delivery.services.interactions import FieldError, record_interaction, reported_late
from survey.local_time import to_utc
from survey.models import Interaction
from survey.models.base import utcnow
from survey.services.csv_lines import CsvLineError, csv_lines, field_limit

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
REQUIRED = ("provider", "requester_email", "opened_at")
TIMES = ("opened_at", "first_response_at", "resolved_at", "reopened_at", "cancelled_at")


@dataclass(frozen=True)
class LineError:
    """A refused line (1: the file or its header): the API's words and the column they are
    about (None for the file or a line as a whole)."""

    line: int
    message: str
    field: str | None = None


@dataclass
class InteractionImport:
    created: int = 0
    repeated: int = 0
    errors: list[LineError] = field(default_factory=list)
    #: requests of the file, still awaiting their survey decision, resolved more than
    #: ``late_days`` before the import: stored and counted for compliance, never surveyed
    late: int = 0


class _LineProblem(FieldError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__("file", message)
        self.line = line


def _unreadable(error: CsvLineError) -> _LineProblem:
    if error.too_long:
        return _LineProblem(
            error.line, f"a value on this line is longer than {field_limit()} characters"
        )
    return _LineProblem(error.line, "this line cannot be read as CSV")


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


def _rows(data: bytes) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    if len(data) > MAX_BYTES:
        raise FieldError("file", f"is larger than {MAX_BYTES // (1024 * 1024)} MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FieldError("file", "is not UTF-8 text") from None
    if "\x00" in text:
        raise FieldError("file", "contains NUL characters")
    lines = csv_lines(text)
    try:
        header = [h.strip().lower() for h in next(lines)[1]]
    except StopIteration:
        raise FieldError("file", "is empty") from None
    except CsvLineError as error:
        raise _unreadable(error) from None
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise FieldError("file", f"the header lacks the column {missing[0]}")
    rows = []
    try:
        for line, values in lines:
            if not any(v.strip() for v in values):
                continue
            if len(rows) >= MAX_ROWS:
                raise FieldError("file", f"has more than {MAX_ROWS} rows")
            rows.append((line, dict(zip(header, values, strict=False))))
    except CsvLineError as error:
        raise _unreadable(error) from None
    return header, rows


def import_interactions(
    session: Session, data: bytes, now: datetime | None = None, late_days: int = 14
) -> InteractionImport:
    """Record every row, flushing; the caller commits only when ``errors`` is empty and
    rolls back otherwise (nothing half-imported). A file-level problem is reported as line 1;
    an unreadable line (a value over the csv module's field size limit, a broken quote) at its
    own line. ``late`` counts the distinct requests of the file that the scheduler will skip
    as resolved more than ``late_days`` days before ``now`` (``SURVEY_LATE_REPORT_DAYS``):
    pending, not cancelled, resolved that long ago."""
    now = now or utcnow()
    result = InteractionImport()
    touched: dict[int, Interaction] = {}
    try:
        header, rows = _rows(data)
    except FieldError as error:
        result.errors.append(LineError(getattr(error, "line", 1), error.message))
        return result
    # A ticket export carries columns of its own (subject, priority...): ignored, as the
    # people import ignores the columns it does not read.
    known = {c for c in header if c in INTERACTION_FIELDS}
    for line, row in rows:
        body = {k: (v.strip() or None) for k, v in row.items() if k in known and k}
        body = {k: _zoned(v) if k in TIMES else v for k, v in body.items() if v is not None}
        try:
            interaction, created = record_interaction(session, parse_interaction(body), now)
        except FieldError as error:
            result.errors.append(LineError(line, error.message, error.field))
            continue
        touched[interaction.id] = interaction
        if created:
            result.created += 1
        else:
            result.repeated += 1
    result.late = sum(
        1
        for i in touched.values()
        if i.survey_decision == "pending"
        and i.cancelled_at is None
        and reported_late(i, now, late_days)
    )
    return result
