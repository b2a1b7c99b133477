"""Every translated string is looked up through ``survey.i18n.TranslationsByLocale``, which
remembers each language's catalog by its ``Locale``. The attack on a cache of that kind: the
catalog of the language seen first served for another one (a forced language for an email, a
language changed within the request, the next request's)."""

from __future__ import annotations

from flask import Flask, g, render_template_string
from flask_babel import force_locale, get_domain, gettext, refresh

from survey.i18n import TranslationsByLocale

SENTENCE = "Send my answers"
IN = {"en": "Send my answers", "it": "Invia le mie risposte", "fr": "Envoyer mes réponses"}


def _both() -> tuple[str, str]:
    """The sentence through Python's ``gettext`` and through a template's ``_``."""
    return gettext(SENTENCE), render_template_string('{{ _("Send my answers") }}')


def test_the_app_looks_strings_up_through_the_remembering_domain(app: Flask) -> None:
    with app.test_request_context("/"):
        assert isinstance(get_domain(), TranslationsByLocale)


def test_each_language_gets_its_own_catalog_whatever_came_first(app: Flask) -> None:
    for first, then in (("it", "fr"), ("fr", "it"), ("en", "it")):
        with app.test_request_context("/"):
            g.locale = first
            assert _both() == (IN[first], IN[first])
            with force_locale(then):
                assert _both() == (IN[then], IN[then])
            assert _both() == (IN[first], IN[first])
            g.locale = then
            refresh()
            assert _both() == (IN[then], IN[then])
    with app.test_request_context("/"):
        g.locale = "fr"
        assert _both() == (IN["fr"], IN["fr"])


def test_outside_a_request_nothing_is_translated(app: Flask) -> None:
    with app.test_request_context("/"):
        g.locale = "it"
        assert gettext(SENTENCE) == IN["it"]
    assert gettext(SENTENCE) == SENTENCE
