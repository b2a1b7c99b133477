"""The refusals of the request verbs in the language of the admin page that shows them.

``FieldError`` messages are the API's words, in English: its clients (ticketing tools, their
logs) read them, and the API's answers never depend on a language. The manual form and the
CSV import show the same refusals to an administrator, whose page may be Italian or French
(the import's problems of the file as a whole are the shared CSV reading's, translated there):
``in_page_language`` gives each known message in the page's language, and any other as it
is.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

_FIXED = {
    "lies in the future": _l("lies in the future"),
    "is before opened_at": _l("is before opened_at"),
    "source and external_ref go together": _l("source and external_ref go together"),
    "no active department has this code": _l("no active department has this code"),
    "no person has this email address": _l("no person has this email address"),
    "no service of the provider department has this code": _l(
        "no service of the provider department has this code"
    ),
    "is required": _l("is required"),
    "must not be empty": _l("must not be empty"),
    "must not contain NUL characters": _l("must not contain NUL characters"),
    "must be an ISO 8601 date-time, e.g. 2026-05-04T09:30:00Z": _l(
        "must be an ISO 8601 date-time, e.g. 2026-05-04T09:30:00Z"
    ),
    "must lie between the years 2000 and 2100": _l("must lie between the years 2000 and 2100"),
    "is not an email address": _l("is not an email address"),
    "must be a whole number of seconds": _l("must be a whole number of seconds"),
    "must not be negative": _l("must not be negative"),
}

_PATTERNS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (
        re.compile(r"is longer than (\d+) characters"),
        lambda m: _("is longer than %(n)s characters", n=m[1]),
    ),
    (
        re.compile(r"must be between 0 and (\d+)"),
        lambda m: _("must be between 0 and %(n)s", n=m[1]),
    ),
]


def in_page_language(message: str) -> str:
    """``message`` (a ``FieldError``'s) in the page's language; an unknown one as it is."""
    fixed = _FIXED.get(message)
    if fixed is not None:
        return str(fixed)
    for pattern, words in _PATTERNS:
        match = pattern.fullmatch(message)
        if match is not None:
            return words(match)
    return message


def with_field(field: str | None, message: str) -> str:
    """A line's refusal naming its column (kept as written: it is the file's header)."""
    words = in_page_language(message)
    return _("%(field)s: %(message)s", field=field, message=words) if field else words
