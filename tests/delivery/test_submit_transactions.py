"""A respondent's submit on SQLite: the link is looked up in a read transaction (no lock),
the form checked without the write lock, and the write lock taken only for the claim and the
store (``db.reading`` then ``db.writing``), so one respondent's checks never hold up
another's submit. Observed from what the driver sends SQLite, in order."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from survey.db import database
from tests.conftest import csrf_token


def test_the_submit_reads_unlocked_then_writes_under_the_lock(app, client, invite, org) -> None:
    url = f"/r/{invite('post_interaction', org.person(0))}"
    data = {"csrf_token": csrf_token(client, url), "overall": "4"}
    seen: list[str] = []
    engine = database(app).engine

    def trace(statement: str) -> None:
        if "token_hash" in statement:
            seen.append("lookup")
        elif statement.lstrip().upper().startswith("UPDATE INVITATIONS"):
            seen.append("claim")
        elif statement.strip().upper() in ("BEGIN DEFERRED", "BEGIN IMMEDIATE", "COMMIT"):
            seen.append(statement.strip().upper())

    def on_checkout(dbapi_connection: Any, *_rest: Any) -> None:
        dbapi_connection.set_trace_callback(trace)

    event.listen(engine, "checkout", on_checkout)
    try:
        reply = client.post(url, data=data)
    finally:
        event.remove(engine, "checkout", on_checkout)
        engine.dispose()  # no traced connection stays in the pool
    assert reply.status_code == 302
    lookup, claim = seen.index("lookup"), seen.index("claim")
    assert seen[lookup - 1] == "BEGIN DEFERRED"  # the lookup runs without the lock
    between = seen[lookup + 1 : claim]
    assert between == ["COMMIT", "BEGIN IMMEDIATE"]  # the snapshot ends, the lock is taken
    assert "BEGIN IMMEDIATE" not in seen[:lookup]  # once, for claim and store only
    assert seen[-1] == "COMMIT"
