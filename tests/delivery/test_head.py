"""HEAD on every respondent URL answers as GET would, without a body, and spends nothing: no
link used, no draft saved, no response stored (mail scanners and link checkers send HEAD)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from survey.models import Invitation, QuizAttempt
from survey.models.base import utcnow
from survey.quiz.items import install_quiz
from survey.quiz.services import item_keys, live_items, start_attempt
from tests.delivery.test_respond import table_counts
from tests.factories import best_answer


def same_as_get(client, url: str) -> int:  # type: ignore[no-untyped-def]
    got = client.get(url)
    head = client.head(url)
    assert head.status_code == got.status_code, (url, head.status_code, got.status_code)
    assert head.get_data() == b""
    assert head.headers.get("Content-Type") == got.headers.get("Content-Type")
    return head.status_code


@pytest.mark.postgres
def test_head_on_links_in_every_state(client, session, invite, org, open_campaign_for) -> None:
    post = invite("post_interaction", org.person(0))
    quarterly = invite("quarterly", org.person(1), campaign=open_campaign_for())
    used = invite("post_interaction", org.person(2))
    session.execute(
        update(Invitation).where(Invitation.person_id == org.person(2).id).values(status="answered")
    )
    session.commit()
    expired = invite("post_interaction", org.person(3), expires_at=utcnow() - timedelta(minutes=1))
    before = table_counts(session)
    assert same_as_get(client, f"/r/{post}") == 200
    assert same_as_get(client, f"/r/{post}?score=5") == 200
    assert same_as_get(client, f"/r/{quarterly}") == 200
    assert same_as_get(client, f"/r/{quarterly}?section=1") == 200
    assert same_as_get(client, f"/r/{used}") == 410
    assert same_as_get(client, f"/r/{expired}") == 410
    assert same_as_get(client, "/r/abcdefghijklmnopqrstuv") == 404
    assert same_as_get(client, f"/r/{post}/stop") == 200
    assert table_counts(session) == before
    session.rollback()
    statuses = session.scalars(select(Invitation.status).order_by(Invitation.id)).all()
    assert statuses == ["queued", "queued", "answered", "queued"]
    # The open link still works after all those HEADs.
    assert client.get(f"/r/{post}").status_code == 200


def test_head_on_quiz_result_links(client, session) -> None:
    quiz = install_quiz(session)
    session.commit()
    answers = {k.code: best_answer(k) for k in item_keys(live_items(quiz))}
    key, _attempt = start_attempt(session, quiz, answers, today=date(2026, 5, 4))
    session.commit()
    count = session.scalar(select(func.count()).select_from(QuizAttempt))
    assert same_as_get(client, f"/quiz/r/{key}") == 200
    assert same_as_get(client, f"/quiz/r/{key}/retake") == 200
    assert same_as_get(client, "/quiz") == 200
    assert same_as_get(client, "/quiz/r/abcdefghijklmnopqrstuv") in (404, 410)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(QuizAttempt)) == count
