"""Reading the source's imports with ``ast``, written once for the tests that walk them:
the feature-package rules (``tests/test_packages.py``), the formulas the app runs
(``tests/test_formulas_run.py``) and the pure analysis package
(``tests/analysis/test_package.py``). A plain module, no tests of its own: each of those
tests proves the walk on small trees written with ``write_tree``.

Nothing here imports the code it reads: the source is parsed, never executed.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path


def dotted(path: Path, base: Path) -> str:
    """The module name of ``path`` under the folder ``base`` that holds the top packages:
    ``base/survey/views/admin/__init__.py`` -> ``survey.views.admin``."""
    parts = list(path.relative_to(base).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def package_of(path: Path, name: str) -> str:
    """The package a module's relative imports start from: the module itself for a
    package's ``__init__.py``, else the package holding it."""
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


def parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def import_source(node: ast.ImportFrom, package: str) -> str:
    """The module ``from X import ...`` takes its names from, relative imports resolved
    against ``package`` (``from . import a`` in ``survey.quiz`` -> ``survey.quiz``;
    ``from ..db import x`` in ``survey.quiz.views``'s package ``survey.quiz`` -> ``survey.db``)."""
    if not node.level:
        return node.module or ""
    base = package.split(".")
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def absolute_imports(tree: ast.Module, names: bool = True) -> Iterator[tuple[str, int]]:
    """Every module an absolute import names, with its line: ``import a.b`` gives ``a.b``,
    ``from a.b import c`` gives ``a.b`` and, with ``names``, ``a.b.c`` (``c`` may be a
    module or a name: without knowing the tree the walk cannot tell)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module, node.lineno
            for alias in node.names if names else ():
                yield f"{node.module}.{alias.name}", node.lineno


def write_tree(base: Path, files: dict[str, str]) -> Path:
    """Write ``files`` (relative path -> text) under ``base``, folders made as needed: the
    small trees the walks are proven on. Returns ``base``."""
    for name, text in files.items():
        path = base / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return base
