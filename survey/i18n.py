"""Language helpers for templates: the current locale and the language switcher."""

from __future__ import annotations

from flask import Flask
from flask_babel import get_locale

# The languages of every page, email, question and quiz item: the one list the app knows.
LOCALES = ("en", "it", "fr")
LANGUAGE_NAMES = {"en": "English", "it": "Italiano", "fr": "Français"}


def current_locale() -> str:
    locale = get_locale()
    return locale.language if locale else "en"


def init_app(app: Flask) -> None:
    @app.context_processor
    def _languages() -> dict[str, object]:
        return {"language_names": LANGUAGE_NAMES, "current_locale": current_locale}
