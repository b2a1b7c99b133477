"""Cells of the CSV files people download (scorecards, action plans, the audit log), safe to
open in a spreadsheet: a text starting like a formula (``=``, ``+``, ``-``, ``@``, a tab or a
carriage return) gets a leading quote, so it is shown as text and never run.

The files are comma-separated, but a spreadsheet program splits a ``.csv`` on the system's list
separator, which is ";" wherever a comma is the decimal mark (Italy and France among them). It
then honours a quote only where one opens a ";" cell, so a line break inside a cell ends the
row there too. Every place inside a text where such a reader starts a new cell (after a ";"
or a line break) gets the same quote when a formula would start there.

A plain number written as text ("-5", "+1", "0.5"), the whole text or a ";" cell of it, keeps
no quote: a spreadsheet reads it as that number and nothing runs, while the quote would show
in the cell. Numbers themselves are written as numbers."""

from __future__ import annotations

import math
import re
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_NUMBER = r"[+-]?[0-9]+(?:\.[0-9]+)?"
_PLAIN_NUMBER = re.compile(_NUMBER)
# A ";" or a line break followed by a formula start, quotes between them or not: a new cell
# for a ";" reader (a cell opening with a quote is read as quoted, and the formula follows),
# unless that cell is a plain number.
_HIDDEN_START = re.compile(r'([;\r\n])(?="*[=+\-@\t\r])(?!"*' + _NUMBER + r'"*(?:[;\r\n]|\Z))')


def safe_cell(value: Any) -> Any:
    """Numbers as they are; text starting like a spreadsheet formula gets a leading quote, and
    so does every formula start right after a ";" or a line break inside it, double quotes
    between them or not (``"Laptops;=cmd()"`` -> ``"Laptops;'=cmd()"``). A plain number as
    text keeps no quote (``"-5"``, ``"a;-5"``); a text already quoted is not quoted again."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        if isinstance(value, float):
            return "" if math.isnan(value) else round(value, 2)
        return value
    text = _HIDDEN_START.sub(r"\1'", str(value))
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text
