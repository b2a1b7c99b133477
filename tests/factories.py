"""Builders of test data, in one place: departments, people and users; a request another
department handled; campaigns; invitations and their link tokens; the quiz answers worth
the most and the fewest points.

Plain functions taking a session first. Each commits what it built, as a test's set-up does
before the app's requests read it (the app works on sessions of its own). The fixtures that
hand them to tests (``make_department``, ``invite``, ``open_campaign_for``...) stay in the
conftest files.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.delivery.services import campaigns as campaign_verbs
from survey.delivery.services.campaigns import create_campaign
from survey.models import Campaign, Department, Interaction, OutboxMessage, Person, Service, User
from survey.models.base import utcnow
from survey.periods import quarter_of
from survey.quiz.items import ITEMS
from survey.quiz.scoring import FREQUENCY, ItemKey
from survey.services.accounts import create_user
from survey.services.erasure import ErasureReport, erase_person
from survey.services.invitations import issue_invitation

PASSWORD = "correct horse battery"
_serial = itertools.count(1)


def department(
    session: Session, code: str | None = None, name: str | None = None, **kw: Any
) -> Department:
    """A department with a fresh code (``D001``...) unless ``code`` is given."""
    n = next(_serial)
    dept = Department(code=code or f"D{n:03d}", name=name or f"Department {n}", **kw)
    session.add(dept)
    session.commit()
    return dept


def person(
    session: Session, email: str | None = None, department_row: Department | None = None, **kw: Any
) -> Person:
    """A person with a fresh address, in ``department_row`` (a new department when None)."""
    n = next(_serial)
    dept = department_row or department(session)
    row = Person(
        email=email or f"person{n}@example.com",
        name=kw.pop("name", f"Person {n}"),
        department_id=dept.id,
        **kw,
    )
    session.add(row)
    session.commit()
    return row


def user(session: Session, role: str = "admin", email: str | None = None, **kw: Any) -> User:
    """An account with ``PASSWORD``; a manager gets a new department unless one is given."""
    n = next(_serial)
    if role == "manager" and "department_id" not in kw:
        kw["department_id"] = department(session).id
    row = create_user(session, email or f"{role}{n}@example.com", PASSWORD, role, **kw)
    session.commit()
    return row


def handled_request(
    session: Session,
    requester: Person,
    provider: Department,
    service: Service | None = None,
    now: datetime | None = None,
) -> Interaction:
    """A request of ``requester`` that ``provider`` handled: opened a day before ``now``,
    answered 20 hours before, resolved 2 hours before, and chosen for a survey."""
    now = now or utcnow()
    interaction = Interaction(
        provider_department_id=provider.id,
        service_id=service.id if service else None,
        requester_person_id=requester.id,
        opened_at=now - timedelta(days=1),
        first_response_at=now - timedelta(hours=20),
        resolved_at=now - timedelta(hours=2),
        survey_decision="invited",
    )
    session.add(interaction)
    session.commit()
    return interaction


def invitation_link(
    session: Session,
    invited: Person,
    kind: str,
    expires_at: datetime,
    *,
    interaction: Interaction | None = None,
    campaign: Campaign | None = None,
    now: datetime | None = None,
) -> str:
    """An open invitation of ``kind`` for ``invited``; returns its link token."""
    _invitation, token = issue_invitation(
        session, invited, kind, expires_at, interaction=interaction, campaign=campaign, now=now
    )
    session.commit()
    return token


def post_interaction_link(
    session: Session,
    invited: Person,
    provider: Department,
    service: Service | None = None,
    valid_for: timedelta = timedelta(days=14),
    now: datetime | None = None,
) -> str:
    """A link (the token) to a survey about a request ``provider`` handled yesterday, valid for
    ``valid_for`` from ``now`` (negative: already expired)."""
    now = now or utcnow()
    interaction = handled_request(session, invited, provider, service, now)
    return invitation_link(
        session, invited, "post_interaction", now + valid_for, interaction=interaction, now=now
    )


def quarterly_link(
    session: Session, invited: Person, campaign: Campaign, expires_at: datetime | None = None
) -> str:
    """A link (the token) to ``invited``'s quarterly survey in ``campaign`` (valid until the
    campaign closes unless ``expires_at`` says otherwise)."""
    return invitation_link(
        session, invited, "quarterly", expires_at or campaign.closes_at, campaign=campaign
    )


def open_campaign(session: Session, name: str = "Quarterly", **kw: Any) -> Campaign:
    """A quarterly campaign of this quarter, opened an hour ago and closing in 21 days, k = 5,
    over everyone unless ``department_ids`` is given; open as ``tick`` leaves it, no mail."""
    now = utcnow()
    campaign = create_campaign(
        session,
        name=name,
        quarter=quarter_of(now),
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=21),
        min_group_size=5,
        **kw,
    )
    campaign.status = "open"
    session.commit()
    return campaign


def quarterly_mail(app: Any, session: Session, department: Department) -> dict[str, OutboxMessage]:
    """Open a quarterly campaign (2026Q3, for two weeks, k = 5) for the people of
    ``department`` the way ``tick`` does, invitations mailed into the outbox; their
    quarterly invitation messages by address."""
    now = utcnow()
    campaign = create_campaign(
        session,
        name="Q",
        quarter="2026Q3",
        opens_at=now,
        closes_at=now + timedelta(days=14),
        min_group_size=5,
        department_ids=[department.id],
    )
    session.commit()
    with app.app_context():
        assert campaign_verbs.open_campaign(
            session, campaign, "http://localhost", "example.com", now=now
        )
    session.commit()
    return {
        m.to_addr: m
        for m in session.scalars(
            select(OutboxMessage).where(OutboxMessage.purpose.like("%quarterly"))
        )
    }


def best_answer(key: ItemKey) -> int:
    """The quiz answer worth the most points for ``key``: "always" (5) for a statement, "never"
    (1) for a reversed one, the option rated "best" for a scenario. The tests' own reading of
    the key, not the app's scoring (``ItemKey.points``), which they check against it."""
    if key.kind == FREQUENCY:
        return 1 if key.reverse else 5
    return key.ratings.index("best")


