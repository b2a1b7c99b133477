"""Language helpers for templates: the current locale and the language switcher; the message
domain every translated string is looked up through (``TranslationsByLocale``); and templates'
``_``/``gettext``/``ngettext`` reaching it in one call (``template_gettext``)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any

from babel import Locale
from flask import Flask, g, request
from flask_babel import Babel, Domain, get_locale
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup

from survey.locales import LOCALES
from survey.names import HasName, localized_name

LANGUAGE_NAMES = {"en": "English", "it": "Italiano", "fr": "Français"}


class TranslationsByLocale(Domain):
    """Flask-Babel's message domain, finding the catalog of the language in effect by its
    ``Locale`` object. The stock domain looks it up on every string by the locale's name,
    built anew each time (``str(Locale)``): about 5 µs a string, a dozen times on a respondent's
    page and hundreds on a scorecard, against about 1 µs here. Same catalogs (the stock lookup
    loads each once), same language: the one ``get_locale`` gives, so ``force_locale`` and
    ``refresh`` work as before; outside a request, no translation.

    The language is ``chosen_locale``'s (``get_locale``'s, read where Flask-Babel 4 keeps it
    once chosen). ``setup.cfg`` pins Flask-Babel below 5, and
    ``tests/test_translation_lookup.py`` fails if a forced or refreshed language is missed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._by_locale: dict[Locale, Any] = {}

    def get_translations(self) -> Any:
        locale = chosen_locale()
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

    def init_app(self, app: Flask, *args: Any, **kwargs: Any) -> None:
        """Flask-Babel's set-up (which also installs Jinja's newstyle gettext), then templates'
        ``_``, ``gettext`` and ``ngettext`` replaced by ``template_gettext`` and
        ``template_ngettext`` bound to this domain."""
        super().init_app(app, *args, **kwargs)
        gettext, ngettext = template_gettext(self), template_ngettext(self)
        app.jinja_env.globals.update(_=gettext, gettext=gettext, ngettext=ngettext)


def template_gettext(babel: FastBabel) -> Callable[..., str]:
    """A template's ``_("…", name=value)``: Jinja's newstyle gettext (the translation made
    ``Markup`` where autoescaping is on, then always ``%``-formatted with the keywords, so a
    literal ``%`` is written ``%%``), reaching the catalog in one call. The stock one goes
    through an alias and two more of Jinja's ``Context.call`` and finds the domain anew for
    every string: about 5 µs a string, against under 2 µs here."""

    @pass_eval_context
    def gettext(eval_ctx: EvalContext, string: str, **variables: Any) -> str:
        found = babel.domain_instance.get_translations().ugettext(string)
        return _newstyle(eval_ctx, found, variables)

    return gettext


def template_ngettext(babel: FastBabel) -> Callable[..., str]:
    """A template's ``ngettext(singular, plural, n, …)``, as ``template_gettext``; ``num`` is
    ``n`` unless given."""

    @pass_eval_context
    def ngettext(
        eval_ctx: EvalContext, singular: str, plural: str, n: int, **variables: Any
    ) -> str:
        variables.setdefault("num", n)
        found = babel.domain_instance.get_translations().ungettext(singular, plural, n)
        return _newstyle(eval_ctx, found, variables)

    return ngettext


def _newstyle(eval_ctx: EvalContext, found: str, variables: dict[str, Any]) -> str:
    """Jinja's newstyle treatment of a translation: ``Markup`` under autoescaping (the catalogs
    are the app's own, trusted as Jinja trusts them; the keywords are escaped), then always
    ``%``-formatted with the keywords."""
    return (Markup(found) if eval_ctx.autoescape else found) % variables  # noqa: S704


def chosen_locale() -> Locale | None:
    """Flask-Babel's ``get_locale``: the language in effect (None outside an app context). Once
    it is chosen it is read where Flask-Babel 4 keeps it (``g._flask_babel.babel_locale``,
    which ``force_locale`` and ``refresh`` set and clear) rather than through ``get_locale``'s
    three context lookups, a few microseconds each time; until then, ``get_locale`` chooses it."""
    try:
        locale = g._flask_babel.babel_locale
    except (AttributeError, RuntimeError):  # not chosen yet, or outside any app context
        return get_locale()
    return locale if locale is not None else get_locale()


def current_locale() -> str:
    locale = chosen_locale()
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
