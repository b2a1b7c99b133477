"""What the docs name exists: the claims about files, make targets, commands and settings that
can be checked without reading the prose.

Reads ``README.md`` and ``docs/*.md`` as text (nothing is run): every path written in backticks
from the top of the repository (``survey/...``, ``tests/...``) or from inside ``survey/``
(``services/audit.py``), every ``make`` target, every
``flask ... survey <command>`` and its ``--options``, every ``SURVEY_*`` setting, and every
first-level package of ``survey/`` in the picture of ``docs/architecture.md``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from survey.cli import group

ROOT = Path(__file__).resolve().parent.parent
DOCS = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]
TOP = (
    "survey/",
    "tests/",
    "analysis/",
    "forms/",
    "bench/",
    "templates/",
    "migrations/",
    "docs/",
    "translations/",
)
# A path named in a record of what once was: docs/performance.md's table of past passes
# describes the module as it stood then (it was removed later).
HISTORY = {("performance.md", "survey/services/precompiled.py")}
CODE = re.compile(r"`([^`]+)`")


FENCE = re.compile(r"^```.*?^```", re.DOTALL | re.MULTILINE)


def _spans(doc: Path) -> list[str]:
    """The inline code spans of ``doc`` (fenced blocks left out, as their three backticks
    would pair the rest of the text the wrong way round)."""
    text = FENCE.sub("", doc.read_text(encoding="utf-8"))
    assert text.count("`") % 2 == 0, f"{doc.name}: an unclosed code span"
    return CODE.findall(text)


def _doc_ids() -> list[str]:
    return [doc.name for doc in DOCS]


@pytest.mark.parametrize("doc", DOCS, ids=_doc_ids())
def test_every_path_named_exists(doc: Path) -> None:
    missing = []
    for span in _spans(doc):
        for word in span.split():
            path = word.split("::")[0].rstrip(".,;:)")
            if re.search(r"[<>*{}$\[]", path):
                continue
            if path.startswith(TOP):
                exists = (ROOT / path).exists()
            elif re.fullmatch(r"[a-z_]+(/[a-z_0-9]+)+\.py", path):
                # a module written from inside survey/ (`services/audit.py`)
                exists = (ROOT / path).exists() or (ROOT / "survey" / path).exists()
            else:
                continue
            if (doc.name, path) not in HISTORY and not exists:
                missing.append(path)
    assert missing == []


def test_every_make_target_named_exists() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][a-z_-]*):", makefile, re.MULTILINE))
    named = set()
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        named |= set(re.findall(r"(?:`|^)make ([a-z][a-z_-]*)", text, re.MULTILINE))
    assert {"run", "test", "bench", "validate"} <= named
    assert named - targets == set()


def test_every_command_and_option_named_exists() -> None:
    calls = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        found = re.findall(r"flask (?:--app wsgi )?survey ([a-z][a-z-]*)([^`\n]*)", text)
        calls += [(doc.name, name, rest) for name, rest in found if name != "command"]
    # the README's table of commands: | `command [--option ...]` | what it does |
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Commands", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([a-z][a-z-]*)([^`]*)` \|", table, re.MULTILINE)
    calls += [("README.md", name, rest) for name, rest in rows]
    wrong = []
    for doc, name, rest in calls:
        command = group.commands.get(name)
        if command is None:
            wrong.append(f"{doc}: {name}")
            continue
        options = {opt for param in command.params for opt in param.opts}
        wrong += [
            f"{doc}: {name} {opt}"
            for opt in re.findall(r"--[a-z][a-z-]*", rest)
            if opt not in options
        ]
    assert {name for name, _rest in rows} == set(group.commands)  # the table lists them all
    assert len(rows) >= 7 and len(calls) > 20
    assert wrong == []


def test_every_setting_named_is_read() -> None:
    """A ``SURVEY_*`` name in the docs is read by the app (``survey/``) or, for the suite's
    and the benchmarks' own knobs, by ``tests/``, ``bench/`` or the Makefile."""
    code = "\n".join(
        path.read_text(encoding="utf-8")
        for folder in ("survey", "tests", "bench")
        for path in (ROOT / folder).rglob("*.py")
    ) + (ROOT / "Makefile").read_text(encoding="utf-8")
    named = set()
    for doc in DOCS:
        named |= set(re.findall(r"SURVEY_[A-Z0-9_]*[A-Z0-9]\b", doc.read_text(encoding="utf-8")))
    assert "SURVEY_SECRET_KEY" in named
    assert sorted(name for name in named if name not in code) == []


def test_every_setting_read_is_documented() -> None:
    """Each ``SURVEY_*`` variable ``survey/config.py`` reads is in the README's settings table
    or ``docs/operations.md``."""
    config = (ROOT / "survey" / "config.py").read_text(encoding="utf-8")
    read = set(re.findall(r"env(?:\.get\(|, )\"(SURVEY_[A-Z0-9_]+)\"", config))
    documented = (ROOT / "README.md").read_text(encoding="utf-8") + (
        ROOT / "docs" / "operations.md"
    ).read_text(encoding="utf-8")
    assert len(read) > 20
    assert sorted(name for name in read if f"`{name}`" not in documented) == []


def test_the_picture_names_every_package_of_survey() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    picture = text.split("## Journeys and packages", 1)[1].split("```text", 1)[1]
    picture = picture.split("```", 1)[0]
    packages = {path.parent.name for path in (ROOT / "survey").glob("*/__init__.py")}
    drawn = set(re.findall(r"survey/([a-z_]+)/", picture))
    assert drawn == packages


def test_the_extension_points_named_are_the_ones_gathered() -> None:
    """The points "The rules today" lists are exactly those the code gathers or runs."""
    gathered = set()
    called = re.compile(r"(?:\bgather|hooks\.run)\(\s*\"([a-z_.]+)\"")
    for path in (ROOT / "survey").rglob("*.py"):
        gathered |= set(called.findall(path.read_text(encoding="utf-8")))
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    rule = text.split("- **Extension points.**", 1)[1].split("\n- **", 1)[0]
    named = set(re.findall(r"`([a-z_]+\.[a-z_]+)`", rule)) - {"hooks.register", "app.extensions"}
    named = {name for name in named if not name.startswith(("survey.", "hooks."))}
    assert len(gathered) >= 7
    assert named == gathered


def test_every_module_of_survey_is_named_in_the_architecture() -> None:
    """Each module of ``survey/`` appears in docs/architecture.md (as `name`, `name.py` or
    `name.attribute`); the demo's own modules are described in docs/demo.md instead."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    unnamed = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "survey").rglob("*.py"))
        if path.name != "__init__.py"
        and path.parent.name != "demo"
        and not re.search(rf"`(?:[a-z_/.]*[/.])?{path.stem}(?:`|\.py|\.|\()", text)
    ]
    assert unnamed == []
