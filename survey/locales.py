"""The languages the app speaks: the one list every other place derives from.

This module imports nothing (no Flask, no SQLAlchemy, nothing of ``survey``) so that models,
``names``, ``i18n``, services and views can all read it. Adding a language means editing
``LOCALES`` here (plus its catalog under ``translations/`` and a migration for the
``locale_known`` check constraints, whose frozen text migrations keep).
"""

from __future__ import annotations

# Every page, email, question and quiz item; the first is the default language.
LOCALES = ("en", "it", "fr")
DEFAULT_LOCALE = LOCALES[0]
# The locales a name or text can be translated into (all but the default).
TRANSLATED_LOCALES = LOCALES[1:]


def locale_check(column: str, nullable: bool = False) -> str:
    """SQL text of a check constraint keeping ``column`` to one of ``LOCALES`` (and NULL when
    ``nullable``), e.g. ``locale IN ('en', 'it', 'fr')``."""
    listed = "(" + ", ".join(f"'{loc}'" for loc in LOCALES) + ")"
    check = f"{column} IN {listed}"
    return f"{column} IS NULL OR {check}" if nullable else check
