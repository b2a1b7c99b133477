"""An uploaded CSV file of the imports (people, departments, handled requests): its text, its
header and its records with the file's line numbers, and the line errors the imports report.

UTF-8 with or without a byte order mark; else Windows-1252, what Excel's plain "CSV" writes
on a Western-European Windows (``decode_csv``: the preview then says so); comma or semicolon
as the delimiter (whichever the header uses more, ``csv_lines.delimiter_of``); Windows or
Unix line ends. Line numbers are
those of the file, the header being line 1; a quoted value spanning lines is reported at its
first line. A header is required; its column names are compared without case or surrounding
blanks, in any order.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from survey.services.csv_lines import CsvLineError, csv_lines, field_limit
from survey.services.refusals import Message

TRUE_WORDS = frozenset({"1", "yes", "y", "true", "si", "sì", "oui", "active"})
FALSE_WORDS = frozenset({"0", "no", "n", "false", "non", "inactive"})
UTF8 = "utf-8"
WINDOWS = "cp1252"  # Excel's plain "CSV" on a Western-European Windows
ENCODINGS = (UTF8, WINDOWS)
_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_l = Message  # marks texts for the extractor; translated when shown


@dataclass(frozen=True)
class LineError:
    """A problem of the file (``line`` 1 for the file as a whole or its header)."""

    line: int
    message: Message


@dataclass(frozen=True)
class CsvText:
    """An uploaded file's text and the encoding it was read in: ``utf-8`` or ``cp1252``
    (Windows-1252). ``first_odd_line`` is, for a Windows file, the line of its first byte that
    is not UTF-8 (None for a UTF-8 file): a UTF-8 file with one stray byte is read as Windows
    text too, and that line points at the stray byte."""

    text: str
    encoding: str = UTF8
    first_odd_line: int | None = None

    @property
    def windows(self) -> bool:
        return self.encoding == WINDOWS

    def encoded(self) -> bytes:
        """The file's bytes again (without a byte order mark), for decoding them anew as the
        first reading did."""
        return self.text.encode(self.encoding)


class PlannedRow(Protocol):
    """A checked row of an import: what applying it would do."""

    @property
    def action(self) -> str:  # "create", "update" or "unchanged"
        ...


RowT = TypeVar("RowT", bound=PlannedRow)


@dataclass
class RowsPreview(Generic[RowT]):
    """What an import would do, row by row: apply it only when ``errors`` is empty. ``file``
    is the file as read (None when it could not be read)."""

    rows: list[RowT] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    file: CsvText | None = None

    def _with(self, action: str) -> list[RowT]:
        return [r for r in self.rows if r.action == action]

    @property
    def creates(self) -> list[RowT]:
        return self._with("create")

    @property
    def updates(self) -> list[RowT]:
        return self._with("update")

    @property
    def unchanged(self) -> int:
        return len(self._with("unchanged"))


class FileError(Exception):
    """The file cannot be read further: ``error`` says where and why."""

    def __init__(self, line: int, message: Message) -> None:
        super().__init__(str(message))
        self.error = LineError(line, message)


def decode_csv(data: bytes, max_bytes: int) -> CsvText:
    """The text of an uploaded file: at most ``max_bytes`` bytes, no NUL characters, not blank.

    Valid UTF-8 (a byte order mark dropped) is read as UTF-8. Anything else is read as
    Windows-1252 when every byte is one of its characters, the encoding then recorded for the
    preview's notice (five byte values have no character there). Raises FileError (line 1)
    with a readable message for a file too large, in neither encoding, in UTF-16 (Excel's
    "Unicode text") or that says it is UTF-8 (the byte order mark) but is not: such a file is
    damaged, and reading it otherwise would change its accented letters.
    """
    if len(data) > max_bytes:
        raise FileError(1, _l("The file is larger than %(n)s MB.", n=max_bytes // (1024 * 1024)))
    if data.startswith(_UTF16_BOMS):
        raise FileError(1, _l("The file is UTF-16 text, not UTF-8; save it as CSV UTF-8."))
    try:
        read = CsvText(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        if data.startswith(_BOM):
            raise FileError(
                1,
                _l(
                    "The file says it is UTF-8 but line %(n)s is not: save it as CSV UTF-8 again.",
                    n=line,
                ),
            ) from None
        try:
            read = CsvText(data.decode(WINDOWS), WINDOWS, line)
        except UnicodeDecodeError:
            raise FileError(
                1, _l("The file is neither UTF-8 nor Windows text; save it as CSV UTF-8.")
            ) from None
    if "\x00" in read.text:
        raise FileError(1, _l("The file is not a text file."))
    if not read.text.strip():
        raise FileError(1, _l("The file is empty."))
    return read


def _unreadable(error: CsvLineError) -> FileError:
    if error.too_long:
        return FileError(
            error.line,
            _l("A value on this line is longer than %(n)s characters.", n=field_limit()),
        )
    return FileError(error.line, _l("This line cannot be read as CSV."))


def read_records(
    text: str, required: Sequence[str]
) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header (lower-cased, stripped) and an iterator of ``(line, values)`` over the
    records after it. Raises FileError for a header lacking a ``required`` column or
    repeating one; the iterator raises FileError at a line the csv module cannot read."""
    lines = csv_lines(text)
    try:
        header = [h.strip().lower() for h in next(lines)[1]]
    except StopIteration:
        raise FileError(1, _l("The header line cannot be read.")) from None
    except CsvLineError as error:
        raise _unreadable(error) from None
    missing = [c for c in required if c not in header]
    if missing:
        raise FileError(
            1,
            _l(
                "The header needs the columns %(columns)s; it lacks %(missing)s.",
                columns=", ".join(required),
                missing=", ".join(missing),
            ),
        )
    repeated = sorted({h for h in header if h and header.count(h) > 1})
    if repeated:
        raise FileError(
            1, _l("The header repeats the column %(column)s.", column=", ".join(repeated))
        )

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            yield from lines
        except CsvLineError as error:
            raise _unreadable(error) from None

    return header, rows()


def too_many_values(line: int, values: list[str], header: list[str]) -> LineError | None:
    """The error of a line with more values than the header has columns, else None."""
    if len(values) <= len(header):
        return None
    return LineError(
        line,
        _l(
            "This line has %(n)s values but the header has %(m)s columns.",
            n=len(values),
            m=len(header),
        ),
    )


def parse_bool(raw: str) -> bool:
    """yes/no, true/false, 1/0 (and their Italian and French words), any case. Raises
    ValueError for anything else."""
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(raw)


def active_value(line: int, raw: str, errors: list[LineError]) -> bool | None:
    """The ``active`` cell: None when blank (unchanged, or yes for a new row); an unknown
    word appends its error to ``errors`` and gives None."""
    if not raw:
        return None
    try:
        return parse_bool(raw)
    except ValueError:
        errors.append(
            LineError(line, _l("Unknown active value %(value)s: use yes or no.", value=raw))
        )
        return None
