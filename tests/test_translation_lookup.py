"""Every translated string is looked up through ``survey.i18n.TranslationsByLocale``, which
remembers each language's catalog by its ``Locale``. The attack on a cache of that kind: the
catalog of the language seen first served for another one (a forced language for an email, a
language changed within the request, the next request's)."""

from __future__ import annotations

import pytest
from flask import Flask, g, render_template_string
from flask_babel import force_locale, get_domain, get_translations, gettext, refresh
from jinja2 import Environment
from markupsafe import Markup

from survey.i18n import TranslationsByLocale, current_locale

SENTENCE = "Send my answers"
IN = {"en": "Send my answers", "it": "Invia le mie risposte", "fr": "Envoyer mes réponses"}


def _both() -> tuple[str, str]:
    """The sentence through Python's ``gettext`` and through a template's ``_``; and the
    language the page says it is in (``current_locale``) must be the sentence's."""
    said = gettext(SENTENCE), render_template_string('{{ _("Send my answers") }}')
    language = render_template_string("{{ current_locale() }}")
    assert language == current_locale() and IN[language] == said[0]
    return said


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
    assert current_locale() == "en"


# A template's ``_``/``gettext``/``ngettext`` are the app's own (``survey.i18n``), one call each
# instead of Jinja's alias and two inner calls. The attack: any template whose output differs from
# what Jinja's newstyle gettext makes of the same catalog (escaping, ``%%``, keywords, ``num``,
# plural forms, ``{% trans %}`` blocks, a language forced within the request).
STOCK_CASES = (
    '{{ _("Send my answers") }}',
    '{{ gettext("Send my answers") }}',
    '{{ _("IQ [95%% interval]") }}',
    '{{ _("Hello %(name)s", name="<b>&") }}',
    '{{ _("Hello %(name)s", name=markup) }}',
    '{{ _("Hello %(name)s", name=42) }}',
    '{{ ngettext("%(num)s question still needs an answer:", '
    '"%(num)s questions still need an answer:", n) }}',
    '{{ ngettext("%(num)s question still needs an answer:", '
    '"%(num)s questions still need an answer:", n, num="<i>") }}',
    "{% trans %}Send my answers{% endtrans %}",
    "{% trans count=n %}{{ count }} day{% pluralize %}{{ count }} days{% endtrans %}",
    '{% autoescape false %}{{ _("Hello %(name)s", name="<b>") }}{% endautoescape %}',
    '{{ _("Hello %(name)s", name="<b>")|e }}',
)


def _stock_environment() -> Environment:
    """A template environment as Flask-Babel sets one up: Jinja's own newstyle callables, and
    autoescaping as Flask has it for a template from a string."""
    env = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    env.install_gettext_callables(
        gettext=lambda s: get_translations().ugettext(s),
        ngettext=lambda s, p, n: get_translations().ungettext(s, p, n),
        newstyle=True,
    )
    return env


@pytest.mark.parametrize("source", STOCK_CASES)
def test_templates_translate_as_jinjas_own_newstyle_gettext(app: Flask, source: str) -> None:
    stock = _stock_environment()
    assert app.jinja_env.globals["_"] is not stock.globals["_"]
    for language in ("en", "it", "fr"):
        for n in (0, 1, 2, 5):
            with app.test_request_context("/"):
                g.locale = language
                values = {"n": n, "markup": Markup("<em>ok</em>")}
                ours = app.jinja_env.from_string(source).render(**values)
                theirs = stock.from_string(source).render(**values)
                with force_locale("it" if language != "it" else "fr"):
                    forced = app.jinja_env.from_string(source).render(**values)
                    forced_theirs = stock.from_string(source).render(**values)
            assert ours == theirs, (language, n)
            assert forced == forced_theirs, (language, n)


def test_a_translated_template_string_escapes_what_it_is_given(app: Flask) -> None:
    with app.test_request_context("/"):
        g.locale = "it"
        page = render_template_string(
            '{{ _("Send my answers") }}|{{ _("Hello %(name)s", name="<script>") }}'
        )
    assert page.startswith(IN["it"] + "|")
    assert "<script>" not in page and "&lt;script&gt;" in page
