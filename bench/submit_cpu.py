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
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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


def _submit(app: Any, token: str) -> float:
    """CPU seconds of one POST of ``token``'s form (after its untimed GET)."""
    client = app.test_client()
    page = client.get(f"/r/{token}")
    match = CSRF.search(page.get_data(as_text=True))
    if page.status_code != 200 or match is None:
        raise RuntimeError(f"GET /r/<token> answered {page.status_code}")
    data = {**ANSWERS, "csrf_token": match.group(1)}
    start = time.process_time()
    reply = client.post(f"/r/{token}", data=data)
    spent = time.process_time() - start
    if reply.status_code != 302:
        raise RuntimeError(f"POST /r/<token> answered {reply.status_code}")
    return spent


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
        for index in range(count + WARMUP):
            for name, app in apps.items():
                seconds = _submit(app, tokens[name][index])
                if index >= WARMUP:
                    spent[name].append(seconds)
        bench.baseline_app.engine.dispose()
    out: dict[str, dict[str, float]] = {}
    for name, values in spent.items():
        out[name] = {
            "median_ms": 1000 * statistics.median(values),
            "p10_ms": 1000 * statistics.quantiles(values, n=10)[0],
        }
    out["ratio"] = {
        key: out["baseline"][key] / out["app"][key] for key in ("median_ms", "p10_ms")
    }
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
