"""Times the scorecard pages of one database in a fresh process (so that "cold" means a
worker that has drawn no chart yet) and reports the worker's peak memory.

    python -m bench.scorecard_pages DATABASE_URL QUARTER CODE   (prints JSON)
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import time
from typing import Any

WARM_REPEATS = 11  # warm pages take milliseconds: enough views for a steady median


def _timed(client: Any, path: str) -> float:
    started = time.perf_counter()
    reply = client.get(path)
    elapsed = time.perf_counter() - started
    if reply.status_code != 200:
        raise RuntimeError(f"{path}: {reply.status_code}")
    return elapsed


def measure(url: str, quarter: str, code: str) -> dict[str, Any]:
    from sqlalchemy import select

    from bench.fixtures import sign_in
    from survey import create_app
    from survey.db import database
    from survey.models import User
    from survey.services.accounts import create_user

    app = create_app(
        {"DATABASE_URL": url, "SECRET_KEY": "bench-secret-key-of-thirty-two-characters-at-least"}
    )
    with app.app_context(), database(app).sessionmaker() as session:
        email = "bench-viewer@bench.example"
        if session.scalar(select(User.id).where(User.email == email)) is None:
            create_user(session, email, "bench password 1", role="viewer")
            session.commit()
    client = app.test_client()
    sign_in(client, email, "bench password 1")
    figures: dict[str, Any] = {}
    for name, path in (
        ("overview", f"/scorecards/?quarter={quarter}"),
        ("department", f"/scorecards/{code}?quarter={quarter}"),
    ):
        cold = _timed(client, path)
        warm = statistics.median(_timed(client, path) for _ in range(WARM_REPEATS))
        figures[name] = {"cold_s": round(cold, 3), "warm_s": round(warm, 3)}
    from survey.scorecards.services import chart_cache

    chart_cache.clear()
    started = time.perf_counter()
    _timed(client, f"/scorecards/{code}?quarter={quarter}")
    with_charts = time.perf_counter() - started
    figures["department_charts_redrawn_s"] = round(with_charts, 3)
    figures["peak_rss_mb"] = round(_peak_rss_kb() / 1024, 1)
    return figures


def _peak_rss_kb() -> int:
    """This process's peak resident memory in KiB. Linux's ``VmHWM`` belongs to the process's
    own memory map; ``ru_maxrss`` survives ``exec`` and so starts at the launching process's
    size (the benchmark runner holds hundreds of megabytes by then)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1], sys.argv[2], sys.argv[3])))
