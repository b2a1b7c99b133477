"""``flask --app wsgi survey <command>``: the operator's commands. Each commits once at the end;
those that change the organisation's set-up leave an audit entry by the command line."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup, ScriptInfo, with_appcontext
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from survey.db import database, get_session, out_of_reach
from survey.locales import DEFAULT_LOCALE, LOCALES
from survey.migrate import creation_lock, schema_problem, unreachable_command_message, upgrade
from survey.models import Department, User
from survey.models.auth import API_SCOPES
from survey.respond.filing_job import file_submissions
from survey.services.accounts import (
    create_api_key,
    create_user,
    normalise_email,
    set_password,
    sign_in_address_problem,
)
from survey.services.audit import created, import_entry, record, snapshot

# The commands that need no schema at the code's revision: ``init-db`` makes it, ``backup``
# copies whatever the file holds (and checks it has a schema).
_ANY_SCHEMA = frozenset({"init-db", "backup"})
# In the group's context: whether the command line asks a command for its help.
_ASKS_HELP = "survey.asks_help"


@with_appcontext
def _schema_is_current() -> None:
    """Before any command but those of ``_ANY_SCHEMA``: the database must be at the code's
    migration head. A database without a schema (init-db not run, or a URL naming another
    database) or at another revision (a new version installed, init-db not yet run: cron's
    ``tick`` in between would run new code on the old schema) is refused with a usage error
    saying what to run; nothing else happens. An unreachable database is left to the command
    (``send-mail --loop`` waits for it). Then the queued submissions are filed
    (``respond.services.filing``), so that every command, the tick first of all, works on
    every answer given so far."""
    context = click.get_current_context()
    if context.invoked_subcommand in _ANY_SCHEMA or context.meta.get(_ASKS_HELP):
        return
    reached = True

    def _unreachable(_error: OperationalError) -> None:
        nonlocal reached
        reached = False

    problem = schema_problem(database().engine, unreachable=_unreachable)
    if problem is not None:
        raise click.UsageError(problem)
    if reached:
        file_submissions(database().sessionmaker)


class _Commands(AppGroup):
    """The ``survey`` group: notes whether the command line asks a command for its help (its
    help needs no database), which the group's callback cannot see otherwise; and turns a
    PostgreSQL database that cannot be reached (refused, or silent past
    ``SURVEY_DATABASE_CONNECT_SECONDS``) into one line naming the host and the reason, exit
    status 1, rather than a traceback in cron's mail (``db.out_of_reach``: a statement the
    server refused, and anything SQLite says, are left as they are; ``send-mail --loop``
    waits for the database itself)."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except OperationalError as error:
            script = ctx.find_object(ScriptInfo)
            if script is None or not out_of_reach(error):
                raise
            engine = database(script.load_app()).engine
            raise click.ClickException(unreachable_command_message(engine, error)) from error

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        ctx.meta[_ASKS_HELP] = any(arg in ctx.help_option_names for arg in args[1:])
        return super().resolve_command(ctx, args)


group = _Commands("survey", help="Service IQ administration commands.", callback=_schema_is_current)


@group.command("init-db")
def init_db() -> None:
    """Create or upgrade the database schema (Alembic migrations) and install the default
    questionnaires and the self-assessment quiz if they are missing. Two at once are one
    after the other (``migrate.creation_lock``)."""
    from survey.quiz.items import install_quiz
    from survey.services.questionnaires import install_default_questionnaires

    engine = database().engine
    with creation_lock(engine, say=lambda line: click.echo(line, err=True)):
        upgrade(engine)
        db = get_session()
        install_default_questionnaires(db)
        install_quiz(db)
        db.commit()
    click.echo("Database is at the newest schema; questionnaires and the quiz are installed.")
    admin = select(User.id).where(User.role == "admin", User.active.is_(True)).limit(1)
    if db.scalar(admin) is None:
        # A new install: nobody can sign in yet, and the sign-in page cannot say why.
        click.echo(
            "No administrator yet: create the first one with "
            "'flask --app wsgi survey create-admin EMAIL' (it asks for the password)."
        )


