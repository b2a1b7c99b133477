"""A consistent copy of a SQLite database while the service runs (``survey backup``).

Copying the file with ``cp`` while the service writes is not a backup: in WAL mode the newest
transactions sit in ``survey.sqlite3-wal`` beside it, and a copy taken mid-write may not open.
SQLite's online backup API copies the database in one step, as one snapshot (what was
committed when it began; a transaction still open elsewhere is not in it); under WAL a reader
holds no writer up, so the service keeps answering while it runs. The copy is written beside
the target under a temporary name with mode 0600 (it holds people's addresses and is as
sensitive as the database: ``docs/anonymity.md``), checked with ``PRAGMA integrity_check``,
and only then linked into place; an existing file is never replaced.

PostgreSQL has its own tools (``pg_dump``), which this does not replace.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine


class BackupError(Exception):
    """A backup refused or failed; nothing was left at the target."""


@dataclass(frozen=True)
class Backup:
    """A written backup: where, its size in bytes and the schema revision it holds."""

    path: Path
    size: int
    revision: str | None


def _database_file(engine: Engine) -> Path | None:
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    return Path(database).resolve()


def backup_sqlite(engine: Engine, target: Path) -> Backup:
    """Copy ``engine``'s SQLite database to ``target`` (a new file), consistent as of the moment
    the copy starts. Raises ``BackupError`` for another database kind, an in-memory database,
    a database file that does not exist (nothing is created there) or holds no schema
    revision (not the service's: a wrong path), a target that exists or is the database
    itself, a missing folder, or a copy that fails its integrity check (then nothing is left
    behind)."""
    source = _database_file(engine)
    if source is None:
        raise BackupError(
            "only a SQLite database file can be copied this way; for PostgreSQL use pg_dump"
        )
    if not source.is_file():
        # Connecting would create an empty database there, and copy it as a backup.
        raise BackupError(
            f"there is no database at {source}: is SURVEY_DATABASE_URL the service's?"
        )
    target = target.resolve()
    if target == source:
        raise BackupError("the backup cannot be the database itself")
    if target.exists():
        raise BackupError(f"{target} exists; name a new file")
    if not target.parent.is_dir():
        raise BackupError(f"no folder {target.parent}")
    temporary = target.with_name(f".{target.name}.{os.getpid()}.partial")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(descriptor)
    try:
        _copy(engine, temporary)
        revision = _check(temporary)
        if revision is None:
            raise BackupError(
                f"{source} holds no Service IQ schema: is SURVEY_DATABASE_URL the service's, "
                "and has init-db run?"
            )
        try:
            os.link(temporary, target)  # never replaces: fails if the target appeared meanwhile
        except FileExistsError:
            raise BackupError(
                f"{target} appeared while the copy was made; name a new file"
            ) from None
    finally:
        temporary.unlink(missing_ok=True)
    return Backup(target, target.stat().st_size, revision)


def _copy(engine: Engine, temporary: Path) -> None:
    raw = engine.raw_connection()
    try:
        destination = sqlite3.connect(temporary)
        try:
            raw.driver_connection.backup(destination)  # type: ignore[union-attr]
            # The copy is a plain file: no WAL beside it.
            destination.execute("PRAGMA journal_mode=DELETE")
        finally:
            destination.close()
    finally:
        raw.close()


def _check(path: Path) -> str | None:
    """The copy's integrity (``BackupError`` if SQLite finds a fault) and schema revision."""
    connection = sqlite3.connect(path)
    try:
        verdict = connection.execute("PRAGMA integrity_check").fetchall()
        if verdict != [("ok",)]:
            raise BackupError(f"the copy failed its integrity check: {verdict[:3]}")
        try:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.OperationalError:
            row = None
        return row[0] if row else None
    finally:
        connection.close()
