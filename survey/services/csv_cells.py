"""Cells of the CSV files people download (scorecards, action plans, the audit log), safe to
open in a spreadsheet: a text starting like a formula (``=``, ``+``, ``-``, ``@``, a tab or a
carriage return) gets a leading quote, so it is shown as text and never run."""

from __future__ import annotations

import math
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Numbers as they are; text starting like a spreadsheet formula gets a leading quote."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        if isinstance(value, float):
            return "" if math.isnan(value) else round(value, 2)
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