@group.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Copy the SQLite database to PATH (a new file, mode 0600) as one consistent snapshot,
    while the service runs; for PostgreSQL use pg_dump."""
    from survey.backup import BackupError, backup_sqlite

    try:
        done = backup_sqlite(database().engine, path)
    except BackupError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(1)
    click.echo(f"Backed up to {done.path} ({done.size} bytes, schema {done.revision}).")


@group.command("create-admin")
@click.argument("email")
@click.option("--password", help="Password (asked for when omitted).")
@click.option("--name", default="", help="Display name.")
def create_admin(email: str, password: str | None, name: str) -> None:
    """Create an administrator account. EMAIL must be an address the sign-in form accepts
    (a usage error otherwise: the account could never sign in)."""
    problem = sign_in_address_problem(email)
    if problem is not None:
        raise click.UsageError(f"{email!r} cannot be used to sign in: {problem}")
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 10:
        raise click.UsageError("the password needs at least 10 characters")
    db = get_session()
    if db.scalar(select(User).where(User.email == normalise_email(email))):
        raise click.UsageError(f"a user {email} already exists")
    user = create_user(db, email, password, "admin", name=name)
    record(db, None, "create", user, created(snapshot(user)))
    db.commit()
    click.echo(f"Administrator {normalise_email(email)} created.")


@group.command("set-password")
@click.argument("email")
@click.option("--password", help="New password (asked for when omitted).")
def set_password_command(email: str, password: str | None) -> None:
    """Set a user's password; signs the user out everywhere."""
    db = get_session()
    user = db.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise click.UsageError(f"no user {email}")
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 10:
        raise click.UsageError("the password needs at least 10 characters")
    set_password(db, user, password)
    record(db, None, "set_password", user)
    db.commit()
    click.echo(f"Password of {user.email} set; every session of it has ended.")


@group.command("process-bounces")
def process_bounces() -> None:
    """Read bounce and complaint reports from the SURVEY_BOUNCE_POP3_URL mailbox: permanent
    failures and complaints suppress the address, transient failures are counted."""
    import poplib

    from flask import current_app

    from survey.mail.bounces import read_pop3

    url = current_app.config.get("BOUNCE_POP3_URL")
    if not url:
        raise click.UsageError("SURVEY_BOUNCE_POP3_URL is not set")
    try:
        report = read_pop3(database().sessionmaker, str(url))
    except ValueError as error:
        raise click.UsageError(str(error)) from error
    except (OSError, poplib.error_proto) as error:
        raise click.ClickException(f"mailbox unreachable or refused: {error}") from error
    click.echo(
        f"read {report.read}, ignored {report.ignored}, suppressed {len(report.suppressed)}, "
        f"transient {report.transient}, complaints {report.complaints}"
    )


@group.command("create-api-key")
@click.argument("name")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    type=click.Choice(API_SCOPES),
    help="What the key may do; repeat for several (default: all of them).",
)
def create_api_key_command(name: str, scopes: tuple[str, ...]) -> None:
    """Create an API key for a ticketing tool and print it once. Its name follows the admin
    form's rules (1 to 80 characters once trimmed, no NUL); a usage error otherwise."""
    from survey.models import ApiKey

    name = name.strip()
    if not name or len(name) > 80 or "\x00" in name:
        raise click.UsageError("the name must be 1 to 80 characters, without NUL")
    db = get_session()
    if db.scalar(select(ApiKey).where(ApiKey.name == name)):
        raise click.UsageError(f"an API key named {name!r} already exists")
    key, secret = create_api_key(db, name, scopes or API_SCOPES)
    record(db, None, "create", key, created(snapshot(key, "name", "prefix", "scopes")))
    db.commit()
    click.echo(secret)
    click.echo("Store it now: it is not shown again.", err=True)


@group.command("import-people")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--whole-directory",
    is_flag=True,
    help="The file is the whole directory: deactivate the active people not in it.",
)
@click.option(
    "--confirm-many",
    is_flag=True,
    help="Allow --whole-directory to deactivate more than half of the active people.",
)
def import_people(path: Path, whole_directory: bool, confirm_many: bool) -> None:
    """Import people from a CSV file (all rows or none)."""
    from survey.org.people_import import (
        TooManyLeavers,
        apply_import,
        audit_leavers,
        parse_people_csv,
    )

    db = get_session()
    preview = parse_people_csv(db, path.read_bytes(), whole_directory=whole_directory)
    if preview.errors:
        for error in preview.errors:
            click.echo(f"line {error.line}: {error.message}", err=True)
        click.echo("Nothing was imported.", err=True)
        sys.exit(1)
    if preview.file is not None and preview.file.windows:
        click.echo(
            "The file is not UTF-8; it was read as Windows (Excel) text: its first character "
            f"that is not UTF-8 is on line {preview.file.first_odd_line}.",
            err=True,
        )
    for warning in preview.warnings:
        click.echo(f"line {warning.line}: {warning.message}", err=True)
    try:
        result = apply_import(db, preview, many_confirmed=confirm_many)
    except TooManyLeavers as error:
        click.echo(f"Nothing was imported: {error} with --confirm-many.", err=True)
        sys.exit(1)
    audit_leavers(db, None, result)
    deactivated = len(result.deactivated)
    record(db, None, "import", *import_entry(result.created, result.updated, deactivated))
    db.commit()
    summary = f"Imported: {result.created} new, {result.updated} updated"
    click.echo(summary + (f", {deactivated} deactivated." if whole_directory else "."))


