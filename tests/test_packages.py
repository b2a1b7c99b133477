"""The import graph of ``survey/``, read from the source with ``ast`` (nothing is imported or run).

``survey/`` is moving to feature packages (see docs/architecture.md): each journey one package
holding its views, services and forms glue. Two rules keep them rooms rather than a hall:

- **No cycle through a feature package.** A package is a node: each feature package
  (``survey/quiz/`` ...), each of the not-yet-split or shared packages (``survey/services``,
  ``survey/views``, ``survey/models``, ``survey/mail``, ``survey/demo``), each top-level module
  (``survey/db.py`` ...) and the app factory ``survey/__init__.py``. An import anywhere in a
  module (at the top, inside a function, under ``TYPE_CHECKING``) is an edge from its node to
  the imported module's node. No feature package may sit on a cycle.
- **No reach into another package's private names.** A name starting with one underscore
  (``_helper``, not ``__version__``), or any module on a path with such a part, may be imported
  only from inside its own package: the first-level package under ``survey/`` (``survey/views/
  admin/x.py`` belongs to ``survey.views``), or ``survey`` itself for the top-level modules.
  ``module._name`` on a module bound by an import counts as importing ``_name``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pytest

from tests.import_graph import (
    absolute_imports,
    dotted,
    import_source,
    package_of,
    parse,
    write_tree,
)

ROOT = Path(__file__).resolve().parent.parent
TOP = "survey"

# First-level packages of survey/ that are not feature packages: the rest still to be split
# (services, views) and the shared layers every journey uses.
NOT_FEATURES = frozenset({"services", "views", "models", "mail", "demo"})


@dataclass(frozen=True)
class Import:
    """One imported module (and, for ``from m import n``, the name), where it is written."""

    module: str  # importing module, dotted
    target: str  # imported module, dotted
    name: str | None  # the name taken from ``target``, or None for ``import target``
    line: int


def is_package(dotted: str, top: Path) -> bool:
    return (top.parent.joinpath(*dotted.split(".")) / "__init__.py").is_file()


def is_module(dotted: str, top: Path) -> bool:
    """Whether ``dotted`` names a module or package of the tree under ``top``."""
    path = top.parent.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imports(top: Path) -> Iterator[Import]:
    """Every import of a module of the tree ``top`` into that tree (relative ones resolved),
    and every ``alias._name`` on a module alias bound by such an import."""
    for path in sorted(top.rglob("*.py")):
        module = dotted(path, top.parent)
        tree = parse(path)
        package = package_of(path, module)
        aliases: dict[str, str] = {}  # local name -> module it is bound to
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == top.name:
                        yield Import(module, alias.name, None, node.lineno)
                        if alias.asname:
                            aliases[alias.asname] = alias.name
            elif isinstance(node, ast.ImportFrom):
                target = import_source(node, package)
                if target.split(".")[0] != top.name:
                    continue
                for alias in node.names:
                    submodule = f"{target}.{alias.name}"
                    if is_module(submodule, top):
                        # ``from survey import db``: an import of the module survey.db
                        yield Import(module, submodule, None, node.lineno)
                        aliases[alias.asname or alias.name] = submodule
                    else:
                        yield Import(module, target, alias.name, node.lineno)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
            ):
                yield Import(module, aliases[node.value.id], node.attr, node.lineno)


def node_of(dotted: str) -> str:
    """The graph node of a module: its first-level package or module under ``survey/``
    (``survey`` itself for the app factory)."""
    return ".".join(dotted.split(".")[:2])


def own_package(dotted: str, top: Path) -> str:
    """The package whose private names a module may import: its first-level package under
    ``top``, or ``top`` itself for a top-level module."""
    parts = dotted.split(".")
    if len(parts) >= 2 and is_package(".".join(parts[:2]), top):
        return ".".join(parts[:2])
    return parts[0]


def features(top: Path) -> set[str]:
    return {
        f"{top.name}.{p.name}"
        for p in top.iterdir()
        if (p / "__init__.py").is_file() and p.name not in NOT_FEATURES
    }


def edges(top: Path) -> dict[tuple[str, str], Import]:
    """One example import per edge between two different nodes."""
    found: dict[tuple[str, str], Import] = {}
    for imp in imports(top):
        edge = (node_of(imp.module), node_of(imp.target))
        if edge[0] != edge[1]:
            found.setdefault(edge, imp)
    return found


def cycles_through_features(top: Path) -> list[list[str]]:
    """For each feature package on a cycle, one shortest cycle through it, as
    ``["a -> b (file:line)", ...]``."""
    found = edges(top)
    graph: dict[str, set[str]] = {}
    for a, b in found:
        graph.setdefault(a, set()).add(b)
    reports = []
    for start in sorted(features(top)):
        # breadth-first search back to ``start``
        previous: dict[str, str] = {}
        queue = [start]
        while queue and start not in previous:
            nxt = []
            for here in queue:
                for there in sorted(graph.get(here, ())):
                    if there not in previous:
                        previous[there] = here
                        nxt.append(there)
            queue = nxt
        if start in previous:
            path = [start]
            while True:
                path.append(previous[path[-1]])
                if path[-1] == start:
                    break
            path.reverse()
            reports.append(
                [f"{a} -> {b} ({found[a, b].module}:{found[a, b].line})" for a, b in pairwise(path)]
            )
    return reports


def private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def private_reaches(top: Path) -> list[str]:
    """Every import of a private module or name from outside its package, as text."""
    bad = []
    for imp in imports(top):
        if own_package(imp.module, top) == own_package(imp.target, top):
            continue
        parts = imp.target.split(".") + ([imp.name] if imp.name else [])
        if any(private(part) for part in parts):
            shown = f"{imp.target}.{imp.name}" if imp.name else imp.target
            bad.append(f"{imp.module}:{imp.line} imports {shown}")
    return sorted(set(bad))


# --- the rules on the real tree ----------------------------------------------------------------


def test_there_are_feature_packages_to_check() -> None:
    assert {f"{TOP}.quiz", f"{TOP}.org"} <= features(ROOT / TOP)


def test_no_import_cycle_through_a_feature_package() -> None:
    assert cycles_through_features(ROOT / TOP) == []


def test_no_reach_into_another_packages_private_names() -> None:
    assert private_reaches(ROOT / TOP) == []


# --- the checks catch what they are for (a small tree written for each) ------------------------


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A small ``survey`` with two feature packages, the rest and a top-level module."""
    return write_tree(
        tmp_path / TOP,
        {
            "__init__.py": "from survey import views\n",
            "db.py": "def _begin(): ...\ndef get_session(): ...\n",
            "services/__init__.py": "",
            "services/audit.py": "from survey.db import get_session\ndef _secret(): ...\n",
            "views/__init__.py": "from survey.quiz import views\n",
            "quiz/__init__.py": "",
            "quiz/views.py": "from .services import _helper\nfrom survey.services import audit\n",
            "quiz/services.py": "def _helper(): ...\n",
            "org/__init__.py": "",
            "org/pages.py": "from survey.services.audit import record\n",
        },
    )


