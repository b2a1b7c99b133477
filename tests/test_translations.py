"""Every page text is translated into Italian and French, with the same placeholders, and
each translation can be formatted wherever its English text is."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
METHODS = [
    ("survey/**.py", "python"),
    ("forms/**.py", "python"),
    ("templates/**.html", "jinja2"),
    ("templates/**.txt", "jinja2"),
]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _source_messages() -> set[str]:
    found: set[str] = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(
        str(ROOT), METHODS, keywords=KEYWORDS, options_map={"templates/**.html": {}}
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


SOURCE = _source_messages()


def test_extraction_finds_the_page_texts() -> None:
    assert "Sign in" in SOURCE and len(SOURCE) > 50


def _catalog(lang: str) -> Catalog:
    with open(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f)


@pytest.mark.parametrize("lang", ["it", "fr"])
def test_catalog_translates_every_text(lang: str) -> None:
    catalog = _catalog(lang)
    missing, broken = [], []
    for msgid in sorted(SOURCE):
        entry = catalog.get(msgid)
        text = entry.string if entry is not None else ""
        if isinstance(text, tuple):
            text = text[0]
        if not text or (entry is not None and entry.fuzzy):
            missing.append(msgid)
        elif set(PLACEHOLDER.findall(msgid)) != set(PLACEHOLDER.findall(text)):
            broken.append(msgid)
    assert missing == [], f"{len(missing)} texts untranslated in {lang} (run `make messages`)"
    assert broken == [], f"placeholders differ in {lang}"


class _AnyValue(dict[str, object]):
    """Keyword values for any placeholder name: a number, which every conversion takes."""

    def __missing__(self, key: str) -> object:
        return 1


def _formats(text: str) -> bool:
    try:
        text % _AnyValue()
    except (ValueError, TypeError, KeyError):
        return False
    return True


@pytest.mark.parametrize("lang", ["it", "fr"])
def test_a_translation_formats_wherever_its_text_does(lang: str) -> None:
    """Templates always ``%``-format a translation (a literal ``%`` is written ``%%``), Python
    does when it passes keywords: a translation with a stray ``%`` where its English text has
    ``%%`` or placeholders would fail on that language's pages only, as a server error."""
    broken = []
    for entry in _catalog(lang):
        texts = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        translations = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        for text in texts:
            if not text or not _formats(text):
                continue  # a Python text without keywords: never formatted
            broken += [t for t in translations if t and not _formats(t)]
    assert broken == [], f"translations that cannot be formatted in {lang}: {broken}"