@group.command("demo")
@click.option("--seed", default=1, show_default=True, help="Random seed (same seed, same data).")
@click.option("--admin-password", default="demo-admin-pass", show_default=True)
def demo(seed: int, admin_password: str) -> None:
    """Create the demo organisation with eight quarters of history (empty database only)."""
    from survey.demo import build_demo

    db = get_session()
    if db.scalar(select(Department.id).limit(1)) is not None:
        click.echo("The database already has an organisation; demo data not added.")
        return
    from flask import current_app

    from survey.config import mail_domain

    cfg = current_app.config
    summary = build_demo(
        db,
        seed=seed,
        admin_password=admin_password,
        base_url=str(cfg["BASE_URL"]),
        mail_domain=mail_domain(cfg),
        salt=str(cfg["SECRET_KEY"]),
    )
    db.commit()
    click.echo(summary.describe())


@group.command("send-mail")
@click.option("--loop", is_flag=True, help="Keep sending until stopped (SIGTERM or Ctrl-C).")
@click.option("--batch", default=200, show_default=True, help="Messages claimed per pass.")
@click.option("--idle-seconds", default=5.0, show_default=True, help="Pause when nothing is due.")
def send_mail(loop: bool, batch: int, idle_seconds: float) -> None:
    """Send due messages from the outbox over one reused SMTP connection. Exits with status 1
    when the SMTP server could not be reached or refused this service's login or sender before
    any message left (the messages stay queued and are retried); with ``--loop`` it goes on,
    saying on stderr when the server or the database becomes unavailable and when it is
    back."""
    from flask import current_app

    from survey.mail.runner import run_dispatcher

    url = current_app.config.get("SMTP_URL")
    if not url:
        click.echo(
            "SURVEY_SMTP_URL is not set: messages stay in the outbox (Administration > Outbox)."
        )
        return
    totals = run_dispatcher(
        database().sessionmaker,
        str(url),
        str(current_app.config["MAIL_FROM"]),
        loop=loop,
        batch=batch,
        idle_seconds=idle_seconds,
        base_url=str(current_app.config["BASE_URL"]),
        say=lambda line: click.echo(line, err=True),
    )
    click.echo(
        f"sent {totals.sent}, retried {totals.retried}, failed {totals.failed}, "
        f"withdrawn {totals.withdrawn}"
    )
    if totals.smtp_down and not loop:
        last = totals.errors[-1] if totals.errors else "no answer"
        if totals.sent:
            # Some mail left before the server went away (a relay that ends a session after
            # so many messages): the rest goes on the next run, no error.
            click.echo(
                f"The SMTP server went away after {totals.sent} message(s) ({last}); the rest "
                "stay queued for the next run.",
                err=True,
            )
            return
        # A cron job's status is all its operator sees: no mail leaving is an error.
        click.echo(
            f"Error: the SMTP server could not be used ({last}); the messages stay queued "
            "and are retried on the next run.",
            err=True,
        )
        sys.exit(1)


@group.command("freeze-baseline")
@click.option("--rebase", is_flag=True, help="Replace the active baseline (it is kept).")
@click.option("--quarters", default="", help="Comma-separated released quarters (default: four).")
def freeze_baseline_command(rebase: bool, quarters: str) -> None:
    """Freeze the IQ baseline (the first four released quarters), or re-base."""
    from flask import current_app

    from survey.models import Baseline
    from survey.scorecards.services.scorecards import Settings, ensure_baseline

    db = get_session()
    previous = db.scalar(select(Baseline.version).where(Baseline.active.is_(True)))
    chosen = [q.strip() for q in quarters.split(",") if q.strip()] or None
    if chosen and previous is not None and not rebase:
        click.echo(
            f"Error: baseline {previous} is already frozen; add --rebase to replace it with "
            "one from the chosen quarters.",
            err=True,
        )
        sys.exit(1)
    try:
        row = ensure_baseline(
            db,
            Settings.from_config(current_app.config),
            by="command",
            rebase=rebase,
            quarters=chosen,
        )
    except ValueError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(1)
    if row is None:
        click.echo("No baseline yet: it needs four released quarters with answers.", err=True)
        sys.exit(1)
    if row.version != previous:
        changes = created(snapshot(row))
        if previous is not None:
            changes["replaces"] = [None, previous]
        record(db, None, "rebase" if previous else "freeze", row, changes)
    db.commit()
    click.echo(
        f"Baseline {row.version}: mu0 {row.mu0:.2f}, sigma0 {row.sigma0:.2f}, "
        f"from {', '.join(row.quarters)}"
    )