def test_a_clean_tree_passes(tree: Path) -> None:
    assert features(tree) == {"survey.quiz", "survey.org"}
    assert cycles_through_features(tree) == []
    assert private_reaches(tree) == []


def test_a_cycle_between_feature_packages_fails(tree: Path) -> None:
    write_tree(tree, {"quiz/services.py": "def _helper(): ...\nfrom survey.org import pages\n"})
    write_tree(tree, {"org/pages.py": "def f():\n    from ..quiz.views import x\n"})
    org_cycle, quiz_cycle = sorted(cycles_through_features(tree))
    assert [step.split(" (")[0] for step in org_cycle] == [
        "survey.org -> survey.quiz",
        "survey.quiz -> survey.org",
    ]
    assert quiz_cycle == [
        "survey.quiz -> survey.org (survey.quiz.services:2)",
        "survey.org -> survey.quiz (survey.org.pages:2)",
    ]


def test_a_cycle_through_the_rest_fails(tree: Path) -> None:
    write_tree(tree, {"services/audit.py": "from survey.quiz.services import x\n"})
    [cycle] = cycles_through_features(tree)
    assert [step.split(" (")[0] for step in cycle] == [
        "survey.quiz -> survey.services",
        "survey.services -> survey.quiz",
    ]


def test_reaching_into_another_packages_private_names_fails(tree: Path) -> None:
    write_tree(
        tree,
        {
            "org/pages.py": (
                "from survey.services.audit import _secret\n"
                "from survey import db\n"
                "db._begin()\n"
                "import survey.quiz._internal as hidden\n"
            ),
            "quiz/_internal.py": "",
        },
    )
    assert private_reaches(tree) == [
        "survey.org.pages:1 imports survey.services.audit._secret",
        "survey.org.pages:3 imports survey.db._begin",
        "survey.org.pages:4 imports survey.quiz._internal",
    ]