def worst_answer(key: ItemKey) -> int:
    """The quiz answer worth the fewest points for ``key`` (see ``best_answer``)."""
    if key.kind == FREQUENCY:
        return 5 if key.reverse else 1
    return key.ratings.index("poor")


def bank_keys() -> list[ItemKey]:
    """The scoring key of the quiz's item bank (``survey.quiz.items.ITEMS``), in form order."""
    return [
        ItemKey.from_options(i["code"], i["dimension"], i["qtype"], i["options"]) for i in ITEMS
    ]


def erase(app: Any, email: str) -> ErasureReport:
    """Erase the person (and account) with ``email`` as ``flask survey erase-person`` does
    (the queued submissions filed first, as before any command), in a session of its own,
    committed; the report. The test's session sees it after a rollback."""
    from survey.db import database

    file_submissions(app)
    with app.app_context():
        db = database(app).sessionmaker()
        try:
            report = erase_person(db, email, actor=None)
            db.commit()
        finally:
            db.close()
    return report


def file_submissions(app: Any) -> int:
    """File the submissions queued by the respondents' links (``respond.filing_job``), as the
    next page, API call or ``survey`` command would before reading; the responses filed. A
    test reading responses or figures straight from its session, or calling a service that
    reads them, files first (and rolls its session back to see them on SQLite)."""
    from survey.db import database
    from survey.respond.filing_job import file_submissions as file_all

    with app.app_context():
        return file_all(database(app).sessionmaker)


def store_response(session: Session, **response: Any) -> str:
    """Store one response as the filing of a queued submit does (``write_response`` of
    ``prepare_response``'s result), in the session's transaction; the response's id. Takes
    ``prepare_response``'s arguments and raises its ValueError (then nothing is written)."""
    from survey.respond.services.responses import prepare_response, write_response

    return write_response(session, prepare_response(**response))
