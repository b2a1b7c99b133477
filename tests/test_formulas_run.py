"""Every formula the tests check is one the application runs, read from the source with ``ast``.

The scorecard's arithmetic lives in ``analysis/`` (pure) and ``survey/scorecards/services/``
(read, then compute). A function there that only the tests call is a second formula: the tests
prove it while the pages show what another one computes. So every top-level function and
class of those two places must be reachable from the application: from a module of
``survey/`` outside them (the app factory, its blueprints, services, CLI commands and the
demo), through calls, references and imports followed across modules (``from m import f``,
``m.f`` on an imported module, a name re-exported by another module), or from the
module-level code of a module of those places (a cache built at import). The tests are no
root: nothing under ``tests/`` is read.

A short list of exceptions, ``RUN_ELSEWHERE``, names the entry points that something other
than the application runs; what they reach counts as run. Each says who runs it and why.
Nothing is imported or executed; names are resolved, not evaluated, so a local variable that
shadows a module's function still counts as a reference to it (the check errs towards "run").
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from tests.import_graph import DEFS, Module, Tree, is_main_guard, reached, write_tree

ROOT = Path(__file__).resolve().parent.parent

#: Where the formulas live: every top-level function and class below these must be run.
FORMULAS = ("analysis", "survey/scorecards/services")
#: The application: every module below it (outside ``FORMULAS``) is a root.
APP = "survey"

#: Entry points outside the application whose reach counts as run, with who runs them.
RUN_ELSEWHERE: dict[str, str] = {
    "analysis.validate.main": (
        "`make validate` (python -m analysis.validate): the simulation study that proves the "
        "model's intervals, false-flag and badge rates on data drawn from a known truth; it "
        "scores with the model's own functions (and the exact Mann-Kendall table, to score "
        "millions of simulated series quickly), so what only it runs is the proof's apparatus, "
        "not a second formula the pages skip"
    ),
    "survey.scorecards.services.chart_cache.clear": (
        "`make bench` (bench/scorecard_pages.py) empties the chart cache to time a department "
        "page whose charts are drawn again; the app never empties it (entries are keyed by "
        "the data drawn, so a stale entry is never read, and the LRU bounds the memory)"
    ),
}


def formula_modules(tree: Tree, formulas: Iterable[str]) -> list[Module]:
    prefixes = [f.replace("/", ".") for f in formulas]
    return [
        m
        for name, m in sorted(tree.modules.items())
        if any(name == p or name.startswith(p + ".") for p in prefixes)
    ]


def not_run(
    base: Path,
    formulas: Iterable[str] = FORMULAS,
    app: str = APP,
    elsewhere: Iterable[str] = RUN_ELSEWHERE,
) -> list[str]:
    """Every top-level definition under ``formulas`` that the application (``app``, or an entry
    point of ``elsewhere``) does not reach, dotted and sorted."""
    formulas = tuple(formulas)
    tops = {app, *(f.split("/")[0] for f in formulas)}
    tree = Tree(base, sorted(tops))
    subjects = formula_modules(tree, formulas)
    subject_names = {m.name for m in subjects}
    wanted = {f"{m.name}.{d}": (m, node) for m in subjects for d, node in m.defs.items()}

    roots: set[str] = set(elsewhere)
    for name, module in tree.modules.items():
        if name in subject_names:
            for stmt in module.tree.body:
                if not isinstance(stmt, DEFS) and not is_main_guard(stmt):
                    roots |= tree.references(module, stmt)
        elif name == app or name.startswith(app + "."):
            roots |= tree.references(module, module.tree)

    return sorted(set(wanted) - reached(tree, roots, wanted))


def definitions(base: Path, formulas: Iterable[str] = FORMULAS) -> Iterator[str]:
    tree = Tree(base, sorted({f.split("/")[0] for f in formulas}))
    for module in formula_modules(tree, formulas):
        yield from (f"{module.name}.{d}" for d in module.defs)


# --- the rule on the real tree ------------------------------------------------------------------


def test_the_walk_finds_the_formulas() -> None:
    found = set(definitions(ROOT))
    assert len(found) > 150, len(found)
    assert {
        "analysis.model.score_quarter",
        "survey.scorecards.services.scorecards.build_scorecard",
    } <= found


def test_every_formula_the_tests_check_is_run_by_the_app() -> None:
    assert not_run(ROOT) == []


def test_every_exception_names_a_formula() -> None:
    assert set(RUN_ELSEWHERE) <= set(definitions(ROOT))


# --- the check catches what it is for (a small tree written for each) ---------------------------


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """An app calling its formulas in each way the walk follows; ``tests/`` calls the rest."""
    return write_tree(
        tmp_path,
        {
            "survey/__init__.py": "from survey.pages import page\n",
            "survey/pages.py": (
                "from analysis import stats\n"
                "import analysis.model\n"
                "from survey.scorecards.services.cards import build as make\n"
                "def page():\n"
                "    return stats.mean([1]), analysis.model.Score, make()\n"
            ),
            "survey/scorecards/__init__.py": "",
            "survey/scorecards/services/__init__.py": "",
            "survey/scorecards/services/cards.py": (
                "from .results import Card\n"
                "def build():\n"
                "    return Card(_helper())\n"
                "def _helper():\n"
                "    return 1\n"
            ),
            "survey/scorecards/services/results.py": (
                "from analysis.model import Card\n"  # a re-export
                "CACHE = {}\n"
                "def clear():\n"
                "    CACHE.clear()\n"
            ),
            "analysis/__init__.py": "",
            "analysis/stats.py": (
                "def mean(values):\n"
                "    return sum(values) / len(values)\n"
                "def median(values):\n"  # only the tests call it
                "    return sorted(values)[len(values) // 2]\n"
            ),
            "analysis/model.py": (
                "from analysis.stats import mean\n"
                "class Score:\n"
                "    def value(self):\n"
                "        return mean([2])\n"
                "class Card:\n"
                "    pass\n"
                "WEIGHT = mean([3])\n"
            ),
            "analysis/study.py": (
                "from analysis import stats\n"
                "def main():\n"
                "    return stats.median([1, 2])\n"
                "if __name__ == '__main__':\n"
                "    main()\n"
            ),
            "tests/test_stats.py": (
                "from analysis.stats import median\n"
                "from survey.scorecards.services.results import clear\n"
                "def test_median():\n"
                "    assert median([1, 2, 3]) == 2\n"
                "    clear()\n"
            ),
        },
    )


def test_a_tree_whose_formulas_all_run_passes(tree: Path) -> None:
    write_tree(tree, {"analysis/study.py": "", "analysis/stats.py": "def mean(v):\n    return 0\n"})
    write_tree(
        tree,
        {"survey/admin.py": "from survey.scorecards.services import results\nresults.clear()\n"},
    )
    assert not_run(tree, elsewhere=()) == []


def test_a_formula_only_the_tests_call_fails(tree: Path) -> None:
    write_tree(tree, {"analysis/study.py": ""})
    assert not_run(tree, elsewhere=()) == [
        "analysis.stats.median",
        "survey.scorecards.services.results.clear",
    ]


def test_a_formula_only_a_test_only_formula_calls_fails(tree: Path) -> None:
    """Reaching is followed, not merely looked up: a study nobody runs runs nothing."""
    assert not_run(tree, elsewhere=()) == [
        "analysis.stats.median",
        "analysis.study.main",
        "survey.scorecards.services.results.clear",
    ]


def test_an_entry_point_run_elsewhere_counts_as_run(tree: Path) -> None:
    assert not_run(tree, elsewhere=("analysis.study.main",)) == [
        "survey.scorecards.services.results.clear",
    ]


def test_a_private_helper_only_a_dead_function_calls_fails(tree: Path) -> None:
    write_tree(
        tree,
        {
            "survey/scorecards/services/cards.py": (
                "from .results import Card\n"
                "def build():\n"
                "    return Card()\n"
                "def _helper():\n"
                "    return 1\n"
            ),
            "analysis/study.py": "",
        },
    )
    assert "survey.scorecards.services.cards._helper" in not_run(tree, elsewhere=())
