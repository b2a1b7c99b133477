"""The respondent path under gunicorn (2 sync workers, production settings, CSRF on) against
the minimal baseline app in the same run, on SQLite and on PostgreSQL.

Each run gets a fresh database with its own open invitations, so every POST uses a fresh link.
Runs go in pairs: baseline and real app served at once, loaded in turn a slice at a time
(``loadgen.run_interleaved``), so that both see the same machine: it is shared, and its speed
moves by tens of percent within a minute. The figure the targets apply to is the median over
pairs of the ratio real/baseline of requests per second within a pair (GET >= 0.8,
POST >= 0.75); medians of each app's own figures are reported beside it. The app's submits
queue (``respond.services.filing``): after its timed phases the queue is filed as the next page
or tick would file it, timed apart (milliseconds per response, reported beside the ratios).
Rows stored are counted afterwards and must equal the successful POSTs.
"""

from __future__ import annotations

import statistics
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
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


def _one_pair(
    new_url: Callable[[str], str], repeat: int, links: int, rounds: int, concurrency: int
) -> dict[str, dict[str, Any]]:
    """Baseline and app, each on a fresh database with ``links`` open invitations (plus the
    warm-up's) under its own gunicorn, both up at once and loaded in turn
    (``loadgen.run_interleaved``): per app, the summary of its timed phases and the rows its
    timed POSTs stored."""
    urls = {app: new_url(f"bench_{app}_{repeat}") for app in APPS}
    tokens = {app: _prepare(url, links + WARMUP) for app, url in urls.items()}
    common = {
        "SURVEY_SECRET_KEY": "bench-secret-key-of-enough-length",
        "SURVEY_BASE_URL": "http://127.0.0.1",
        # The load comes from one address; the baseline has no limiter either.
        "SURVEY_RATELIMIT_ENABLED": "0",
    }
    with ExitStack() as servers:
        ports = {}
        for app, (target, variable) in APPS.items():
            env = {**common, variable: urls[app], "SURVEY_DATABASE_URL": urls[app]}
            ports[app] = servers.enter_context(Gunicorn(target, env, "/healthz")).port
        results = loadgen.run_interleaved(
            ports, tokens, rounds, concurrency=concurrency, warmup=WARMUP
        )
    out = {}
    for app, result in results.items():
        summary: dict[str, Any] = dict(result.summary())
        if app == "app":
            # The app's submits queue; filing them is the next reader's work, timed apart.
            filed, seconds = fixtures.file_queued(urls[app])
            summary["filed"] = filed
            summary["filing_ms_per_response"] = 1000 * seconds / filed if filed else None
        # Rows stored by the timed POSTs: the warm-up's successful POSTs stored theirs first.
        summary["rows"] = fixtures.count_rows(urls[app], "responses") - result.warmup_ok
        out[app] = summary
    return out


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


def run(
    repeats: int = 3, links: int = 600, rounds: int = 6, concurrency: int = 4
) -> dict[str, Any]:
    """Figures per backend: medians per app and phase, ratios, and the row check.
    ``repeats`` pairs of fresh servers and databases, each loaded in ``rounds`` turns."""
    figures: dict[str, Any] = {}
    for backend, urls in (("sqlite", _sqlite_urls), ("postgres", _postgres_urls)):
        runs: dict[str, list[dict[str, Any]]] = {"baseline": [], "app": []}
        with urls() as new_url:
            for repeat in range(repeats):
                pair = _one_pair(new_url, repeat, links, rounds, concurrency)
                for app in runs:
                    runs[app].append(pair[app])
        entry: dict[str, Any] = {}
        for app, results in runs.items():
            entry[app] = {
                phase: {
                    key: _median(results, phase, key)
                    for key in ("rps", "p50_ms", "p99_ms", "errors", "ok")
                }
                for phase in ("get", "post")
            }
            entry[app]["rows_equal_successes"] = all(r["rows"] == r["post"]["ok"] for r in results)
            entry[app]["errors_total"] = sum(
                r["get"]["errors"] + r["post"]["errors"] for r in results
            )
        entry["app"]["filing_ms_per_response"] = statistics.median(
            r["filing_ms_per_response"] or 0.0 for r in runs["app"]
        )
        entry["app"]["filed"] = sum(r["filed"] for r in runs["app"])
        for phase in ("get", "post"):
            pairs = [
                app[phase]["rps"] / base[phase]["rps"] if base[phase]["rps"] else 0.0
                for app, base in zip(runs["app"], runs["baseline"], strict=True)
            ]
            entry[f"{phase}_ratios"] = [round(r, 3) for r in pairs]
            entry[f"{phase}_ratio"] = round(statistics.median(pairs), 3)
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
        out.append(
            (
                f"{backend} filing the queued submits",
                f"{entry['app']['filing_ms_per_response']:.2f} ms per response "
                f"({entry['app']['filed']} filed, after the timed phases)",
                "(reported)",
                "",
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
