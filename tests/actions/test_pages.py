"""The action plan's pages: who may open them, the form (CSRF, bad input kept), the list's
pages and export, and the sections on the scorecards."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from flask import Flask, url_for
from sqlalchemy import select

from survey.models import Action, AuditEntry
from tests.conftest import csrf_token, post_form

pytestmark = pytest.mark.postgres


def form(target: str, **kw: Any) -> dict[str, Any]:
    values = {
        "title": "Answer every ticket within a day",
        "target": target,
        "description": "Second-line rota",
        "owner_name": "Team lead",
        "owner_user": "",
        "due_on": "2026-12-31",
        "status": "in_progress",
        "public_summary": "You told us answers were slow; we now answer within a day.",
    }
    values.update(kw)
    return values


def test_manager_records_an_action_and_sees_it_on_the_scorecard(
    client, session, make_department, make_user, sign_in
) -> None:
    it = make_department("IT", "Information technology")
    sign_in(make_user("manager", department_id=it.id))
    page = client.get("/actions/IT/new")
    assert page.status_code == 200
    assert 'name="csrf_token"' in page.get_data(as_text=True)

    saved = post_form(
        client, "/actions/IT/new", form("dimension:responsiveness"), follow_redirects=True
    )
    assert saved.status_code == 200
    assert "Answer every ticket within a day" in saved.get_data(as_text=True)
    listing = client.get("/actions/").get_data(as_text=True)
    assert "Dec 31, 2026" in listing  # the due day in the reader's format
    assert "31 dic 2026" in client.get("/actions/?lang=it").get_data(as_text=True)
    client.get("/actions/?lang=en")  # the language asked is remembered: back to English
    action = session.scalar(select(Action))
    assert action is not None and action.department_id == it.id and action.published
    assert session.scalar(select(AuditEntry.action)) == "create"

    card = client.get("/scorecards/IT").get_data(as_text=True)
    assert 'id="actions-heading"' in card
    assert "Answer every ticket within a day" in card
    assert "Record an action" in card
    overview = client.get("/scorecards/").get_data(as_text=True)
    assert (
        'id="open-actions-heading"' in overview and "Answer every ticket within a day" in overview
    )


def test_bad_input_comes_back_with_the_values_kept(
    client, make_department, make_user, sign_in
) -> None:
    make_department("IT")
    sign_in(make_user("admin"))
    bad = post_form(
        client,
        "/actions/IT/new",
        form("dimension:nonsense", title="Keep me", public_summary="x" * 300),
    )
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert 'value="Keep me"' in text
    assert 'class="error"' in text
    assert "x" * 300 in text
    far = post_form(client, "/actions/IT/new", form("component:T", due_on="0001-01-01"))
    assert far.status_code == 422
    text = far.get_data(as_text=True)
    assert '<p class="error" id="due_on-error">Choose a year between 1970 and 9998.</p>' in text
    assert 'value="0001-01-01"' in text


def test_a_form_without_its_csrf_token_stores_nothing(
    client, session, make_department, make_user, sign_in
) -> None:
    make_department("IT")
    sign_in(make_user("admin"))
    refused = client.post("/actions/IT/new", data=form("component:T", title="Kept"))
    assert refused.status_code == 400
    assert session.scalar(select(Action)) is None


def test_who_may_open_what(
    app: Flask, client, session, make_department, make_user, sign_in
) -> None:
    it, hr = make_department("IT"), make_department("HR")
    manager = make_user("manager", department_id=it.id)
    sign_in(manager)
    post_form(client, "/actions/IT/new", form("component:C"))
    action = session.scalar(select(Action))
    # The manager's list shows only their department, whatever the query string says.
    assert "IT" in client.get("/actions/?department=HR").get_data(as_text=True)
    assert client.get("/actions/HR/new").status_code == 403
    other = app.test_client()
    sign_in(make_user("manager", department_id=hr.id), on=other)
    assert other.get(f"/actions/{action.id}/edit").status_code == 403
    token = csrf_token(other, "/")
    assert (
        other.post(
            f"/actions/{action.id}/status", data={"csrf_token": token, "status": "done"}
        ).status_code
        == 403
    )
    viewer = app.test_client()
    sign_in(make_user("viewer"), on=viewer)
    assert viewer.get("/actions/").status_code == 403
    assert "Record an action" not in viewer.get("/scorecards/IT").get_data(as_text=True)
    anonymous = app.test_client()
    assert anonymous.get("/actions/").status_code == 302


def test_every_actions_route_is_refused_to_viewers_and_anonymous(
    app: Flask, session, make_department, make_user, sign_in
) -> None:
    it = make_department("IT")
    action = Action(department_id=it.id, title="x", target_kind="component", target_code="T")
    session.add(action)
    session.commit()
    args = {"code": "IT", "action_id": action.id}
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("actions.")]
    assert len(rules) == 5
    viewer = app.test_client()
    sign_in(make_user("viewer"), on=viewer)
    token = csrf_token(viewer, "/")
    for rule in rules:
        with app.test_request_context():
            url = url_for(rule.endpoint, **{a: args[a] for a in rule.arguments})
        for method in sorted(m for m in rule.methods if m in ("GET", "POST")):
            stranger = app.test_client()
            anonymous = stranger.open(url, method=method, data={"csrf_token": csrf_token(stranger)})
            assert anonymous.status_code == 302 and "/auth/sign-in" in anonymous.headers["Location"]
            assert viewer.open(url, method=method, data={"csrf_token": token}).status_code == 403


def test_status_change_list_pages_and_export(
    app: Flask, client, session, make_department, make_user, sign_in
) -> None:
    app.config["PAGE_SIZE"] = 5
    it = make_department("IT")
    for n in range(7):
        session.add(
            Action(department_id=it.id, title=f"=act {n}", target_kind="component", target_code="R")
        )
    session.commit()
    sign_in(make_user("admin"))
    first = client.get("/actions/?department=IT").get_data(as_text=True)
    assert "Page 1 of 2" in first and first.count("/edit") == 5
    assert client.get("/actions/?department=IT&page=2").get_data(as_text=True).count("/edit") == 2
    assert client.get("/actions/?department=NOPE").status_code == 404

    action = session.scalars(select(Action).order_by(Action.id)).first()
    moved = post_form(client, f"/actions/{action.id}/status", {"status": "done"})
    assert moved.status_code == 302
    session.rollback()  # a new snapshot: the request committed in its own transaction
    assert action.status == "done"
    wrong = post_form(client, f"/actions/{action.id}/status", {"status": "exploded"})
    assert wrong.status_code == 302
    session.rollback()  # a new snapshot: the request committed in its own transaction
    assert action.status == "done"

    export = client.get("/actions/export.csv?department=IT")
    assert export.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 8
    assert all(row[1].startswith("'=") for row in rows[1:])


def test_the_admin_dashboard_lists_overdue_actions(
    client, session, make_department, make_user, sign_in
) -> None:
    from datetime import date, timedelta

    it = make_department("IT")
    today = date.today()
    session.add_all(
        [
            Action(
                department_id=it.id,
                title="Late one",
                target_kind="component",
                target_code="R",
                status="in_progress",
                due_on=today - timedelta(days=3),
            ),
            Action(
                department_id=it.id,
                title="On time",
                target_kind="component",
                target_code="T",
                status="planned",
                due_on=today + timedelta(days=3),
            ),
            Action(
                department_id=it.id,
                title="Done late",
                target_kind="component",
                target_code="C",
                status="done",
                due_on=today - timedelta(days=9),
            ),
        ]
    )
    session.commit()
    sign_in(make_user("admin"))
    page = client.get("/admin/").get_data(as_text=True)
    section = page[page.index('id="overdue-heading"') :]
    section = section[: section.index("</section>")]
    assert "Late one" in section
    assert "On time" not in section and "Done late" not in section  # not overdue
    assert "Open actions in all: 2." in section


def test_open_actions_name_the_department_and_the_day_in_the_readers_language(
    client, session, make_department, make_user, sign_in
) -> None:
    """The overview's open actions and the dashboard's overdue ones share one table: the
    department's translated name, the due day in the reader's format, the overdue badge."""
    from datetime import date

    it = make_department("IT", "Information Technology", names={"it": "Informatica"})
    session.add(
        Action(
            department_id=it.id,
            title="Answer every request within a day",
            target_kind="component",
            target_code="R",
            status="planned",
            due_on=date(2026, 3, 9),
        )
    )
    session.commit()
    sign_in(make_user("admin"))
    for url, heading in (
        ("/scorecards/?lang=it", "open-actions-heading"),
        ("/admin/?lang=it", "overdue-heading"),
    ):
        page = client.get(url).get_data(as_text=True)
        section = page[page.index(f'id="{heading}"') :]
        section = section[: section.index("</section>")]
        assert "Informatica" in section and "Information Technology" not in section
        assert "9 mar 2026" in section and "2026-03-09" not in section
        assert "in ritardo" in section  # the overdue badge, in Italian
