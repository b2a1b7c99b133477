"""The one database module: engine from config in ``init_app``, one session per request.

SQLite gets WAL, a busy timeout and foreign keys on every connection; PostgreSQL goes through
psycopg 3. Nothing connects at import time. Services receive the session and flush; the request
(or CLI command) that owns the session commits once.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from flask import Flask, current_app, g, request
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

# How long a SQLite writer waits for the write lock before giving up with "database is locked"
# (then the request gets the 503 "try again" page). ``SQLITE_BUSY_TIMEOUT_MS`` in the config.
SQLITE_BUSY_TIMEOUT_MS = 15_000

# Whether new SQLite transactions should take the write lock at BEGIN. Read-only requests
# (GET/HEAD) clear it so readers never queue behind writers; everything else keeps it. None:
# no BEGIN at all, each statement is its own transaction until ``start_writing`` (for a
# request that reads a row, checks a form at length, and only then writes).
write_intent: ContextVar[bool | None] = ContextVar("write_intent", default=True)


def normalise_url(url: str) -> str:
    """Map ``postgres://`` and ``postgresql://`` to the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


# Where a SQLite connection's busy timeout (ms) is kept, in its pool record's ``info``.
_BUSY_TIMEOUT_KEY = "sqlite_busy_timeout_ms"


def _sqlite_pragmas(busy_timeout_ms: int) -> Any:
    def on_connect(dbapi_connection: Any, record: Any) -> None:
        # isolation_level=None hands transaction control to SQLAlchemy's "begin" event below,
        # so that BEGIN IMMEDIATE can be used and the pragmas run outside a transaction.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        record.info[_BUSY_TIMEOUT_KEY] = int(busy_timeout_ms)

    return on_connect


# How long a SQLite writer sleeps between two tries for the write lock (seconds): the first
# pause, and the longest one it grows to (by half again after every failed try). SQLite's own
# busy handler sleeps 1, 2, 5, 10, 15... ms between tries: long next to the 1-2 ms a submit
# holds the lock, so a waiting writer would often sleep on well after the lock was free; a
# fixed short pause, on the other hand, spins on the lock for the whole busy timeout when a
# long write (a bulk import) holds it. Short first, then bounded back-off.
SQLITE_LOCK_POLL_S = 0.0002
SQLITE_LOCK_POLL_MAX_S = 0.005
SQLITE_LOCK_POLL_GROWTH = 1.5


def lock_pauses(first: float = SQLITE_LOCK_POLL_S, longest: float = SQLITE_LOCK_POLL_MAX_S,
                growth: float = SQLITE_LOCK_POLL_GROWTH) -> Iterator[float]:
    """The pauses (seconds) between tries for SQLite's write lock: ``first``, then each
    ``growth`` times the one before, never above ``longest``; endless (the caller stops at its
    deadline)."""
    pause = first
    while True:
        yield pause
        pause = min(longest, pause * growth)


def sqlite_busy(error: sqlite3.Error) -> bool:
    """Whether a SQLite error says the database is locked or busy (another writer holds it),
    as opposed to a broken statement or schema, which SQLite also reports as an error."""
    message = str(error).lower()
    return "locked" in message or "busy" in message


def _begin_immediate(connection: Any) -> None:
    """``BEGIN IMMEDIATE`` on SQLite, waiting for the write lock up to the connection's busy
    timeout with the pauses of ``lock_pauses`` between tries; past it the usual "database is
    locked" error is raised (through SQLAlchemy, as any other statement's). ``connection``: a
    SQLAlchemy connection; the busy timeout is the one set when the connection was made."""
    driver = connection.connection.dbapi_connection
    busy_timeout_ms = connection.connection.info[_BUSY_TIMEOUT_KEY]
    deadline = time.monotonic() + busy_timeout_ms / 1000
    driver.execute("PRAGMA busy_timeout=0")
    pauses = lock_pauses()
    try:
        while time.monotonic() < deadline:
            try:
                driver.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if not sqlite_busy(error):
                    raise
            time.sleep(min(next(pauses), max(0.0, deadline - time.monotonic())))
        connection.exec_driver_sql("BEGIN IMMEDIATE")  # one last try, raising as usual
    finally:
        driver.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")


