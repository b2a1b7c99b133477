"""Queued submissions: what a submit writes, and the filing that turns it into responses.

A submit uses its link and writes one ``queued_submissions`` row holding its responses as it
checked them (``queue_submission``); it no longer writes responses, answers, the respondent's
mark and the score cells while it holds SQLite's write lock. ``file_queued`` writes them: every
queued row, in random order, through the same statements a submit used to run
(``responses.write_response``), and deletes the rows, in one transaction.

Whatever reads or changes the figures files first, so nobody ever sees a figure without an
answer already given:

- every request outside the respondent's link (``views.file_queued_first``, a hook of the
  whole app): pages, exports and the API;
- every ``survey`` command (the group's callback in ``survey/cli.py``), the tick included;
- a release, in its own transaction before it decides (the extension point
  ``release.before``, run by ``publishing.publish_releases``).

A service called outside those (a test, a shell) calls ``file_queued`` itself.

The order of filing is random (``secrets.SystemRandom``) and a queued row carries no link,
invitation, time or sequence, so neither the rows' order nor their timing tells which submit a
response came from beyond what the claim's own transaction tells a reader of the database
while the row waits (``docs/anonymity.md``).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence

from sqlalchemy import delete, exists, func, insert, select
from sqlalchemy.orm import Session

from survey.models import QueuedSubmission
from survey.models.base import random_id
from survey.respond.services.responses import PreparedResponse, write_response

#: The payload's format; a row of another format is refused rather than misread.
PAYLOAD_VERSION = 1

QUEUE = insert(QueuedSubmission.__table__)
ANYTHING_QUEUED = select(exists().select_from(QueuedSubmission.__table__))
# Every queued row taken at once; on PostgreSQL a second filer waits for the first's rows and
# then finds them gone (``_file_alone`` makes filers take turns anyway).
TAKE_ALL = delete(QueuedSubmission.__table__).returning(QueuedSubmission.__table__.c.payload)
# PostgreSQL: filers take turns (a transaction-level advisory lock, released at commit), so two
# never add to the same marks and cells in opposite orders. The key is arbitrary and fixed.
_FILING_LOCK_KEY = 7_301_772_041


def payload_of(prepared: Sequence[PreparedResponse]) -> str:
    """The JSON a queued row holds for ``prepared`` (one submit's responses)."""
    return json.dumps(
        {"v": PAYLOAD_VERSION, "responses": [p.to_entry() for p in prepared]},
        separators=(",", ":"),
    )


def responses_of(payload: str) -> list[PreparedResponse]:
    """The responses of one queued row's ``payload`` (``payload_of``); ValueError for a
    payload of another format."""
    data = json.loads(payload)
    if data.get("v") != PAYLOAD_VERSION:
        raise ValueError(f"a queued submission of format {data.get('v')!r}")
    return [PreparedResponse.from_entry(entry) for entry in data["responses"]]


def queue_submission(session: Session, prepared: Sequence[PreparedResponse]) -> None:
    """Queue one submit's responses (``prepared``: at least one, all of one questionnaire,
    else ValueError) as one row, in the session's transaction (the one that claimed the
    link). The answers are not checked again: ``prepare_response`` checked every one."""
    questionnaires = {p.values["questionnaire_id"] for p in prepared}
    if len(questionnaires) != 1:
        raise ValueError("a queued submission holds responses to one questionnaire")
    session.connection().execute(
        QUEUE,
        {
            "id": random_id(),
            "questionnaire_id": questionnaires.pop(),
            "payload": payload_of(prepared),
        },
    )


def anything_queued(session: Session) -> bool:
    """Whether any submission waits to be filed (one indexed look)."""
    return bool(session.connection().execute(ANYTHING_QUEUED).scalar())


def _file_alone(session: Session) -> None:
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock(_FILING_LOCK_KEY)))


def file_queued(session: Session) -> int:
    """File every queued submission in the session's transaction: its responses written as a
    submit used to write them (``write_response``: answers, the respondent's mark, the score
    cells), all of them in random order, and the rows deleted. Returns the number of responses
    filed (0 when nothing waited). Call it in a ``db.writing`` block; flushes only."""
    _file_alone(session)
    payloads = list(session.connection().execute(TAKE_ALL).scalars())
    if not payloads:
        return 0
    responses = [response for payload in payloads for response in responses_of(payload)]
    secrets.SystemRandom().shuffle(responses)
    for prepared in responses:
        write_response(session, prepared)
    session.flush()
    return len(responses)
