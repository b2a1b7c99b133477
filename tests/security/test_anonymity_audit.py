"""Audit of the stored answers against DESIGN.md's anonymity rule: a response carries no
person, no exact time (week at most) and no token; its id reveals no order.

The schema is read back with SQLAlchemy's inspector from the migrated database (what production
runs), not from the models, so a migration that adds a link is caught too.
"""

from __future__ import annotations

import re
from collections import deque
from itertools import pairwise

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.types import Date, DateTime, Time

from survey.db import database
from survey.models import Response
from tests.conftest import csrf_token
from tests.delivery.conftest import invite, org  # noqa: F401  (fixtures, reused as is)
from tests.factories import file_submissions

ANSWER_TABLES = ("responses", "answers")
IDENTIFYING = {"people", "invitations", "invitation_tokens"}
# The one allowed link: set only when the respondent asked to be contacted about a comment.
ALLOWED = {("responses", "contact_person_id", "people")}


def _foreign_keys(app) -> dict[str, list[tuple[str, str]]]:  # type: ignore[no-untyped-def]
    """table -> [(column, referred table)] for every table of the database."""
    with database(app).engine.connect() as conn:
        inspector = inspect(conn)
        return {
            t: [
                (col, fk["referred_table"])
                for fk in inspector.get_foreign_keys(t)
                for col in fk["constrained_columns"]
            ]
            for t in inspector.get_table_names()
        }


def test_no_foreign_key_path_from_answers_to_a_person_or_a_link(app) -> None:
    graph = _foreign_keys(app)
    assert graph["answers"], "the inspector found no foreign keys at all"
    bad = []
    for start in ANSWER_TABLES:
        # Breadth-first over foreign keys: a path through any table counts.
        queue = deque([(start, [start])])
        seen = {start}
        while queue:
            table, path = queue.popleft()
            for column, target in graph.get(table, []):
                if (table, column, target) in ALLOWED:
                    continue
                if target in IDENTIFYING:
                    bad.append(" -> ".join([*path, f"{column}:{target}"]))
                elif target not in seen:
                    seen.add(target)
                    queue.append((target, [*path, f"{column}:{target}"]))
    assert bad == []
    # And the allowed link is really there, so this test would notice it moving elsewhere.
    assert ("contact_person_id", "people") in graph["responses"]


def test_no_column_finer_than_the_iso_week(app) -> None:
    with database(app).engine.connect() as conn:
        inspector = inspect(conn)
        for table in ANSWER_TABLES:
            for column in inspector.get_columns(table):
                name = column["name"]
                assert not isinstance(column["type"], DateTime | Date | Time), (table, name)
                assert not re.search(r"(^|_)(at|time|date|day|hour|ts|stamp)($|_)", name), (
                    table,
                    name,
                )


def _submit(client, token: str, **answers: str):  # type: ignore[no-untyped-def]
    url = f"/r/{token}"
    data = {"csrf_token": csrf_token(client, url), **answers}
    response = client.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


@pytest.mark.parametrize("consent", ["", "y"], ids=["no-consent", "consent"])
def test_contact_person_only_with_consent(app, client, session, org, invite, consent) -> None:  # noqa: F811
    _submit(client, invite("post_interaction", org.person(1)), overall="4", comment="Fine",
            contact_consent=consent)  # fmt: skip
    assert file_submissions(app) == 1  # as the next page would
    session.rollback()
    stored = session.scalar(select(Response.contact_person_id))
    assert stored == (org.person(1).id if consent else None)


def test_response_ids_reveal_no_order(app, client, session, org, invite) -> None:  # noqa: F811
    submitted = []
    for i in range(30):
        _submit(client, invite("post_interaction", org.person(i % 12)), overall=str(i % 5 + 1))
        assert file_submissions(app) == 1  # as the next page would
        with database(app).engine.connect() as conn:
            ids = set(conn.scalars(text("SELECT id FROM responses")))
        (new,) = ids - set(submitted)
        submitted.append(new)
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in submitted), submitted[:3]
    assert submitted != sorted(submitted)
    assert submitted != sorted(submitted, reverse=True)
    numeric = [int(i, 16) for i in submitted]
    steps = {b - a for a, b in pairwise(numeric)}
    assert len(steps) > 1, "ids step by a constant: sequential"
