"""``db.reading`` and ``db.writing``: the two explicit transaction blocks.

On SQLite a reading block holds one snapshot and no lock (another writer gets in meanwhile),
a writing block holds the write lock from its first line to its commit (another writer must
wait). A writing block ends its transaction when it ends; a reading block's snapshot lasts
until a writing block takes the lock on the same connection, or the session ends. On both
databases a writing block commits when it ends and rolls back when an exception escapes; a
reading block refuses to write.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from survey.db import database, make_engine, reading, writing
from survey.models import Department


@pytest.fixture
def db(app: Flask) -> Iterator[Session]:
    session = database(app).sessionmaker()
    yield session
    session.close()


def _count(app: Flask, code: str) -> int:
    with database(app).sessionmaker() as other:
        found = other.scalar(
            select(func.count()).select_from(Department).where(Department.code == code)
        )
    return int(found or 0)


def _other_writer_gets_in(db_url: str) -> bool:
    """Whether another connection can take SQLite's write lock right now (without waiting)."""
    conn = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None, timeout=0)
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        assert "locked" in str(error) or "busy" in str(error)
        return False
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        conn.close()
    return True


def test_sqlite_reading_takes_no_lock_and_writing_holds_it(db: Session, db_url: str) -> None:
    with reading(db):
        db.scalar(select(func.count()).select_from(Department))
        assert db.in_transaction()
        assert _other_writer_gets_in(db_url)
    # The snapshot outlives the block, still without a lock, until a writing block begins.
    assert db.connection().connection.dbapi_connection.in_transaction
    assert _other_writer_gets_in(db_url)
    with writing(db):
        db.add(Department(code="W1", name="Written"))
        assert not _other_writer_gets_in(db_url)  # the lock is held before the first write
        db.flush()
        assert not _other_writer_gets_in(db_url)
    assert _other_writer_gets_in(db_url)  # committed and released


def test_sqlite_writing_after_reading_keeps_the_objects_read(db: Session, db_url: str) -> None:
    db.add(Department(code="R1", name="Read first"))
    db.commit()
    with reading(db):
        department = db.scalar(select(Department).where(Department.code == "R1"))
    assert department is not None
    with writing(db):
        assert not _other_writer_gets_in(db_url)
        department.name = "Renamed under the lock"  # no reload needed: still loaded
    db.expire_all()
    assert db.scalar(select(Department.name).where(Department.code == "R1")) == (
        "Renamed under the lock"
    )


@pytest.mark.postgres
def test_writing_commits_at_the_end_and_rolls_back_on_error(app: Flask, db: Session) -> None:
    with writing(db):
        db.add(Department(code="KEPT", name="Kept"))
    assert _count(app, "KEPT") == 1
    with pytest.raises(ZeroDivisionError), writing(db):
        db.add(Department(code="LOST", name="Lost"))
        db.flush()
        _ = 1 / 0
    assert _count(app, "LOST") == 0


@pytest.mark.postgres
def test_reading_refuses_to_write(app: Flask, db: Session) -> None:
    with pytest.raises(RuntimeError, match="reading block"), reading(db):
        db.add(Department(code="SNEAK", name="Sneaked in"))
    assert _count(app, "SNEAK") == 0


def test_an_unknown_begin_mode_is_refused(db_url: str) -> None:
    engine = make_engine(db_url).execution_options(sqlite_begin="EXCLUSIVE-ISH")
    with pytest.raises(ValueError, match="sqlite_begin"), engine.begin() as conn:
        conn.exec_driver_sql("SELECT 1")
    engine.dispose()


def test_sqlite_writing_after_reading_keeps_the_connection(
    app: Flask, db: Session, db_url: str
) -> None:
    """The read snapshot is ended and the write lock taken on the connection the block read
    on: one check-out per submit, and a writer that got in meanwhile is not a conflict."""
    checkouts: list[Any] = []
    engine = database(app).engine

    def on_checkout(dbapi_connection: Any, *_rest: Any) -> None:
        checkouts.append(dbapi_connection)

    event.listen(engine, "checkout", on_checkout)
    try:
        with reading(db):
            db.scalar(select(func.count()).select_from(Department))
        with database(app).sessionmaker() as other:  # another writer gets in meanwhile
            other.add(Department(code="O1", name="Other"))
            other.commit()
        with writing(db):
            assert not _other_writer_gets_in(db_url)
            db.add(Department(code="W2", name="Written after reading"))
    finally:
        event.remove(engine, "checkout", on_checkout)
    assert len(checkouts) == 2  # one for the block pair, one for the other writer
    assert checkouts[0] is not checkouts[1]
    assert _other_writer_gets_in(db_url)
    assert db.scalar(select(func.count()).where(Department.code.in_(["O1", "W2"]))) == 2


def test_sqlite_a_read_only_session_ends_its_snapshot_with_the_block(app: Flask) -> None:
    """A GET's session keeps no snapshot past its reading block (a page is not rendered
    holding one)."""
    session = database(app).read_sessionmaker()
    try:
        with reading(session):
            session.scalar(select(func.count()).select_from(Department))
            assert session.in_transaction()
        assert not session.in_transaction()
    finally:
        session.close()
