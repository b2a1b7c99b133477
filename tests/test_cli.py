"""The operator's commands."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey.models import ApiKey, User
from survey.security import verify_secret
from tests.conftest import csrf_token


def test_create_admin_then_sign_in(runner, session, client) -> None:
    result = runner.invoke(
        args=["survey", "create-admin", "Boss@Example.com", "--password", "a long password!"]
    )
    assert result.exit_code == 0, result.output
    user = session.scalar(select(User).where(User.email == "boss@example.com"))
    assert user is not None and user.role == "admin"
    assert user.password_hash.startswith("$argon2id$")
    again = runner.invoke(
        args=["survey", "create-admin", "boss@example.com", "--password", "x" * 12]
    )
    assert again.exit_code != 0 and "already exists" in again.output


@pytest.mark.parametrize(
    "address", ["not an email", "admin@intranet", "admin@corp.local", "admin@example.test"]
)
def test_create_admin_makes_no_account_that_cannot_sign_in(runner, session, address) -> None:
    """The README's first step after init-db: ``create-admin`` stored any text as the address,
    while the sign-in form checks it is one (a dotted domain, no special-use name such as
    ``.local``): the first administrator of a company whose addresses end in ``corp.local``
    was created and could never sign in, nor ask for a reset link. Refused now, with why."""
    result = runner.invoke(args=["survey", "create-admin", address, "--password", "x" * 12])
    assert result.exit_code == 2
    assert "cannot be used to sign in" in result.output
    assert session.scalar(select(User.id)) is None


def test_the_administrator_created_signs_in(runner, session, client) -> None:
    made = runner.invoke(
        args=["survey", "create-admin", " Boss@Example.com", "--password", "a long password!"]
    )
    assert made.exit_code == 0, made.output
    signed_in = client.post(
        "/auth/sign-in",
        data={
            "csrf_token": csrf_token(client),
            "email": "boss@example.com",
            "password": "a long password!",
        },
    )
    assert signed_in.status_code == 302


def test_create_admin_refuses_short_password(runner) -> None:
    result = runner.invoke(args=["survey", "create-admin", "a@example.com", "--password", "short"])
    assert result.exit_code != 0


def test_create_api_key_prints_it_once(runner, session) -> None:
    result = runner.invoke(args=["survey", "create-api-key", "helpdesk"])
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip().splitlines()[0]
    key = session.scalar(select(ApiKey).where(ApiKey.name == "helpdesk"))
    assert key is not None and verify_secret(key.key_hash, secret)
    assert key.scopes == "interactions scorecards mail_reports"  # no --scope: all of them


def test_create_api_key_with_scopes(runner, session) -> None:
    made = runner.invoke(args=["survey", "create-api-key", "relay", "--scope", "mail_reports"])
    assert made.exit_code == 0, made.output
    key = session.scalar(select(ApiKey).where(ApiKey.name == "relay"))
    assert key is not None and key.scopes == "mail_reports"
    odd = runner.invoke(args=["survey", "create-api-key", "odd", "--scope", "everything"])
    assert odd.exit_code != 0


def test_init_db_is_idempotent(runner) -> None:
    assert runner.invoke(args=["survey", "init-db"]).exit_code == 0
    assert runner.invoke(args=["survey", "init-db"]).exit_code == 0


def test_init_db_names_the_next_step_of_a_new_install(runner) -> None:
    """A new install has no account, and the sign-in page only says the password is wrong:
    init-db tells the operator how to make the first administrator, until there is one."""
    first = runner.invoke(args=["survey", "init-db"])
    assert first.exit_code == 0
    assert "survey create-admin" in first.output
    made = runner.invoke(
        args=["survey", "create-admin", "boss@example.com", "--password", "a long password!"]
    )
    assert made.exit_code == 0
    assert "create-admin" not in runner.invoke(args=["survey", "init-db"]).output


@pytest.mark.postgres
@pytest.mark.parametrize("name", ["", "   ", "x" * 81, "tool\x00"])
def test_create_api_key_refuses_a_name_the_form_refuses(runner, session, name) -> None:
    """The admin form's rules (a name, at most 80 characters, no NUL): a usage error, no key
    and no traceback (PostgreSQL refused the long name and the NUL with a database error)."""
    result = runner.invoke(args=["survey", "create-api-key", name])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "name" in result.output
    assert session.scalar(select(func.count()).select_from(ApiKey)) == 0


def test_commands_wait_for_init_db(tmp_path) -> None:
    """The README's upgrade: install the new version, run init-db, restart. Cron's ``tick``
    running in between ran the new code on the old schema (a traceback naming a missing
    column, or writes the old schema was not made for); on a database where init-db never
    ran, every command failed with "no such table". Each command but init-db and backup now
    refuses with what to run, and changes nothing."""
    from survey import create_app
    from survey.db import database
    from survey.migrate import database_revision, head_revision, upgrade

    path = tmp_path / "survey.sqlite3"
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{path}"})
    runner = app.test_cli_runner()
    engine = database(app).engine
    fresh = runner.invoke(args=["survey", "tick"])
    assert fresh.exit_code == 2 and "no schema yet" in fresh.output, fresh.output
    assert "init-db" in fresh.output
    assert runner.invoke(args=["survey", "tick", "--help"]).exit_code == 0  # help needs none
    upgrade(engine, "0023")  # the previous version's schema
    for command in (["tick"], ["create-admin", "a@example.com", "--password", "x" * 12]):
        behind = runner.invoke(args=["survey", *command])
        assert behind.exit_code == 2, behind.output
        assert "schema revision 0023" in behind.output and "init-db" in behind.output
    assert database_revision(engine) == "0023"
    assert runner.invoke(args=["survey", "init-db"]).exit_code == 0
    assert database_revision(engine) == head_revision(engine)
    assert runner.invoke(args=["survey", "tick"]).exit_code == 0
    engine.dispose()


def test_the_schema_check_takes_no_write_lock(tmp_path) -> None:
    """Every command reads the schema revision first; on SQLite that read must not wait for
    (nor take) the write lock a busy service holds."""
    import sqlite3

    from survey.db import make_engine
    from survey.migrate import database_revision, head_revision, upgrade

    path = tmp_path / "busy.sqlite3"
    engine = make_engine(f"sqlite:///{path}", busy_timeout_ms=0)
    upgrade(engine)
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # a writer of the service holds the lock
    try:
        assert database_revision(engine) == head_revision(engine)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
        engine.dispose()
