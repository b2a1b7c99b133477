"""The language of an API answer: which names (departments, services) and sentences (the
scorecard's summary) it carries.

One rule for every answer of ``/api/v1`` that carries names: ``?lang=`` when given (one of
``i18n.LOCALES``, any letter case; anything else is refused with a 400 naming the field
``lang``), else the first language of the ``Accept-Language`` header (by quality) that is one of
them (a regional tag such as ``fr-CH`` counts as its language), else
the organisation's default language (``BABEL_DEFAULT_LOCALE``, English unless configured).
The API reads no cookie, so neither a signed-in user's language nor a remembered ``?lang=``
counts here.
"""

from __future__ import annotations

from flask import current_app, g, request
from flask_babel import refresh

from survey.i18n import LOCALES


class LanguageError(ValueError):
    """``?lang=`` names no language the service speaks."""


def default_language() -> str:
    """The organisation's default language (``BABEL_DEFAULT_LOCALE``; English if it names
    none of ``LOCALES``)."""
    configured = str(current_app.config.get("BABEL_DEFAULT_LOCALE") or "en")
    return configured if configured in LOCALES else "en"


def answer_language() -> str:
    """This request's language by the rule above; it also becomes Flask-Babel's locale for
    the request, so translated sentences and localised names agree. Raises
    ``LanguageError`` for an unknown ``?lang=``."""
    asked = request.args.get("lang")
    if asked is not None:
        chosen = asked.strip().lower()
        if chosen not in LOCALES:
            raise LanguageError(asked)
    else:
        chosen = header_language() or default_language()
    g.locale = chosen
    refresh()  # Flask-Babel keeps the locale it picked first for the rest of the request
    return chosen


def header_language() -> str | None:
    """The first language of ``Accept-Language``, by quality, whose primary tag is one of
    ``LOCALES`` ("fr-CH, it;q=0.5" gives fr), or None."""
    for value, _quality in request.accept_languages:  # sorted by quality, highest first
        primary = value.replace("_", "-").split("-")[0].lower()
        if primary in LOCALES:
            return primary
    return None


LANG_ERROR = "lang must be one of " + ", ".join(LOCALES)
