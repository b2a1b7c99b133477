"""The benchmark table: every benchmark's rows, built from the figures of the newest full
run committed in ``bench/results/``, are four texts each (``python -m bench`` prints them in
columns; a number among them stopped ``make bench`` after all its work was done)."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

from bench.__main__ import BENCHMARKS

RESULTS = Path(__file__).resolve().parent.parent / "bench" / "results"


def _newest_full_run() -> dict[str, dict]:
    for path in sorted(RESULTS.glob("*.json"), reverse=True):
        benchmarks = json.loads(path.read_text())["benchmarks"]
        if set(BENCHMARKS) <= set(benchmarks):
            return benchmarks
    raise AssertionError("no committed run of every benchmark in bench/results/")


def test_every_benchmark_row_is_four_texts() -> None:
    figures = _newest_full_run()
    for name, spec in BENCHMARKS.items():
        rows = importlib.import_module(spec["module"]).rows(figures[name])
        assert rows, name
        for row in rows:
            assert len(row) == 4 and all(isinstance(cell, str) for cell in row), (name, row)
