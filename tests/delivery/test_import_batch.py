"""The requests import records a file in a few statements (codes, addresses and references
looked up once, new rows written in one flush) and still applies every row by the rules of
one report after another: a reference repeated in the file, or already stored, is one request
whose times merge."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from survey.db import database
from survey.delivery.services.interactions_import import import_interactions
from survey.models import Interaction
from survey.models.base import utcnow
from tests import factories

HEADER = "provider,requester_email,opened_at,resolved_at,service,source,external_ref\n"


def _iso(moment) -> str:  # type: ignore[no-untyped-def]
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@contextmanager
def _statements(app) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    """Every SQL statement sent while the block runs."""
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    engine = database(app).engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def _rows(org, n: int, start: int = 0) -> str:  # type: ignore[no-untyped-def]
    now = utcnow()
    lines = []
    for i in range(start, start + n):
        opened = now - timedelta(days=2, minutes=i)
        provider, service = ("IT", "IT-LAPTOP") if i % 2 else ("HR", "")
        email = org.people[i % len(org.people)].email
        lines.append(
            f"{provider},{email},{_iso(opened)},{_iso(opened + timedelta(hours=3))},"
            f"{service},desk,B-{i}\n"
        )
    return "".join(lines)


@pytest.mark.postgres
def test_a_reference_repeated_in_the_file_is_one_request_with_the_later_times(
    app, session, org
) -> None:
    email, now = org.people[0].email, utcnow()
    opened = now - timedelta(days=1)
    data = (
        HEADER
        + f"IT,{email},{_iso(opened)},,,desk,R-1\n"
        + f"IT,{email},{_iso(opened)},{_iso(now - timedelta(hours=2))},,desk,R-1\n"
        + f"HR,{email},{_iso(opened)},,,desk,R-2\n"
    ).encode()
    result = import_interactions(session, data, now)
    assert result.errors == []
    assert (result.created, result.repeated) == (2, 1)
    assert (result.by_provider["IT"].created, result.by_provider["IT"].repeated) == (1, 1)
    session.commit()
    stored = session.scalars(select(Interaction).where(Interaction.external_ref == "R-1")).all()
    assert len(stored) == 1
    assert stored[0].resolved_at is not None


@pytest.mark.postgres
def test_a_stored_request_reported_again_is_updated_and_a_refused_line_stores_nothing(
    app, session, org
) -> None:
    known = factories.handled_request(session, org.people[1], org.it)
    known.source, known.external_ref, known.resolved_at = "desk", "K-1", None
    session.commit()
    opened, now = known.opened_at, utcnow()
    resolved = now - timedelta(hours=1)
    good = (
        f"IT,{org.people[1].email},{_iso(opened)},{_iso(resolved)},,desk,K-1\n"
        + f"HR,{org.people[2].email},{_iso(now - timedelta(days=1))},,,desk,N-1\n"
    )
    bad = HEADER + good + f"HR,nobody@example.com,{_iso(now - timedelta(days=1))},,,desk,N-2\n"
    refused = import_interactions(session, bad.encode(), now)
    assert [(e.line, e.field) for e in refused.errors] == [(4, "requester_email")]
    session.rollback()
    assert session.get(Interaction, known.id).resolved_at is None
    assert session.scalar(select(Interaction).where(Interaction.external_ref == "N-1")) is None

    done = import_interactions(session, (HEADER + good).encode(), now)
    assert (done.created, done.repeated, done.errors) == (1, 1, [])
    session.commit()
    assert session.get(Interaction, known.id).resolved_at is not None


@pytest.mark.postgres
def test_the_import_sends_no_more_statements_for_more_rows(app, session, org, backend) -> None:
    """200 and 400 requests (12 people, two providers, a service): the lookups are the same
    few statements, and PostgreSQL takes the new rows in one batch. SQLite's driver cannot
    hand back the ids of a many-row insert in order, so there the ORM sends an insert per
    row; nothing else is sent per row."""
    lookups, inserts = [], []
    for n, start in ((200, 0), (400, 1000)):
        with _statements(app) as seen:
            result = import_interactions(session, (HEADER + _rows(org, n, start)).encode())
        assert (result.created, result.errors) == (n, [])
        session.commit()
        lookups.append(sum(1 for s in seen if not s.startswith("INSERT")))
        inserts.append(sum(1 for s in seen if s.startswith("INSERT")))
    assert lookups[0] < 20 and lookups[1] <= lookups[0] + 2, lookups
    if backend == "postgres":
        assert inserts[0] < 5 and inserts[1] <= inserts[0] + 1, inserts
    else:
        assert inserts == [200, 400], inserts
