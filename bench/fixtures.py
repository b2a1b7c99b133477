"""Databases for the benchmarks: a migrated SQLite file or PostgreSQL database holding a small
organisation, the default questionnaires and N open post-interaction invitations.

Rows go in with bulk INSERTs (no ORM unit of work), so preparing 5,000 invitations takes about
a second; the link tokens are returned, since only their hashes are stored. ``sign_in`` signs
a test client in through the real sign-in form, for the benchmarks that read pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from bench.loadgen import CSRF

DEPARTMENTS = 10
PEOPLE = 200


def create_database(url: str) -> None:
    """Apply the migrations to an empty database at ``url``."""
    from survey.db import make_engine
    from survey.migrate import upgrade

    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()


def scratch_app() -> tuple[Any, Path]:
    """A testing app on a new migrated SQLite file in a new temporary folder, and the folder
    (for the files a benchmark writes beside it)."""
    import tempfile

    from survey import create_app
    from survey.db import database
    from survey.migrate import upgrade

    folder = Path(tempfile.mkdtemp(prefix="siq-bench-"))
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
            "SECRET_KEY": "bench",
            "TESTING": True,
        }
    )
    upgrade(database(app).engine)
    return app, folder


@contextmanager
def bench_session(url: str) -> Iterator[Session]:
    """A session on ``url`` inside an app context (mail rendering needs one); commits on exit."""
    from survey import create_app
    from survey.db import database

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-secret", "TESTING": True})
    with app.app_context(), database(app).sessionmaker() as session:
        yield session
        session.commit()
    database(app).engine.dispose()


def seed_organisation(
    session: Session, departments: int = DEPARTMENTS, people: int = PEOPLE
) -> list[int]:
    """``departments`` departments (codes ``D00``, ``D01``...), ``people`` people
    (``p<i>@bench.example``, in department ``i`` modulo their number) in three languages and
    the default questionnaires; person ids."""
    from survey.models import Department, Person
    from survey.services.questionnaires import install_default_questionnaires

    session.execute(
        insert(Department),
        [{"code": f"D{i:02d}", "name": f"Department {i}"} for i in range(departments)],
    )
    ids = list(session.scalars(select(Department.id).order_by(Department.id)))
    session.execute(
        insert(Person),
        [
            {
                "email": f"p{i}@bench.example",
                "name": f"Person {i}",
                "department_id": ids[i % departments],
                "locale": ("en", "it", "fr")[i % 3],
            }
            for i in range(people)
        ],
    )
    install_default_questionnaires(session)
    session.flush()
    return list(session.scalars(select(Person.id).order_by(Person.id)))


def open_invitations(session: Session, count: int) -> list[str]:
    """``count`` open post-interaction invitations (one interaction each, provider the first
    department); returns their link tokens."""
    from survey.models import Department, Interaction, Invitation, InvitationToken, Person
    from survey.models.base import utcnow
    from survey.security import new_token, token_hash

    now = utcnow()
    provider = session.scalar(select(Department.id).order_by(Department.id))
    people = list(
        session.scalars(
            select(Person.id).where(Person.department_id != provider).order_by(Person.id)
        )
    )
    tokens: list[str] = []
    for start in range(0, count, 1000):
        size = min(1000, count - start)
        interactions = session.scalars(
            insert(Interaction).returning(Interaction.id, sort_by_parameter_order=True),
            [
                {
                    "provider_department_id": provider,
                    "requester_person_id": people[(start + i) % len(people)],
                    "source": "bench",
                    "external_ref": f"B-{start + i}",
                    "opened_at": now - timedelta(days=1),
                    "first_response_at": now - timedelta(hours=20),
                    "resolved_at": now - timedelta(hours=2),
                    "created_at": now,
                    "survey_decision": "invited",
                }
                for i in range(size)
            ],
        ).all()
        invitations = session.scalars(
            insert(Invitation).returning(Invitation.id, sort_by_parameter_order=True),
            [
                {
                    "person_id": people[(start + i) % len(people)],
                    "kind": "post_interaction",
                    "interaction_id": interaction,
                    "status": "sent",
                    "created_at": now,
                    "expires_at": now + timedelta(days=14),
                    "reminders_sent": 0,
                    "last_mailed_at": now,
                }
                for i, interaction in enumerate(interactions)
            ],
        ).all()
        batch = [new_token() for _ in invitations]
        session.execute(
            insert(InvitationToken),
            [
                {"token_hash": token_hash(t), "invitation_id": i, "created_at": now}
                for t, i in zip(batch, invitations, strict=True)
            ],
        )
        tokens.extend(batch)
    session.flush()
    return tokens


def sqlite_url(folder: Path, name: str) -> str:
    return f"sqlite:///{folder / f'{name}.sqlite3'}"


def count_rows(url: str, table: str) -> int:
    """Rows in ``table`` (a fixed name from this package, never user input)."""
    from sqlalchemy import text

    from survey.db import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        value = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
    engine.dispose()
    return int(value)


def file_queued(url: str) -> tuple[int, float]:
    """File the submissions the app queued at ``url`` (``respond.filing_job``, as the next
    page, command or tick would): the responses filed and the seconds it took."""
    import time

    from sqlalchemy.orm import sessionmaker

    from survey.db import make_engine
    from survey.respond.filing_job import file_submissions

    engine = make_engine(url)
    started = time.perf_counter()
    filed = file_submissions(sessionmaker(engine, expire_on_commit=False))
    seconds = time.perf_counter() - started
    engine.dispose()
    return filed, seconds


def sign_in(client: Any, email: str, password: str) -> None:
    """Sign ``client`` (a Flask test client) in as ``email`` through the sign-in form, with the
    form's CSRF token, as a browser would."""
    page = client.get("/auth/sign-in").get_data(as_text=True)
    token = CSRF.search(page)
    assert token is not None
    client.post(
        "/auth/sign-in", data={"email": email, "password": password, "csrf_token": token.group(1)}
    )
