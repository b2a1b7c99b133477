"""A ticketing tool's first reports of one request arriving at once (a webhook for the
creation and one for the resolution, fired together): each is applied, none is refused."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import select

from survey.delivery.services import interactions as interaction_services
from survey.models import Interaction
from tests.delivery.test_api_interactions import body
from tests.delivery.test_lifecycle import T, opened, t


def _racing(app, monkeypatch, ref: str) -> None:  # type: ignore[no-untyped-def]
    """Make two first reports of ``ref`` both find no request before either stores it: the
    race of two app hosts (or workers) on PostgreSQL. SQLite takes its write lock when the
    transaction starts, so there a second report waits for the first and finds it."""
    if app.extensions["survey.db"].engine.dialect.name != "postgresql":
        return
    barrier = threading.Barrier(2, timeout=60)
    original = interaction_services.find_existing

    def looked_up_together(session, source, external_ref, for_update=False):  # type: ignore[no-untyped-def]
        found = original(session, source, external_ref, for_update)
        if found is None and external_ref == ref:
            barrier.wait()
        return found

    monkeypatch.setattr(interaction_services, "find_existing", looked_up_together)


def _at_once(app, org, path: str, bodies: list[dict[str, Any]]) -> list[Any]:  # type: ignore[no-untyped-def]
    answers: list[Any] = [None] * len(bodies)

    def post(index: int) -> None:
        answers[index] = app.test_client().post(
            f"/api/v1{path}",
            json=bodies[index],
            headers={"Authorization": f"Bearer {org.api_key}"},
        )

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


@pytest.mark.postgres
def test_two_first_reports_at_once_are_both_applied(app, org, session, monkeypatch) -> None:
    """The creation and the resolution of a request reported at once. Before, on
    PostgreSQL, the one that lost the race to store the request got 409 ("a concurrent
    request changed this interaction, try again"): a webhook sender does not retry a 4xx, so
    the resolution was lost, the request stayed open and was never surveyed."""
    _racing(app, monkeypatch, "T-1")
    answers = _at_once(app, org, "/interactions", [opened(), opened(resolved_at=T(4, 15))])
    assert sorted(a.status_code for a in answers) == [200, 201], [a.get_json() for a in answers]
    assert len({a.get_json()["id"] for a in answers}) == 1
    session.rollback()
    stored = session.scalars(select(Interaction)).all()
    assert len(stored) == 1 and stored[0].resolved_at == t(4, 15)


@pytest.mark.postgres
def test_a_helpdesk_s_created_and_solved_webhooks_at_once(app, org, session, monkeypatch) -> None:
    """The same race through a ready-made webhook mapping: the help desk fires its
    "created" and "solved" webhooks together; the request ends solved."""
    from tests.delivery.test_webhooks import sample

    _racing(app, monkeypatch, "4711")
    bodies = [sample("helpdesk-created"), sample("helpdesk-solved")]
    answers = _at_once(app, org, "/webhooks/helpdesk", bodies)
    assert sorted(a.status_code for a in answers) == [200, 201], [a.get_json() for a in answers]
    session.rollback()
    stored = session.scalars(select(Interaction)).all()
    assert len(stored) == 1 and stored[0].resolved_at is not None


@pytest.mark.postgres
def test_the_same_idempotency_key_at_once_is_answered_once(app, org, session, monkeypatch) -> None:
    """A tool retrying a first report (same Idempotency-Key, same body) before the first try
    answered: both get the one answer, one request is stored."""
    _racing(app, monkeypatch, "T-1")
    answers: list[Any] = [None, None]

    def post(index: int) -> None:
        answers[index] = app.test_client().post(
            "/api/v1/interactions",
            json=body(),
            headers={"Authorization": f"Bearer {org.api_key}", "Idempotency-Key": "k-1"},
        )

    threads = [threading.Thread(target=post, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert [a.status_code for a in answers] == [201, 201], [a.get_json() for a in answers]
    assert answers[0].get_json() == answers[1].get_json()
    session.rollback()
    assert len(session.scalars(select(Interaction)).all()) == 1
