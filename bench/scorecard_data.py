"""A large organisation for the scorecard benchmark: D departments, 12 quarters, and about N
answers stored through the production path (``bulk_store_responses``, which also keeps the
score aggregates), plus handled requests against service standards.

Each provider serves eight customer departments; quarterly responses rate the five
dimensions and overall satisfaction (one in five adds a comment), post-interaction responses
rate overall satisfaction and effort. Deterministic for a seed.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

DIMENSIONS = ("reliability", "responsiveness", "competence", "courtesy", "tools")
QUARTERS = tuple(f"{2023 + i // 4}Q{i % 4 + 1}" for i in range(12))
CUSTOMERS_PER_PROVIDER = 8
ANSWERS_PER_QUARTERLY = 6.2  # five dimensions, overall, a comment one time in five
ANSWERS_PER_POST = 2.0


def _week(quarter: str, rng: random.Random) -> str:
    year, q = int(quarter[:4]), int(quarter[5])
    day = date(year, 3 * q - 2, 1) + timedelta(days=rng.randrange(0, 88))
    iso = day.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def build(session: Session, departments: int, answers: int, seed: int = 7) -> dict[str, int]:
    """Fill an empty migrated database; returns the counts stored."""
    from survey.models import Department, Dependency, Interaction, Person, Service, ServiceStandard
    from survey.respond.services.responses import ResponseInput, bulk_store_responses
    from survey.services.questionnaires import install_default_questionnaires

    rng = random.Random(seed)
    session.execute(
        insert(Department),
        [{"code": f"D{i:03d}", "name": f"Department {i}"} for i in range(departments)],
    )
    ids = list(session.scalars(select(Department.id).order_by(Department.id)))
    pairs = [
        (p, ids[(n + step) % len(ids)])
        for n, p in enumerate(ids)
        for step in range(1, min(CUSTOMERS_PER_PROVIDER, len(ids) - 1) + 1)
    ]
    session.execute(
        insert(Dependency),
        [{"customer_department_id": c, "provider_department_id": p} for p, c in pairs],
    )
    session.execute(
        insert(Person),
        [
            {"email": f"r{i}@bench.example", "name": f"R {i}", "department_id": ids[i % len(ids)]}
            for i in range(len(ids))
        ],
    )
    requester = {d: pid for pid, d in session.execute(select(Person.id, Person.department_id))}
    session.execute(
        insert(Service),
        [{"provider_department_id": p, "code": f"S{p}", "name": f"Service {p}"} for p in ids],
    )
    services = dict(session.execute(select(Service.provider_department_id, Service.id)).all())
    session.execute(
        insert(ServiceStandard),
        [
            {
                "service_id": s,
                "effective_from": date(2020, 1, 1),
                "first_response_minutes": 240,
                "resolution_minutes": 2880,
            }
            for s in services.values()
        ],
    )
    questionnaires = install_default_questionnaires(session)
    quality = {d: rng.uniform(2.6, 4.4) for d in ids}
    per_cell = answers / (len(pairs) * len(QUARTERS))
    quarterly_per_cell = 0.8 * per_cell / ANSWERS_PER_QUARTERLY
    post_per_cell = 0.2 * per_cell / ANSWERS_PER_POST
    stored = 0
    for quarter in QUARTERS:
        items = []
        for provider, customer in pairs:
            mean = quality[provider]
            for _ in range(_poisson(rng, quarterly_per_cell)):
                answers_ = {d: _rating(rng, mean) for d in DIMENSIONS}
                answers_["overall"] = _rating(rng, mean)
                if rng.random() < 0.2:
                    answers_["comment"] = "Helpful, though the first answer took a while."
                week = _week(quarter, rng)
                items.append(
                    ResponseInput("quarterly", provider, customer, quarter, week, answers_)
                )
            for _ in range(_poisson(rng, post_per_cell)):
                items.append(
                    ResponseInput(
                        "post_interaction",
                        provider,
                        customer,
                        quarter,
                        _week(quarter, rng),
                        {"overall": _rating(rng, mean), "effort": _rating(rng, mean)},
                    )
                )
        stored += bulk_store_responses(session, questionnaires, items)
        year, q = int(quarter[:4]), int(quarter[5])
        start = datetime(year, 3 * q - 2, 3, 9, tzinfo=UTC)
        rows = []
        for provider in ids:
            for index in range(20):
                opened = start + timedelta(days=index * 4, hours=index % 7)
                rows.append(
                    {
                        "provider_department_id": provider,
                        "service_id": services[provider],
                        "requester_person_id": requester[ids[(ids.index(provider) + 1) % len(ids)]],
                        "opened_at": opened,
                        "first_response_at": opened + timedelta(minutes=rng.randrange(5, 600)),
                        "resolved_at": opened + timedelta(minutes=rng.randrange(600, 5000)),
                        "created_at": opened,
                        "survey_decision": "invited",
                    }
                )
        session.execute(insert(Interaction), rows)
        session.commit()
    return {"departments": len(ids), "responses": stored, "pairs": len(pairs)}


def _rating(rng: random.Random, mean: float) -> int:
    return max(1, min(5, round(rng.gauss(mean, 0.9))))


def _poisson(rng: random.Random, lam: float) -> int:
    """Counts around ``lam`` (a rounded normal is close enough for sizing and much cheaper)."""
    return max(0, round(rng.gauss(lam, lam**0.5)))
