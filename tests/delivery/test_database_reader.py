"""What a reader of the database itself can link: orders closed, one limit kept true.

``docs/anonymity.md`` ("What is not protected") says that the anonymity rules hold for what the
service publishes, not against whoever can read its database, and names how such a reader
links answers to people while the invitations are kept. Twelve people answer through the real
link flow, one after the other; their submits wait in ``queued_submissions`` until a reader
files them, all at once, in random order; then the reader's queries run:

- on SQLite, rows used to sit in the order they were written (the hidden ``rowid``): the tables
  that hold answers are ``WITHOUT ROWID`` since migration 0020 (and the queue since 0027),
  stored by their keys, and a plain scan no longer gives the order people answered in;
- on PostgreSQL, the claim of the invitation and the queued row share their transaction id
  (``xmin``), and the join on it names each person's queued answers while they wait: that is
  the documented limit; if this half fails, the limit has been closed (or moved) and the
  document must say so. Once filed, the responses carry the filing's transaction id, shared by
  all twelve, and sit in the table in the filing's random order, not in the order people
  answered.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import exc, text
from sqlalchemy.orm import Session

from tests.conftest import csrf_token
from tests.factories import file_submissions

PEOPLE = 12
ANSWER_TABLES = ("responses", "answers", "respondent_marks")
OVERALL = (
    "JOIN answers a ON a.response_id = r.id JOIN questions q ON q.id = a.question_id"
    " WHERE q.code = 'overall'"
)


def _rows_differ_in_id_only(app: Any, session: Session, dropped: str) -> None:
    """The two stored responses (filed as the next reader would) hold no column ``dropped``
    and are equal apart from their random ids: nothing in them tells whose is whose."""
    assert file_submissions(app) == 2
    session.rollback()
    rows = session.execute(text("SELECT * FROM responses")).mappings().all()
    assert len(rows) == 2 and dropped not in rows[0]
    first, second = ({k: v for k, v in row.items() if k != "id"} for row in rows)
    assert first == second


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
    app: Any, client: Any, invite: Any, org: Any, session: Session, backend: str
) -> None:
    given = _answer_in_turn(client, invite, org)
    if backend == "postgres":
        waiting = session.execute(
            text(
                "SELECT i.person_id, q.payload FROM invitations i"
                " JOIN queued_submissions q ON i.xmin = q.xmin"
            )
        ).all()
        session.rollback()
        named = {person: json.loads(payload) for person, payload in waiting}
        assert {
            person: data["responses"][0]["item"]["answers"]["overall"]
            for person, data in named.items()
        } == given
    assert file_submissions(app) == PEOPLE
    session.rollback()
    if backend == "postgres":
        joined = session.execute(
            text("SELECT i.person_id FROM invitations i JOIN responses r ON i.xmin = r.xmin")
        ).all()
        assert joined == []
        assert session.scalar(text("SELECT count(DISTINCT xmin::text) FROM responses")) == 1
        in_place = session.execute(
            text(f"SELECT a.value FROM responses r {OVERALL} ORDER BY r.ctid")
        ).scalars()
        assert list(in_place) != list(given.values())
        return
    for table in (*ANSWER_TABLES, "queued_submissions"):
        with pytest.raises(exc.OperationalError, match="rowid"):
            session.execute(text(f"SELECT rowid FROM {table}"))
        session.rollback()
    # Stored by the random id: a scan of the table itself (a column no index holds, so that no
    # index can stand in for it) comes in id order, not in the order written.
    scanned = [row.id for row in session.execute(text("SELECT id, iso_week FROM responses"))]
    assert len(scanned) == PEOPLE and scanned == sorted(scanned)
    value = dict(session.execute(text(f"SELECT r.id, a.value FROM responses r {OVERALL}")).all())
    assert [value[i] for i in scanned] != list(given.values())


def test_a_post_interaction_answer_does_not_name_its_service(
    app: Any, client: Any, org: Any, session: Session
) -> None:
    """Two Sales people, each helped by IT through a different service in the same week, both
    answer. A reader of the database who knows which request each made (the requests name
    their service and requester) must not be able to tell whose answer is whose from the
    response rows: they differ in their random id only."""
    from datetime import timedelta

    from survey.models import Service
    from survey.models.base import utcnow
    from tests import factories

    access = Service(provider_department_id=org.it.id, code="IT-ACCESS", name="Access rights")
    session.add(access)
    session.commit()
    now = utcnow()
    for person, service, overall in ((org.person(0), org.laptop, 1), (org.person(2), access, 5)):
        assert person.department_id == org.sales.id
        request = factories.handled_request(session, person, org.it, service, now)
        token = factories.invitation_link(
            session, person, "post_interaction", now + timedelta(days=14), interaction=request
        )
        url = f"/r/{token}"
        reply = client.post(url, data={"csrf_token": csrf_token(client, url), "overall": overall})
        assert reply.status_code == 302
    _rows_differ_in_id_only(app, session, "service_id")


def test_a_quarterly_answer_does_not_name_its_campaign(
    app: Any, client: Any, invite: Any, org: Any, session: Session
) -> None:
    """A quarter with the organisation's campaign and a second one for a few people: a
    response naming its campaign would narrow its author to that campaign's few invitees.
    Two Sales people, one in each, rate IT alike: their response rows differ in their random
    id only."""
    from tests import factories

    everyone = factories.open_campaign(session, "Quarterly")
    few = factories.open_campaign(session, "Follow-up", department_ids=[org.sales.id])
    dims = dict(
        reliability="4", responsiveness="3", competence="5", courtesy="5", tools="4", overall="4"
    )
    for person, campaign in ((org.person(0), everyone), (org.person(2), few)):
        url = f"/r/{invite('quarterly', person, campaign=campaign)}"
        form = {"csrf_token": csrf_token(client, url), "section": "0", "action": "save", **dims}
        assert client.post(url, data=form).status_code == 200
        last = {"csrf_token": csrf_token(client, url), "section": "1", "action": "submit"}
        reply = client.post(url, data={**last, "not_applicable": "y"})
        assert reply.status_code == 302
    _rows_differ_in_id_only(app, session, "campaign_id")
