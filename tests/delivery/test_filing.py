"""Queued submits and their filing (``survey/respond/services/filing.py``).

A submit uses its link and queues one row; whatever reads figures next files the queue. The
attacks: two filers at once (each response must be filed exactly once), a page read between a
submit and its filing (it must see the answer), a queued row that names more than a response
would, and a row of an unknown format (refused, nothing half-filed).
"""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey.db import database, writing
from survey.models import QueuedSubmission, Response, ScoreCell
from survey.respond.services.filing import file_queued
from tests.conftest import csrf_token
from tests.factories import file_submissions


def _count(session: Session, model: type) -> int:
    session.rollback()
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _answer(client, invite, person, overall: int, comment: str = "") -> None:  # type: ignore[no-untyped-def]
    url = f"/r/{invite('post_interaction', person)}"
    form = {"csrf_token": csrf_token(client, url), "overall": overall, "comment": comment}
    assert client.post(url, data=form).status_code == 302


def test_a_submit_queues_one_row_and_the_next_page_files_it(client, session, invite, org) -> None:
    _answer(client, invite, org.person(0), 4)
    assert _count(session, QueuedSubmission) == 1
    assert _count(session, Response) == 0 and _count(session, ScoreCell) == 0
    client.get("/healthz")  # the health check files nothing
    assert _count(session, QueuedSubmission) == 1
    client.get("/auth/sign-in")  # any other page files first
    assert _count(session, QueuedSubmission) == 0
    assert _count(session, Response) == 1
    assert session.scalar(
        select(ScoreCell.total).where(ScoreCell.metric == "pi.overall")
    ) == pytest.approx(4.0)


def test_a_queued_row_names_no_link_invitation_person_or_time(client, session, invite, org) -> None:
    person = org.person(0)
    _answer(client, invite, person, 2, "slow")
    session.rollback()
    payload = json.loads(session.scalar(select(QueuedSubmission.payload)))
    [response] = payload["responses"]
    assert set(payload) == {"v", "responses"}
    assert set(response) == {"id", "values", "answers", "has_answers", "item", "deltas"}
    assert response["item"]["contact_person_id"] is None  # no consent given
    text = json.dumps(payload)
    for absent in ("invitation", "token", '"person_id"', "_at", "email", person.email):
        assert absent not in text, absent
    assert set(response["values"]) == {
        "id",
        "kind",
        "questionnaire_id",
        "provider_department_id",
        "customer_department_id",
        "quarter",
        "iso_week",
        "contact_person_id",
    }


@pytest.mark.postgres
def test_two_filers_at_once_file_each_response_once(app, client, session, invite, org) -> None:
    for index in range(8):
        _answer(client, invite, org.person(index), 1 + index % 5)
    assert _count(session, QueuedSubmission) == 8
    filed: list[int] = []
    start = threading.Barrier(3)

    def file() -> None:
        start.wait()
        filed.append(file_submissions(app))

    threads = [threading.Thread(target=file) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(filed) == [0, 0, 8]
    assert _count(session, Response) == 8
    people = session.scalar(select(func.sum(ScoreCell.n)).where(ScoreCell.metric == "people"))
    assert people == 8  # each person's mark added to once


@pytest.mark.postgres
def test_a_row_of_another_format_is_refused_and_nothing_is_filed(
    app, client, session, invite, org
) -> None:
    _answer(client, invite, org.person(0), 5)
    session.rollback()
    questionnaire = session.scalar(select(QueuedSubmission.questionnaire_id))
    odd = json.dumps({"v": 99, "responses": []})
    session.add(QueuedSubmission(questionnaire_id=questionnaire, payload=odd))
    session.commit()
    with app.app_context():
        filer = database(app).sessionmaker()
        with pytest.raises(ValueError, match="format 99"), writing(filer):
            file_queued(filer)
        filer.close()
    assert _count(session, QueuedSubmission) == 2  # both still queued: rolled back
    assert _count(session, Response) == 0


def test_the_tick_command_files_first(app, client, session, invite, org) -> None:
    _answer(client, invite, org.person(0), 3)
    assert _count(session, QueuedSubmission) == 1
    result = app.test_cli_runner().invoke(args=["survey", "tick"])
    assert result.exit_code == 0, result.output
    assert _count(session, QueuedSubmission) == 0
    assert _count(session, Response) == 1


def test_a_question_whose_answer_waits_is_retired_not_deleted(
    app, client, session, invite, org
) -> None:
    """The race of an administrator removing a question of a questionnaire nobody answered
    yet while a submit is queued (their page filed the queue just before the submit): the
    question must stay, or filing the waiting answer would break every page after it."""
    from survey.models import Question
    from survey.services.questionnaires import remove_question

    _answer(client, invite, org.person(0), 3, "a comment")
    session.rollback()
    questionnaire_id = session.scalar(select(QueuedSubmission.questionnaire_id))
    comment = session.scalar(
        select(Question).where(
            Question.questionnaire_id == questionnaire_id, Question.code == "comment"
        )
    )
    assert remove_question(session, comment) == "retired"
    session.commit()
    assert file_submissions(app) == 1
    assert _count(session, Response) == 1


@pytest.mark.postgres
def test_closing_a_campaign_files_what_waits_before_it_publishes(app, client, session, org) -> None:
    """The race: an administrator closes the last campaign of a quarter that has ended. Their
    page filed the queue, then k people's answers about the quarter were queued before the
    close's own transaction began. The close must file them itself before it decides the
    release: filed after it, they would move a figure already published."""
    from datetime import UTC, datetime, time

    from survey.delivery.services.campaigns import close_campaign
    from survey.models import Campaign
    from survey.models.base import utcnow
    from survey.periods import quarter_bounds, quarter_of
    from tests.factories import open_campaign, post_interaction_link

    quarter = quarter_of(utcnow())
    later = datetime.combine(quarter_bounds(quarter)[1], time(12), tzinfo=UTC)
    campaign_id = open_campaign(session, "Last of the quarter").id
    for n in range(5):  # k people about IT, after the closing page filed the queue
        token = post_interaction_link(session, org.person(n), org.it, org.laptop)
        url = f"/r/{token}"
        data = {"csrf_token": csrf_token(client, url), "overall": "4"}
        assert client.post(url, data=data).status_code == 302
    assert _count(session, QueuedSubmission) == 5
    with app.app_context():
        closer = database(app).sessionmaker()
        with writing(closer):
            published = close_campaign(closer, closer.get(Campaign, campaign_id), later)
        closer.close()
    assert published is not None and published.quarters == (quarter,)
    assert _count(session, QueuedSubmission) == 0
    assert _count(session, Response) == 5
