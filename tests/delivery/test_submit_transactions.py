"""A respondent's submit on SQLite: the link is looked up in a read transaction (no lock),
the form checked without the write lock, and the write lock taken only for the claim and the
store (``db.reading`` then ``db.writing``), so one respondent's checks never hold up
another's submit. Observed from what the driver sends SQLite, in order."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from survey.db import database
from tests.conftest import csrf_token
from tests.factories import file_submissions


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


def test_an_answer_prepared_as_a_quarter_ends_counts_in_the_quarter_it_arrives_in(
    app, session, invite, org
) -> None:
    """The answer is checked before the lock and stored under it; a quarter may end in
    between, and may be released the same instant (no campaign open). Stored under the old
    quarter it would move a released figure by one known person: it is stored in the quarter
    the lock was had in, with that quarter's pseudonym and cells."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import select

    from survey.models import Response, ScoreCell
    from survey.respond.services.answering import (
        prepare_post_interaction,
        submit_post_interaction,
    )
    from survey.services.invitations import look_up_link
    from survey.services.live_questionnaires import copy_for

    open_until = datetime(2027, 2, 1, tzinfo=UTC)
    with app.app_context():
        token = invite("post_interaction", org.person(0), expires_at=open_until)
        found = look_up_link(session, token)
        assert found.link is not None and found.questionnaire is not None
        questionnaire = copy_for(session, found.questionnaire)
        end = datetime(2026, 12, 31, 23, 59, 59, 999000, tzinfo=UTC)
        prepared = prepare_post_interaction(found.link, {"overall": 5}, questionnaire, now=end)
        assert prepared.item.quarter == "2026Q4"
        arrived = end + timedelta(milliseconds=2)  # 2027-01-01, the lock had in the new quarter
        stored = submit_post_interaction(session, found.link, prepared, questionnaire, now=arrived)
        session.commit()
        assert file_submissions(app) == 1  # as the next reader would
        response = session.get(Response, stored)
        assert (response.quarter, response.iso_week) == ("2027Q1", "2026-W53")
        quarters = set(session.scalars(select(ScoreCell.quarter).distinct()))
        assert quarters == {"2027Q1"}
        # Prepared and stored in one quarter, nothing is prepared again.
        again = invite("post_interaction", org.person(1), expires_at=open_until)
        found = look_up_link(session, again)
        prepared = prepare_post_interaction(found.link, {"overall": 4}, questionnaire, now=arrived)
        assert submit_post_interaction(
            session, found.link, prepared, questionnaire, now=arrived
        ) == (prepared.id)
