"""One list of languages: ``survey.locales.LOCALES``; every other place derives from it."""

from __future__ import annotations

import re
from pathlib import Path

from survey import locales
from survey.models import Person, User

PACKAGE = Path(__file__).resolve().parent.parent / "survey"
# Two or more quoted locale codes in a row, as a tuple, list, set or SQL IN list.
SPELLED = re.compile(r"""['"](en|it|fr)['"]\s*,\s*['"](en|it|fr)['"]""")


def test_no_module_spells_the_locales_out():
    """Adding a language means editing ``survey/locales.py`` only (migrations keep their
    frozen text; they are history)."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] == "migrations" or relative == Path("locales.py"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if SPELLED.search(line):
                offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == []


def test_the_detector_catches_a_spelled_tuple():
    assert SPELLED.search('if locale in ("en", "it", "fr"):')
    assert SPELLED.search("CHECK (locale IN ('en', 'it', 'fr'))")
    assert not SPELLED.search("LOCALES = LOCALES[1:]")


def test_derived_lists_and_constraints_follow_the_one_list():
    from survey import i18n, names

    assert i18n.LOCALES is locales.LOCALES
    assert (
        tuple(loc for loc in locales.LOCALES if loc != locales.DEFAULT_LOCALE)
        == names.TRANSLATED_LOCALES
    )
    checks = {
        model.__tablename__: next(
            str(c.sqltext)
            for c in model.__table__.constraints
            if str(c.name).endswith("locale_known")
        )
        for model in (Person, User)
    }
    for text in checks.values():
        for loc in locales.LOCALES:
            assert f"'{loc}'" in text
    assert checks[User.__tablename__].startswith("locale IS NULL OR ")
    assert locales.locale_check("x") == "x IN ('en', 'it', 'fr')"