def make_engine(
    url: str, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS, **kwargs: Any
) -> Engine:
    """Build an engine for ``url`` with the project's connection settings.

    ``busy_timeout_ms`` (SQLite only): how long a writer waits for the write lock.
    """
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"timeout": busy_timeout_ms / 1000, "isolation_level": None},
            **kwargs,
        )
        event.listen(engine, "connect", _sqlite_pragmas(busy_timeout_ms))

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            # Writers take the lock up front: under WAL a transaction that reads first and
            # writes later fails at once with "database is locked" when another writer got in
            # between, instead of waiting its turn within the busy timeout.
            mode = conn.get_execution_options().get("sqlite_begin")
            if mode is None:
                intent = write_intent.get()
                if intent is None:
                    return
                mode = "IMMEDIATE" if intent else "DEFERRED"
            if mode == "IMMEDIATE":
                _begin_immediate(conn)
            else:
                conn.exec_driver_sql(f"BEGIN {mode}")

        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def start_writing(session: Session) -> None:
    """From here on the session's transaction writes. On SQLite, take the write lock now:
    after reads without a transaction (``write_intent`` None) with ``BEGIN IMMEDIATE`` on the
    same connection; after a deferred read transaction by ending it (nothing was written in
    it), so that the next statement begins an immediate one; a transaction that began
    immediate already holds the lock. Objects read so far stay loaded; callers re-check what
    they read inside the write. PostgreSQL locks rows, not the database: nothing to do."""
    before = write_intent.get()
    write_intent.set(True)
    if before or session.get_bind().dialect.name != "sqlite" or not session.in_transaction():
        return
    if before is None:
        _begin_immediate(session.connection())
    else:
        session.commit()


class Database:
    """Holds the engine and session factory of one app."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessionmaker = sessionmaker(engine, expire_on_commit=False)


READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def init_app(app: Flask) -> None:
    """Create the engine from ``DATABASE_URL`` and close the request's session at teardown."""
    busy_timeout_ms = int(app.config.get("SQLITE_BUSY_TIMEOUT_MS", SQLITE_BUSY_TIMEOUT_MS))
    engine = make_engine(str(app.config["DATABASE_URL"]), busy_timeout_ms=busy_timeout_ms)
    app.extensions["survey.db"] = Database(engine)
    app.teardown_appcontext(_close_session)

    @app.before_request
    def _declare_intent() -> None:
        # A request with an API key writes whatever its method: it stamps the key's last use.
        # Declared up front, it waits its turn for the lock; a read that turns into a write
        # fails at once with "database is locked" if another writer committed in between.
        writes = request.method not in READ_ONLY_METHODS or "Authorization" in request.headers
        g.write_intent_token = write_intent.set(writes)
        g.read_only_request = not writes

    @app.teardown_request
    def _reset_intent(_exc: BaseException | None) -> None:
        token = g.pop("write_intent_token", None)
        if token is not None:
            write_intent.reset(token)


def database(app: Flask | None = None) -> Database:
    return (app or current_app).extensions["survey.db"]


def get_session() -> Session:
    """The session of the current app context, created on first use."""
    if "db_session" not in g:
        g.db_session = database().sessionmaker()
    return g.db_session


def _close_session(exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    read_only = g.pop("read_only_request", False)
    if session is None:
        return
    try:
        if exc is None and read_only and _nothing_pending(session):
            # A read-only request ends its transaction with COMMIT rather than ROLLBACK: the
            # same for the data, but psycopg forgets the connection's prepared statements on
            # every ROLLBACK, and PostgreSQL then plans each query again (about 1 ms for the
            # link lookup). Anything pending in the session is rolled back as before.
            session.commit()
    except DBAPIError as error:
        current_app.logger.warning("ending a read-only transaction failed: %s", error)
    try:
        session.close()
    except DBAPIError as error:
        # The connection died under the request (database restarted): the reply is
        # already made and must stand; SQLAlchemy has dropped the dead connection.
        current_app.logger.warning("closing the session failed: %s", error)


def _nothing_pending(session: Session) -> bool:
    return session.in_transaction() and not (session.new or session.dirty or session.deleted)
