"""No code of the application that only the tests run, read from the source with ``ast``.

``tests/test_formulas_run.py`` holds the scorecard's formulas to this; here every top-level
function and class of ``survey/`` and ``forms/`` must be run by the application as well. A
function only the tests call proves nothing about the product (the tests check it while the
pages run something else) and is dead weight the next maintainer has to read: a self-view
with its own k gate that no page used was found this way.

What counts as run, followed through calls, references and imports across modules
(``tests.import_graph.Tree``):

- the module-level code of every module (blueprints, constants, caches built at import) and of
  ``wsgi.py``;
- a definition registered by its decorator: a decorator written as an attribute (``@bp.get``,
  ``@app.cli.command``, ``@event.listens_for``...), not one of the wrappers of ``WRAPPERS``
  (``@functools.lru_cache``, ``@contextlib.contextmanager``...) nor a plain name
  (``@dataclass``, ``@contextmanager``);
- a class that registers itself: a subclass, in the tree, of a class defining
  ``__init_subclass__`` (the question-type registries);
- the entry points of ``RUN_ELSEWHERE``, each with who runs it.

Methods are not checked one by one: a class that is run counts with all its methods.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests import test_formulas_run as formulas
from tests.import_graph import DEFS, Module, Tree, is_main_guard, parse, reached, write_tree

ROOT = Path(__file__).resolve().parent.parent

#: The packages whose every top-level definition the application must run.
CHECKED = ("survey", "forms")
#: Read too, so that what they call in ``CHECKED`` counts (the app's formulas live there).
ALSO_READ = ("analysis",)

#: Entry points that something other than the application runs, with who runs it.
RUN_ELSEWHERE: dict[str, str] = {
    **formulas.RUN_ELSEWHERE,
    "survey.demo.markers.main": (
        "`make validate` (python -m survey.demo.markers --seeds 30): whether the scoring model "
        "finds the patterns the demo plants, over many seeds; tests/scorecards/"
        "test_demo_markers.py runs it on three"
    ),
}

#: Decorator modules whose attributes wrap a function rather than register it.
WRAPPERS = frozenset({"functools", "contextlib", "dataclasses", "typing", "abc"})


def _registers(decorator: ast.expr) -> bool:
    """Whether ``decorator`` registers the function it decorates (``@bp.get("/")``,
    ``@app.cli.command()``): an attribute, not of one of the ``WRAPPERS`` modules."""
    node = decorator.func if isinstance(decorator, ast.Call) else decorator
    if not isinstance(node, ast.Attribute):
        return False
    base = node.value
    while isinstance(base, ast.Attribute):
        base = base.value
    return not (isinstance(base, ast.Name) and base.id in WRAPPERS)


def _self_registering(
    tree: Tree, module: Module, node: ast.ClassDef, seen: frozenset[str] = frozenset()
) -> bool:
    """Whether the class ``node`` registers itself: one of its bases, in the tree, defines
    ``__init_subclass__`` or registers itself."""
    for base in node.bases:
        target = tree.references(module, base)
        for dotted in target:
            if dotted in seen:
                continue
            owner, _dot, name = dotted.rpartition(".")
            found = tree.modules[owner].defs.get(name)
            if not isinstance(found, ast.ClassDef):
                continue
            defines = any(
                isinstance(item, ast.FunctionDef) and item.name == "__init_subclass__"
                for item in found.body
            )
            if defines or _self_registering(tree, tree.modules[owner], found, seen | {dotted}):
                return True
    return False


def not_run(
    base: Path,
    checked: tuple[str, ...] = CHECKED,
    also_read: tuple[str, ...] = ALSO_READ,
    elsewhere: dict[str, str] | tuple[str, ...] = tuple(RUN_ELSEWHERE),
) -> list[str]:
    """Every top-level definition under ``checked`` that the application does not run (see
    the module's docstring), dotted and sorted."""
    tree = Tree(base, [top for top in (*checked, *also_read) if (base / top).is_dir()])
    wsgi = base / "wsgi.py"
    if wsgi.is_file():
        module = Module("wsgi", "", parse(wsgi))
        tree.modules["wsgi"] = module
        tree._bind(module)
    every = {
        f"{m.name}.{d}": (m, node) for m in tree.modules.values() for d, node in m.defs.items()
    }
    roots: set[str] = set(elsewhere)
    for name, module in tree.modules.items():
        for stmt in module.tree.body:
            if isinstance(stmt, DEFS):
                dotted = f"{name}.{stmt.name}"
                if any(_registers(d) for d in stmt.decorator_list):
                    roots.add(dotted)
                if isinstance(stmt, ast.ClassDef) and _self_registering(tree, module, stmt):
                    roots.add(dotted)
                for decorator in stmt.decorator_list:
                    roots |= tree.references(module, decorator)
            elif not is_main_guard(stmt):
                roots |= tree.references(module, stmt)
    prefixes = tuple(f"{top}." for top in checked)
    run = reached(tree, roots, every)
    return sorted(d for d in set(every) - run if d.startswith(prefixes))


# --- the rule on the real tree ------------------------------------------------------------------


def test_the_application_runs_all_its_code() -> None:
    assert not_run(ROOT) == []


def test_every_exception_names_a_definition() -> None:
    tree = Tree(ROOT, [*CHECKED, *ALSO_READ])
    every = {f"{m.name}.{d}" for m in tree.modules.values() for d in m.defs}
    assert set(RUN_ELSEWHERE) <= every


# --- the check catches what it is for (a small tree written for each) ---------------------------


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """An app whose code is run in each way the walk follows; the tests call the rest."""
    return write_tree(
        tmp_path,
        {
            "wsgi.py": "from survey import create_app\napp = create_app()\n",
            "survey/__init__.py": (
                "from survey.pages import bp\ndef create_app():\n    return bp\n"
            ),
            "survey/pages.py": (
                "import functools\n"
                "from survey.kinds import KINDS\n"
                "from survey.helpers import shown\n"
                "bp = object()\n"
                "@bp.get('/')\n"
                "def page():\n"
                "    return shown(KINDS)\n"
                "@functools.lru_cache\n"
                "def cached():\n"  # wrapped, not registered: only the tests call it
                "    return 1\n"
            ),
            "survey/helpers.py": (
                "def shown(kinds):\n"
                "    return sorted(kinds)\n"
                "def unused(kinds):\n"  # only the tests call it
                "    return kinds\n"
            ),
            "survey/kinds.py": (
                "KINDS = {}\n"
                "class Kind:\n"
                "    def __init_subclass__(cls):\n"
                "        KINDS[cls.__name__] = cls\n"
                "class _Scale(Kind):\n"
                "    pass\n"
                "class Likert(_Scale):\n"  # registers itself through its base's base
                "    pass\n"
                "class Loose:\n"  # no registry, nobody uses it
                "    pass\n"
            ),
            "forms/__init__.py": "",
            "forms/fields.py": "def field():\n    return 1\n",  # only the tests use it
            "tests/test_helpers.py": (
                "from survey.helpers import unused\n"
                "from survey.pages import cached\n"
                "from forms.fields import field\n"
                "def test_unused():\n"
                "    assert unused(1) == 1 and cached() == field()\n"
            ),
        },
    )


def test_what_only_the_tests_call_fails(tree: Path) -> None:
    assert not_run(tree, elsewhere=()) == [
        "forms.fields.field",
        "survey.helpers.unused",
        "survey.kinds.Loose",
        "survey.pages.cached",
    ]


def test_routes_registries_and_the_app_factory_count_as_run(tree: Path) -> None:
    write_tree(
        tree,
        {
            "survey/helpers.py": "def shown(kinds):\n    return sorted(kinds)\n",
            "survey/kinds.py": (
                "KINDS = {}\n"
                "class Kind:\n"
                "    def __init_subclass__(cls):\n"
                "        KINDS[cls.__name__] = cls\n"
                "class Likert(Kind):\n"
                "    pass\n"
            ),
            "survey/pages.py": (
                "from survey.kinds import KINDS\n"
                "from survey.helpers import shown\n"
                "from forms.fields import field\n"
                "bp = object()\n"
                "@bp.get('/')\n"
                "def page():\n"
                "    return shown(KINDS), field()\n"
            ),
        },
    )
    assert not_run(tree, elsewhere=()) == []


def test_an_entry_point_run_elsewhere_counts_as_run(tree: Path) -> None:
    assert "survey.helpers.unused" not in not_run(tree, elsewhere=("survey.helpers.unused",))


def test_an_unregistered_function_only_a_dead_one_calls_fails(tree: Path) -> None:
    write_tree(
        tree,
        {
            "survey/helpers.py": (
                "def shown(kinds):\n"
                "    return sorted(kinds)\n"
                "def unused(kinds):\n"
                "    return _inner(kinds)\n"
                "def _inner(kinds):\n"
                "    return kinds\n"
            )
        },
    )
    assert {"survey.helpers.unused", "survey.helpers._inner"} <= set(not_run(tree, elsewhere=()))
