"""A people sync deactivates its leavers in one set-based pass (``org.services.
deactivate_people``), the verb that deactivates one person from the people page too: both paths
leave the same traces (inactive, waiting mail withdrawn, invitations and the row kept, the same
audit entry), and the sync's statements do not grow one per leaver."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select

from survey.db import database
from survey.models import AuditEntry, Dependency, ErasedAddress, Invitation, Person
from survey.org.services import deactivate_people
from survey.services.outbox import WITHDRAWN_LEFT, withdrawal_reasons
from tests.admin.test_people_import import payload_of
from tests.admin.test_people_sync import URL, people, upload
from tests.conftest import post_form
from tests.factories import quarterly_mail

# p0..p2 stay; p3 leaves through the sync, p4 is deactivated on the people page.
THREE = b"email,name,department\n" + b"".join(
    b"p%d@example.com,Person %d,IT\n" % (n, n) for n in range(3)
)


def _traces(session, email: str, mail_id: int) -> tuple:  # type: ignore[no-untyped-def]
    person = people(session)[email]
    invitations = session.scalar(
        select(func.count()).select_from(Invitation).where(Invitation.person_id == person.id)
    )
    entry = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.target_kind == "person", AuditEntry.target_id == str(person.id))
        .order_by(AuditEntry.id)
    ).one()
    return (
        person.active,
        person.name.startswith("Person"),
        invitations,
        withdrawal_reasons(session, [mail_id]).get(mail_id),
        (entry.action, entry.actor_label, entry.target_label == email, entry.changes),
    )


@pytest.mark.postgres
def test_the_sync_and_the_people_page_deactivate_alike(
    app, admin_client, session, staff, make_department
) -> None:
    hr = make_department(code="HR", name="HR")
    session.add(Dependency(customer_department_id=staff.id, provider_department_id=hr.id))
    session.commit()
    mail = {
        to.split("<")[-1].rstrip(">"): m.id for to, m in quarterly_mail(app, session, staff).items()
    }
    single = people(session)["p4@example.com"].id
    assert post_form(admin_client, f"/admin/people/{single}/deactivate").status_code == 302
    preview = upload(admin_client, THREE)
    assert "People to deactivate (1)" in preview.get_data(as_text=True)
    assert (
        post_form(admin_client, URL + "/confirm", {"payload": payload_of(preview)}).status_code
        == 302
    )

    by_sync = _traces(session, "p3@example.com", mail["p3@example.com"])
    by_page = _traces(session, "p4@example.com", mail["p4@example.com"])
    assert by_sync == by_page
    assert by_sync == (
        False,
        True,
        1,
        WITHDRAWN_LEFT,
        ("deactivate", by_sync[4][1], True, {"active": [True, False]}),
    )
    assert withdrawal_reasons(session, [mail["p0@example.com"]]) == {}
    assert session.scalar(select(func.count()).select_from(ErasedAddress)) == 0
    assert len(people(session)) == 6  # nobody erased


@pytest.mark.postgres
def test_the_sync_writes_in_a_few_statements_whatever_the_leavers(
    app, runner, session, staff, tmp_path
) -> None:
    """1,200 leavers: the people table is updated in ceil(1200 / 500) statements and their
    audit entries added in one insert, where each leaver used to cost an update and an insert."""
    session.add_all(
        Person(email=f"x{n}@example.com", name=f"X {n}", department_id=staff.id)
        for n in range(1195)
    )
    session.commit()
    path = tmp_path / "three.csv"
    path.write_bytes(THREE)
    statements: list[str] = []
    engine = database(app).engine

    def seen(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        statements.append(" ".join(statement.split()).lower())

    event.listen(engine, "before_cursor_execute", seen)
    try:
        done = runner.invoke(
            args=["survey", "import-people", str(path), "--whole-directory", "--confirm-many"]
        )
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert done.exit_code == 0, done.output
    assert "1197 deactivated" in done.output
    updates = [s for s in statements if s.startswith("update people")]
    audits = [s for s in statements if s.startswith("insert into audit")]
    assert len(updates) == 3, updates[:5]
    assert len(audits) <= 2, len(audits)  # the leavers' entries, then the import's own
    session.rollback()
    assert session.scalar(select(func.count()).where(Person.active.is_(True))) == 3
    assert session.scalar(select(func.count()).where(AuditEntry.action == "deactivate")) == 1197


def test_one_or_many_and_none_twice(session, staff) -> None:
    everyone = people(session)
    loaded = everyone["p1@example.com"]
    ids = [everyone[f"p{n}@example.com"].id for n in (1, 2)] + [everyone["gone@example.com"].id]
    done = deactivate_people(session, [*ids, ids[0], 10**9])
    assert [d.email for d in done] == ["p1@example.com", "p2@example.com"]  # not the inactive one
    assert loaded.active is False  # the loaded row sees it
    assert deactivate_people(session, ids) == []
