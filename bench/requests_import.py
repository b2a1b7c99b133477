"""How long the requests CSV import takes, against plain bulk inserts of the same rows.

    .venv/bin/python -m bench.requests_import --rows 10000

Builds a fresh SQLite database with 20 departments and 2,000 people, and a file of N handled
requests (provider, requester, opened and resolved times without a zone, source and
reference, and a subject column the import ignores), each reference new. Measures, on new
databases each time, the preview (``preview_interactions``: every row recorded in a savepoint
rolled back), the import (``import_interactions`` and its commit) and the baseline: the same
rows as dictionaries put in by one bulk ``INSERT`` and committed, which is the least any
import of them must cost. Prints the medians of ``--runs`` runs in seconds, and each one's
ratio to the baseline (the figure to compare between machines).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select

from bench.fixtures import scratch_app, seed_organisation

DEPARTMENTS = 20
PEOPLE = 2000
NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
START = datetime(2026, 11, 1, 8)  # wall clock, organisation's zone (UTC in the bench)


def _build() -> Any:
    from survey.db import database

    app, _folder = scratch_app()
    with app.app_context(), database(app).sessionmaker() as session:
        seed_organisation(session, DEPARTMENTS, PEOPLE)
        session.commit()
    return app


def _requests(rows: int) -> list[dict[str, Any]]:
    """``rows`` requests, the same for every run (seeded)."""
    draw = random.Random(7)
    out = []
    for n in range(rows):
        opened = START + timedelta(minutes=3 * n % 40_000)
        out.append(
            {
                "provider": f"D{draw.randrange(DEPARTMENTS):02d}",
                "requester_email": f"p{draw.randrange(PEOPLE)}@bench.example",
                "opened_at": opened,
                "resolved_at": opened + timedelta(hours=draw.randrange(1, 48)),
                "source": "desk",
                "external_ref": f"T-{n}",
            }
        )
    return out


def _file(requests: list[dict[str, Any]]) -> bytes:
    lines = ["provider,requester_email,opened_at,resolved_at,source,external_ref,subject"]
    lines += [
        f"{r['provider']},{r['requester_email']},{r['opened_at']:%Y-%m-%d %H:%M},"
        f"{r['resolved_at']:%Y-%m-%d %H:%M},{r['source']},{r['external_ref']},Laptop {n}"
        for n, r in enumerate(requests)
    ]
    return ("\n".join(lines) + "\n").encode()


def _baseline(app: Any, requests: list[dict[str, Any]]) -> float:
    """Seconds to insert the rows as they are (codes and addresses resolved by two dictionary
    reads) in one bulk statement, and commit."""
    from survey.db import database
    from survey.models import Department, Interaction, Person

    with app.app_context(), database(app).sessionmaker() as session:
        started = time.perf_counter()
        departments = dict(session.execute(select(Department.code, Department.id)).all())
        people = dict(session.execute(select(Person.email, Person.id)).all())
        session.execute(
            insert(Interaction),
            [
                {
                    "provider_department_id": departments[r["provider"]],
                    "requester_person_id": people[r["requester_email"]],
                    "opened_at": r["opened_at"].replace(tzinfo=UTC),
                    "resolved_at": r["resolved_at"].replace(tzinfo=UTC),
                    "source": r["source"],
                    "external_ref": r["external_ref"],
                    "created_at": NOW,
                    "updated_at": NOW,
                    "survey_decision": "pending",
                    "paused_seconds": 0,
                    "reopen_count": 0,
                }
                for r in requests
            ],
        )
        session.commit()
        return time.perf_counter() - started


def run(rows: int = 10_000, runs: int = 3) -> dict[str, float | int]:
    """Medians over ``runs`` fresh databases of the preview, the import and the baseline."""
    from survey.db import database
    from survey.delivery.services.interactions_import import (
        import_interactions,
        preview_interactions,
    )
    from survey.models import Interaction

    requests = _requests(rows)
    data = _file(requests)
    previews, imports, baselines = [], [], []
    for _ in range(runs):
        baselines.append(_baseline(_build(), requests))
        app = _build()
        with app.app_context(), database(app).sessionmaker() as session:
            started = time.perf_counter()
            preview = preview_interactions(session, data, NOW)
            session.rollback()
            previews.append(time.perf_counter() - started)
            assert (preview.created, preview.errors) == (rows, []), preview.errors[:3]
            started = time.perf_counter()
            done = import_interactions(session, data, NOW)
            session.commit()
            imports.append(time.perf_counter() - started)
            assert (done.created, done.errors) == (rows, []), done.errors[:3]
            stored = session.scalar(select(func.count()).select_from(Interaction))
            assert stored == rows, stored
    baseline = statistics.median(baselines)
    preview_s, import_s = statistics.median(previews), statistics.median(imports)
    return {
        "rows": rows,
        "baseline_s": round(baseline, 3),
        "preview_s": round(preview_s, 3),
        "import_s": round(import_s, 3),
        "preview_ratio": round(preview_s / baseline, 1),
        "import_ratio": round(import_s / baseline, 1),
    }


def rows(figures: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    n = figures["rows"]
    return [
        (f"requests import baseline (bulk insert), {n} rows", f"{figures['baseline_s']} s", "", ""),
        (
            f"requests import preview, {n} rows",
            f"{figures['preview_s']} s",
            "",
            f"{figures['preview_ratio']}x baseline",
        ),
        (
            f"requests import, {n} rows",
            f"{figures['import_s']} s",
            "",
            f"{figures['import_ratio']}x baseline",
        ),
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()
    print(run(arguments.rows, arguments.runs))
