"""The action plan's verbs and reads, on SQLite and PostgreSQL: validation, audit entries,
the lists and the CSV export."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from survey.actions import services
from survey.actions.services import ActionInput
from survey.models import Action, AuditEntry
from survey.services.refusals import OrgError

pytestmark = pytest.mark.postgres


def data(**kw) -> ActionInput:
    values = {
        "title": "Answer every ticket within a day",
        "description": "",
        "target": "dimension:responsiveness",
        "owner_name": "Team lead",
        "owner_user_id": None,
        "due_on": date(2026, 12, 31),
        "status": "planned",
        "public_summary": "",
    }
    values.update(kw)
    return ActionInput(**values)


def test_create_edit_and_status_are_audited(session, make_department, make_user) -> None:
    it, hr = make_department("IT"), make_department("HR")
    admin = make_user("admin")
    action = services.create_action(session, admin, it, data(target=f"customer:{hr.id}"))
    services.update_action(session, admin, action, data(target=f"customer:{hr.id}", title="Faster"))
    services.update_action(session, admin, action, data(target=f"customer:{hr.id}", title="Faster"))
    services.change_status(session, admin, action, "in_progress")
    session.commit()

    entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [e.action for e in entries] == ["create", "edit", "status"]  # no-op edit: no entry
    assert {e.target_kind for e in entries} == {"action"}
    assert entries[0].changes["customer_department_id"] == [None, hr.id]
    assert entries[1].changes == {"title": ["Answer every ticket within a day", "Faster"]}
    assert entries[2].changes == {"status": ["planned", "in_progress"]}
    assert entries[2].actor_label == admin.email
    stored = session.get(Action, action.id)
    assert (stored.target_kind, stored.customer_department_id) == ("customer", hr.id)


@pytest.mark.parametrize(
    ("field", "kw"),
    [
        ("title", {"title": "   "}),
        ("target", {"target": "dimension:speed"}),
        ("target", {"target": "component:X"}),
        ("target", {"target": "customer:999999"}),
        ("target", {"target": "nonsense"}),
        ("status", {"status": "finished"}),
        ("public_summary", {"public_summary": "x" * 281}),
        ("owner_user", {"owner_user_id": 999999}),
    ],
)
def test_bad_input_is_refused_with_its_field(session, make_department, field, kw) -> None:
    it = make_department("IT")
    with pytest.raises(OrgError) as refused:
        services.create_action(session, None, it, data(**kw))
    assert refused.value.field == field
    session.rollback()
    assert session.scalar(select(Action)) is None


def test_an_action_cannot_answer_its_own_department(session, make_department) -> None:
    it = make_department("IT")
    with pytest.raises(OrgError):
        services.create_action(session, None, it, data(target=f"customer:{it.id}"))


def test_the_database_refuses_two_targets(session, make_department) -> None:
    it = make_department("IT")
    session.add(
        Action(
            department_id=it.id,
            title="x",
            target_kind="dimension",
            target_code="reliability",
            customer_department_id=make_department("HR").id,
        )
    )
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_lists_open_overdue_and_published(session, make_department) -> None:
    it, hr = make_department("IT"), make_department("HR")
    today = date.today()
    late = services.create_action(
        session, None, it, data(title="late", due_on=today - timedelta(days=1))
    )
    services.create_action(
        session,
        None,
        it,
        data(title="shown", status="in_progress", public_summary="We answer within a day now."),
    )
    services.create_action(
        session,
        None,
        hr,
        data(title="done", status="done", public_summary="New self-service portal."),
    )
    services.create_action(session, None, hr, data(title="internal", status="done"))
    services.create_action(
        session, None, hr, data(title="dropped", status="dropped", public_summary="x")
    )
    session.commit()

    assert services.is_overdue(late, today)
    assert [a.title for a in services.open_actions(session)] == ["late", "shown"]
    published = services.published_actions(session, [it.id, hr.id])
    assert sorted(a.title for a in published) == ["done", "shown"]
    assert (
        services.published_actions(session, [hr.id])[0].public_summary == "New self-service portal."
    )
    assert services.published_actions(session, []) == []


def test_csv_cells_cannot_be_formulas(session, make_department) -> None:
    it = make_department("IT")
    services.create_action(
        session,
        None,
        it,
        data(title='=HYPERLINK("x")', public_summary="+1+cmd|' /C calc'!A0", owner_name="@me"),
    )
    session.commit()
    rows = list(csv.reader(io.StringIO(services.to_csv(session, it.id))))
    assert rows[0] == list(services.CSV_HEADER)
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["title"] == '\'=HYPERLINK("x")'
    assert row["public_summary"] == "'+1+cmd|' /C calc'!A0"
    assert row["owner"] == "'@me"
    assert row["answers"] == "dimension:responsiveness"
