"""The analysis package stays pure: standard library, numpy, scipy and matplotlib only (never
Flask, SQLAlchemy, ``survey`` or pyplot), so it can run from a notebook."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.import_graph import absolute_imports, parse

PACKAGE = Path(__file__).resolve().parents[2] / "analysis"
ALLOWED = {"numpy", "scipy", "matplotlib", "analysis", "__future__"}
FORBIDDEN = {"flask", "flask_babel", "sqlalchemy", "survey", "forms", "pandas"}


def _imports(path: Path) -> set[str]:
    return {name for name, _line in absolute_imports(parse(path))}


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_module_imports_only_the_allowed_packages(path: Path) -> None:
    for name in _imports(path):
        top = name.split(".")[0]
        assert top not in FORBIDDEN, f"{path.name} imports {name}"
        assert top in ALLOWED or top in sys.stdlib_module_names, f"{path.name} imports {name}"
        assert "pyplot" not in name, f"{path.name} uses pyplot"


def test_importing_the_package_loads_neither_pyplot_nor_the_app() -> None:
    code = (
        "import sys, analysis.charts, analysis.scoring, analysis.stats, analysis.anonymity\n"
        "bad = [m for m in ('matplotlib.pyplot', 'flask', 'sqlalchemy', 'survey') "
        "if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        cwd=PACKAGE.parent,
    )  # fmt: skip
    assert result.stdout.strip() == ""
