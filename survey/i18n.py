"""Language helpers for templates: the current locale and the language switcher; and the
message domain every translated string is looked up through (``TranslationsByLocale``)."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from babel import Locale
from flask import Flask, g, request
from flask_babel import Babel, Domain, get_locale

from survey.locales import LOCALES
from survey.names import HasName, localized_name

LANGUAGE_NAMES = {"en": "English", "it": "Italiano", "fr": "Français"}


class TranslationsByLocale(Domain):
    """Flask-Babel's message domain, finding the catalog of the language in effect by its
    ``Locale`` object. The stock domain looks it up on every string by the locale's name,
    built anew each time (``str(Locale)``): about 5 µs a string, a dozen times on a respondent's
    page and hundreds on a scorecard, against under 2 µs here. Same catalogs (the stock lookup
    loads each once), same language: the one ``get_locale`` gives, so ``force_locale`` and
    ``refresh`` work as before; outside a request, no translation."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._by_locale: dict[Locale, Any] = {}

    def get_translations(self) -> Any:
        locale = get_locale()
        if locale is None:
            return super().get_translations()
        found = self._by_locale.get(locale)
        if found is None:
            found = self._by_locale[locale] = super().get_translations()
        return found


class FastBabel(Babel):
    """Flask-Babel with ``TranslationsByLocale`` as its default message domain."""

    @cached_property
    def domain_instance(self) -> Domain:
        return TranslationsByLocale(domain=self.domain)


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
