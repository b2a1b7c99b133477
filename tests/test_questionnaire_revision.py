"""The questionnaire revision goes up on every change of a questionnaire or its questions,
whoever makes it: the ORM, a Core statement or plain SQL (database triggers, migration 0015).
Each process keeps a rendered copy keyed by (id, revision), so a change the revision misses
would leave respondents answering stale questions."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from survey.models import Question, Questionnaire
from survey.services.questionnaires import add_question, install_default_questionnaires


@pytest.fixture
def revision(session: Session) -> Callable[[str], int]:
    install_default_questionnaires(session)
    session.commit()

    def read(kind: str) -> int:
        session.rollback()  # a fresh read, not the session's old snapshot
        found = session.scalar(select(Questionnaire.revision).where(Questionnaire.kind == kind))
        assert found is not None
        return found

    return read


def _ids(session: Session, kind: str) -> tuple[int, int]:
    questionnaire = session.scalar(select(Questionnaire).where(Questionnaire.kind == kind))
    assert questionnaire is not None
    return questionnaire.id, questionnaire.questions[0].id


@pytest.mark.postgres
def test_core_and_plain_sql_changes_raise_the_revision(session: Session, revision) -> None:
    qid, first = _ids(session, "post_interaction")
    before = revision("post_interaction")
    # A Core UPDATE of one question's texts, as a data migration would write it.
    session.execute(update(Question).where(Question.id == first).values(texts={"en": {}}))
    session.commit()
    after_update = revision("post_interaction")
    assert after_update > before
    # Plain SQL: a new question, then its deletion.
    session.execute(
        text(
            "INSERT INTO questions (questionnaire_id, code, position, qtype, required, texts,"
            " options, created_at) VALUES (:q, 'extra', 99, 'yes_no', false, '{}', '{}',"
            " CURRENT_TIMESTAMP)"
        ),
        {"q": qid},
    )
    session.commit()
    after_insert = revision("post_interaction")
    assert after_insert > after_update
    session.execute(text("DELETE FROM questions WHERE code = 'extra'"))
    session.commit()
    assert revision("post_interaction") > after_insert


@pytest.mark.postgres
def test_questionnaire_row_changes_count_and_other_questionnaires_stay(
    session: Session, revision
) -> None:
    qid, _first = _ids(session, "post_interaction")
    quarterly = revision("quarterly")
    before = revision("post_interaction")
    session.execute(update(Questionnaire).where(Questionnaire.id == qid).values(active=False))
    session.commit()
    after = revision("post_interaction")
    assert after > before
    assert revision("quarterly") == quarterly  # only the changed one moves
    # Writing the same value again, or the revision itself, is not a change.
    session.execute(update(Questionnaire).where(Questionnaire.id == qid).values(active=False))
    session.commit()
    assert revision("post_interaction") == after


@pytest.mark.postgres
def test_a_question_moved_raises_both_questionnaires(session: Session, revision) -> None:
    _qid, first = _ids(session, "post_interaction")
    target, _ = _ids(session, "quarterly")
    before = (revision("post_interaction"), revision("quarterly"))
    session.execute(update(Question).where(Question.id == first).values(questionnaire_id=target))
    session.commit()
    assert revision("post_interaction") > before[0]
    assert revision("quarterly") > before[1]


@pytest.mark.postgres
def test_orm_changes_raise_the_revision_and_the_object_sees_it(session: Session, revision) -> None:
    questionnaire = session.scalar(
        select(Questionnaire).where(Questionnaire.kind == "post_interaction")
    )
    assert questionnaire is not None
    before = revision("post_interaction")
    questionnaire = session.get(Questionnaire, questionnaire.id)
    assert questionnaire is not None
    add_question(session, questionnaire, code="later", qtype="yes_no", texts={"en": {}})
    questionnaire.name = "Renamed questionnaire"
    session.commit()
    assert revision("post_interaction") > before
    session.refresh(questionnaire)
    assert questionnaire.revision == revision("post_interaction")
