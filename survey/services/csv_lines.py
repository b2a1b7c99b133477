"""Reading uploaded CSV text with the file's line numbers, shared by the CSV imports.

The csv module refuses a value longer than its field size limit (131,072 characters) and a
few malformed quotings by raising ``csv.Error`` mid-file; here that becomes a ``CsvLineError``
naming the line (the first line of a quoted value spanning lines) and why, so every import
answers with a clear message instead of a server error.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator


class CsvLineError(ValueError):
    """``line``: 1-based line of the file; ``too_long``: a value exceeds ``field_limit()``."""

    def __init__(self, line: int, too_long: bool) -> None:
        super().__init__(f"line {line}: {'value too long' if too_long else 'unreadable CSV'}")
        self.line = line
        self.too_long = too_long


def field_limit() -> int:
    """The csv module's current field size limit, in characters."""
    return csv.field_size_limit()


def delimiter_of(text: str) -> str:
    """``;`` when the first line holds more semicolons than commas, else ``,``."""
    first = text.split("\n", 1)[0]
    return ";" if first.count(";") > first.count(",") else ","


def csv_lines(text: str) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line, values)`` for every record of ``text``, the header included (line 1).
    Raises CsvLineError when the csv module refuses a record."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter_of(text))
    line = 0
    while True:
        start = line + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise CsvLineError(start, "field larger than field limit" in str(error)) from None
        line = reader.line_num
        yield start, values
