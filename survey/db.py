"""The one database module: engine from config in ``init_app``, one session per request.

SQLite gets WAL, a busy timeout and foreign keys on every connection; PostgreSQL goes through
psycopg 3. Nothing connects at import time. Services receive the session and flush; the request
(or CLI command) that owns the session commits once.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, current_app, g, request
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.routing import IntegerConverter

# How long a SQLite writer waits for the write lock before giving up with "database is locked"
# (then the request gets the 503 "try again" page). ``SQLITE_BUSY_TIMEOUT_MS`` in the config.
SQLITE_BUSY_TIMEOUT_MS = 15_000

# How a SQLite transaction begins, as the ``sqlite_begin`` execution option of an engine or a
# connection: "IMMEDIATE" takes the write lock at BEGIN (the default: a command or a POST
# writes), "DEFERRED" takes none (a read; under WAL it never waits for writers). Requests get
# a session bound by their method (``get_session``); ``reading`` and ``writing`` choose per block.
READ = "DEFERRED"
WRITE = "IMMEDIATE"
_MODE_KEY = "survey.sqlite_begin"


# The largest id a row can have: the id columns are PostgreSQL ``integer`` (signed 32-bit);
# SQLite's INTEGER holds 64 bits, but its ids count up from 1 and never come near this.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """The app's ``<int:...>`` URL converter: a number past ``MAX_ID`` matches no route (404),
    where the database would fail on it (SQLite past 2**63 - 1: OverflowError; PostgreSQL past
    2**31 - 1: a DataError), a server error either way. Registered by the app factory before
    any route."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


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


# How long a new PostgreSQL connection may take (seconds: libpq's ``connect_timeout``, TCP and
# start-up together) unless the URL sets its own: libpq's default is to wait for ever.
DATABASE_CONNECT_SECONDS = 10

# How long a SQLite writer sleeps between two tries for the write lock (seconds): the first
# pause, and the longest one it grows to (by half again after every failed try). SQLite's own
# busy handler sleeps 1, 2, 5, 10, 15... ms between tries: long next to the 1-2 ms a submit
# holds the lock, so a waiting writer would often sleep on well after the lock was free; a
# fixed short pause, on the other hand, spins on the lock for the whole busy timeout when a
# long write (a bulk import) holds it. Short first, then bounded back-off.
SQLITE_LOCK_POLL_S = 0.0002
SQLITE_LOCK_POLL_MAX_S = 0.005
SQLITE_LOCK_POLL_GROWTH = 1.5


def lock_pauses(
    first: float = SQLITE_LOCK_POLL_S,
    longest: float = SQLITE_LOCK_POLL_MAX_S,
    growth: float = SQLITE_LOCK_POLL_GROWTH,
) -> Iterator[float]:
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


