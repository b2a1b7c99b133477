"""How long opening a quarterly campaign takes: invitations, link tokens and queued emails.

    .venv/bin/python -m bench.campaign_open --people 2000

Builds a fresh SQLite database with N people in 20 departments (each depending on 4 others),
then times ``tick`` opening the campaign. Prints seconds and rows created.
"""

from __future__ import annotations

import argparse
import time
from datetime import timedelta

from sqlalchemy import func, insert, select

from bench.fixtures import scratch_app


def run(people: int = 2000) -> dict[str, float | int]:
    """Seconds to open a campaign for ``people`` people on a fresh SQLite database."""
    from survey.db import database
    from survey.delivery.services.campaigns import create_campaign
    from survey.delivery.services.tick import TickSettings
    from survey.delivery.tick_job import run_tick
    from survey.models import Department, Dependency, Invitation, OutboxMessage, Person
    from survey.models.base import utcnow
    from survey.periods import quarter_of
    from survey.services.questionnaires import install_default_questionnaires

    app, _folder = scratch_app()
    now = utcnow()
    with app.app_context(), database(app).sessionmaker() as session:
        session.execute(
            insert(Department),
            [{"code": f"D{i:02d}", "name": f"Department {i}"} for i in range(20)],
        )
        ids = list(session.scalars(select(Department.id).order_by(Department.id)))
        session.execute(
            insert(Dependency),
            [
                {"customer_department_id": c, "provider_department_id": ids[(n + k) % 20]}
                for n, c in enumerate(ids)
                for k in range(1, 5)
            ],
        )
        session.execute(
            insert(Person),
            [
                {
                    "email": f"p{i}@bench.example",
                    "name": f"Person {i}",
                    "department_id": ids[i % 20],
                    "locale": ("en", "it", "fr")[i % 3],
                }
                for i in range(people)
            ],
        )
        install_default_questionnaires(session)
        create_campaign(
            session,
            name="Bench",
            quarter=quarter_of(now),
            opens_at=now,
            closes_at=now + timedelta(days=20),
            min_group_size=5,
        )
        session.commit()
        settings = TickSettings(
            base_url="https://surveys.example.com", mail_domain="example.com", salt="bench"
        )
        started = time.perf_counter()
        run_tick(database(app).sessionmaker, settings, now + timedelta(seconds=1))
        elapsed = time.perf_counter() - started
        invitations = session.scalar(select(func.count()).select_from(Invitation))
        messages = session.scalar(select(func.count()).select_from(OutboxMessage))
    if invitations != people or messages != people:
        raise RuntimeError(f"{invitations} invitations and {messages} messages for {people}")
    return {"people": people, "seconds": round(elapsed, 2)}


def rows(figures: dict[str, float | int]) -> list[tuple[str, str, str, str]]:
    seconds = float(figures["seconds"])
    people = int(figures["people"])
    target = 30.0 if people >= 50_000 else 60.0
    return [
        (
            f"open a campaign for {people:,} people (SQLite)",
            f"{seconds:.1f} s",
            f"< {target:.0f} s",
            "ok" if seconds < target else "MISS",
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=2000)
    args = parser.parse_args()
    print(run(args.people))


if __name__ == "__main__":
    main()