@group.command("export")
@click.option("--quarter", default="", help="YYYYQn, a released quarter (default: the latest).")
@click.option(
    "--department",
    "codes",
    multiple=True,
    help="A department's code; repeat for several (default: every active department).",
)
@click.option(
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(["csv", "json", "pdf"]),
    help="csv, json or pdf; repeat for several (default: csv).",
)
@click.option("--lang", default=DEFAULT_LOCALE, show_default=True, type=click.Choice(LOCALES))
@click.option(
    "--out",
    default=".",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder to write into (created if need be).",
)
def export_command(
    quarter: str, codes: tuple[str, ...], formats: tuple[str, ...], lang: str, out: Path
) -> None:
    """Write department scorecards of a released quarter to files (scorecard-CODE-QUARTER.csv,
    .json, .pdf): what the pages and the API publish, gated figures only. Writes nothing
    when any department, the quarter or the language is refused."""
    from flask import current_app

    from survey.scorecards.exports import ExportError, scorecard_files, write_files
    from survey.scorecards.services.scorecards import Settings

    try:
        files = scorecard_files(
            get_session(),
            Settings.from_config(current_app.config),
            codes=codes,
            quarter=quarter or None,
            formats=formats or ("csv",),
            locale=lang,
        )
    except ExportError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(1)
    for path in write_files(out, files):
        click.echo(str(path))


@group.command("tick")
def tick() -> None:
    """Do all scheduled work: campaigns, reminders, post-interaction surveys, expiry. Prints a
    summary, then one line per campaign opened with who it left out."""
    from flask import current_app

    from survey.delivery.services.tick import TickSettings
    from survey.delivery.tick_job import run_tick

    report = run_tick(database().sessionmaker, TickSettings.from_config(current_app.config))
    click.echo(report.describe())
    for opening in report.openings:
        click.echo(opening.describe())


@group.command("purge")
@click.option("--dry-run", is_flag=True, help="Only count what would be deleted.")
def purge_command(dry_run: bool) -> None:
    """Delete what is past its retention period (SURVEY_RETAIN_*_DAYS); ``tick`` does the
    same on every run. Released figures do not change."""
    from flask import current_app

    from survey.services.retention import RetentionPolicy, purge

    db = get_session()
    counts = purge(db, RetentionPolicy.from_config(current_app.config), dry_run=dry_run)
    if dry_run:
        db.rollback()
        click.echo(f"would delete: {counts.describe()}")
        return
    db.commit()
    click.echo(f"deleted: {counts.describe()}")


@group.command("erase-person")
@click.argument("email")
def erase_person_command(email: str) -> None:
    """Erase a person's identifying data (name, address, invitations, mail, accounts); their
    anonymous answers keep counting. Running it again is harmless."""
    from survey.services.erasure import ErasureError, erase_person

    db = get_session()
    try:
        report = erase_person(db, email, actor=None)
    except ErasureError as error:
        db.rollback()
        click.echo(f"Error: {error}", err=True)
        sys.exit(1)
    db.commit()
    click.echo(report.describe())


@group.command("dev-worker")
@click.option("--every", default=20.0, show_default=True, help="Seconds between passes.")
@click.option("--passes", default=0, help="Stop after this many passes (0: until stopped).")
def dev_worker(every: float, passes: int) -> None:
    """Development only (``make run`` starts it beside the server): ``tick`` every few
    seconds and, when SURVEY_SMTP_URL is set, send the due mail; without SMTP the messages
    stay queued and show in the local mailbox (Administration > Mailbox)."""
    from flask import current_app

    from survey.dev_worker import run_dev_worker

    cfg = current_app.config
    run_dev_worker(
        database().sessionmaker,
        cfg,
        every=every,
        passes=passes,
        say=lambda line: click.echo(line, err=True),
    )


def init_app(app: Flask) -> None:
    app.cli.add_command(group)
