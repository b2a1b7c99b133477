"""The respondent path under gunicorn (2 sync workers, production settings, CSRF on) against
the minimal baseline app in the same run, on SQLite and on PostgreSQL.

Each run gets a fresh database with its own open invitations, so every POST uses a fresh link.
Runs alternate baseline and real app and repeat; medians are reported, and the ratio
real/baseline of requests per second is the figure the targets apply to (GET >= 0.8,
POST >= 0.75). Rows stored are counted afterwards and must equal the successful POSTs.
"""

from __future__ import annotations

import statistics
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench import fixtures, loadgen
from bench.server import Gunicorn

APPS = {
    "baseline": ("bench.baseline_app:app", "BENCH_DATABASE_URL"),
    "app": ("wsgi:app", "SURVEY_DATABASE_URL"),
}


# Links each server answers (GET and POST) before the timed phases: about ten per worker.
WARMUP = 20


def _prepare(url: str, links: int) -> list[str]:
    fixtures.create_database(url)
    with fixtures.bench_session(url) as session:
        fixtures.seed_organisation(session)
        return fixtures.open_invitations(session, links)


def _one_run(app: str, url: str, links: int, concurrency: int) -> dict[str, Any]:
    tokens = _prepare(url, links + WARMUP)
    target, variable = APPS[app]
    env = {
        variable: url,
        "SURVEY_DATABASE_URL": url,
        "SURVEY_SECRET_KEY": "bench-secret-key-of-enough-length",
        "SURVEY_BASE_URL": "http://127.0.0.1",
        # The load comes from one address; the baseline has no limiter either.
        "SURVEY_RATELIMIT_ENABLED": "0",
    }
    with Gunicorn(target, env, "/healthz") as server:
        result = loadgen.run(server.port, tokens, concurrency=concurrency, warmup=WARMUP)
    summary = result.summary()
    # Rows stored by the timed POSTs: the warm-up's successful POSTs stored theirs first.
    summary["rows"] = fixtures.count_rows(url, "responses") - result.warmup_ok
    return summary


@contextmanager
def _sqlite_urls() -> Iterator[Callable[[str], str]]:
    folder = Path(tempfile.mkdtemp(prefix="siq-bench-"))
    yield lambda name: fixtures.sqlite_url(folder, name)


@contextmanager
def _postgres_urls() -> Iterator[Callable[[str], str]]:
    from sqlalchemy import text

    from survey.db import make_engine
    from tests.pg import Cluster

    cluster = Cluster()
    cluster.start()
    admin = make_engine(cluster.url(), isolation_level="AUTOCOMMIT")

    def new(name: str) -> str:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        return cluster.url(name)

    try:
        yield new
    finally:
        admin.dispose()
        cluster.stop()


def _median(runs: list[dict[str, Any]], phase: str, key: str) -> float:
    return float(statistics.median(r[phase][key] for r in runs))


def run(repeats: int = 5, links: int = 300, concurrency: int = 4) -> dict[str, Any]:
    """Figures per backend: medians per app and phase, ratios, and the row check."""
    figures: dict[str, Any] = {}
    for backend, urls in (("sqlite", _sqlite_urls), ("postgres", _postgres_urls)):
        runs: dict[str, list[dict[str, Any]]] = {"baseline": [], "app": []}
        with urls() as new_url:
            for repeat in range(repeats):
                for app in ("baseline", "app"):
                    url = new_url(f"bench_{app}_{repeat}")
                    runs[app].append(_one_run(app, url, links, concurrency))
        entry: dict[str, Any] = {}
        for app, results in runs.items():
            entry[app] = {
                phase: {
                    key: _median(results, phase, key)
                    for key in ("rps", "p50_ms", "p99_ms", "errors", "ok")
                }
                for phase in ("get", "post")
            }
            entry[app]["rows_equal_successes"] = all(
                r["rows"] == r["post"]["ok"] for r in results
            )
            entry[app]["errors_total"] = sum(
                r["get"]["errors"] + r["post"]["errors"] for r in results
            )
        for phase in ("get", "post"):
            base = entry["baseline"][phase]["rps"]
            entry[f"{phase}_ratio"] = round(entry["app"][phase]["rps"] / base, 3) if base else 0.0
        figures[backend] = entry
    return figures


def rows(figures: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """Table rows: (figure, value, target, verdict)."""
    out = []
    for backend, entry in figures.items():
        if not isinstance(entry, dict):
            continue
        for phase, target in (("get", 0.8), ("post", 0.75)):
            app = entry["app"][phase]
            base = entry["baseline"][phase]
            ratio = entry[f"{phase}_ratio"]
            out.append(
                (
                    f"{backend} {phase.upper()} /r/<token>",
                    f"{app['rps']:.0f} rps (baseline {base['rps']:.0f}), ratio {ratio:.2f}, "
                    f"p50 {app['p50_ms']:.1f} ms, p99 {app['p99_ms']:.1f} ms",
                    f">= {target}x baseline",
                    "ok" if ratio >= target else "MISS",
                )
            )
        errors = entry["app"]["errors_total"] + entry["baseline"]["errors_total"]
        stored = entry["app"]["rows_equal_successes"] and entry["baseline"]["rows_equal_successes"]
        out.append(
            (
                f"{backend} errors / rows stored",
                f"{errors} errors; rows {'=' if stored else '!='} successful POSTs",
                "0 errors; rows = successes",
                "ok" if errors == 0 and stored else "MISS",
            )
        )
    return out
