"""The translated-name fields shared by the department and service forms."""

from __future__ import annotations

from typing import Any

from survey.names import TRANSLATED_LOCALES


def translated_names(form: Any) -> dict[str, str]:
    """The ``name_it`` / ``name_fr`` fields of a form as locale -> text (blank kept as "")."""
    return {
        locale: (getattr(form, f"name_{locale}").data or "").strip()
        for locale in TRANSLATED_LOCALES
    }