def out_of_reach(error: OperationalError) -> bool:
    """Whether ``error`` says the database could not be reached or the connection was lost
    (PostgreSQL: no SQLSTATE, as for a refused or timed-out connection, or class 08,
    "connection exception"), as opposed to a statement the server refused (a deadlock, a
    serialization failure, a cancelled query) or anything SQLite says."""
    if isinstance(error.orig, sqlite3.Error):
        return False
    if error.connection_invalidated:
        return True
    state = getattr(error.orig, "sqlstate", None)
    return state is None or str(state).startswith("08")


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
    url: str,
    busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS,
    connect_seconds: int = DATABASE_CONNECT_SECONDS,
    **kwargs: Any,
) -> Engine:
    """Build an engine for ``url`` with the project's connection settings.

    ``busy_timeout_ms`` (SQLite only): how long a writer waits for the write lock.
    ``connect_seconds`` (PostgreSQL only): how long a new connection may take before it fails
    (a host that takes the connection and never answers would otherwise hold a request, or
    cron's ``tick``, for ever); a ``connect_timeout`` in the URL is kept, whatever its value.
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
            mode = conn.get_execution_options().get("sqlite_begin", WRITE)
            if mode == WRITE:
                _begin_immediate(conn)
            elif mode == READ:
                # Straight to the driver, as ``BEGIN IMMEDIATE`` is: a statement without
                # parameters or rows, and every respondent page begins one.
                conn.connection.dbapi_connection.execute("BEGIN DEFERRED")
            else:
                raise ValueError(f"sqlite_begin must be {READ!r} or {WRITE!r}, not {mode!r}")
            conn.connection.info[_MODE_KEY] = mode

        return engine
    engine = create_engine(url, pool_pre_ping=True, **kwargs)
    event.listen(engine, "connect", _postgres_settings, insert=True)
    event.listen(engine, "do_connect", _connect_timeout_unless_given(connect_seconds))
    return engine


def _connect_timeout_unless_given(seconds: int) -> Any:
    """A ``do_connect`` listener giving a connection libpq's ``connect_timeout`` of
    ``seconds`` unless its URL names one."""

    def _give(dialect: Any, record: Any, cargs: Any, cparams: dict[str, Any]) -> None:
        cparams.setdefault("connect_timeout", seconds)

    return _give


def _postgres_settings(dbapi_connection: Any, record: Any) -> None:
    """Every new PostgreSQL connection runs without JIT compilation (``jit = off``).

    The app's statements are small reads and writes over indexed rows, each well under a
    millisecond of work, but the planner estimates a table it has never analysed (and
    autovacuum never analyses one under 50 rows, such as ``score_versions``) at thousands of
    rows; past ``jit_above_cost`` it then compiles the statement to machine code first, which
    took 25 ms for a statement that runs in 0.3 ms (``score_versions`` on the demo), several
    times per scorecard. Set per connection, with a ``SET`` rather than a start-up option, so
    that a connection pooler in front of the server sees nothing unusual.
    """
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    dbapi_connection.autocommit = autocommit


@contextmanager
def bounded_connect(engine: Engine, seconds: int) -> Iterator[None]:
    """Within the block, a new PostgreSQL connection of ``engine`` gives up after ``seconds``
    at most (libpq's ``connect_timeout``: the whole connection, TCP and start-up, a host that
    never answers included), even where the engine's own (``make_engine``'s
    ``connect_seconds``) or the URL's is longer or none; a shorter one is kept. Connections
    made outside the block, and SQLite, are unaffected. ``seconds`` below 2 counts as 2 for
    libpq."""
    if engine.dialect.name != "postgresql":
        yield
        return

    def _limit(dialect: Any, record: Any, cargs: Any, cparams: dict[str, Any]) -> None:
        given = str(cparams.get("connect_timeout", "0")).strip()
        if not given.isdigit() or int(given) <= 0 or int(given) > seconds:
            cparams["connect_timeout"] = seconds

    event.listen(engine, "do_connect", _limit)
    try:
        yield
    finally:
        event.remove(engine, "do_connect", _limit)


def _pending(session: Session) -> bool:
    return bool(session.new or session.dirty or session.deleted)


def _sqlite_mode(session: Session) -> str | None:
    """How the session's SQLite transaction began (READ or WRITE); None outside one or on
    another database."""
    if session.get_bind().dialect.name != "sqlite" or not session.in_transaction():
        return None
    return session.connection().connection.info.get(_MODE_KEY)


def _begin_sqlite(session: Session, mode: str) -> None:
    """Begin the session's SQLite transaction in ``mode`` (READ or WRITE), naming the mode
    only where the session's engine does not already begin that way (a connection's options
    cost a little on every request)."""
    if session.get_bind().get_execution_options().get("sqlite_begin", WRITE) == mode:
        session.connection()
    else:
        session.connection(execution_options={"sqlite_begin": mode})


@contextmanager
def reading(session: Session) -> Iterator[Session]:
    """A block that only reads. On SQLite, outside a transaction, its statements share one read
    transaction (``BEGIN DEFERRED``: one snapshot, no lock, so writers go on meanwhile), the
    objects read staying loaded. In a session that may write (``get_session`` of a POST) the
    snapshot outlives the block: what the request reads after it reads the same snapshot, and
    it ends when a ``writing`` block begins (which takes the write lock on the same connection,
    ``_take_write_lock``) or when the session ends; a read-only session's ends with the block.
    Inside a transaction already begun the block reads in it and leaves it open. A change
    left pending by the block is a mistake on either database: ``RuntimeError``, the
    transaction rolled back, nothing written. PostgreSQL never makes readers wait: no
    transaction of its own there."""
    fresh = session.get_bind().dialect.name == "sqlite" and not session.in_transaction()
    clean = not _pending(session)
    if fresh:
        _begin_sqlite(session, READ)
    try:
        yield session
    except BaseException:
        if fresh:
            session.rollback()
        raise
    if clean and _pending(session):
        session.rollback()
        raise RuntimeError("a reading block left changes pending; write in a writing block")
    # A session that may write (its transactions begin IMMEDIATE: a POST's) keeps its fresh
    # snapshot for the writing block: ending it here and beginning the writer's transaction on
    # another checkout cost a submit about 0.1 ms of CPU (a session commit, a pool check-in and
    # check-out, a new connection object and its begin event), a twentieth of its CPU. A
    # read-only session ends it here, so that a page is not rendered holding a snapshot (a
    # snapshot held keeps the WAL from being checkpointed past it).
    if fresh and session.get_bind().get_execution_options().get("sqlite_begin", WRITE) == READ:
        session.commit()


def _take_write_lock(session: Session) -> None:
    """End the session's SQLite read transaction (nothing pending) and take the write lock on
    the same connection (``BEGIN IMMEDIATE``, waiting as ``_begin_immediate`` does): straight
    on the driver, the session's transaction and connection staying as they are. When the lock
    cannot be had, the session is rolled back and the error raised (nothing was written)."""
    connection = session.connection()
    try:
        connection.connection.dbapi_connection.execute("COMMIT")
        _begin_immediate(connection)
    except BaseException:
        session.rollback()
        raise
    connection.connection.info[_MODE_KEY] = WRITE


@contextmanager
def writing(session: Session) -> Iterator[Session]:
    """A block that writes, committed when it ends and rolled back when an exception escapes.
    On SQLite the write lock is taken when the block starts (``BEGIN IMMEDIATE``, waiting within
    the busy timeout), not at the first write: under WAL a transaction that read first and
    writes later fails at once with "database is locked" when another writer got in between.
    A read transaction still open (nothing pending) is ended first, on the same connection
    (``_take_write_lock``); objects read so far stay
    loaded, so callers re-check inside the block what they read before it. PostgreSQL locks
    rows, not the database: the block only commits or rolls back."""
    mode = _sqlite_mode(session)
    if mode == READ:
        if _pending(session):
            raise RuntimeError("changes pending in a read transaction")
        _take_write_lock(session)
    if session.get_bind().dialect.name == "sqlite" and not session.in_transaction():
        _begin_sqlite(session, WRITE)
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    session.commit()


class Database:
    """Holds the engine and session factory of one app."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessionmaker = sessionmaker(engine, expire_on_commit=False)
        # A read-only request's session begins SQLite transactions without the write lock.
        self.read_sessionmaker = sessionmaker(
            engine.execution_options(sqlite_begin=READ), expire_on_commit=False
        )


READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def init_app(app: Flask) -> None:
    """Create the engine from ``DATABASE_URL`` and close the request's session at teardown."""
    busy_timeout_ms = int(app.config.get("SQLITE_BUSY_TIMEOUT_MS", SQLITE_BUSY_TIMEOUT_MS))
    connect_seconds = int(app.config.get("DATABASE_CONNECT_SECONDS", DATABASE_CONNECT_SECONDS))
    engine = make_engine(
        str(app.config["DATABASE_URL"]),
        busy_timeout_ms=busy_timeout_ms,
        connect_seconds=connect_seconds,
    )
    app.extensions["survey.db"] = Database(engine)
    app.teardown_appcontext(_close_session)

    @app.before_request
    def _declare_intent() -> None:
        # A request with an API key writes whatever its method: it stamps the key's last use.
        # Declared up front, it waits its turn for the lock; a read that turns into a write
        # fails at once with "database is locked" if another writer committed in between.
        writes = request.method not in READ_ONLY_METHODS or "Authorization" in request.headers
        g.read_only_request = not writes


def database(app: Flask | None = None) -> Database:
    return (app or current_app).extensions["survey.db"]


def get_session() -> Session:
    """The session of the current app context, created on first use: a read-only request's
    begins SQLite transactions without the write lock (``READ``), any other's with it."""
    if "db_session" not in g:
        db = database()
        factory = db.read_sessionmaker if g.get("read_only_request") else db.sessionmaker
        g.db_session = factory()
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
