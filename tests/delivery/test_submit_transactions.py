"""A respondent's submit on SQLite: the link is looked up in a read transaction (no lock),
the form checked outside any transaction, and the write lock taken only for the claim and
the store (``db.reading`` then ``db.writing``), so one respondent's checks never hold up
another's submit. Observed from the engine's own events, in order."""

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

    def on_begin(conn: Any) -> None:
        seen.append("begin " + conn.connection.info["survey.sqlite_begin"])

    def on_statement(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if "token_hash" in statement:
            seen.append("lookup")
        elif statement.lstrip().upper().startswith("UPDATE INVITATIONS"):
            seen.append("claim")

    event.listen(engine, "begin", on_begin)  # after the engine's own listener: mode known
    event.listen(engine, "before_cursor_execute", on_statement)
    event.listen(engine, "commit", lambda _conn: seen.append("commit"))
    try:
        reply = client.post(url, data=data)
    finally:
        event.remove(engine, "begin", on_begin)
        event.remove(engine, "before_cursor_execute", on_statement)
    assert reply.status_code == 302
    lookup, claim = seen.index("lookup"), seen.index("claim")
    begins = [(i, s) for i, s in enumerate(seen) if s.startswith("begin")]
    before_lookup = [s for i, s in begins if i < lookup]
    assert before_lookup[-1] == "begin DEFERRED"  # the lookup runs without the lock
    between = [s for i, s in begins if lookup < i < claim]
    assert between == ["begin IMMEDIATE"]  # the lock is taken once, for claim and store
    assert "commit" in seen[lookup:claim]  # the read transaction ended before it
    assert seen[-1] == "commit"
