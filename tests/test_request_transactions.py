"""How a request's transaction ends: read-only requests commit (PostgreSQL then keeps the
connection's prepared statements, which psycopg forgets on every ROLLBACK), anything a
read-only request left pending is rolled back, and a respondent's submit reads without the
write lock and takes it only to write."""

from __future__ import annotations

from collections import Counter

import pytest
from flask import Flask
from sqlalchemy import event, func, select

from survey.db import database, get_session
from survey.models import Department


def _transaction_ends(app: Flask) -> Counter[str]:
    ends: Counter[str] = Counter()
    engine = database(app).engine
    event.listen(engine, "commit", lambda _conn: ends.update(["commit"]))
    event.listen(engine, "rollback", lambda _conn: ends.update(["rollback"]))
    return ends


@pytest.mark.postgres
def test_a_read_only_request_ends_its_transaction_with_commit(app, client, backend) -> None:
    """Each GET below looks a link up in the database and ends with COMMIT. On PostgreSQL the
    lookup is then prepared after a few runs and stays prepared across requests (after a
    ROLLBACK it was planned again on every request)."""
    ends = _transaction_ends(app)
    for _ in range(8):
        assert client.get("/r/no-such-token-at-all").status_code == 404
    assert ends["commit"] == 8 and ends["rollback"] == 0
    if backend == "postgres":
        with app.app_context():
            prepared = (
                get_session()
                .connection()
                .exec_driver_sql(
                    "SELECT statement FROM pg_prepared_statements"
                    " WHERE statement LIKE '%%token_hash%%'"
                )
                .all()
            )
        assert prepared, "the link lookup should be a prepared statement by now"


def test_changes_left_pending_by_a_read_only_request_are_rolled_back(app) -> None:
    with app.test_request_context("/", method="GET"):
        app.preprocess_request()
        get_session().add(Department(code="GHOST", name="Never stored"))
        app.do_teardown_appcontext(None)
    with app.app_context():
        stored = get_session().scalar(
            select(func.count()).select_from(Department).where(Department.code == "GHOST")
        )
    assert stored == 0


def test_a_failed_read_only_request_rolls_back(app) -> None:
    ends = _transaction_ends(app)
    with app.test_request_context("/", method="GET"):
        app.preprocess_request()  # the queue's look (nothing queued) ends with its own COMMIT
        assert ends == {"commit": 1}
        ends.clear()
        get_session().scalar(select(func.count()).select_from(Department))
        app.do_teardown_appcontext(RuntimeError("the view failed"))
    assert ends["rollback"] == 1 and ends["commit"] == 0
