"""Fixtures for the attack-and-fault tests: one real object behind every URL argument (the URL
map test's ``objects``, plus a live respondent link, a quiz result key and a static file), an
API key, and a digest of the whole database to prove that a request changed nothing."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from survey.db import database
from tests.factories import best_answer
from tests.test_url_map import objects  # noqa: F401  (a fixture, reused as is)


def db_digest(app: Flask, exclude: frozenset[str] = frozenset()) -> dict[str, str]:
    """SHA-256 of every table's rows (sorted, so row order does not matter), by table name.

    Read on a connection of its own, so nothing cached by a session can hide a change.
    """
    engine = database(app).engine
    digests: dict[str, str] = {}
    with engine.connect() as conn:
        for table in sorted(inspect(conn).get_table_names()):
            if table in exclude:
                continue
            rows = sorted(
                repr(tuple(row)) for row in conn.execute(text(f'SELECT * FROM "{table}"'))
            )
            digests[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return digests


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(t for t in before.keys() | after.keys() if before.get(t) != after.get(t))


@pytest.fixture
def world(session: Session, objects: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    """``objects`` plus the arguments of the respondent, quiz, API and static routes."""
    from survey.models import Department, Person, Service
    from survey.quiz.services import active_quiz, item_keys, live_items, start_attempt
    from survey.services.accounts import create_api_key
    from tests.factories import post_interaction_link

    person = session.get(Person, objects["person_id"])
    assert person is not None
    token = post_interaction_link(
        session,
        person,
        session.get(Department, objects["department_id"]),
        session.get(Service, objects["service_id"]),
    )
    quiz = active_quiz(session)
    assert quiz is not None
    answers = {k.code: best_answer(k) for k in item_keys(live_items(quiz))}
    key, _attempt = start_attempt(session, quiz, answers)
    _api_key, secret = create_api_key(session, "security-tests")
    session.commit()
    return {**objects, "token": token, "key": key, "filename": "style.css", "api_secret": secret}
