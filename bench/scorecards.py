"""Scorecards at scale: the organisation overview and a department scorecard on a database
with about 1,000,000 answers (200 departments, 12 quarters), cold and warm, against the same
pages on a database with about 10,000 answers; chart drawing time; a worker's peak memory.

Targets: overview under 0.5 s and department page under 0.3 s once warm; a page at 1 million
answers costs at most 1.5 times the same page at 10 thousand; peak memory under 300 MB.
Databases are built once per run (the 1-million one takes a few minutes; ``folder`` keeps
them for later runs) and timed in fresh processes (``bench.scorecard_pages``), the two sizes
alternately, each ``repeats`` times; medians reported.

    python -m bench scorecards                          # part of make bench
    python -m bench.scorecards --folder /tmp/siq-sc     # keeps and reuses the databases
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import fixtures, scorecard_data

ROOT = Path(__file__).resolve().parent.parent
SIZES = {"10k": 10_000, "1m": 1_000_000}


def _build(folder: Path, name: str, answers: int, departments: int) -> tuple[str, float, int]:
    """The database ``name`` in ``folder``: built unless a finished one is there already (then
    only brought up to the newest migration). Returns its URL, the build time and the number
    of answers stored."""
    from sqlalchemy import func, select

    from survey.models import Answer

    url = fixtures.sqlite_url(folder, name)
    done = folder / f"{name}.built"
    started = time.perf_counter()
    if not done.exists():
        (folder / f"{name}.sqlite3").unlink(missing_ok=True)
        fixtures.create_database(url)
        with fixtures.bench_session(url) as session:
            scorecard_data.build(session, departments, answers)
        done.write_text(f"{departments} departments, {answers} answers\n")
    else:
        fixtures.create_database(url)  # migrations the stored database does not have yet
    build_s = time.perf_counter() - started
    with fixtures.bench_session(url) as session:
        stored = int(session.scalar(select(func.count()).select_from(Answer)) or 0)
    return url, build_s, stored


def _measure(url: str) -> dict[str, Any]:
    quarter = scorecard_data.QUARTERS[-1]
    out = subprocess.run(
        [sys.executable, "-m", "bench.scorecard_pages", url, quarter, "D007"],
        cwd=str(ROOT),
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(repeats: int = 5, departments: int = 200, folder: str | None = None) -> dict[str, Any]:
    """Both databases are built first (or reused from ``folder``, which keeps them for the
    next run); the sizes are then measured alternately, so that each ratio compares runs a
    few seconds apart on this shared machine."""
    where = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="siq-bench-scorecards-"))
    where.mkdir(parents=True, exist_ok=True)
    built = {size: _build(where, size, answers, departments) for size, answers in SIZES.items()}
    runs: dict[str, list[dict[str, Any]]] = {size: [] for size in SIZES}
    for _ in range(repeats):
        for size in SIZES:
            runs[size].append(_measure(built[size][0]))
    figures: dict[str, Any] = {}
    for size, (_url, build_s, stored) in built.items():
        entry: dict[str, Any] = {"answers": stored, "build_s": round(build_s, 1)}
        for page in ("overview", "department"):
            for key in ("cold_s", "warm_s"):
                entry[f"{page}_{key}"] = round(
                    statistics.median(r[page][key] for r in runs[size]), 3
                )
        entry["charts_redrawn_s"] = round(
            statistics.median(r["department_charts_redrawn_s"] for r in runs[size]), 3
        )
        entry["peak_rss_mb"] = max(r["peak_rss_mb"] for r in runs[size])
        figures[size] = entry
    for page in ("overview", "department"):
        small = figures["10k"][f"{page}_warm_s"]
        figures[f"{page}_ratio_1m_10k"] = round(figures["1m"][f"{page}_warm_s"] / small, 2)
    return figures


def rows(figures: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    big = figures["1m"]
    out = []
    for page, target in (("overview", 0.5), ("department", 0.3)):
        warm, cold = big[f"{page}_warm_s"], big[f"{page}_cold_s"]
        ratio = figures[f"{page}_ratio_1m_10k"]
        out.append(
            (
                f"{page} page, {big['answers']:,} answers",
                f"warm {warm:.3f} s, cold {cold:.3f} s",
                f"warm < {target} s",
                "ok" if warm < target else "MISS",
            )
        )
        out.append(
            (
                f"{page} page, 1M vs 10k answers",
                f"{ratio:.2f}x",
                "<= 1.5x",
                "ok" if ratio <= 1.5 else "MISS",
            )
        )
    out.append(
        (
            "department page with every chart redrawn",
            f"{big['charts_redrawn_s']:.3f} s",
            "(reported)",
            "",
        )
    )
    out.append(
        (
            "peak memory of a worker",
            f"{big['peak_rss_mb']:.0f} MB",
            "< 300 MB",
            "ok" if big["peak_rss_mb"] < 300 else "MISS",
        )
    )
    return out


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folder", help="keep the databases here and reuse them")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    result = run(args.repeats, folder=args.folder)
    print(json.dumps(result, indent=2))
    for row in rows(result):
        print("  ".join(row))
