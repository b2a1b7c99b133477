"""The audit log: every administrative operation leaves one entry with the right before and
after, secrets never reach it, only administrators read or export it, and the export cannot
carry a spreadsheet formula."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import delete, select

from survey.delivery.services.campaigns import create_campaign
from survey.models import ApiKey, AuditEntry, Campaign, Department, Person, Question, User
from survey.models.base import utcnow
from survey.quiz.items import install_quiz
from survey.services.audit import REDACTED, Target, record, redact
from survey.services.questionnaires import install_default_questionnaires
from tests.admin.test_people_import import payload_of, upload
from tests.conftest import PASSWORD, csrf_token, post_form
from tests.scorecards.conftest import org  # noqa: F401 (the scored organisation fixture)


def entries(session, kind: str | None = None) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    """Committed entries, oldest first (optionally of one kind)."""
    session.rollback()
    session.expire_all()
    stmt = select(AuditEntry).order_by(AuditEntry.id)
    if kind is not None:
        stmt = stmt.where(AuditEntry.target_kind == kind)
    return list(session.scalars(stmt))


def only(session, kind: str, action: str) -> AuditEntry:  # type: ignore[no-untyped-def]
    found = [e for e in entries(session, kind) if e.action == action]
    assert len(found) == 1, [(e.action, e.changes) for e in entries(session, kind)]
    return found[0]


@pytest.mark.postgres
def test_departments_people_and_services_log_before_and_after(
    admin_client, session, make_department
) -> None:
    session.rollback()
    admin = session.scalar(select(User).where(User.role == "admin"))
    parent = make_department(code="OPS", name="Operations")
    assert (
        post_form(
            admin_client, "/admin/departments/new", {"code": "fac", "name": "Facilities"}
        ).status_code
        == 302
    )
    session.rollback()
    dept = session.scalar(select(Department).where(Department.code == "FAC"))
    post_form(
        admin_client,
        f"/admin/departments/{dept.id}",
        {"code": "FAC", "name": "Buildings", "parent": str(parent.id)},
    )
    post_form(admin_client, f"/admin/departments/{dept.id}/deactivate")

    create = only(session, "department", "create")
    assert (create.actor_id, create.actor_label) == (admin.id, admin.email)
    assert (create.target_id, create.target_label) == (str(dept.id), "FAC")
    assert create.changes == {
        "active": [None, True],
        "code": [None, "FAC"],
        "name": [None, "Facilities"],
    }
    assert only(session, "department", "edit").changes == {
        "name": ["Facilities", "Buildings"],
        "parent_id": [None, parent.id],
    }
    assert only(session, "department", "deactivate").changes == {"active": [True, False]}

    # People: create and edit, then a CSV import is one entry with its counts.
    form = {"email": "ann@example.com", "name": "Ann", "department": str(parent.id), "locale": "it"}
    assert post_form(admin_client, "/admin/people/new", {**form, "active": "y"}).status_code == 302
    session.rollback()
    person = session.scalar(select(Person).where(Person.email == "ann@example.com"))
    post_form(admin_client, f"/admin/people/{person.id}", {**form, "locale": "fr", "active": "y"})
    assert only(session, "person", "create").changes["locale"] == [None, "it"]
    assert only(session, "person", "edit").changes == {"locale": ["it", "fr"]}
    csv_file = b"email,name,department\nann@example.com,Ann B,OPS\nbob@example.com,Bob,OPS\n"
    preview = upload(admin_client, csv_file)
    done = post_form(admin_client, "/admin/people/import/confirm", {"payload": payload_of(preview)})
    assert done.status_code == 302
    imported = only(session, "people", "import")
    assert imported.changes == {"created": [None, 1], "updated": [None, 1]}
    assert imported.target_id is None

    # Services and their standards.
    service_form = {
        "provider": str(parent.id),
        "code": "SVC-1",
        "name": "Repairs",
        "sampling_rate": "1",
        "active": "y",
    }
    assert post_form(admin_client, "/admin/services/new", service_form).status_code == 302
    svc_id = only(session, "service", "create").target_id
    post_form(admin_client, f"/admin/services/{svc_id}", {**service_form, "sampling_rate": "0.5"})
    assert only(session, "service", "edit").changes == {"sampling_rate": [1.0, 0.5]}
    post_form(
        admin_client,
        f"/admin/services/{svc_id}/standards",
        {
            "effective_from": "2026-01-01",
            "first_response_minutes": "60",
            "resolution_minutes": "480",
        },
    )
    assert only(session, "service", "add_standard").changes == {
        "effective_from": [None, "2026-01-01"],
        "first_response_minutes": [None, 60],
        "resolution_minutes": [None, 480],
    }
    # A refused change leaves no entry.
    before = len(entries(session))
    assert (
        post_form(
            admin_client, "/admin/departments/new", {"code": "OPS", "name": "Again"}
        ).status_code
        == 422
    )
    assert len(entries(session)) == before


@pytest.mark.postgres
def test_users_keys_and_dependencies_log_and_keep_secrets_out(
    admin_client, session, make_department, runner
) -> None:
    it = make_department(code="IT", name="IT")
    hr = make_department(code="HR", name="HR")
    new_password = "a brand new secret password"
    post_form(
        admin_client,
        "/admin/users/new",
        {"email": "Mia@Example.com", "name": "Mia", "role": "viewer", "password": new_password},
    )
    session.rollback()
    user = session.scalar(select(User).where(User.email == "mia@example.com"))
    assert user is not None
    post_form(
        admin_client,
        f"/admin/users/{user.id}",
        {"name": "Mia", "role": "manager", "department": str(it.id)},
    )
    post_form(admin_client, f"/admin/users/{user.id}/deactivate")
    created = only(session, "user", "create")
    assert created.changes["role"] == [None, "viewer"] and "password_hash" not in created.changes
    assert only(session, "user", "edit").changes == {
        "department_id": [None, it.id],
        "role": ["viewer", "manager"],
    }
    assert only(session, "user", "deactivate").changes == {"active": [True, False]}

    created_page = post_form(
        admin_client,
        "/admin/api-keys/new",
        {"name": "Help desk", "scopes": ["interactions", "scorecards"]},
    )
    body = created_page.get_data(as_text=True)
    session.rollback()
    key = session.scalar(select(ApiKey))
    found = re.search(r'id="api-key-secret">([^<]+)<', body)
    assert found and found.group(1).startswith(f"siq_{key.prefix}_")
    secret = found.group(1)
    post_form(admin_client, f"/admin/api-keys/{key.id}/revoke")
    assert only(session, "api_key", "create").changes == {
        "name": [None, "Help desk"],
        "prefix": [None, key.prefix],
        "scopes": [None, "interactions scorecards"],
    }
    revoked = only(session, "api_key", "revoke").changes["revoked_at"]
    assert revoked[0] is None and revoked[1].startswith(str(utcnow().year))

    post_form(admin_client, "/admin/dependencies", {"dep": [f"{hr.id}-{it.id}"]})
    post_form(admin_client, "/admin/dependencies", {"dep": [f"{it.id}-{hr.id}"]})
    saves = [e for e in entries(session, "dependencies")]
    assert [e.changes for e in saves] == [
        {"added": [None, ["HR -> IT"]]},
        {"added": [None, ["IT -> HR"]], "removed": [["HR -> IT"], None]},
    ]

    # The command line: an API key, an administrator and a password, by "command line".
    cli_key = runner.invoke(args=["survey", "create-api-key", "Nightly"])
    assert cli_key.exit_code == 0
    cli_secret = cli_key.stdout.strip().splitlines()[0]
    admin_pw = "another long password"
    made = runner.invoke(
        args=["survey", "create-admin", "root@example.com", "--password", admin_pw]
    )
    assert made.exit_code == 0
    reset_pw = "a third long password"
    runner.invoke(args=["survey", "set-password", "root@example.com", "--password", reset_pw])
    by_cli = [e for e in entries(session) if e.actor_id is None]
    assert [(e.target_kind, e.action, e.actor_label) for e in by_cli] == [
        ("api_key", "create", "command line"),
        ("user", "create", "command line"),
        ("user", "set_password", "command line"),
    ]

    # Scan every stored entry for anything secret.
    dump = json.dumps(
        [(e.actor_label, e.target_label, e.changes) for e in entries(session)], default=str
    )
    for needle in (new_password, secret, cli_secret, admin_pw, reset_pw, PASSWORD, "$argon2"):
        assert needle not in dump
    hashes = (
        session.scalars(select(User.password_hash)).all()
        + session.scalars(select(ApiKey.key_hash)).all()
    )
    assert hashes and not any(h in dump for h in hashes)


def test_record_redacts_secret_fields_and_values(app, session) -> None:
    assert redact(
        {
            "password": ["old", "new"],
            "token_hash": [None, "abc"],
            "note": [None, "siq_ab12cd34_0123456789abcdefXYZ"],
            "answers": [None, {"overall": 5}],
            "name": ["a", "b"],
        }
    ) == {
        "password": [REDACTED, REDACTED],
        "token_hash": [None, REDACTED],
        "note": [None, REDACTED],
        "answers": [None, REDACTED],
        "name": ["a", "b"],
    }
    dept = Department(code="XY", name="X")
    session.add(dept)
    session.flush()
    entry = record(session, None, "edit", dept, {"secret": "s3cr3t", "name": ["X", "Y"]})
    session.commit()
    assert entry.changes == {"secret": [None, REDACTED], "name": ["X", "Y"]}


@pytest.mark.postgres
def test_campaigns_questions_and_quiz_items_log(admin_client, session, make_department) -> None:
    make_department(code="IT", name="IT")
    now = utcnow()
    draft = create_campaign(
        session,
        name="Spring",
        quarter="2026Q2",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=9),
        min_group_size=5,
    )
    later = create_campaign(
        session,
        name="Later",
        quarter="2026Q3",
        opens_at=now + timedelta(days=30),
        closes_at=now + timedelta(days=40),
        min_group_size=5,
    )
    questionnaire = install_default_questionnaires(session)["post_interaction"]
    quiz = install_quiz(session)
    session.commit()
    post_form(admin_client, f"/admin/campaigns/{draft.id}", {"min_group_size": "7"})
    post_form(admin_client, f"/admin/campaigns/{draft.id}/open")
    post_form(admin_client, f"/admin/campaigns/{draft.id}/close", {"confirm": "1"})
    post_form(admin_client, f"/admin/campaigns/{later.id}/cancel")
    assert only(session, "campaign", "edit").changes == {"min_group_size": [5, 7]}
    opened = only(session, "campaign", "open")
    assert opened.changes["status"] == ["draft", "open"] and opened.target_label == "Spring"
    assert only(session, "campaign", "close").changes == {"status": ["open", "closed"]}
    assert only(session, "campaign", "cancel").changes == {"status": ["draft", "cancelled"]}
    # A refused state change leaves no entry.
    post_form(admin_client, f"/admin/campaigns/{later.id}/close", {"confirm": "1"})
    assert len(entries(session, "campaign")) == 4

    texts = {f"prompt_{loc}": f"Q {loc}" for loc in ("en", "it", "fr")}
    post_form(
        admin_client,
        f"/admin/questionnaires/{questionnaire.id}",
        {"code": "speed", "qtype": "likert5", **texts},
    )
    added = only(session, "question", "create")
    assert added.target_label == "speed" and added.changes["texts.it.prompt"] == [None, "Q it"]
    post_form(admin_client, f"/admin/questions/{added.target_id}", {**texts, "prompt_it": "Nuovo"})
    assert only(session, "question", "edit").changes == {"texts.it.prompt": ["Q it", "Nuovo"]}
    post_form(admin_client, f"/admin/questions/{added.target_id}/remove")
    assert only(session, "question", "delete").target_label == "speed"

    item = next(q for q in quiz.questions if q.code == "self_clarity")
    form = {}
    for loc in ("en", "it", "fr"):
        form[f"prompt_{loc}"] = item.texts[loc]["prompt"]
        form[f"help_{loc}"] = item.texts[loc].get("help", "")
    old_fr = item.texts["fr"]["prompt"]
    assert (
        post_form(
            admin_client, f"/admin/quiz/items/{item.id}", {**form, "prompt_fr": "Nouveau"}
        ).status_code
        == 302
    )
    edit = only(session, "quiz_item", "edit")
    assert edit.changes == {"texts.fr.prompt": [old_fr, "Nouveau"]}
    assert session.get(Question, item.id) is not None


@pytest.mark.postgres
def test_campaign_creation_is_logged(admin_client, session, make_department) -> None:
    it = make_department(code="IT", name="IT")
    form = {
        "name": "Q3 survey",
        "quarter": "2026Q3",
        "opens_on": "2026-07-01",
        "closes_on": "2026-07-21",
        "min_group_size": "5",
        "departments": [str(it.id)],
        "reminder_max": "2",
        "reminder_min_days": "5",
        "confirm": "1",
    }
    assert post_form(admin_client, "/admin/campaigns/new", form).status_code == 302
    entry = only(session, "campaign", "create")
    session.rollback()
    campaign = session.scalar(select(Campaign))
    assert entry.target_id == str(campaign.id)
    assert entry.changes["departments"] == [None, ["IT"]]
    assert entry.changes["status"] == [None, "draft"]
    assert entry.changes["opens_at"] == [None, "2026-07-01T00:00:00+00:00"]


@pytest.mark.postgres
def test_the_page_filters_pages_and_exports_safely(
    app, admin_client, session, make_department, make_user
) -> None:
    session.rollback()
    admin = session.scalar(select(User).where(User.role == "admin"))
    other = make_user("admin", email="other@example.com")
    for n in range(30):
        dept = make_department(code=f"D{n:02d}", name=f"Dept {n}")
        record(session, admin, "create", dept, {"code": [None, dept.code]})
    evil = make_department(code="EVIL", name='=HYPERLINK("http://x")')
    # A label written by an administrator, starting like a spreadsheet formula.
    record(
        session,
        other,
        "edit",
        Target("department", str(evil.id), evil.name),
        {"name": ["x", evil.name]},
    )
    session.commit()

    page = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "HYPERLINK" in page and "other@example.com" in page
    assert "Page 1 of 2" in page  # 31 entries, 25 a page
    second = admin_client.get("/admin/audit?page=2").get_data(as_text=True)
    assert "D00" in second and "HYPERLINK" not in second

    mine = admin_client.get("/admin/audit?actor=OTHER").get_data(as_text=True)
    assert "HYPERLINK" in mine and "D00" not in mine
    assert "Page 1 of" not in mine
    none = admin_client.get("/admin/audit?kind=campaign").get_data(as_text=True)
    assert "No change recorded matches." in none
    today = utcnow().date()
    future = admin_client.get(f"/admin/audit?since={today + timedelta(days=1)}")
    assert "No change recorded matches." in future.get_data(as_text=True)
    dated = admin_client.get(f"/admin/audit?since={today}&until={today}&kind=department")
    assert "HYPERLINK" in dated.get_data(as_text=True)
    bad = admin_client.get("/admin/audit?since=yesterday&kind=%3Cscript%3E")
    assert bad.status_code == 200
    assert "could not be read" in bad.get_data(as_text=True)
    assert "<script>" not in bad.get_data(as_text=True)

    export = admin_client.get("/admin/audit.csv?actor=other")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    assert export.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["when_utc", "actor", "action"]
    assert len(rows) == 2
    assert rows[1][5] == '\'=HYPERLINK("http://x")'
    assert json.loads(rows[1][6])["name"][1] == evil.name
    everything = admin_client.get("/admin/audit.csv")
    assert len(everything.get_data(as_text=True).strip().splitlines()) == 32

    # The label survives the actor's deletion.
    session.execute(delete(User).where(User.id == other.id))
    session.commit()
    kept = entries(session, "department")[-1]
    assert kept.actor_id is None and kept.actor_label == "other@example.com"


@pytest.mark.parametrize("role", ["manager", "viewer"])
def test_only_administrators_read_or_export(app, client, make_user, role) -> None:
    user = make_user(role)
    post_form(client, "/auth/sign-in", {"email": user.email, "password": PASSWORD})
    assert client.get("/admin/audit").status_code == 403
    assert client.get("/admin/audit.csv").status_code == 403
    anonymous = app.test_client()
    assert anonymous.get("/admin/audit.csv").status_code == 302


def test_the_page_is_translated(admin_client, session) -> None:
    csrf_token(admin_client, "/")
    for lang, word in (("it", "Registro delle modifiche"), ("fr", "Journal des modifications")):
        page = admin_client.get(f"/admin/audit?lang={lang}").get_data(as_text=True)
        assert word in page


def test_every_kind_and_action_recorded_has_a_label_on_the_page(admin_client, session) -> None:
    """The delivery operations logged since (entered and imported requests, resends, retries,
    suppressions, quiz invitations, schedules) read as words, in each language, never as
    their codes."""
    from survey.views.admin.audit import action_labels, kind_labels

    logged = {
        ("interaction", "create"),
        ("interactions", "import"),
        ("invitation", "resend"),
        ("message", "retry"),
        ("address", "suppress"),
        ("address", "unsuppress"),
        ("quiz_invitations", "invite"),
        ("schedule", "schedule.save"),
    }
    for kind, action in logged:
        record(session, None, action, Target(kind, "1", f"label of {kind} {action}"))
    session.commit()
    for lang in ("en", "it", "fr"):
        page = admin_client.get(f"/admin/audit?lang={lang}").get_data(as_text=True)
        with admin_client.application.test_request_context(f"/?lang={lang}"):
            kinds, actions = kind_labels(), action_labels()
        for kind, action in logged:
            assert f"{kinds[kind]} <strong>label of {kind} {action}</strong> {actions[action]}" in (
                page.replace("&#39;", "'")
            ), (lang, kind, action)


def test_freezing_and_rebasing_the_baseline_is_logged(admin_client, runner, org) -> None:  # noqa: F811
    from survey.periods import previous_quarters

    for i, quarter in enumerate(previous_quarters("2026Q1", 5)):
        org.quarterly("IT", "SALES", quarter, [min(5, 2 + (i + j) // 3) for j in range(8)])
        org.quarterly("HR", "SALES", quarter, [max(1, 5 - (i + j) // 3) for j in range(8)])
        org.quarterly("FIN", "SALES", quarter, [3, 4, 3, 4, 3, 4, 3, 4])
    assert runner.invoke(args=["survey", "freeze-baseline"]).exit_code == 0
    assert runner.invoke(args=["survey", "freeze-baseline"]).exit_code == 0  # nothing new
    frozen = only(org.session, "baseline", "freeze")
    assert frozen.actor_label == "command line"
    assert frozen.changes["quarters"][1] == previous_quarters("2026Q1", 5)[:4]
    assert post_form(admin_client, "/admin/baseline", {}).status_code == 302
    rebased = only(org.session, "baseline", "rebase")
    assert rebased.changes["replaces"] == [None, frozen.target_id]
    assert rebased.actor_label.endswith("@example.com")
