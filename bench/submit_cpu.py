"""CPU per respondent submit, in process: the app and the baseline app alternating.

``python -m bench.submit_cpu [sqlite|postgres] [N]`` builds two fresh databases as the
respondent benchmark does (``bench.fixtures``), loads the real app (``wsgi``) and the baseline
(``bench.baseline_app``) in this one process, and submits N links to each in turn (app, then
baseline, then app ...), each through the test client: GET the page (untimed, for its CSRF
token), then POST the answers of ``bench.loadgen`` (timed with ``time.process_time``). Fifty
links each are submitted first, untimed (compiling statements, templates, the questionnaire).

Printed: each app's median and tenth percentile CPU milliseconds per POST and the ratio
baseline / app, the in-process counterpart of the served benchmark's POST ratio. No server,
no load generator, no network: the ratio moves much less with the machine's load than the
served one, so it can compare two versions of the code (run it in each checkout in turn).

On PostgreSQL the database's own work runs in its server processes, which this process's
CPU time does not count: the CPU of each app's server processes (its database's client
backends, read from ``/proc``) during its POSTs is added up too and printed as the mean per
POST. The kernel counts it in clock ticks (10 ms here), so only the sum over many POSTs
means anything; the server's background processes (WAL writer, checkpointer) are left out.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench import fixtures
from bench.loadgen import ANSWERS, CSRF

WARMUP = 50


@contextmanager
def _databases(backend: str) -> Iterator[Callable[[str], str]]:
    if backend == "sqlite":
        folder = tempfile.mkdtemp(prefix="siq-submit-cpu-")
        yield lambda name: f"sqlite:///{folder}/{name}.sqlite3"
        return
    from bench.respondent import _postgres_urls

    with _postgres_urls() as new_url:
        yield new_url


_TICK = os.sysconf("SC_CLK_TCK")


def _server_pids(url: str) -> list[int]:
    """The PostgreSQL client backends connected to ``url``'s database, this query's aside."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            query = (
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                " AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
            )
            return [int(pid) for pid in conn.execute(text(query)).scalars()]
    finally:
        engine.dispose()


def _cpu_seconds(pids: list[int]) -> float:
    """User and system CPU seconds of the processes ``pids`` so far (ended ones count 0)."""
    total = 0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        total += int(fields[11]) + int(fields[12])
    return total / _TICK


def _submit(app: Any, token: str, server: list[int] | None = None) -> tuple[float, float]:
    """CPU seconds of one POST of ``token``'s form (after its untimed GET) in this process,
    and in the ``server`` processes (0 without them)."""
    client = app.test_client()
    page = client.get(f"/r/{token}")
    match = CSRF.search(page.get_data(as_text=True))
    if page.status_code != 200 or match is None:
        raise RuntimeError(f"GET /r/<token> answered {page.status_code}")
    data = {**ANSWERS, "csrf_token": match.group(1)}
    server_start = _cpu_seconds(server) if server else 0.0
    start = time.process_time()
    reply = client.post(f"/r/{token}", data=data)
    spent = time.process_time() - start
    server_spent = (_cpu_seconds(server) - server_start) if server else 0.0
    if reply.status_code != 302:
        raise RuntimeError(f"POST /r/<token> answered {reply.status_code}")
    return spent, server_spent


def run(backend: str = "sqlite", count: int = 300) -> dict[str, dict[str, float]]:
    """Median and tenth percentile CPU ms per POST of each app, and the ratio."""
    with _databases(backend) as new_url:
        urls = {"app": new_url("submit_cpu_app"), "baseline": new_url("submit_cpu_baseline")}
        tokens = {}
        for name, url in urls.items():
            fixtures.create_database(url)
            with fixtures.bench_session(url) as session:
                fixtures.seed_organisation(session)
                tokens[name] = fixtures.open_invitations(session, count + WARMUP)
        os.environ.update(
            SURVEY_SECRET_KEY="bench-secret-key-of-enough-length",
            SURVEY_BASE_URL="http://127.0.0.1",
            SURVEY_RATELIMIT_ENABLED="0",
            SURVEY_DATABASE_URL=urls["app"],
            BENCH_DATABASE_URL=urls["baseline"],
        )
        import bench.baseline_app
        import wsgi

        apps = {"app": wsgi.app, "baseline": bench.baseline_app.app}
        spent: dict[str, list[float]] = {name: [] for name in apps}
        server: dict[str, list[float]] = {name: [] for name in apps}
        pids: dict[str, list[int]] = {name: [] for name in apps}
        for index in range(count + WARMUP):
            if index == WARMUP and backend == "postgres":
                pids = {name: _server_pids(url) for name, url in urls.items()}
            for name, app in apps.items():
                seconds, server_seconds = _submit(app, tokens[name][index], pids[name])
                if index >= WARMUP:
                    spent[name].append(seconds)
                    server[name].append(server_seconds)
        bench.baseline_app.engine.dispose()
    out: dict[str, dict[str, float]] = {}
    for name, values in spent.items():
        out[name] = {
            "median_ms": 1000 * statistics.median(values),
            "p10_ms": 1000 * statistics.quantiles(values, n=10)[0],
            "server_mean_ms": 1000 * statistics.mean(server[name]),
        }
    out["ratio"] = {key: out["baseline"][key] / out["app"][key] for key in ("median_ms", "p10_ms")}
    return out


if __name__ == "__main__":
    backend = sys.argv[1] if len(sys.argv) > 1 else "sqlite"
    figures = run(backend, int(sys.argv[2]) if len(sys.argv) > 2 else 300)
    app, base, ratio = figures["app"], figures["baseline"], figures["ratio"]
    print(
        f"{backend}: POST CPU app {app['median_ms']:.2f} ms (p10 {app['p10_ms']:.2f}), "
        f"baseline {base['median_ms']:.2f} ms (p10 {base['p10_ms']:.2f}); "
        f"baseline/app {ratio['median_ms']:.3f} (p10 {ratio['p10_ms']:.3f})"
    )
    if backend == "postgres":
        print(
            f"postgres server CPU per POST (mean): app {app['server_mean_ms']:.2f} ms, "
            f"baseline {base['server_mean_ms']:.2f} ms"
        )
