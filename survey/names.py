"""Names of departments and services in the reader's language.

A department or a service has one ``name`` in the default language (English) and, in
``names``, the translations an administrator gave it: a mapping of locale (``it``, ``fr``)
to text. This module imports nothing of ``survey`` but ``survey.locales`` (which imports
nothing) so that models, services, templates and exports can all use the one rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from survey.locales import TRANSLATED_LOCALES  # the locales a name can be translated into


class HasName(Protocol):
    name: str


def pick_name(name: str, names: Mapping[str, Any] | None, locale: str | None) -> str:
    """``names[locale]`` when it holds some text, else ``name`` (the default language).

    Blank or non-text translations count as missing; ``locale`` may be a full tag such as
    ``it_IT`` or ``fr-CH`` (its language is used) or None (the default name)."""
    if locale and names:
        value = names.get(locale.replace("-", "_").split("_")[0].lower())
        if isinstance(value, str) and value.strip():
            return value.strip()
    return name


def localized_name(obj: HasName, locale: str | None) -> str:
    """The name of a department, service or any row with ``name`` (and optionally
    ``names``) in ``locale``, falling back to the default ``name``."""
    return pick_name(obj.name, getattr(obj, "names", None), locale)


def clean_names(values: Mapping[str, str | None]) -> dict[str, str]:
    """The translations worth storing: known locales with non-blank text, stripped."""
    out: dict[str, str] = {}
    for locale in TRANSLATED_LOCALES:
        text = (values.get(locale) or "").strip()
        if text:
            out[locale] = text
    return out
