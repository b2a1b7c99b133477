"""A limit, not a protection: what a reader of the database itself can link.

``docs/anonymity.md`` ("What is not protected") says that the anonymity rules hold for what the
service publishes, not against whoever can read its database, and names how such a reader
links answers to people while the invitations are kept. These tests keep that statement true:
they run the reader's query after three people answer through the real link flow. If one
fails, the limit has been closed (or moved), and the document must say so.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.conftest import csrf_token

OVERALL = {0: 2, 1: 5, 2: 3}  # person index -> the overall score they give


def _answer_in_turn(client: Any, invite: Any, org: Any) -> dict[int, int]:
    """Each of three people answers a post-interaction link, one after the other; returns
    person id -> their overall score."""
    given = {}
    for index, overall in OVERALL.items():
        person = org.person(index)
        url = f"/r/{invite('post_interaction', person)}"
        reply = client.post(url, data={"csrf_token": csrf_token(client, url), "overall": overall})
        assert reply.status_code == 302
        given[person.id] = overall
    return given


@pytest.mark.postgres
def test_a_reader_of_the_database_can_link_answers_to_people(
    client: Any, invite: Any, org: Any, session: Session, backend: str
) -> None:
    given = _answer_in_turn(client, invite, org)
    overall = (
        "JOIN answers a ON a.response_id = r.id JOIN questions q ON q.id = a.question_id"
        " WHERE q.code = 'overall'"
    )
    if backend == "postgres":
        # The claim and the store are one transaction: one transaction id on both rows.
        rows = session.execute(
            text(
                "SELECT i.person_id, a.value FROM invitations i"
                f" JOIN responses r ON i.xmin = r.xmin {overall}"
            )
        ).all()
        assert dict(rows) == given
    else:
        # Rows sit in the order they were written, as the people answered.
        values = session.execute(
            text(f"SELECT a.value FROM responses r {overall} ORDER BY r.rowid")
        ).scalars()
        assert list(values) == list(given.values())
