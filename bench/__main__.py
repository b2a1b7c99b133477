"""``make bench``: every benchmark in one run, a table, and ``bench/results/<date>.json``.

    python -m bench                 # everything
    python -m bench mail respondent # a selection (names below)

Each benchmark module exposes ``run() -> dict`` (its figures) and ``rows(figures)`` (table rows:
figure, value, target, verdict). Figures are medians of repeated runs; where a baseline exists
the ratio is taken within the same run, since the machine is shared and noisy.
"""

from __future__ import annotations

import importlib
import json
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCHMARKS: dict[str, dict[str, Any]] = {
    "campaign_open_2k": {"module": "bench.campaign_open", "kwargs": {"people": 2000}},
    "campaign_open_50k": {"module": "bench.campaign_open", "kwargs": {"people": 50_000}},
    "mail": {"module": "bench.mail", "kwargs": {}},
    "people_sync": {"module": "bench.people_sync", "kwargs": {}},
    "requests_import": {"module": "bench.requests_import", "kwargs": {}},
    "respondent": {"module": "bench.respondent", "kwargs": {}},
    "retention": {"module": "bench.retention", "kwargs": {}},
    "scorecards": {"module": "bench.scorecards", "kwargs": {}},
}
RESULTS = Path(__file__).resolve().parent / "results"


def _table(rows: list[tuple[str, str, str, str]]) -> str:
    header = ("figure", "value", "target", "")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(lines)


def main(names: list[str]) -> int:
    chosen = names or list(BENCHMARKS)
    unknown = [n for n in chosen if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
        return 2
    results: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": _cpus()},
        "benchmarks": {},
    }
    rows: list[tuple[str, str, str, str]] = []
    started = time.perf_counter()
    for name in chosen:
        spec = BENCHMARKS[name]
        try:
            module = importlib.import_module(spec["module"])
        except ModuleNotFoundError as error:
            print(f"{name}: skipped ({error})")
            continue
        began = time.perf_counter()
        print(f"{name} ...", flush=True)
        figures = module.run(**spec["kwargs"])
        figures["wall_seconds"] = round(time.perf_counter() - began, 1)
        results["benchmarks"][name] = figures
        rows += module.rows(figures)
    results["wall_seconds"] = round(time.perf_counter() - started, 1)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{datetime.now(UTC):%Y-%m-%d}.json"
    if out.exists():  # a partial run the same day updates only the benchmarks it ran
        earlier = json.loads(out.read_text())
        results["benchmarks"] = {**earlier.get("benchmarks", {}), **results["benchmarks"]}
    out.write_text(json.dumps(results, indent=2) + "\n")
    print()
    print(_table(rows))
    print(f"\n{results['wall_seconds']} s in all; figures in {out}")
    return 0


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
