"""Fixtures for the quiz tests: the installed quiz, its scoring key, answer sets and a way to
submit the quiz form as a browser would."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.models import Department, Questionnaire
from survey.quiz.scoring import FREQUENCY, ItemKey
from survey.quiz.services import (
    Member,
    start_attempt,
    submit_attempt,
)
from tests.conftest import csrf_token
from tests.factories import best_answer, worst_answer

KEY_IN_URL = re.compile(r"/quiz/r/([A-Za-z0-9_-]+)$")


def best(keys: list[ItemKey]) -> dict[str, int]:
    return {k.code: best_answer(k) for k in keys}


def worst(keys: list[ItemKey]) -> dict[str, int]:
    return {k.code: worst_answer(k) for k in keys}


def rated(key: ItemKey, rating: str) -> int:
    """The option index of a scenario's choice with ``rating``."""
    return key.ratings.index(rating)


def form_data(answers: Mapping[str, int], **extra: Any) -> dict[str, str]:
    return {**{code: str(value) for code, value in answers.items()}, **extra}


@pytest.fixture
def take(client: FlaskClient) -> Callable[..., Any]:
    """POST the quiz form at ``url`` with a valid CSRF token (read from the form itself)."""

    def submit(answers: Mapping[str, int], url: str = "/quiz", **extra: Any) -> Any:
        token = csrf_token(client, url)
        return client.post(url, data={"csrf_token": token, **form_data(answers, **extra)})

    return submit


def key_of(response: Any) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    match = KEY_IN_URL.search(response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


@pytest.fixture
def attempt(app: Flask, session: Session, quiz: Questionnaire) -> Callable[..., str]:
    """Store an attempt through the service (a new series, or a retake of ``key``); returns
    the series key. ``member`` names a verified taker (e.g. ``"person:7"``) of ``department``,
    whose attempt counts toward its self-view; without it the attempt is anonymous. Commits."""

    def make(
        answers: Mapping[str, int],
        department: str | None = None,
        key: str | None = None,
        day: date = date(2026, 5, 4),
        member: str | None = None,
    ) -> str:
        who = None
        if member is not None:
            found = session.scalar(select(Department).where(Department.code == department))
            assert found is not None
            who = Member(member, found.id)
        with app.app_context():
            if key is None:
                key, _a = start_attempt(
                    session, quiz, answers, department_code=department, today=day, member=who
                )
            else:
                assert submit_attempt(
                    session,
                    quiz,
                    key,
                    answers,
                    department_code=department,
                    today=day,
                    member=who,
                )
        session.commit()
        return key

    return make


def frequency_items(keys: list[ItemKey]) -> list[ItemKey]:
    return [k for k in keys if k.kind == FREQUENCY]
