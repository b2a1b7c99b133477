"""Language helpers for templates: the current locale and the language switcher."""

from __future__ import annotations

from flask import Flask, g, request
from flask_babel import get_locale

from survey.locales import LOCALES
from survey.names import HasName, localized_name

LANGUAGE_NAMES = {"en": "English", "it": "Italiano", "fr": "Français"}


def current_locale() -> str:
    locale = get_locale()
    return locale.language if locale else "en"


def choose_locale(fallback: str | None = None) -> str:
    """Fix this request's language and return it: ``?lang=`` (on a POST also the posted
    ``lang``) when it names one of ``LOCALES``; else ``fallback`` (the respondent's language,
    the language a quiz was taken in) when it does; else the usual choice
    (``extensions.select_locale``: the user's, the remembered ``?lang=``, the browser's)."""
    asked = request.args.get("lang") or (
        request.form.get("lang") if request.method == "POST" else None
    )
    if asked in LOCALES:
        g.locale = asked
    elif fallback in LOCALES:
        g.locale = fallback
    else:
        return current_locale()
    return str(g.locale)


def init_app(app: Flask) -> None:
    @app.template_filter("localized")
    def _localized(obj: HasName | None) -> str:
        """A department's or service's name in the page's (or email's) language."""
        return "" if obj is None else localized_name(obj, current_locale())

    @app.context_processor
    def _languages() -> dict[str, object]:
        return {"language_names": LANGUAGE_NAMES, "current_locale": current_locale}
