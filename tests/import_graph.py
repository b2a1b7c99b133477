"""Reading the source's imports with ``ast``, written once for the tests that walk them:
the feature-package rules (``tests/test_packages.py``), the formulas the app runs
(``tests/test_formulas_run.py``), the code the app runs (``tests/test_app_code_runs.py``) and
the pure analysis package (``tests/analysis/test_package.py``). A plain module, no tests of its
own: each of those tests proves the walk on small trees written with ``write_tree``.

Nothing here imports the code it reads: the source is parsed, never executed.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
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


# --- definitions and the references between them ---------------------------------------------

DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


@dataclass
class Module:
    name: str
    package: str
    tree: ast.Module
    defs: dict[str, ast.AST] = field(default_factory=dict)
    #: local name -> ("module", dotted) or ("name", dotted module, name)
    bound: dict[str, tuple[str, ...]] = field(default_factory=dict)


class Tree:
    """The modules of ``top_names`` (``survey``, ``analysis``) under ``base``, parsed."""

    def __init__(self, base: Path, top_names: Iterable[str]) -> None:
        self.base = base
        self.modules: dict[str, Module] = {}
        for top in top_names:
            for path in sorted((base / top).rglob("*.py")):
                name = dotted(path, base)
                package = package_of(path, name)
                tree = parse(path)
                module = Module(name, package, tree)
                module.defs = {n.name: n for n in tree.body if isinstance(n, DEFS)}
                self.modules[name] = module
        for module in self.modules.values():
            self._bind(module)

    def _bind(self, module: Module) -> None:
        """Every name an import binds anywhere in ``module`` (functions' imports included)."""
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        module.bound[alias.asname] = ("module", alias.name)
                    else:
                        top = alias.name.split(".")[0]
                        module.bound[top] = ("module", top)
            elif isinstance(node, ast.ImportFrom):
                source = import_source(node, module.package)
                for alias in node.names:
                    local = alias.asname or alias.name
                    if f"{source}.{alias.name}" in self.modules:
                        module.bound[local] = ("module", f"{source}.{alias.name}")
                    else:
                        module.bound[local] = ("name", source, alias.name)

    def resolve(self, module: str, name: str, seen: frozenset[str] = frozenset()) -> str | None:
        """The definition ``module.name`` stands for, following re-exports: dotted, or None
        when it is not a top-level definition of the tree (a constant, another library)."""
        here = self.modules.get(module)
        if here is None or module in seen:
            return None
        if name in here.defs:
            return f"{module}.{name}"
        bound = here.bound.get(name)
        if bound and bound[0] == "name":
            return self.resolve(bound[1], bound[2], seen | {module})
        return None

    def references(self, module: Module, node: ast.AST) -> set[str]:
        """The definitions of the tree that ``node`` (code of ``module``) refers to."""
        found: set[str] = set()
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name):
                target = self._name(module, sub.id)
                if target:
                    found.add(target)
            elif isinstance(sub, ast.Attribute):
                chain = attribute_chain(sub)
                if chain is None:
                    continue
                head, *rest = chain
                bound = module.bound.get(head)
                if not bound or bound[0] != "module":
                    continue
                where = bound[1]
                # ``analysis.model.f``: walk down the packages, then the last part is a name
                for i, part in enumerate(rest):
                    if f"{where}.{part}" in self.modules:
                        where = f"{where}.{part}"
                        continue
                    target = self.resolve(where, part)
                    if target and i == len(rest) - 1:
                        found.add(target)
                    break
        return found

    def _name(self, module: Module, name: str) -> str | None:
        if name in module.defs:
            return f"{module.name}.{name}"
        bound = module.bound.get(name)
        if bound and bound[0] == "name":
            return self.resolve(bound[1], bound[2])
        return None


def attribute_chain(node: ast.Attribute) -> list[str] | None:
    """``a.b.c`` as ``["a", "b", "c"]``; None when the chain does not start at a name."""
    parts = [node.attr]
    value = node.value
    while isinstance(value, ast.Attribute):
        parts.append(value.attr)
        value = value.value
    if not isinstance(value, ast.Name):
        return None
    parts.append(value.id)
    return parts[::-1]


def is_main_guard(node: ast.stmt) -> bool:
    """``if __name__ == "__main__":`` (run as a script, not by whoever imports the module)."""
    return (
        isinstance(node, ast.If)
        and isinstance(node.test, ast.Compare)
        and isinstance(node.test.left, ast.Name)
        and node.test.left.id == "__name__"
    )


def reached(
    tree: Tree, roots: Iterable[str], definitions: dict[str, tuple[Module, ast.AST]]
) -> set[str]:
    """The ``definitions`` (dotted name -> module and node) reachable from ``roots``: each
    root that is one of them, then whatever their code refers to (``Tree.references``),
    followed until nothing new is found."""
    found: set[str] = set()
    todo = [r for r in roots if r in definitions]
    while todo:
        here = todo.pop()
        if here in found:
            continue
        found.add(here)
        module, node = definitions[here]
        todo += [r for r in tree.references(module, node) if r in definitions and r not in found]
    return found
