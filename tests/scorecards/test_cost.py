"""Speed by design: a page reads aggregates, so its database work does not grow with the
number of answers (the issue's rule: the same cost at 10 thousand and at 1 million)."""

from __future__ import annotations

import itertools

import pytest

from tests.scorecards.conftest import Org

Q = "2026Q1"


def _fill(org: Org, per_pair: int) -> None:
    ratings = itertools.cycle([1, 2, 3, 4, 5, 4, 4, 5])
    for provider in ("IT", "HR", "FIN"):
        for customer in ("SALES", "ENG"):
            org.post_interaction(provider, customer, Q, [next(ratings) for _ in range(per_pair)])
            org.quarterly(
                provider,
                customer,
                Q,
                [next(ratings) for _ in range(per_pair)],
                comments=[f"comment {i}" for i in range(3)],
            )
    org.interactions("IT", Q, [(10, 100)] * 6)


def _get_ok(client, path: str) -> None:  # type: ignore[no-untyped-def]
    assert client.get(path).status_code == 200, path


def _statements(client, count_statements, path: str) -> int:
    client.get(path)  # warm: chart and compliance caches filled, sign-in cookie settled
    return count_statements(lambda: client.get(path))


@pytest.mark.postgres
@pytest.mark.parametrize("path", ["/scorecards/IT", "/scorecards/"])
def test_statement_count_does_not_grow_with_answers(
    app, org: Org, make_user, count_statements, path: str, backend
) -> None:
    _fill(org, 10)
    small_client = app.test_client()
    from tests.conftest import post_form

    user = make_user("viewer")
    post_form(
        small_client, "/auth/sign-in", {"email": user.email, "password": "correct horse battery"}
    )
    small = _statements(small_client, count_statements, path + f"?quarter={Q}")
    _fill(org, 90)  # ten times the answers
    large = _statements(small_client, count_statements, path + f"?quarter={Q}")
    assert small == large


def test_department_page_reads_no_answers_but_its_comments(
    admin_client, org: Org, seen_statements
) -> None:
    _fill(org, 10)

    def both() -> None:
        _get_ok(admin_client, f"/scorecards/IT?quarter={Q}")
        _get_ok(admin_client, f"/scorecards/?quarter={Q}")

    seen = seen_statements(both)
    touching = [s for s in seen if " responses" in s or " answers" in s]
    # The comments of one provider and quarter, twice: the scorecard's list (shared with the
    # CSV, PDF and API) and the page's reading view (with score band), plus that view's
    # response counts by questionnaire and score band and its count of the responses whose
    # writers asked to be contacted (``unnamed_people``); and for "What to work on" (IT
    # has 20 people, counted from their marks: fewer than its own drivers need, so its
    # answers are not read) at most the per-person quarterly answers of the providers with
    # shown customer cells, through the (provider, quarter) index, once per released quarter
    # (cached under its version).
    comments = [s for s in touching if "answers.text" in s]
    others = [s for s in touching if "answers.text" not in s]
    assert len(comments) == 2 and 2 <= len(others) <= 3, touching
    for statement in comments:
        assert "responses.provider_department_id =" in statement
    for statement in others:
        assert "responses.provider_department_id" in statement
    for statement in touching:
        assert "responses.quarter =" in statement
    seen = seen_statements(lambda: _get_ok(admin_client, f"/scorecards/IT?quarter={Q}"))
    again = [s for s in seen if " responses" in s or " answers" in s]
    assert not [s for s in again if "answers.text" not in s], again  # drivers were cached


@pytest.mark.parametrize("path", ["/scorecards/IT", "/scorecards/"])
def test_a_page_reads_the_stored_baseline_once(
    admin_client, org: Org, seen_statements, path: str
) -> None:
    """The settings in force (its k and weights) and the model's priors both rest on the
    active baseline record: a view reads it once and hands it to both, so the two can never
    see two different records within one page."""
    _fill(org, 10)
    admin_client.get(f"{path}?quarter={Q}")  # warm
    seen = seen_statements(lambda: _get_ok(admin_client, f"{path}?quarter={Q}"))
    active = [s for s in seen if "from baselines" in s and "baselines.active" in s]
    assert len(active) == 1, active