def test_a_top_level_module_may_use_a_sibling_top_level_modules_private_name(tree: Path) -> None:
    write_tree(tree, {"cli.py": "from survey.db import _begin\n"})
    assert private_reaches(tree) == []


# --- services take no Flask request state ---

#: What a request carries: a service that read it could not run from the CLI, the tick or a
#: test without a request, and would act on whoever happens to be asking.
REQUEST_STATE = {
    ("flask", "request"),
    ("flask", "session"),
    ("flask", "g"),
    ("flask_login", "current_user"),
    ("flask_login", "login_user"),
    ("flask_login", "logout_user"),
}


def service_modules(top: Path) -> list[Path]:
    """``survey/services/*.py`` and every feature package's ``services*.py`` module."""
    return sorted(
        [*top.glob("services/*.py"), *top.glob("*/services*.py"), *top.glob("*/services/*.py")]
    )


def request_state_reads(path: Path) -> list[str]:
    found = []
    for node in ast.walk(parse(path)):
        if isinstance(node, ast.ImportFrom) and node.module in {"flask", "flask_login"}:
            for alias in node.names:
                if (node.module, alias.name) in REQUEST_STATE:
                    found.append(f"{path.name}:{node.lineno} {node.module}.{alias.name}")
        elif isinstance(node, ast.Import):
            found += [
                f"{path.name}:{node.lineno} import {a.name}"
                for a in node.names
                if a.name == "flask_login"
            ]
    return found


def test_services_take_no_flask_request_state() -> None:
    modules = service_modules(ROOT / TOP)
    assert len(modules) > 30, modules  # the walk really found the services
    assert [hit for path in modules for hit in request_state_reads(path)] == []


def test_a_service_reading_the_request_fails(tree: Path) -> None:
    write_tree(tree, {"quiz/services.py": "from flask import request, render_template\n"})
    assert request_state_reads(tree / "quiz/services.py") == ["services.py:1 flask.request"]


# --- services import nothing of forms/ ---


def forms_imports(path: Path) -> list[str]:
    """The imports of ``forms`` (the form classes) in one module, as ``file:line module``."""
    return [
        f"{path.name}:{line} {name}"
        for name, line in absolute_imports(parse(path), names=False)
        if name.split(".")[0] == "forms"
    ]


def test_services_import_nothing_of_forms() -> None:
    """Services are verbs on the database; turning questions into form specs is the journey's
    forms glue (``survey/respond/form_specs.py``), beside its views."""
    modules = service_modules(ROOT / TOP)
    assert [hit for path in modules for hit in forms_imports(path)] == []


def test_a_service_importing_forms_fails(tree: Path) -> None:
    write_tree(
        tree, {"quiz/services.py": "import forms.quiz\nfrom forms.survey import QuestionSpec\n"}
    )
    assert forms_imports(tree / "quiz/services.py") == [
        "services.py:1 forms.quiz",
        "services.py:2 forms.survey",
    ]
