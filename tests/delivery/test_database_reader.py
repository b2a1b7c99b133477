"""What a reader of the database itself can link: one order closed, one limit kept true.

``docs/anonymity.md`` ("What is not protected") says that the anonymity rules hold for what the
service publishes, not against whoever can read its database, and names how such a reader
links answers to people while the invitations are kept. Twelve people answer through the real
link flow, one after the other; then the reader's queries run:

- on SQLite, rows used to sit in the order they were written (the hidden ``rowid``): the tables
  that hold answers are ``WITHOUT ROWID`` since migration 0020, stored by their keys, and a
  plain scan no longer gives the order people answered in;
- on PostgreSQL, the claim of the invitation and the response share their transaction id
  (``xmin``), and the join on it names each person's answer. That is the documented limit; if
  this half fails, the limit has been closed (or moved) and the document must say so.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import exc, text
from sqlalchemy.orm import Session

from tests.conftest import csrf_token

PEOPLE = 12
ANSWER_TABLES = ("responses", "answers", "respondent_marks")
OVERALL = (
    "JOIN answers a ON a.response_id = r.id JOIN questions q ON q.id = a.question_id"
    " WHERE q.code = 'overall'"
)


def _answer_in_turn(client: Any, invite: Any, org: Any) -> dict[int, int]:
    """Each of ``PEOPLE`` people answers a post-interaction link, one after the other; returns
    person id -> their overall score, in the order they answered."""
    given = {}
    for index in range(PEOPLE):
        person = org.person(index)
        overall = 1 + (index * 7) % 5
        url = f"/r/{invite('post_interaction', person)}"
        reply = client.post(url, data={"csrf_token": csrf_token(client, url), "overall": overall})
        assert reply.status_code == 302
        given[person.id] = overall
    return given


@pytest.mark.postgres
def test_what_a_reader_of_the_database_can_link(
    client: Any, invite: Any, org: Any, session: Session, backend: str
) -> None:
    given = _answer_in_turn(client, invite, org)
    if backend == "postgres":
        rows = session.execute(
            text(
                "SELECT i.person_id, a.value FROM invitations i"
                f" JOIN responses r ON i.xmin = r.xmin {OVERALL}"
            )
        ).all()
        assert dict(rows) == given
        return
    for table in ANSWER_TABLES:
        with pytest.raises(exc.OperationalError, match="rowid"):
            session.execute(text(f"SELECT rowid FROM {table}"))
        session.rollback()
    # Stored by the random id: a plain scan comes in id order, not in the order written.
    scanned = list(session.execute(text("SELECT id FROM responses")).scalars())
    assert len(scanned) == PEOPLE and scanned == sorted(scanned)
    value = dict(session.execute(text(f"SELECT r.id, a.value FROM responses r {OVERALL}")).all())
    assert [value[i] for i in scanned] != list(given.values())
