"""How long a people sync takes to deactivate its leavers (``import-people --whole-directory``).

    .venv/bin/python -m bench.people_sync --people 8000

Builds a fresh SQLite database with N active people in 20 departments, each with one survey
invitation whose mail waits in the outbox, then runs the command with a file listing 100 of
them (the other N - 100 leave; ``--confirm-many``). Prints the seconds of the preview alone
(``parse_people_csv``) and of the whole command (preview, deactivation, audit, commit), the
median of ``--runs`` runs, each on a new database.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from bench.fixtures import scratch_app

KEPT = 100


def _build(people: int) -> tuple[Any, Path]:
    from survey.db import database
    from survey.models import Department, Invitation, OutboxMessage, Person
    from survey.models.base import utcnow

    app, folder = scratch_app()
    now = utcnow()
    with app.app_context(), database(app).sessionmaker() as session:
        session.execute(
            insert(Department), [{"code": f"D{i:02d}", "name": f"Dept {i}"} for i in range(20)]
        )
        ids = list(session.scalars(select(Department.id).order_by(Department.id)))
        session.execute(
            insert(Person),
            [
                {"email": f"p{n}@example.com", "name": f"Person {n}", "department_id": ids[n % 20]}
                for n in range(people)
            ],
        )
        person_ids = list(session.scalars(select(Person.id).order_by(Person.id)))
        session.execute(
            insert(Invitation),
            [
                {
                    "person_id": p,
                    "kind": "quiz",
                    "expires_at": now + timedelta(days=9),
                }
                for p in person_ids
            ],
        )
        invitations = session.execute(select(Invitation.id, Invitation.person_id)).all()
        session.execute(
            insert(OutboxMessage),
            [
                {
                    "to_addr": f"p{person_id}@example.com",
                    "subject": "Quiz",
                    "body_text": "x",
                    "body_html": "<p>x</p>",
                    "message_id": f"<{invitation_id}@bench.example>",
                    "invitation_id": invitation_id,
                    "purpose": "quiz",
                }
                for invitation_id, person_id in invitations
            ],
        )
        session.commit()
    csv = folder / "directory.csv"
    csv.write_text(
        "email,name,department\n"
        + "".join(f"p{n}@example.com,Person {n},D{n % 20:02d}\n" for n in range(KEPT))
    )
    return app, csv


def run(people: int = 8000, runs: int = 3) -> dict[str, float | int]:
    """Medians over ``runs`` fresh databases of ``people`` people."""
    from survey.db import database
    from survey.models import AuditEntry, Person
    from survey.org.people_import import parse_people_csv

    previews, commands = [], []
    for _ in range(runs):
        app, csv = _build(people)
        with app.app_context(), database(app).sessionmaker() as session:
            started = time.perf_counter()
            parse_people_csv(session, csv.read_bytes(), whole_directory=True)
            previews.append(time.perf_counter() - started)
        started = time.perf_counter()
        done = app.test_cli_runner().invoke(
            args=["survey", "import-people", str(csv), "--whole-directory", "--confirm-many"]
        )
        commands.append(time.perf_counter() - started)
        assert done.exit_code == 0, done.output
        with app.app_context(), database(app).sessionmaker() as session:
            active = session.scalar(select(func.count()).where(Person.active.is_(True)))
            audited = session.scalar(select(func.count()).where(AuditEntry.action == "deactivate"))
        assert (active, audited) == (KEPT, people - KEPT), (active, audited)
    return {
        "people": people,
        "leavers": people - KEPT,
        "preview_s": round(statistics.median(previews), 3),
        "command_s": round(statistics.median(commands), 3),
    }


def rows(figures: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return [
        (f"people sync preview, {figures['people']} people", f"{figures['preview_s']} s", "", ""),
        (
            f"people sync, {figures['leavers']} leavers deactivated",
            f"{figures['command_s']} s",
            "",
            "",
        ),
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=8000)
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()
    print(run(arguments.people, arguments.runs))
